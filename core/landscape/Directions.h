#pragma once
// Directions in weight space that span a landscape slice: θ(a, b) = θ₀ + a·d_x + b·d_y
// (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets", §4–§6).
//
// Recipes:
//  - random Gaussian directions, scaled per filter, per layer or as a whole to
//    the centre's norms (filter normalization, Li et al. §4), with 1-D tensors
//    (biases, BatchNorm weights and statistics) zeroed by default;
//  - the line through two checkpoints (d_x = θ_B − θ_A);
//  - the plane through three checkpoints (Gram–Schmidt, orthonormal basis);
//  - the PCA plane of a training trajectory (landscape/TrajectoryPca.h);
//  - eigenvectors of the loss Hessian at the centre (landscape/HessianDirections.h).
// Directions are saved and loaded with landscape/DirectionsFile.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/WeightVector.h"

namespace basin {

enum class DirectionKind {
    Random,
    CheckpointLine,
    CheckpointPlane,
    TrajectoryPca,
    HessianEigenvectors,
    Loaded
};

// How a random direction is scaled to the centre θ, per tensor i with 2+ dims:
//  Filter: every slice k along dim 0 (a conv filter, a linear neuron):
//          d_ik ← d_ik · ‖θ_ik‖ / (‖d_ik‖ + 1e-10)   (Li et al. eq. in §4; the
//          1e-10 is the reference tool's guard against an all-zero slice)
//  Layer:  d_i ← d_i · ‖θ_i‖ / ‖d_i‖
//  Whole:  d ← d · ‖θ‖ / ‖d‖ over the whole vector (after the 1-D rule below)
//  None:   d unchanged (a standard Gaussian per element)
enum class Normalization { Filter, Layer, Whole, None };

// "random", "line", "plane", "pca", "hessian", "loaded"; and "filter", "layer",
// "whole", "none".
const char* directionKindName(DirectionKind kind);
const char* normalizationName(Normalization normalization);
// Parses the names above; throws std::invalid_argument listing the valid ones.
Normalization normalizationByName(const std::string& name);

// A checkpoint (or other reference point) expressed in the slice's
// coordinates: θ_label ≈ θ₀ + a·d_x + b·d_y (exactly, for points in the plane).
struct ProjectedPoint {
    std::string label;
    double a = 0.0;
    double b = 0.0;
};

struct Direction {
    WeightVector vector;
};

struct Directions {
    Direction x;
    std::optional<Direction> y;  // absent for a 1-D slice
    DirectionKind kind = DirectionKind::Random;
    Normalization normalization = Normalization::None;
    std::uint64_t seed = 0;           // random directions: x from stream 1, y from stream 2
    bool includeBuffers = false;      // the vectors also move BatchNorm running statistics
    bool keepOneDimensional = false;  // 1-D tensors were kept (set to θ) rather than zeroed
    // Checkpoint line/plane and PCA: the checkpoints in slice coordinates, and
    // the label of the centre θ₀ (the first checkpoint, or the final one for PCA).
    std::vector<ProjectedPoint> points;
    std::string centre;
    // PCA: the fraction of the trajectory's variance each direction explains.
    std::vector<double> explainedVarianceRatio;
    // Hessian eigenvectors: the eigenvalue of d_x (and of d_y), i.e. the
    // curvature d_ᵀ H d_ of the loss along each unit direction.
    std::vector<double> eigenvalues;

    bool twoDimensional() const { return y.has_value(); }
    // Throws when the directions cannot span a slice: different layouts, a
    // zero x or y, or y parallel to x (|cos| > 1 − 1e-6: the same direction
    // twice gives a degenerate plane).
    void validate() const;
};

struct RandomDirectionOptions {
    Normalization normalization = Normalization::Filter;
    // Li et al.'s default (and the reference tool's "--xignore biasbn"): 1-D
    // tensors get no direction. Kept, they are set to θ_i itself, as the
    // reference tool does when nothing is ignored.
    bool keepOneDimensional = false;
    bool twoDimensional = true;
    std::uint64_t seed = 0;
};

// Random Gaussian directions for `centre` (whose layout, with or without
// buffers, the directions take). x and y draw from different PCG streams of
// the same seed, so they are independent and never equal; the same seed gives
// the same directions on every platform.
Directions randomDirections(const WeightVector& centre, const RandomDirectionOptions& options = {});

// Scales `direction` to `centre` as described for Normalization, applying the
// 1-D rule (zero, or θ_i when kept) first.
void normalizeDirection(WeightVector& direction, const WeightVector& centre,
                        Normalization normalization, bool keepOneDimensional = false);

// d_x = θ_B − θ_A, centre θ_A: a = 0 is A, a = 1 is B.
Directions checkpointLine(const WeightVector& a, const WeightVector& b,
                          const std::string& labelA = "A", const std::string& labelB = "B");

// The plane through θ_0, θ_1, θ_2 with centre θ_0 and an orthonormal basis
// from Gram–Schmidt: u = θ_1 − θ_0, v = θ_2 − θ_0,
//   d_x = u / ‖u‖,  d_y = (v − (v·d_x) d_x) / ‖v − (v·d_x) d_x‖,
// so θ_0 ↦ (0, 0), θ_1 ↦ (‖u‖, 0), θ_2 ↦ (v·d_x, ‖v − (v·d_x) d_x‖), and grid
// coordinates are Euclidean distances in weight space. Throws when the three
// points are (numerically) collinear or two coincide.
Directions checkpointPlane(const WeightVector& p0, const WeightVector& p1, const WeightVector& p2,
                           const std::vector<std::string>& labels = {"0", "1", "2"});

}  // namespace basin
