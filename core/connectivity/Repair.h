#pragma once
// REPAIR (Jordan, Sedghi, Saukh, Entezari and Neyshabur, "REPAIR:
// REnormalizing Permuted Activations for Interpolation Repair", ICLR 2023):
// interpolating two (aligned) networks shrinks the spread of their hidden
// activations ("variance collapse"), which accounts for much of the barrier.
// REPAIR gives every hidden unit of θ(t) = (1 − t)θ_A + tθ_B the mean and
// standard deviation over data interpolated from the endpoints':
// μ_target = (1 − t)μ_A + tμ_B, σ_target = (1 − t)σ_A + tσ_B.
//
// The units are the outputs of every linear or convolution layer whose
// outputs are hidden (PermutationSpec.h derives them from the TorchScript
// graph; the layer that produces the network's output is left alone). The
// correction is folded into the layer: with (μ, σ) measured on θ(t) and
// s = σ_target / σ, W'_u = s·W_u and b'_u = (b_u − μ_u)·s + μ_target,u.
// Layers are corrected in forward order, each measured on the network whose
// earlier layers are already corrected. A layer read directly by BatchNorm is
// not corrected here: re-estimating BatchNorm statistics (RESET, the
// variant the paper uses for BatchNorm networks; reestimateBatchNorm) does it.
//
// Statistics are taken on a seeded random subset of the data (in eval mode).

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "io/Checkpoint.h"
#include "model/Model.h"

namespace basin {

struct RepairOptions {
    std::int64_t samples = 1000;  // random samples of the data; 0 = all
    std::uint64_t seed = 0;       // which samples
    std::int64_t batchSize = 500;
    int threads = 0;  // intra-op threads (0 = all hardware threads)
};

// Per-unit mean and standard deviation of one layer's outputs.
struct LayerStatistics {
    std::string layer;  // "fc1"
    std::vector<double> mean, std;
};

// Per corrected layer, in forward order.
using UnitStatistics = std::vector<LayerStatistics>;

// Statistics of `model` as it is (for the endpoints A and B). Throws naming
// the layer when REPAIR cannot correct it (a layer without bias: a
// TorchScript model cannot gain one), and PermutationSpec::derive's error
// when the hidden units cannot be derived.
UnitStatistics unitStatistics(const Model& model, const Dataset& data,
                              const RepairOptions& options = {});

// (1 − t)·a + t·b, unit by unit; a and b must come from the same model.
UnitStatistics interpolateStatistics(const UnitStatistics& a, const UnitStatistics& b, double t);

// The state dict of `model` (at θ(t)) with every layer corrected to `target`
// (interpolateStatistics of the endpoints), in the model's names and order.
// `model` itself is not changed.
std::vector<NamedTensor> repairedWeights(const Model& model, const UnitStatistics& target,
                                         const Dataset& data, const RepairOptions& options = {});

// Convenience: θ(t) between the state dicts `a` and `b` of `model`, repaired.
std::vector<NamedTensor> repairedInterpolation(const Model& model,
                                               const std::vector<NamedTensor>& a,
                                               const std::vector<NamedTensor>& b, double t,
                                               const Dataset& data,
                                               const RepairOptions& options = {});

}  // namespace basin
