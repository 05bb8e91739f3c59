// NormGrad (Rebuffi, Fong, Ji and Vedaldi, "There and Back Again:
// Revisiting Backpropagation Saliency Methods", CVPR 2020; first as
// "NormGrad: Finding the Pixels that Matter for Training", arXiv 1910.08823).
//
// The gradient of a 1×1 convolution's weights is a sum over spatial
// positions u of outer products g_u x_uᵀ (g: the gradient at its output, x:
// its input); NormGrad takes the norm of each position's term,
// ‖g_u x_uᵀ‖_F = ‖x_u‖₂ · ‖g_u‖₂. Placing a virtual identity (1×1) layer
// after the chosen layer, x is the layer's output activation A and g the
// target's gradient there, both with channels as the vector:
//     NormGrad:           S_u = ‖A_u‖₂ · ‖g_u‖₂
//     Selective NormGrad: S_u = ‖ReLU(A_u ⊙ g_u)‖₂
// The selective variant keeps only the channels whose contribution to the
// target (activation times gradient) is positive, as Grad-CAM's ReLU does;
// the formula is the authors' implementation (TorchRay,
// norm_grad_selective).
//     Multi-layer:        S = (1/L) Σ_l up(S^l) / max up(S^l)
// The paper combines NormGrad maps of several layers, upsampled to the
// input's size, trading the resolution of early layers for the class
// selectivity of late ones. Basin's weighting: each layer's map is
// upsampled bilinearly, scaled to a maximum of 1 (layers' magnitudes differ
// by orders, which would otherwise let one layer decide), and the layers are
// averaged with equal weights. SaliencyOptions::layers chooses the layers;
// empty = every convolution forward() calls (a submodule with a 4-D weight
// whose output is [N, C, h, w]), in the order they run.
//
// Single-layer maps are at the layer's resolution, upsampled bilinearly
// (align_corners = false) to the input's; SaliencyMap::coarseValues keeps
// the layer's map. The layer is exposed without hooks
// (detail::LayerActivations); one forward and one backward pass give every
// layer's activation and gradient.

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "saliency/detail/LayerActivations.h"
#include "saliency/detail/SaliencyRun.h"

namespace basin::detail {
namespace {

// The activations at the exposed layers and the target's gradient at each.
std::vector<std::pair<torch::Tensor, torch::Tensor>> activationsAndGradients(
    const LayerActivations& exposed, const SaliencyRun& run) {
    const torch::Tensor x = run.image.detach().clone().requires_grad_(true);
    const LayerOutputs out = exposed.run(x);
    for (std::size_t i = 0; i < out.activations.size(); ++i)
        if (out.activations[i].dim() != 4)
            throw std::runtime_error(
                "model '" + run.modelName + "': layer '" + exposed.layers()[i] + "' gives " +
                shapeString(out.activations[i].sizes().vec()) +
                " for an image, not channels of 2-D maps [N, C, h, w]; " +
                saliencyMethodTitle(run.options->method) + " needs a convolutional layer");
    const torch::Tensor y = run.targetScores(logitsOf(out.output, run.modelName));
    const std::vector<torch::Tensor> g =
        torch::autograd::grad({y.sum()}, out.activations, {}, false, false, /*allow_unused=*/true);
    std::vector<std::pair<torch::Tensor, torch::Tensor>> result;
    for (std::size_t i = 0; i < g.size(); ++i) {
        const torch::Tensor a = out.activations[i].detach();
        result.emplace_back(a, g[i].defined() ? g[i].detach() : torch::zeros_like(a));
    }
    return result;
}

// [h, w] for one image: A, g [1, K, h, w].
torch::Tensor normGrad(const torch::Tensor& a, const torch::Tensor& g) {
    return (a.norm(2, {1}) * g.norm(2, {1})).squeeze(0);
}

torch::Tensor selectiveNormGrad(const torch::Tensor& a, const torch::Tensor& g) {
    return torch::relu(a * g).norm(2, {1}).squeeze(0);
}

bool isConvolution(const torch::jit::Module& module) {
    if (!module.hasattr("weight")) return false;
    const c10::IValue w = module.attr("weight");
    return w.isTensor() && w.toTensor().dim() == 4;
}

std::vector<std::string> everyConvolution(const SaliencyRun& run) {
    std::vector<std::string> convolutions;
    for (const SaliencyLayer& l : exposableLayers(run.module, run.image, run.modelName))
        if (l.outputShape.size() == 3 &&
            isConvolution(submoduleAt(run.module, l.path, run.modelName)))
            convolutions.push_back(l.path);
    if (convolutions.empty())
        throw std::runtime_error("model '" + run.modelName +
                                 "' has no convolution for multi-layer NormGrad to combine");
    return convolutions;
}

SaliencyMap multiLayer(const SaliencyRun& run) {
    const std::vector<std::string> layers =
        run.options->layers.empty() ? everyConvolution(run) : run.options->layers;
    const LayerActivations exposed(run.module, layers, run.modelName);
    const auto maps = activationsAndGradients(exposed, run);
    run.reportProgress(0.5);
    const std::int64_t height = run.image.size(2), width = run.image.size(3);
    SaliencyMap map;
    map.height = height;
    map.width = width;
    map.values.assign(std::size_t(height * width), 0.0f);
    for (std::size_t l = 0; l < maps.size(); ++l) {
        const SaliencyMap one = layerMap(normGrad(maps[l].first, maps[l].second), height, width);
        const float top = *std::max_element(one.values.begin(), one.values.end());
        if (top <= 0.0f) continue;  // no gradient reaches this layer: it adds nothing
        const float scale = 1.0f / (top * float(maps.size()));
        for (std::size_t i = 0; i < map.values.size(); ++i)
            map.values[i] += one.values[i] * scale;
    }
    for (const std::string& l : layers)
        map.layer += (map.layer.empty() ? "" : ",") + l;
    return map;
}

}  // namespace

SaliencyMap normGradSaliency(const SaliencyRun& run) {
    c10::InferenceMode noInference(false);
    torch::AutoGradMode gradients(true);
    const SaliencyMethod method = run.options->method;
    if (method == SaliencyMethod::NormGradMultiLayer) return multiLayer(run);
    if (method != SaliencyMethod::NormGrad && method != SaliencyMethod::NormGradSelective)
        throw std::logic_error(std::string("normGradSaliency cannot compute ") +
                               saliencyMethodTitle(method));
    const std::string layer = camLayer(run.module, run.image, run.options->layer, run.modelName);
    const LayerActivations exposed(run.module, {layer}, run.modelName);
    const auto [a, g] = activationsAndGradients(exposed, run).front();
    const torch::Tensor coarse =
        method == SaliencyMethod::NormGrad ? normGrad(a, g) : selectiveNormGrad(a, g);
    SaliencyMap map = layerMap(coarse, run.image.size(2), run.image.size(3));
    map.layer = layer;
    return map;
}

}  // namespace basin::detail
