// Gradient-based input-space saliency: every method here differentiates the
// target scalar y (the logit y_c, or y_c − y_o for a contrast) with respect to
// the input image x ∈ ℝ^{C×H×W}. Each keeps the per-element attribution
// A ∈ ℝ^{C×H×W} (SaliencyMap::attribution) and reduces it to one value per
// pixel (SaliencyMap::values).
//
//  - Gradient (Simonyan, Vedaldi & Zisserman 2014, "Deep Inside
//    Convolutional Networks"): A = ∂y/∂x; map = max_c |A| (or Σ_c |A| with
//    ChannelReduction::Sum).
//  - Gradient × Input (Shrikumar et al. 2016, "Not Just a Black Box"):
//    A = x ⊙ ∂y/∂x; signed map = Σ_c A.
//  - SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding
//    noise"): A = 1/n Σ_i ∂y/∂x (x + ε_i), ε_i ~ N(0, σ²I), σ = noiseFraction ·
//    (max x − min x) (the paper's 10–20 % of the input range); map = max_c |A|
//    (or Σ_c). The paper averages the gradients, then displays magnitudes;
//    Captum's NoiseTunnel over Saliency averages |gradients| instead (same
//    cost, slightly different map).
//  - SmoothGrad² (Hooker et al. 2019, "A Benchmark for Interpretability
//    Methods in Deep Neural Networks"): A = 1/n Σ_i (∂y/∂x (x + ε_i))²;
//    map = max_c A (or Σ_c).
//  - Integrated Gradients (Sundararajan, Taly & Yan 2017, "Axiomatic
//    Attribution for Deep Networks"): A = (x − x′) ⊙ ∫₀¹ ∂y/∂x(x′ + α(x − x′)) dα,
//    with the baseline x′ black (zeros), a Gaussian blur of x (σ in pixels;
//    Sturmfels et al. 2020, "Visualizing the Impact of Feature Attribution
//    Baselines") or given; the integral by the midpoint rule or Gauss–Legendre
//    (detail/Quadrature.h). Completeness: Σ A = y(x) − y(x′) up to the
//    quadrature error, which Gauss–Legendre reaches with far fewer steps.
//    Signed map = Σ_c A.
//
// Samples and steps run batched: the noisy copies / path points are stacked
// into batches of images, one forward and one backward per batch (rows are
// independent in eval mode, so the gradient of Σ_rows y is each row's own
// gradient). The batch size comes from the bytes the first sample's pass
// allocated (detail/BatchMemory.h) and SaliencyOptions::memoryBudgetBytes.
// Noise is drawn per sample from one generator seeded with
// SaliencyOptions::seed, so the map does not depend on the batching.

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <stdexcept>

#include "model/detail/TorchTensor.h"
#include "saliency/detail/ImageFilters.h"
#include "saliency/detail/Quadrature.h"
#include "saliency/detail/SaliencyBatches.h"
#include "saliency/detail/SaliencyRun.h"

namespace basin::detail {
namespace {

torch::Tensor reduceMagnitude(const torch::Tensor& a /*[C,H,W], ≥ 0*/, ChannelReduction r) {
    return r == ChannelReduction::Max ? a.amax(0) : a.sum(0);
}

SaliencyMap singlePassMap(const SaliencyRun& run) {
    const torch::Tensor g = targetGradient(run, run.image)[0];
    run.reportProgress(1.0);
    return singlePassGradientMap(run.image[0], g, *run.options);
}

SaliencyMap smoothGradMap(const SaliencyRun& run, bool squared) {
    const SaliencyOptions& o = *run.options;
    if (o.samples < 1)
        throw std::runtime_error("SmoothGrad on model '" + run.modelName +
                                 "' needs at least one sample, not " + std::to_string(o.samples));
    const torch::Tensor& x = run.image;
    const double sigma = o.noiseFraction * (x.max() - x.min()).item<double>();
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    torch::Tensor sum = torch::zeros_like(x[0]);
    forBatches(run, o.samples, [&](std::int64_t, std::int64_t size) {
        std::vector<torch::Tensor> noisy;
        for (std::int64_t i = 0; i < size; ++i)
            noisy.push_back(x + sigma * at::randn(x.sizes(), generator, x.options()));
        const torch::Tensor g = targetGradient(run, torch::cat(noisy, 0));
        sum += squared ? (g * g).sum(0) : g.sum(0);
    });
    const torch::Tensor a = sum / double(o.samples);
    return inputSpaceMap(reduceMagnitude(squared ? a : a.abs(), o.reduction), a);
}

torch::Tensor igBaseline(const SaliencyRun& run) {
    const SaliencyOptions& o = *run.options;
    const torch::Tensor& x = run.image;
    switch (o.baseline) {
        case IgBaseline::Black:
            return torch::zeros_like(x);
        case IgBaseline::Blurred:
            return gaussianBlur(x, o.blurSigma);
        case IgBaseline::Custom: {
            const TensorData& b = o.customBaseline;
            const std::vector<std::int64_t> image(x.sizes().begin() + 1, x.sizes().end());
            std::vector<std::int64_t> shape = b.shape;
            if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
            if (!b.storage || shape != image)
                throw std::runtime_error("Integrated Gradients on model '" + run.modelName +
                                         "': the custom baseline is " +
                                         (b.storage ? b.shapeString() : std::string("missing")) +
                                         " but the image is " + shapeString(image) +
                                         "; they need the same shape");
            return toTorch(b, "custom baseline").to(torch::kFloat32).reshape(x.sizes()).clone();
        }
    }
    throw std::logic_error("unknown baseline");
}

SaliencyMap integratedGradientsMap(const SaliencyRun& run) {
    const SaliencyOptions& o = *run.options;
    if (o.steps < 1)
        throw std::runtime_error("Integrated Gradients on model '" + run.modelName +
                                 "' needs at least one step, not " + std::to_string(o.steps));
    const Quadrature q = o.quadrature == IgQuadrature::GaussLegendre ? gaussLegendre(o.steps)
                                                                     : riemannMidpoint(o.steps);
    const torch::Tensor& x = run.image;
    const torch::Tensor baseline = igBaseline(run);
    const torch::Tensor delta = x - baseline;
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor alphas = torch::tensor(q.nodes, f64).to(torch::kFloat32);
    const torch::Tensor weights = torch::tensor(q.weights, f64).to(torch::kFloat32);
    torch::Tensor integral = torch::zeros_like(x[0]);
    forBatches(run, o.steps, [&](std::int64_t start, std::int64_t size) {
        const torch::Tensor a = alphas.slice(0, start, start + size).view({size, 1, 1, 1});
        const torch::Tensor w = weights.slice(0, start, start + size).view({size, 1, 1, 1});
        const torch::Tensor g = targetGradient(run, baseline + a * delta);
        integral += (g * w).sum(0);
    });
    const torch::Tensor attribution = delta[0] * integral;
    return inputSpaceMap(attribution.sum(0), attribution);
}

}  // namespace

SaliencyMap singlePassGradientMap(const torch::Tensor& image, const torch::Tensor& g,
                                  const SaliencyOptions& options) {
    if (options.method == SaliencyMethod::GradientTimesInput) {
        const torch::Tensor a = image * g;
        return inputSpaceMap(a.sum(0), a);
    }
    return inputSpaceMap(reduceMagnitude(g.abs(), options.reduction), g);
}

SaliencyMap gradientSaliency(const SaliencyRun& run) {
    switch (run.options->method) {
        case SaliencyMethod::Gradient:
        case SaliencyMethod::GradientTimesInput:
            return singlePassMap(run);
        case SaliencyMethod::SmoothGrad:
            return smoothGradMap(run, false);
        case SaliencyMethod::SmoothGradSquared:
            return smoothGradMap(run, true);
        case SaliencyMethod::IntegratedGradients:
            return integratedGradientsMap(run);
        default:
            throw std::logic_error(std::string("gradientSaliency cannot compute ") +
                                   saliencyMethodTitle(run.options->method));
    }
}

}  // namespace basin::detail
