// bench_evaluation: Basin's evaluate() against the tightest plain PyTorch loop.
//
// Model: MLP 784-512-512-10 (ReLU), random weights, as TorchScript compiled in
// C++; data: --samples (default 10,000) random 784-d inputs with int64 labels.
// Basin: evaluate(model, data, {CrossEntropy, batch = all samples, 2 threads}).
// PyTorch: /usr/bin/python3, the same shapes, torch.set_num_threads(2),
// torch.inference_mode(), one forward of the whole batch + cross-entropy +
// argmax. Median of --runs (default 3) each, run one after the other. Also a
// measured fp32 GEMM rate (torch::mm, 1024³, 2 threads) and the fraction of
// it each side reaches: FLOPs = 2·N·(784·512 + 512·512 + 512·10).
//
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from this process (it
// re-executes itself without them, since OpenBLAS reads them when it loads)
// and from the Python command; the benchmark prints that it did.

#include <torch/script.h>
#include <unistd.h>

#include <ATen/Parallel.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "BenchTorch.h"
#include "eval/Evaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

using namespace basin;
using namespace basin::bench;

namespace {

constexpr int kThreads = 2;

basin::Model mlp() {
    torch::jit::Module m("Mlp");
    const std::int64_t sizes[] = {784, 512, 512, 10};
    for (int i = 0; i < 3; ++i) {
        m.register_parameter("w" + std::to_string(i), torch::randn({sizes[i + 1], sizes[i]}) * 0.05,
                             false);
        m.register_parameter("b" + std::to_string(i), torch::zeros({sizes[i + 1]}), false);
    }
    m.define(R"(
def forward(self, x):
    h = torch.relu(torch.linear(x, self.w0, self.b0))
    h = torch.relu(torch.linear(h, self.w1, self.b1))
    return torch.linear(h, self.w2, self.b2)
)");
    auto impl = std::make_shared<basin::Model::Impl>();
    impl->module = m;
    impl->name = "mlp-784-512-512-10";
    return basin::Model(impl);
}

// The Python loop's median milliseconds, or NaN when it cannot run.
double pythonMs(int samples, int runs) {
    const std::string script =
        "import time, torch\n"
        "torch.set_num_threads(" +
        std::to_string(kThreads) +
        ")\n"
        "torch.manual_seed(0)\n"
        "m = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), "
        "torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)).eval()\n"
        "x = torch.randn(" +
        std::to_string(samples) +
        ", 784)\n"
        "y = torch.randint(0, 10, (" +
        std::to_string(samples) +
        ",))\n"
        "ts = []\n"
        "with torch.inference_mode():\n"
        "    for r in range(" +
        std::to_string(runs + 1) +
        "):\n"
        "        t = time.perf_counter()\n"
        "        z = m(x)\n"
        "        loss = torch.nn.functional.cross_entropy(z, y).item()\n"
        "        acc = (z.argmax(1) == y).sum().item()\n"
        "        ts.append((time.perf_counter() - t) * 1000)\n"
        "ts = sorted(ts[1:])\n"
        "print('median_ms', ts[len(ts) // 2])\n";
    const std::string path = "/tmp/bench_evaluation_" + std::to_string(::getpid()) + ".py";
    if (FILE* f = std::fopen(path.c_str(), "w")) {
        std::fputs(script.c_str(), f);
        std::fclose(f);
    }
    const auto figures = pythonFigures(path);
    const double ms = figures.count("median_ms") ? figures.at("median_ms") : std::nan("");
    std::remove(path.c_str());
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    withoutOpenBlasOverrides(argv);
    int samples = 10000, runs = 3;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--samples", 1, samples)) continue;
        if (intOption(argc, argv, i, "--runs", 1, runs)) continue;
        std::fprintf(stderr, "usage: %s [--samples N] [--runs N]\n", argv[0]);
        return 2;
    }
    std::printf(
        "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this benchmark and its Python "
        "command only; %d threads\n",
        kThreads);
    torch::manual_seed(0);
    basin::Model model = mlp();
    Dataset data;
    data.name = "random-784";
    data.inputs = basin::detail::fromTorch(torch::randn({samples, 784}), "x");
    data.targets = basin::detail::fromTorch(torch::randint(0, 10, {samples}, torch::kInt64), "y");
    const double gflop = 2.0 * samples * (784.0 * 512 + 512.0 * 512 + 512.0 * 10) / 1e9;

    const double gemm = gemmGflops(kThreads);
    EvalOptions options{LossKind::CrossEntropy, samples, kThreads};
    evaluate(model, data, options);  // warm-up
    std::vector<double> basinRuns;
    for (int r = 0; r < runs; ++r) {
        const auto t = Clock::now();
        evaluate(model, data, options);
        basinRuns.push_back(msSince(t));
    }
    const double basinMs = median(basinRuns);
    const double torchMs = pythonMs(samples, runs);

    std::printf("fp32 GEMM 1024^3 (torch::mm):      %8.1f GFLOP/s\n", gemm);
    std::printf("MLP 784-512-512-10, %d samples, %.2f GFLOP per evaluation:\n", samples, gflop);
    std::printf("  Basin evaluate():                 %8.1f ms  %6.1f GFLOP/s  %5.1f%% of GEMM\n",
                basinMs, gflop / basinMs * 1e3, 100.0 * gflop / basinMs * 1e3 / gemm);
    std::printf("  PyTorch loop (python3):           %8.1f ms  %6.1f GFLOP/s  %5.1f%% of GEMM\n",
                torchMs, gflop / torchMs * 1e3, 100.0 * gflop / torchMs * 1e3 / gemm);
    std::printf("  Basin / PyTorch time:             %8.2f\n", basinMs / torchMs);
    return 0;
}
