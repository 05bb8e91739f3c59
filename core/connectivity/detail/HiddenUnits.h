#pragma once
// Inside core only (includes libtorch): the walk over a module's inlined
// forward() graph behind PermutationSpec::derive, kept with the graph so
// activation matching can read the hidden units where they flow.

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/script.h>

#include <memory>
#include <string>
#include <vector>

#include "connectivity/PermutationSpec.h"

namespace basin::detail {

// A value of the graph holding a group's units on axis `dim` (counted from
// the front when ≥ 0, from the back when < 0), one unit per index.
struct HiddenActivation {
    torch::jit::Value* value = nullptr;
    int dim = 1;
};

// A linear or convolution layer whose outputs are hidden units (not the
// network's output), where those outputs flow out of it, for statistic
// corrections (REPAIR).
struct UnitLayer {
    std::string name;                    // "fc1"
    std::string weight;                  // "fc1.weight": axis 0 = the units
    std::string bias;                    // "fc1.bias"; empty when the layer has none
    torch::jit::Value* value = nullptr;  // the layer's output
    int dim = 1;                         // as HiddenActivation::dim
    std::size_t group = 0;               // spec group of the units
    bool batchNorm = false;              // read directly by BatchNorm
};

struct HiddenUnitGraph {
    std::shared_ptr<torch::jit::Graph> graph;  // inlined forward(); inputs (self, x, ...)
    PermutationSpec spec;
    // Per spec group: where later layers read its units (a layer's input,
    // the tensor a flatten reshapes), e.g. the ReLU output of an MLP layer
    // or every block input of a residual stream.
    std::vector<std::vector<HiddenActivation>> activations;
    std::vector<UnitLayer> layers;  // in the order of the graph
};

// Throws std::runtime_error starting "model 'NAME': " when the structure
// cannot be derived (see PermutationSpec.h).
HiddenUnitGraph traceHiddenUnits(const torch::jit::Module& module, const std::string& modelName);

// `graph` (a HiddenUnitGraph's, edited in place) made into a function of
// (self, x, ...) returning `values` as one tuple, in order.
std::unique_ptr<torch::jit::GraphFunction> functionReturning(
    std::shared_ptr<torch::jit::Graph> graph, const std::vector<torch::jit::Value*>& values,
    const std::string& name);

}  // namespace basin::detail
