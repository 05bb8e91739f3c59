#pragma once
// Inside core only (includes libtorch): the walk over a module's inlined
// forward() graph behind PermutationSpec::derive, kept with the graph so
// activation matching can read the hidden units where they flow.

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

struct HiddenUnitGraph {
    std::shared_ptr<torch::jit::Graph> graph;  // inlined forward(); inputs (self, x, ...)
    PermutationSpec spec;
    // Per spec group: where later layers read its units (a layer's input,
    // the tensor a flatten reshapes), e.g. the ReLU output of an MLP layer
    // or every block input of a residual stream.
    std::vector<std::vector<HiddenActivation>> activations;
};

// Throws std::runtime_error starting "model 'NAME': " when the structure
// cannot be derived (see PermutationSpec.h).
HiddenUnitGraph traceHiddenUnits(const torch::jit::Module& module, const std::string& modelName);

}  // namespace basin::detail
