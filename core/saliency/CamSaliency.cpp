// The Grad-CAM family: maps at a layer's resolution from its activations
// A^k (channel k, positions i, j) and the target's derivatives
// g^k_ij = ∂y/∂A^k_ij, upsampled bilinearly to the input's size
// (detail::layerMap; SaliencyMap::coarseValues keeps the layer's map). The
// layer is exposed without hooks (detail::LayerActivations); y is the
// target score (a logit, or the difference of two for contrast targets).
//
// Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep
//   Networks via Gradient-based Localization", ICCV 2017):
//     α_k = (1/hw) Σ_ij g^k_ij,   map = ReLU(Σ_k α_k A^k).
// Grad-CAM++ (Chattopadhay et al., "Grad-CAM++: Generalized Gradient-based
//   Visual Explanations for Deep Convolutional Networks", WACV 2018), with
//   the exponential of the score so higher derivatives are powers of g:
//     α^k_ij = g²_ij / (2 g²_ij + Σ_ab A^k_ab · g³_ij)   (0 where the
//              denominator is 0: no gradient, no weight),
//     w_k = Σ_ij α^k_ij · ReLU(g^k_ij),   map = ReLU(Σ_k w_k A^k).
// Smooth Grad-CAM++ (Omeiza et al., "Smooth Grad-CAM++: An Enhanced
//   Inference Level Visualization Technique for Deep Convolutional Neural
//   Network Models", 2019): the first, second and third derivatives are
//   each averaged over n noisy copies x + N(0, σ²), σ = noiseFraction ·
//   (max x − min x), before forming α and w as above:
//     D1 = mean g, D2 = mean g², D3 = mean g³,
//     α = D2 / (2 D2 + Σ_ab A_ab · D3),  w_k = Σ_ij α · ReLU(D1),
//   with A the activations at the image itself. The copies run in batches
//   sized to the memory budget; the noise is drawn per copy from one
//   generator seeded with SaliencyOptions::seed, so the map does not depend
//   on the batch size. With σ → 0 it is Grad-CAM++.

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <stdexcept>

#include "saliency/detail/LayerActivations.h"
#include "saliency/detail/SaliencyBatches.h"
#include "saliency/detail/SaliencyRun.h"

namespace basin::detail {
namespace {

// Activations at the layer, [B, K, h, w]; throws when the layer's output is
// not a stack of 2-D maps.
torch::Tensor spatialActivations(const LayerOutputs& out, const std::string& layer,
                                 const SaliencyRun& run) {
    const torch::Tensor& a = out.activations.at(0);
    if (a.dim() != 4)
        throw std::runtime_error("model '" + run.modelName + "': layer '" + layer + "' gives " +
                                 shapeString(a.sizes().vec()) + " for an image, not channels of " +
                                 "2-D maps [N, C, h, w]; " +
                                 saliencyMethodTitle(run.options->method) +
                                 " needs a convolutional layer");
    return a;
}

// The activations of `inputs` at the layer and ∂(Σ target scores)/∂A; with
// `resolve`, the target is resolved from this pass's logits first (`inputs`
// is then the image itself: one pass for the target and the map).
std::pair<torch::Tensor, torch::Tensor> activationsAndGradient(const LayerActivations& exposed,
                                                               SaliencyRun& run,
                                                               const torch::Tensor& inputs,
                                                               bool resolve = false) {
    const torch::Tensor x = inputs.detach().clone().requires_grad_(true);
    const LayerOutputs out = exposed.run(x);
    const torch::Tensor logits = logitsOf(out.output, run.modelName);
    if (resolve) run.resolveTarget(logits);
    const torch::Tensor a = spatialActivations(out, exposed.layers()[0], run);
    const torch::Tensor y = run.targetScores(logits);
    const torch::Tensor g = torch::autograd::grad({y.sum()}, {a})[0];
    return {a.detach(), g.detach()};
}

// ReLU(Σ_k w_k A^k) for one image: A [1, K, h, w], w [1, K] → [h, w].
torch::Tensor weightedMap(const torch::Tensor& a, const torch::Tensor& w) {
    return torch::relu((a * w.unsqueeze(-1).unsqueeze(-1)).sum(1)).squeeze(0);
}

torch::Tensor gradCam(const torch::Tensor& a, const torch::Tensor& g) {
    return weightedMap(a, g.mean({2, 3}));
}

// Grad-CAM++ weights from the activations and the (averaged) derivatives.
torch::Tensor gradCamPlusPlus(const torch::Tensor& a, const torch::Tensor& d1,
                              const torch::Tensor& d2, const torch::Tensor& d3) {
    const torch::Tensor sumA = a.sum({2, 3}, /*keepdim=*/true);
    const torch::Tensor denominator = 2.0 * d2 + sumA * d3;
    const torch::Tensor alpha =
        torch::where(denominator != 0, d2 / denominator, torch::zeros_like(denominator));
    return weightedMap(a, (alpha * torch::relu(d1)).sum({2, 3}));
}

torch::Tensor smoothGradCamPlusPlus(const LayerActivations& exposed, SaliencyRun& run,
                                    const torch::Tensor& a) {
    const SaliencyOptions& o = *run.options;
    if (o.samples < 1)
        throw std::runtime_error("model '" + run.modelName +
                                 "': Smooth Grad-CAM++ needs at least one noisy sample, got " +
                                 std::to_string(o.samples));
    const torch::Tensor image = run.image;
    const double sigma =
        o.noiseFraction * (image.max().item<double>() - image.min().item<double>());
    torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    torch::Tensor d1 = torch::zeros_like(a), d2 = torch::zeros_like(a), d3 = torch::zeros_like(a);
    forBatches(
        run, o.samples,
        [&](std::int64_t, std::int64_t size) {
            std::vector<torch::Tensor> noise;
            for (std::int64_t i = 0; i < size; ++i)
                noise.push_back(at::normal(0.0, 1.0, image.sizes().slice(1), generator));
            const torch::Tensor noisy = image + sigma * torch::stack(noise);
            const torch::Tensor g = activationsAndGradient(exposed, run, noisy).second;
            d1 += g.sum(0, true);
            d2 += g.pow(2).sum(0, true);
            d3 += g.pow(3).sum(0, true);
        },
        0.1, 1.0);
    const double n = double(o.samples);
    return gradCamPlusPlus(a, d1 / n, d2 / n, d3 / n);
}

}  // namespace

SaliencyMap camSaliency(SaliencyRun& run) {
    c10::InferenceMode noInference(false);
    torch::AutoGradMode gradients(true);
    const std::string layer = camLayer(run.module, run.image, run.options->layer, run.modelName);
    const LayerActivations exposed(run.module, {layer}, run.modelName);
    const auto [a, g] = activationsAndGradient(exposed, run, run.image, !run.targetResolved);
    run.reportProgress(0.1);
    torch::Tensor coarse;
    switch (run.options->method) {
        case SaliencyMethod::GradCam:
            coarse = gradCam(a, g);
            break;
        case SaliencyMethod::GradCamPlusPlus:
            coarse = gradCamPlusPlus(a, g, g.pow(2), g.pow(3));
            break;
        case SaliencyMethod::SmoothGradCamPlusPlus:
            coarse = smoothGradCamPlusPlus(exposed, run, a);
            break;
        default:
            throw std::logic_error(std::string("camSaliency cannot compute ") +
                                   saliencyMethodTitle(run.options->method));
    }
    SaliencyMap map = layerMap(coarse, run.image.size(2), run.image.size(3));
    map.layer = layer;
    return map;
}

}  // namespace basin::detail
