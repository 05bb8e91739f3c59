"""Python side of bench_landscape: writes the workload and times two PyTorch loops.

    /usr/bin/python3 landscape_reference.py {mlp|cnn} DIR --points N --threads T

Writes DIR/model.pt (torch.jit.script) and DIR/data.npz (x float32, y int64),
then times, per grid point (a, b) on a small grid around the weights:

  reference: the loss-landscape tool's semantics (Li et al. 2018): every
             parameter replaced by a new tensor w + a*dx + b*dy (its set_weights
             for dir_type=weights), then its eval_loss: eval mode, no_grad,
             batches of 128 (its default loader batch size) from a
             DataLoader as the tool has it (timed on 3 points), and collated
             before timing (which only favours it), loss.item() * batch
             summed, argmax accuracy.
  tight:     the fastest plain PyTorch loop we know: weights updated in place,
             inference_mode, one forward of all samples for the MLP, batches
             of 250 in channels_last for the CNN, summed cross-entropy.

Prints "name value" lines: reference_ms (collated), reference_loader_ms,
tight_ms (per point, median of the
points), centre_loss (the loss at a = b = 0 by the tight loop, which Basin's
surface must match), gflop_per_point.
"""

import sys
import time

import numpy as np
import torch

from reference_models import SmallCnn


def mlp():
    return torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(784, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10))


def workload(kind):
    torch.manual_seed(0)
    if kind == "mlp":
        n, shape, net = 10000, (784,), mlp()
        gflop = 2.0 * n * (784 * 512 + 512 * 512 + 512 * 10) / 1e9
    else:
        n, shape, net = 5000, (3, 32, 32), SmallCnn()
        macs = 16 * 32 * 32 * 27 + 32 * 16 * 16 * 144 + 2048 * 10
        gflop = 2.0 * n * macs / 1e9
    x = torch.randn((n,) + shape)
    y = torch.randint(0, 10, (n,))
    return net.eval(), x, y, gflop


def directions(net):
    """Filter-normalized random directions, 1-D tensors zeroed (not timed)."""
    out = []
    for p in net.parameters():
        p = p.detach()
        d = torch.randn_like(p)
        if p.dim() <= 1:
            d.zero_()
        else:
            for f, w in zip(d, p):
                f.mul_(w.norm() / (f.norm() + 1e-10))
        out.append(d)
    return out


def grid(points):
    side = max(2, int(np.ceil(np.sqrt(points))))
    coords = np.linspace(-1.0, 1.0, side)
    return [(float(a), float(b)) for a in coords for b in coords][:points]


def reference(net, x, y, weights, dx, dy, points, collated=True):
    # Its DataLoader (batch 128, no shuffling, no worker processes); or what
    # that loader yields, collated up front, leaving out the per-sample
    # indexing and collation it pays (which only favours it).
    if collated:
        loader = list(zip(torch.split(x, 128), torch.split(y, 128)))
    else:
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                             batch_size=128, shuffle=False)
    criterion = torch.nn.CrossEntropyLoss()
    times = []
    for a, b in points:
        t = time.perf_counter()
        for p, w, d0, d1 in zip(net.parameters(), weights, dx, dy):
            p.data = w + (d0 * a + d1 * b).type(type(w))
        net.eval()
        total_loss, correct, total = 0.0, 0, 0
        with torch.no_grad():
            for inputs, targets in loader:
                outputs = net(inputs)
                total_loss += criterion(outputs, targets).item() * inputs.size(0)
                correct += outputs.data.max(1)[1].eq(targets).sum().item()
                total += inputs.size(0)
        times.append((time.perf_counter() - t) * 1000.0)
        _ = (total_loss / total, 100.0 * correct / total)
    return times


def tight(net, x, y, weights, dx, dy, points, kind):
    batch = x.shape[0] if kind == "mlp" else 250
    if kind == "cnn":
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    params = list(net.parameters())
    times, centre = [], None
    with torch.inference_mode():
        for a, b in points:
            t = time.perf_counter()
            for p, w, d0, d1 in zip(params, weights, dx, dy):
                torch.add(w, d0, alpha=a, out=p)
                p.add_(d1, alpha=b)
            loss, correct = 0.0, 0
            for s in range(0, x.shape[0], batch):
                z = net(x[s:s + batch])
                loss += torch.nn.functional.cross_entropy(z, y[s:s + batch],
                                                          reduction="sum").item()
                correct += (z.argmax(1) == y[s:s + batch]).sum().item()
            times.append((time.perf_counter() - t) * 1000.0)
            if a == 0.0 and b == 0.0:
                centre = loss / x.shape[0]
    return times, centre


def main():
    kind, folder = sys.argv[1], sys.argv[2]
    args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    points = int(args.get("--points", "9"))
    torch.set_num_threads(int(args.get("--threads", "2")))
    net, x, y, gflop = workload(kind)
    torch.jit.script(net).save(folder + "/model.pt")
    np.savez(folder + "/data.npz", x=x.numpy(), y=y.numpy())

    with torch.no_grad():
        weights = [p.detach().clone() for p in net.parameters()]
    dx, dy = directions(net), directions(net)
    # The centre first, then the grid, so every loop sees (0, 0).
    pts = [(0.0, 0.0)] + grid(points)[: points - 1]
    ref = reference(net, x, y, weights, dx, dy, pts)
    loader = reference(net, x, y, weights, dx, dy, pts[:3], collated=False)
    with torch.no_grad():
        for p, w in zip(net.parameters(), weights):
            p.data = w.clone()
    fast, centre = tight(net, x, y, weights, dx, dy, pts, kind)
    print("reference_ms", float(np.median(ref)))
    print("reference_loader_ms", float(np.median(loader)))
    print("tight_ms", float(np.median(fast)))
    print("centre_loss", centre)
    print("gflop_per_point", gflop)


if __name__ == "__main__":
    main()
