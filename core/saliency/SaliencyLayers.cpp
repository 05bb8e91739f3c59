// saliencyLayers: every submodule forward() calls whose output can be
// exposed (detail::LayerActivations::everyLayer), in the order they are
// computed, with its class and its output shape for one image, from one
// forward pass of the edited graph in eval mode. defaultCamLayer: the last
// of them with a spatial output — [C, h, w] with more than one position, so
// a global pooling's [C, 1, 1] is passed over for the layer before it
// ("layer4" in a ResNet, the last convolution block in a VGG).
// Also what the layer-reading families share (detail/LayerActivations.h):
// the layer they read and the upsampled map.

#include "saliency/Saliency.h"

#include <torch/torch.h>

#include <stdexcept>

#include "eval/detail/BatchEvaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "saliency/detail/LayerActivations.h"

namespace basin {
namespace {

// "BasicBlock" for "__torch__.torchvision.models.resnet.BasicBlock".
std::string className(const torch::jit::Module& module) {
    const auto name = module.type()->name();
    return name ? name->name() : std::string("Module");
}

}  // namespace

namespace detail {

std::vector<SaliencyLayer> exposableLayers(const torch::jit::Module& module,
                                           const torch::Tensor& image,
                                           const std::string& modelName) {
    const LayerActivations layers = LayerActivations::everyLayer(module);
    c10::InferenceMode inference;
    const LayerOutputs out = layers.run(image);
    std::vector<SaliencyLayer> result;
    for (std::size_t i = 0; i < layers.layers().size(); ++i) {
        const std::string& path = layers.layers()[i];
        std::vector<std::int64_t> shape = out.activations[i].sizes().vec();
        if (!shape.empty() && shape[0] == 1) shape.erase(shape.begin());  // the batch axis
        result.push_back({path, className(submoduleAt(module, path, modelName)), std::move(shape)});
    }
    return result;
}

std::string camLayer(const torch::jit::Module& module, const torch::Tensor& image,
                     const std::string& requested, const std::string& modelName) {
    if (!requested.empty()) return requested;
    const std::string layer = defaultCamLayer(exposableLayers(module, image, modelName));
    if (layer.empty())
        throw std::runtime_error("model '" + modelName +
                                 "' has no layer with a spatial output [C, h, w] for an image of "
                                 "shape " +
                                 shapeString(image.sizes().vec()) +
                                 "; CAM-style maps need a convolutional layer");
    return layer;
}

SaliencyMap layerMap(const torch::Tensor& coarse, std::int64_t height, std::int64_t width) {
    namespace F = torch::nn::functional;
    const torch::Tensor c = coarse.detach().to(torch::kFloat32).contiguous();
    const torch::Tensor up = F::interpolate(c.view({1, 1, c.size(0), c.size(1)}),
                                            F::InterpolateFuncOptions()
                                                .size(std::vector<std::int64_t>{height, width})
                                                .mode(torch::kBilinear)
                                                .align_corners(false))
                                 .view({height, width})
                                 .contiguous();
    SaliencyMap map;
    map.height = height;
    map.width = width;
    map.values.assign(up.data_ptr<float>(), up.data_ptr<float>() + up.numel());
    map.coarseHeight = c.size(0);
    map.coarseWidth = c.size(1);
    map.coarseValues.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return map;
}

}  // namespace detail

std::vector<SaliencyLayer> saliencyLayers(const Model& model, const TensorData& image) {
    const bool shapeOk =
        image.shape.size() == 3 || (image.shape.size() == 4 && image.shape[0] == 1);
    if (!shapeOk)
        throw std::runtime_error("model '" + model.name() +
                                 "': listing its layers needs one image [C, H, W] or [1, C, H, W], "
                                 "got " +
                                 image.shapeString());
    torch::jit::Module& module = model.impl().module;
    try {
        detail::TrainingFlag eval(module, false);
        torch::Tensor x = detail::toTorch(image, "image");
        if (x.dim() == 3) x = x.unsqueeze(0);
        return detail::exposableLayers(module, x, model.name());
    } catch (const c10::Error& e) {
        throw std::runtime_error("model '" + model.name() +
                                 "' cannot list its layers for an image of shape " +
                                 image.shapeString() + ": " + detail::torchReason(e));
    }
}

std::string defaultCamLayer(const std::vector<SaliencyLayer>& layers) {
    for (auto it = layers.rbegin(); it != layers.rend(); ++it)
        if (it->outputShape.size() == 3 && it->outputShape[1] * it->outputShape[2] > 1)
            return it->path;
    return {};
}

}  // namespace basin
