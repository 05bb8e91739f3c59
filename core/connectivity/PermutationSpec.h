#pragma once
// Which axes of which tensors share a permutation of hidden units: the
// structure that permutation alignment (Git Re-Basin: Ainsworth, Hayase and
// Srinivasa, "Git Re-Basin: Merging Models modulo Permutation Symmetries",
// ICLR 2023) needs, derived automatically from a model's TorchScript graph.
//
// Permuting the output units of a layer — rows of its weight, its bias, the
// BatchNorm parameters and running statistics of those channels — together
// with the matching input axis of every layer that reads them leaves the
// network's function unchanged. One such set of axes is a permutation group.
// derive() follows each linear/convolution output through the inlined
// forward() graph:
//
//   - elementwise operations (ReLU and other activations, dropout, scalar
//     arithmetic) and BatchNorm keep the units; BatchNorm's weight, bias,
//     running_mean and running_var join the group (axis 0);
//   - the sum (or product) of two hidden streams — a residual connection —
//     unifies their groups;
//   - pooling and means over spatial axes keep the units;
//   - flatten (or x.view(x.size(0), -1)) of channels [N, C, H, W] makes each
//     unit a block of H·W consecutive features, so a linear layer reading them
//     permutes its weight's dim 1 in blocks (block = in_features / C);
//   - a linear or convolution reading the units adds its weight's input axis
//     (dim 1) to the group and starts a new group for its own outputs.
//
// Units are never permuted when they reach the network's output or meet a
// tensor of fixed layout (the input, a constant): such groups are listed in
// `fixed` with the reason. Any other operation on hidden units (concatenation,
// LayerNorm, grouped convolution, attention, control flow...) is refused with
// an error naming the operation and the units, never guessed.
//
// Shapes: convolutions are assumed to run on batched input ([N, C, ...]).

#include <cstdint>
#include <string>
#include <vector>

#include "io/Checkpoint.h"
#include "model/Model.h"

namespace basin {

// Axis `dim` of tensor `tensor` ("layer1.0.conv1.weight"), of length
// size·block: unit u occupies indices [u·block, (u+1)·block).
struct PermutedAxis {
    std::string tensor;
    int dim = 0;
    std::int64_t block = 1;
    bool isBuffer = false;  // BatchNorm running statistics
};

struct PermutationGroup {
    // The layer whose outputs the units are first ("fc1", "layer1.0.conv1");
    // a residual stream is named after its first layer.
    std::string name;
    std::int64_t size = 0;  // units
    std::vector<PermutedAxis> axes;
};

struct FixedUnits {
    std::string name;    // as PermutationGroup::name
    std::string reason;  // "they are the network's output"
};

// A permutation of a group's units: position i takes unit perm[i] (the
// convention of torch.index_select, and of WeightMatching's results).
using Permutation = std::vector<std::int64_t>;

struct PermutationSpec {
    std::vector<PermutationGroup> groups;  // in the order of the graph
    std::vector<FixedUnits> fixed;

    // Throws std::runtime_error naming the model, the operation and the units
    // when the permutation structure cannot be derived.
    static PermutationSpec derive(const Model& model);

    // One line per group: "fc1: 64 units, fc1.weight[0], fc1.bias[0], fc2.weight[1]".
    std::string describe() const;
};

// `state` with the spec's axes permuted (one permutation per group; an empty
// one leaves a group as it is). Tensors the spec does not touch are copied
// as they are. Throws naming the tensor when `state` lacks one or its shape
// does not fit the group.
std::vector<NamedTensor> permuteStateDict(const PermutationSpec& spec,
                                          const std::vector<NamedTensor>& state,
                                          const std::vector<Permutation>& permutations);

}  // namespace basin
