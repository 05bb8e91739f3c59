#pragma once
// Landscape directions from the curvature of the loss at the centre θ₀: the
// eigenvectors of the Hessian H = ∇²L(θ₀) with the largest eigenvalues
// (d_x = v₁, d_y = v₂), or d_x = v₁ and d_y = v_min, the eigenvector of the
// most negative eigenvalue (a direction of negative curvature: a saddle shows
// as a ridge along y). Computed by Lanczos with full reorthogonalization
// (curvature/HessianJob.h, as PyHessian, Yao et al. 2020) on the training
// data or a seeded random subset of it.
//
// Scaling: the directions are the unit Ritz vectors themselves, ‖d‖ = 1 and
// d_x·d_y = 0 (Ritz vectors of one Lanczos run are orthonormal), so grid
// coordinates are Euclidean distances in weight space and, near θ₀,
//   L(θ₀ + a·d_x + b·d_y) ≈ L(θ₀) + a·g·d_x + b·g·d_y + ½(λ_x a² + λ_y b²).
// No filter normalization is applied (Directions::normalization = None):
// rescaling would destroy both the eigenvector property and orthogonality.
// 1-D tensors (biases, BatchNorm affine weights) are kept: the Hessian is over
// every parameter and the eigenvectors have components there
// (keepOneDimensional = true). BatchNorm running statistics are buffers, not
// parameters: with a layout that includes buffers their components are zero.
// The eigenvalues λ_x, λ_y are recorded in Directions::eigenvalues.

#include <cstdint>

#include "curvature/HessianVectorProduct.h"
#include "curvature/LanczosEigenvalues.h"
#include "data/Dataset.h"
#include "jobs/Job.h"
#include "landscape/Directions.h"
#include "model/Model.h"
#include "model/WeightVector.h"

namespace basin {

struct HessianDirectionOptions {
    bool twoDimensional = true;
    // d_y = the eigenvector of the smallest (most negative) eigenvalue rather
    // than of the second largest.
    bool bottom = false;
    // Training samples the Hessian is computed on: a random subset of this
    // many (drawn with Pcg32(seed), without replacement, in dataset order);
    // 0 or at least the dataset's size = all of it.
    std::int64_t samples = 1000;
    std::uint64_t seed = 0;  // the subset and Lanczos' start vector
    HessianOptions hessian;  // loss, batch size, threads, float64 (parameters ignored)
    // Tolerance and iterations; k, bottom, eigenvectors and seed are set from
    // the options above. Tighter than Lanczos' default: the directions are
    // Ritz vectors, which converge more slowly than the Ritz values.
    LanczosOptions lanczos{1, false, 1e-6, 200, true, 0};
};

// The first `count` rows of a random permutation of `dataset`'s rows
// (Pcg32(seed), Fisher–Yates), kept in dataset order; the whole dataset when
// count <= 0 or count >= its size.
Dataset randomSubset(const Dataset& dataset, std::int64_t count, std::uint64_t seed);

// Directions from the Hessian of the loss of `model` (at its current weights)
// on `train`, laid out as `layout` (WeightVector::fromModel(model) with or
// without buffers). The model's weights and flags are left as they were.
// Throws a sentence when the model has fewer than two parameters for a 2-D
// slice, when the layout does not hold the model's parameters, or when
// Lanczos finds no second eigenvector (a Krylov space of dimension 1).
Directions hessianDirections(Model& model, const Dataset& train, const WeightVector& layout,
                             const HessianDirectionOptions& options = {},
                             JobContext* context = nullptr);

}  // namespace basin
