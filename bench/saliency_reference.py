"""Python side of bench_saliency: the workloads, and Captum's algorithms timed.

    /usr/bin/python3 saliency_reference.py cnn DIR [--threads T] [--reps R]
    /usr/bin/python3 saliency_reference.py resnet18 DIR

cnn: writes DIR/model.pt (torch.jit.script of a small BatchNorm CNN for
3x32x32 images, eval mode, BatchNorm statistics set away from 0/1) and
DIR/images.npy (16 images, float32), then times, for the batch of 16 at the
predicted classes, faithful re-implementations of Captum's algorithms (Captum
is not installed here; these follow captum/attr/_core as of 0.6-0.7 step by
step, leaving out only argument checking and formatting):

  Saliency            forward on the batch with inputs requiring grad, the
                      target logits selected, torch.autograd.grad of their
                      unbind, abs (Saliency's default abs=True).
  IntegratedGradients method="gausslegendre" (Captum's default), n_steps=50,
                      baseline 0, internal_batch_size=None (Captum's default):
                      the 50 scaled copies of the batch concatenated, one
                      gradient call on all 800, grads x step sizes summed per
                      example (_reshape_and_sum), x (input - baseline).
  NoiseTunnel         smoothgrad over Saliency, nt_samples=50,
                      nt_samples_batch_size=None: the batch repeat_interleaved
                      50 times plus N(0, stdev^2) noise (stdev = 0.15 x the
                      batch's range), Saliency on all 800, mean over samples.

and prints "name value" lines: captum_gradient_ms, captum_ig_ms and
captum_smoothgrad_ms (per image, median of the repetitions), and
captum_ig_error (mean |sum of attributions - (F(x) - F(0))| over the 16
images: IG's completeness error) and captum_ig_riemann_error (the same with
method="riemann_trapezoid", Captum's other common choice).

resnet18: writes DIR/resnet18.pt, torchvision's resnet18 (random weights,
eval mode) scripted by real PyTorch, for the 224x224 figures.
"""

import sys
import time

import numpy as np
import torch

from reference_models import SmallCnn


def select(output, target):
    # captum._utils.common._select_targets for a 1-D target tensor.
    return torch.gather(output, 1, target.reshape(len(output), 1)).squeeze(1)


def compute_gradients(model, inputs, target):
    # captum._utils.gradient.compute_gradients.
    with torch.autograd.set_grad_enabled(True):
        outputs = select(model(inputs), target)
        return torch.autograd.grad(torch.unbind(outputs), inputs)[0]


def saliency(model, inputs, target):
    inputs = inputs.detach().requires_grad_()  # apply_gradient_requirements
    return compute_gradients(model, inputs, target).abs()


def gauss_legendre(n):
    # captum.attr._utils.approximation_methods.gauss_legendre_builders.
    x, w = np.polynomial.legendre.leggauss(n)
    return list(0.5 * w), list(0.5 * (x + 1))


def riemann_trapezoid(n):
    # riemann_builders(Riemann.trapezoid).
    step = [1.0 / (n - 1)] * n
    step[0] = step[-1] = 0.5 / (n - 1)
    return step, list(np.linspace(0, 1, n))


def integrated_gradients(model, inputs, target, n_steps=50, method="gausslegendre"):
    baseline = torch.zeros_like(inputs)
    step_sizes, alphas = (gauss_legendre if method == "gausslegendre" else riemann_trapezoid)(n_steps)
    scaled = torch.cat([baseline + a * (inputs - baseline) for a in alphas], 0).requires_grad_()
    expanded_target = target.repeat(n_steps)  # _expand_target
    grads = compute_gradients(model, scaled, expanded_target)
    scaled_grads = grads.contiguous().view(n_steps, -1) * torch.tensor(step_sizes).view(
        n_steps, 1).to(grads.device)
    total = scaled_grads.view((n_steps, grads.shape[0] // n_steps) + grads.shape[1:]).sum(0)
    return total * (inputs - baseline)


def smoothgrad(model, inputs, target, nt_samples=50, stdev=1.0):
    n = inputs.shape[0]
    expanded = inputs.repeat_interleave(nt_samples, dim=0)
    noisy = expanded + torch.normal(0.0, stdev, size=expanded.shape)
    attr = saliency(model, noisy, target.repeat_interleave(nt_samples))
    return attr.view((n, nt_samples) + inputs.shape[1:]).mean(1)


def timed(f, reps):
    f()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000.0)
    return float(np.median(times))


def cnn(folder, reps):
    torch.manual_seed(0)
    net = SmallCnn()
    with torch.no_grad():
        for bn in (net.bn1, net.bn2):
            bn.running_mean.uniform_(-0.1, 0.1)
            bn.running_var.uniform_(0.5, 1.5)
            bn.weight.uniform_(0.8, 1.2)
            bn.bias.uniform_(-0.1, 0.1)
    net.eval()
    torch.jit.script(net).save(folder + "/model.pt")
    x = torch.randn(16, 3, 32, 32)
    np.save(folder + "/images.npy", x.numpy())
    with torch.no_grad():
        target = net(x).argmax(1)
        f0 = select(net(torch.zeros_like(x)), target)
        fx = select(net(x), target)
    n = x.shape[0]
    stdev = 0.15 * float(x.max() - x.min())
    print("captum_gradient_ms", timed(lambda: saliency(net, x, target), reps * 5) / n)
    print("captum_ig_ms", timed(lambda: integrated_gradients(net, x, target), reps) / n)
    print("captum_smoothgrad_ms", timed(lambda: smoothgrad(net, x, target, stdev=stdev), reps) / n)
    for key, method in (("captum_ig_error", "gausslegendre"),
                        ("captum_ig_riemann_error", "riemann_trapezoid")):
        a = integrated_gradients(net, x, target, method=method)
        delta = a.sum((1, 2, 3)) - (fx - f0)
        print(key, float(delta.abs().mean()))


def resnet18(folder):
    import torchvision
    torch.manual_seed(0)
    net = torchvision.models.resnet18(weights=None, num_classes=1000).eval()
    torch.jit.script(net).save(folder + "/resnet18.pt")
    print("resnet18_parameters", sum(p.numel() for p in net.parameters()))


def main():
    kind, folder = sys.argv[1], sys.argv[2]
    args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    torch.set_num_threads(int(args.get("--threads", "2")))
    if kind == "cnn":
        cnn(folder, int(args.get("--reps", "3")))
    else:
        resnet18(folder)


if __name__ == "__main__":
    main()
