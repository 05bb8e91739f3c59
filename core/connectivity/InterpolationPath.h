#pragma once
// The straight path between checkpoints in weight space, as linear mode
// connectivity studies it (Frankle et al. 2020, "Linear Mode Connectivity and
// the Lottery Ticket Hypothesis"; Entezari et al. 2022):
//
//   θ(t) = (1 − t)·θ_A + t·θ_B,  t ∈ [0, 1]
//
// or a chain of K ≥ 2 checkpoints θ_0 → θ_1 → … → θ_{K−1}, with t running over
// the whole chain: checkpoint k sits at t_k = k/(K − 1) and each segment is
// the straight line between its two checkpoints.
//
// The weights are WeightVectors including BatchNorm running statistics, so
// the ends are exactly the checkpoints (parameters and buffers) and the
// statistics are interpolated with the weights — the "stale statistics" that
// give BatchNorm networks false barriers unless they are re-estimated at each
// point (PathOptions::reestimateBatchNorm, eval/Evaluation.h).

#include <cstddef>
#include <string>
#include <vector>

#include "model/WeightVector.h"

namespace basin {

class Model;

// out ← (1 − t)·a + t·b over every entry (or only over `entries`, the others
// left as they are). All three share a layout; out may alias neither.
void interpolateWeights(const WeightVector& a, const WeightVector& b, double t, WeightVector& out,
                        const std::vector<std::size_t>* entries = nullptr);

class InterpolationPath {
public:
    // Throws std::invalid_argument when there are fewer than two checkpoints,
    // the layouts differ, or labels and checkpoints differ in number.
    InterpolationPath(std::vector<WeightVector> checkpoints, std::vector<std::string> labels);

    // Loads each checkpoint (a file torch.save or safetensors wrote) laid out as
    // the model's parameters and buffers; `weightRoot` names the dict holding
    // the weights (empty: best guess). Throws naming the file and the first
    // tensor that is missing or does not fit.
    static InterpolationPath load(const Model& model, const std::vector<std::string>& paths,
                                  const std::string& weightRoot = {});

    std::size_t checkpointCount() const { return checkpoints_.size(); }
    std::size_t segmentCount() const { return checkpoints_.size() - 1; }
    const WeightVector& checkpoint(std::size_t k) const { return checkpoints_[k]; }
    const std::vector<std::string>& labels() const { return labels_; }
    // t_k = k/(K − 1) for every checkpoint k.
    std::vector<double> knots() const;

    // θ(t) written into `out` (which must have the checkpoints' layout).
    void weightsAt(double t, WeightVector& out) const;

    // The smallest point count ≥ `points` (at least 2) that puts every
    // checkpoint on the grid: (n − 1) a multiple of the segment count.
    std::size_t pointsWithCheckpoints(std::size_t points) const;
    // n equally spaced t from 0 to 1, ends included.
    static std::vector<double> uniformT(std::size_t n);

private:
    std::vector<WeightVector> checkpoints_;
    std::vector<std::string> labels_;
};

}  // namespace basin
