#pragma once
// Summary statistics of the tensors in a checkpoint, for the checkpoint
// browser and `basin inspect`: per tensor its size, norm, range, moments, a
// histogram and counts of non-finite values; between two checkpoints, per
// tensor, the relative change ‖a − b‖ / ‖a‖ and the cosine similarity.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

struct TensorStatistics {
    std::string name;
    DType dtype = DType::Float32;
    std::vector<std::int64_t> shape;
    std::int64_t numel = 0;
    std::uint64_t bytes = 0;
    double l2Norm = 0;  // over finite values
    double min = 0, max = 0, mean = 0, stddev = 0;
    std::int64_t nonFinite = 0;  // NaN and ±Inf
    // Histogram over [min, max] of the finite values.
    std::vector<std::int64_t> histogram;
};

// Statistics of one tensor with `bins` histogram bins; bins <= 0 chooses
// √n bins, clamped to [8, 64] (the square-root rule: no empty comb for small
// tensors, enough detail for large ones).
TensorStatistics computeStatistics(const NamedTensor& tensor, int bins = 0);
std::vector<TensorStatistics> computeStatistics(const std::vector<NamedTensor>& tensors,
                                                int bins = 0);

struct TensorDifference {
    std::string name;
    // In both with the same shape: the comparison; otherwise the reason.
    std::optional<double> relativeChange;  // ‖a − b‖ / ‖a‖ (∞ when ‖a‖ = 0 and b ≠ a)
    std::optional<double> cosine;          // ⟨a, b⟩ / (‖a‖ ‖b‖)
    std::string problem;                   // "only in A", "only in B", "shape [3] vs [4]"
};

// Per tensor name, in A's order, then names only in B.
std::vector<TensorDifference> compareStateDicts(const std::vector<NamedTensor>& a,
                                                const std::vector<NamedTensor>& b);

// The module a parameter belongs to: "layer1.0.conv1.weight" → "layer1.0.conv1".
std::string moduleOf(const std::string& tensorName);

}  // namespace basin
