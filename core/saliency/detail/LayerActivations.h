#pragma once
// Inside core only (includes libtorch): a TorchScript module's forward()
// that also returns the outputs of chosen submodules ("layer4",
// "layer4.1.conv2", "features.8") — activations without hooks (DESIGN.md).
//
// TorchScript modules have no forward hooks. Instead a copy of forward()'s
// graph is edited: every method call in it is inlined, level by level, and
// each inlined node is labelled with the module whose code it is (the module
// a method is called on, from the chain of attributes from self; inside
// callees compiled already inlined, the module instances their nodes' call
// stacks name). The submodule's output is the value its code computes that
// the code outside it reads; the copy returns it beside the network's
// output. Only the copy changes: the module's methods, and a submodule type
// shared by several instances (every BasicBlock of a stage), stay as they
// are. This works whether the methods were compiled inlined or not (they
// are compiled lazily, inlined only with the graph executor's optimisation
// on).
//
// A submodule called more than once (a ReLU module reused inside a block, a
// weight-shared layer) is read at its last call: the output the network
// computes last. A submodule called only inside control flow (an if or a
// loop of forward), one that computes nothing of its own (an Identity) and
// one whose output is not a tensor cannot be exposed. An output the network
// later changes in place (BasicBlock's bn2 before `out += identity`) is read
// after that change, as a forward hook that does not copy would see it.

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/script.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "saliency/Saliency.h"
#include "saliency/SaliencyMap.h"

namespace basin::detail {

struct LayerOutputs {
    c10::IValue output;                      // what forward() returns
    std::vector<torch::Tensor> activations;  // one per exposed layer, in order
};

class LayerActivations {
public:
    // Throws std::runtime_error starting "model 'NAME': " naming the layer
    // when a path is not a submodule, is never called by forward(), is called
    // only inside control flow, or returns something other than a tensor.
    LayerActivations(const torch::jit::Module& module, const std::vector<std::string>& layers,
                     const std::string& modelName);

    // The module's forward() on `x`, with the layers' outputs. Runs with the
    // caller's autograd and inference modes: the activations can be
    // differentiated (torch::autograd::grad) when `x` or the weights require
    // gradients and inference mode is off.
    LayerOutputs run(const torch::Tensor& x) const;

    const std::vector<std::string>& layers() const { return layers_; }

    // Every submodule whose output can be exposed, in the order forward()
    // computes them (a module finishing with its last child comes after it);
    // those that cannot (never called, inside control flow, not a tensor)
    // are left out.
    static LayerActivations everyLayer(const torch::jit::Module& module);

private:
    LayerActivations() = default;

    torch::jit::Module module_;
    std::vector<std::string> layers_;
    std::shared_ptr<torch::jit::GraphFunction> function_;
};

// The submodule at `path`; throws "model 'NAME': no submodule 'layer9';
// submodules are: conv1, bn1, …" (of the deepest module found on the path).
torch::jit::Module submoduleAt(const torch::jit::Module& module, const std::string& path,
                               const std::string& modelName);

// What the layer-reading families (CamSaliency.cpp, NormGradSaliency.cpp)
// and saliencyLayers share; in SaliencyLayers.cpp.

// saliencyLayers for a module (in eval mode) and an image [1, C, H, W]: one
// forward pass under inference mode.
std::vector<SaliencyLayer> exposableLayers(const torch::jit::Module& module,
                                           const torch::Tensor& image,
                                           const std::string& modelName);
// `requested`, or when empty defaultCamLayer of the module's layers; throws
// a sentence naming the model when it has no layer with a spatial output.
std::string camLayer(const torch::jit::Module& module, const torch::Tensor& image,
                     const std::string& requested, const std::string& modelName);
// A map from a layer-resolution map `coarse` [h, w]: upsampled bilinearly
// (align_corners = false, as torch.nn.functional.interpolate and the CAM
// papers' code) to height × width, the coarse map kept beside it.
SaliencyMap layerMap(const torch::Tensor& coarse, std::int64_t height, std::int64_t width);

}  // namespace basin::detail
