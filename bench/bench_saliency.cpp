// bench_saliency: milliseconds per image of every input-space saliency method
// (computeSaliency, the options' defaults: 50 samples / steps, occlusion
// window 8 stride 4, RISE 2000 masks of 7×7 cells) on
//   demo:    the demo's CNN (the zoo's SmallCnn, BatchNorm) on 1×28×28
//            synthetic digits;
//   resnet:  torchvision's resnet18 (random weights), scripted by real PyTorch
//            (/usr/bin/python3, bench/saliency_reference.py) into the build
//            tree, on 3×224×224 images, one repetition, occlusion with a 32
//            window and stride 16 and RISE with 200 masks (the defaults take
//            minutes per image at this size on 2 threads);
//   captum:  side by side with bench/saliency_reference.py (faithful Python
//            re-implementations of Captum's Saliency, IntegratedGradients and
//            NoiseTunnel smoothgrad, run by /usr/bin/python3 on the same
//            machine just before) on a small BatchNorm CNN 3×32×32, a batch of
//            16 images, 2 threads: gradient, IG 50 steps, SmoothGrad 50
//            samples, and IG's completeness error |Σ A − (F(x) − F(0))| against
//            the number of steps for the midpoint rule and Gauss–Legendre — the
//            steps Gauss–Legendre needs for Captum's 50-step error, and their
//            time.
//   pieces:  (only when asked for) where the plain gradient's time goes on
//            the captum CNN: the method copy, freezing, the weights'
//            fingerprint, forward and backward of a copy and of a frozen
//            copy, the maps, the whole computeSaliencyBatch, then Grad-CAM
//            (and on resnet18 when an earlier resnet run left its file), IG
//            and SmoothGrad; median and fastest run, --threads N (default 2:
//            the fastest run and 1 thread show costs on a busy shared
//            machine).
// 2 intra-op threads throughout. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
// removed from this process and its Python commands (they halve OpenBLAS's
// speed on the reference machine; a user's machine has neither).
//
//   bench_saliency [--only demo|resnet|captum|pieces] [--reps N] [--threads N]

#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "BenchTorch.h"
#include "data/GeneratedDatasets.h"
#include "io/Numpy.h"
#include "model/Model.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/ScriptGraph.h"
#include "model/detail/TorchTensor.h"
#include "saliency/Saliency.h"
#include "saliency/detail/PreparedModules.h"
#include "saliency/detail/SaliencyBatches.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::bench;

namespace {

constexpr int kThreads = 2;

TensorData data(const torch::Tensor& t) {
    return basin::detail::fromTorch(t.contiguous(), "t");
}

SaliencyOptions methodOptions(SaliencyMethod method) {
    SaliencyOptions o;
    o.method = method;
    return o;
}

struct Case {
    std::string name;
    SaliencyOptions options;
};

std::vector<Case> inputSpaceCases() {
    std::vector<Case> cases;
    for (SaliencyMethod m : {SaliencyMethod::Gradient, SaliencyMethod::GradientTimesInput,
                             SaliencyMethod::SmoothGrad, SaliencyMethod::SmoothGradSquared})
        cases.push_back({saliencyMethodKey(m), methodOptions(m)});
    SaliencyOptions ig = methodOptions(SaliencyMethod::IntegratedGradients);
    cases.push_back({"ig (Gauss-Legendre)", ig});
    ig.quadrature = IgQuadrature::Riemann;
    cases.push_back({"ig (midpoint)", ig});
    ig.quadrature = IgQuadrature::GaussLegendre;
    ig.baseline = IgBaseline::Blurred;
    cases.push_back({"ig (blurred baseline)", ig});
    cases.push_back({"occlusion", methodOptions(SaliencyMethod::Occlusion)});
    cases.push_back({"rise", methodOptions(SaliencyMethod::Rise)});
    return cases;
}

// Median ms per image of computeSaliency over `images` [N, C, H, W] (one
// untimed call first: the graph executor's profiling runs).
double msPerImage(const Model& model, const torch::Tensor& images, const SaliencyOptions& o,
                  int reps) {
    computeSaliency(model, data(images[0]), o);
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) {
        const auto t = Clock::now();
        computeSaliency(model, data(images[r % images.size(0)]), o);
        ms.push_back(msSince(t));
    }
    return median(ms);
}

void demo(int reps) {
    SyntheticDigitsOptions d;
    d.trainPerClass = 2;
    d.testPerClass = 1;
    const TensorData digits = makeSyntheticDigits(d).split.train.inputs;
    const torch::Tensor images = basin::detail::toTorch(digits, "digits").clone();
    const Model model = makeSmallCnn();
    std::printf("\ndemo CNN (SmallCnn, BatchNorm, 1x28x28 digits), ms per image, median of %d:\n",
                reps);
    for (const Case& c : inputSpaceCases())
        std::printf("  %-24s %9.2f\n", c.name.c_str(), msPerImage(model, images, c.options, reps));
}

void resnet(const std::string& folder, const std::string& script) {
    const auto figures = pythonFigures(script + " resnet18 " + folder);
    if (!figures.count("resnet18_parameters")) {
        std::printf(
            "\nresnet18: /usr/bin/python3 with torchvision could not write the model; skipped\n");
        return;
    }
    const Model model = Model::load(folder + "/resnet18.pt");
    torch::manual_seed(1);
    const torch::Tensor images = torch::randn({2, 3, 224, 224});
    std::printf(
        "\ntorchvision resnet18 (%.1f M parameters), 3x224x224, ms per image (one run after a "
        "warm-up):\n",
        figures.at("resnet18_parameters") / 1e6);
    for (Case c : inputSpaceCases()) {
        if (c.options.method == SaliencyMethod::Occlusion) {
            c.options.occlusionWindow = 32;
            c.options.occlusionStride = 16;
            c.name += " (32/16)";
        }
        if (c.options.method == SaliencyMethod::Rise) {
            c.options.riseMasks = 200;
            c.name += " (200 masks)";
        }
        std::printf("  %-24s %9.0f\n", c.name.c_str(), msPerImage(model, images, c.options, 1));
        std::fflush(stdout);
    }
}

// Mean |Σ A − (F(x) − F(0))| of IG over the images, at the predicted classes.
double igError(const Model& model, const torch::Tensor& images, IgQuadrature q, int steps) {
    SaliencyOptions o = methodOptions(SaliencyMethod::IntegratedGradients);
    o.quadrature = q;
    o.steps = steps;
    const std::vector<SaliencyMap> maps = computeSaliencyBatch(model, data(images), o);
    const torch::Tensor zeros =
        basin::detail::toTorch(model.forward(data(torch::zeros_like(images))), "logits");
    double sum = 0.0;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const double total = basin::detail::toTorch(maps[i].attribution, "a").sum().item<double>();
        const double f0 = zeros[std::int64_t(i)][maps[i].targetClass].item<double>();
        sum += std::abs(total - (maps[i].targetScore - f0));
    }
    return sum / double(maps.size());
}

double msPerImageBatch(const Model& model, const torch::Tensor& images, const SaliencyOptions& o,
                       int reps) {
    computeSaliencyBatch(model, data(images.slice(0, 0, 2)), o);
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) {
        const auto t = Clock::now();
        computeSaliencyBatch(model, data(images), o);
        ms.push_back(msSince(t) / double(images.size(0)));
    }
    return median(ms);
}

// Where the plain gradient's time goes on the captum workload (one batch of
// 16): each piece timed alone, median of `reps` × 5, ms per batch.
void gradientPieces(const std::string& folder, int reps, int threads) {
    at::set_num_threads(threads);
    const Model model = Model::load(folder + "/model.pt");
    const torch::Tensor images =
        basin::detail::toTorch(readNpy(folder + "/images.npy"), "images").clone();
    const torch::jit::Module& original = model.impl().module;
    const int n = reps * 5;
    // "median (fastest)": the fastest run shows the cost without the other
    // processes of a shared machine.
    auto time = [&](const std::function<void()>& f) {
        f();
        std::vector<double> ms;
        for (int r = 0; r < n; ++r) {
            const auto t = Clock::now();
            f();
            ms.push_back(msSince(t));
        }
        static char text[64];
        std::snprintf(text, sizeof text, "%8.3f (%.3f)", median(ms), percentile(ms, 0));
        return text;
    };
    c10::InferenceMode noInference{false};
    torch::AutoGradMode grad{true};
    torch::jit::GraphOptimizerEnabledGuard noProfiling{false};
    torch::jit::Module copy = basin::detail::withOwnMethods(original);
    copy.eval();
    torch::jit::Module frozen;
    {
        torch::NoGradGuard noGrad;
        torch::jit::GraphOptimizerEnabledGuard optimizing{true};
        frozen = torch::jit::freeze(copy);
    }
    auto passes = [&](torch::jit::Module m, bool backward, bool channelsLast = false) {
        const torch::Tensor x =
            images
                .clone(channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous)
                .requires_grad_(true);
        const torch::Tensor logits = m.forward({x}).toTensor();
        if (backward) {
            const torch::Tensor s = logits.gather(1, logits.detach().argmax(1, true)).sum();
            torch::autograd::grad({s}, {x});
        }
    };
    std::printf(
        "\nplain gradient, pieces (captum CNN, batch of %lld), ms per batch, median (fastest) of "
        "%d:\n",
        (long long)images.size(0), n);
    std::printf("  %-44s %s\n", "withOwnMethods + eval",
                time([&] { basin::detail::withOwnMethods(original).eval(); }));
    std::printf("  %-44s %s\n", "freeze", time([&] {
                    torch::NoGradGuard noGrad;
                    torch::jit::GraphOptimizerEnabledGuard optimizing{true};
                    torch::jit::freeze(copy);
                }));
    std::printf("  %-44s %s\n", "fingerprint of the weights",
                time([&] { basin::detail::moduleFingerprint(original); }));
    std::printf("  %-44s %s\n", "fresh copy + forward + backward", time([&] {
                    torch::jit::Module fresh = basin::detail::withOwnMethods(original);
                    fresh.eval();
                    passes(fresh, true);
                }));
    std::printf("  %-44s %s\n", "forward, copy (grad on x)", time([&] { passes(copy, false); }));
    std::printf("  %-44s %s\n", "forward + backward, copy", time([&] { passes(copy, true); }));
    std::printf("  %-44s %s\n", "forward, frozen", time([&] { passes(frozen, false); }));
    std::printf("  %-44s %s\n", "forward + backward, frozen", time([&] { passes(frozen, true); }));
    std::printf("  %-44s %s\n", "forward + backward, frozen, channels last",
                time([&] { passes(frozen, true, true); }));
    SaliencyOptions o = methodOptions(SaliencyMethod::Gradient);
    const torch::Tensor g = torch::randn_like(images);
    std::printf("  %-44s %s\n", "16 maps from the gradient", time([&] {
                    for (std::int64_t i = 0; i < images.size(0); ++i)
                        basin::detail::singlePassGradientMap(images[i], g[i], o);
                }));
    const TensorData all = data(images);
    std::printf("  %-44s %s\n", "computeSaliencyBatch",
                time([&] { computeSaliencyBatch(model, all, o); }));
    SaliencyOptions cam = methodOptions(SaliencyMethod::GradCam);
    const TensorData one = data(images[0]);
    std::printf("  %-44s %s\n", "computeSaliency, Grad-CAM, default layer",
                time([&] { computeSaliency(model, one, cam); }));
    cam.layer = "conv2";
    std::printf("  %-44s %s\n", "computeSaliency, Grad-CAM, layer conv2",
                time([&] { computeSaliency(model, one, cam); }));
    if (std::filesystem::exists(folder + "/resnet18.pt")) {
        const Model resnet = Model::load(folder + "/resnet18.pt");
        torch::manual_seed(1);
        const TensorData big = data(torch::randn({3, 224, 224}));
        cam.layer = "layer4";
        std::vector<double> ms;
        for (int r = 0; r < 4; ++r) {
            const auto t = Clock::now();
            computeSaliency(resnet, big, cam);
            if (r > 0) ms.push_back(msSince(t));
        }
        std::printf("  %-44s %8.3f (%.3f)\n", "resnet18 224x224, Grad-CAM, layer4 (3 runs)",
                    median(ms), percentile(ms, 0));
    }
    std::printf("  %-44s %s\n", "computeSaliencyBatch, IG 50 steps", time([&] {
                    computeSaliencyBatch(model, all,
                                         methodOptions(SaliencyMethod::IntegratedGradients));
                }));
    std::printf("  %-44s %s\n", "computeSaliencyBatch, SmoothGrad 50", time([&] {
                    computeSaliencyBatch(model, all, methodOptions(SaliencyMethod::SmoothGrad));
                }));
}

bool captum(const std::string& folder, const std::string& script, int reps) {
    const auto py = pythonFigures(script + " cnn " + folder + " --threads " +
                                  std::to_string(kThreads) + " --reps " + std::to_string(reps));
    for (const char* key :
         {"captum_gradient_ms", "captum_ig_ms", "captum_smoothgrad_ms", "captum_ig_error"})
        if (!py.count(key)) {
            std::fprintf(stderr, "saliency_reference.py gave no %s\n", key);
            return false;
        }
    at::set_num_threads(kThreads);
    const Model model = Model::load(folder + "/model.pt");
    const torch::Tensor images =
        basin::detail::toTorch(readNpy(folder + "/images.npy"), "images").clone();
    std::printf(
        "\nBatchNorm CNN 3x32x32, batch of %lld, ms per image (median of %d), %d threads:\n",
        (long long)images.size(0), reps, kThreads);
    std::printf("  %-34s %9s %9s\n", "", "Captum", "Basin");
    const double gradient =
        msPerImageBatch(model, images, methodOptions(SaliencyMethod::Gradient), reps * 5);
    std::printf("  %-34s %9.2f %9.2f\n", "gradient", py.at("captum_gradient_ms"), gradient);
    SaliencyOptions ig = methodOptions(SaliencyMethod::IntegratedGradients);
    const double ig50 = msPerImageBatch(model, images, ig, reps);
    std::printf("  %-34s %9.2f %9.2f\n", "IG, 50 steps (Gauss-Legendre)", py.at("captum_ig_ms"),
                ig50);
    const double sg =
        msPerImageBatch(model, images, methodOptions(SaliencyMethod::SmoothGrad), reps);
    std::printf("  %-34s %9.2f %9.2f\n", "SmoothGrad, 50 samples", py.at("captum_smoothgrad_ms"),
                sg);

    const double target = py.at("captum_ig_error");
    std::printf(
        "\nIG completeness error, mean |sum A - (F(x) - F(0))| over the batch (F(x) - F(0) ~ "
        "logits):\n");
    std::printf(
        "  Captum (Python), 50 steps: Gauss-Legendre %.2e, riemann_trapezoid %.2e\n", target,
        py.count("captum_ig_riemann_error") ? py.at("captum_ig_riemann_error") : std::nan(""));
    std::printf("  %6s %12s %14s\n", "steps", "midpoint", "Gauss-Legendre");
    int enough = 0;
    for (int steps : {4, 8, 12, 16, 20, 24, 32, 40, 50}) {
        const double gl = igError(model, images, IgQuadrature::GaussLegendre, steps);
        std::printf("  %6d %12.2e %14.2e\n", steps,
                    igError(model, images, IgQuadrature::Riemann, steps), gl);
        if (!enough && gl <= target) enough = steps;
    }
    if (enough) {
        ig.steps = enough;
        const double fast = msPerImageBatch(model, images, ig, reps);
        std::printf(
            "Basin's Gauss-Legendre reaches Captum's 50-step error with %d steps: %.2f ms per "
            "image "
            "(%.0f%% of Captum's %.2f)\n",
            enough, fast, 100.0 * fast / py.at("captum_ig_ms"), py.at("captum_ig_ms"));
    } else {
        std::printf("Basin's Gauss-Legendre needs all 50 steps for Captum's 50-step error\n");
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    withoutOpenBlasOverrides(argv);
    std::string only;
    int reps = 5;
    int threads = kThreads;  // --only pieces
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--reps", 1, reps)) continue;
        if (intOption(argc, argv, i, "--threads", 1, threads)) continue;
        if (std::string(argv[i]) == "--only" && i + 1 < argc) {
            only = argv[++i];
            continue;
        }
        std::fprintf(stderr,
                     "usage: %s [--only demo|resnet|captum|pieces] [--reps N] [--threads N]\n",
                     argv[0]);
        return 2;
    }
    at::set_num_threads(kThreads);
    std::printf(
        "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this benchmark and its Python commands; "
        "%d threads\n",
        kThreads);
    std::printf("fp32 GEMM 1024^3 (torch::mm): %.1f GFLOP/s\n", gemmGflops(kThreads));
    const std::string folder = std::string(BASIN_BENCH_DIR) + "/saliency";
    std::filesystem::create_directories(folder);
    const std::string script = std::string(BASIN_SOURCE_DIR) + "/bench/saliency_reference.py";
    bool ok = true;
    if (only == "pieces") {
        pythonFigures(script + " cnn " + folder + " --reps 1");
        gradientPieces(folder, reps, threads);
    }
    if (only.empty() || only == "captum") ok = captum(folder, script, reps) && ok;
    if (only.empty() || only == "demo") demo(reps * 4);
    if (only.empty() || only == "resnet") resnet(folder, script);
    return ok ? 0 : 1;
}
