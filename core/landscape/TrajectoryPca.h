#pragma once
// The PCA plane of a training trajectory (Li et al. 2018, §7): the two
// principal directions of the checkpoints' offsets from the final weights,
//   r_i = θ_i − θ_final   (i = 1..m, the final checkpoint's row being zero),
// centred over the rows as the reference tool's sklearn PCA does (c = mean r_i,
// X = rows r_i − c). The number of checkpoints m is small and n (weights) is
// large, so Basin never forms the n×n covariance: it eigen-decomposes the m×m
// Gram matrix G = X Xᵀ = U Λ Uᵀ and takes d_k = Xᵀ u_k / √λ_k (unit vectors,
// the right singular vectors of X). Explained variance ratio: λ_k / Σ_j λ_j.
// Each checkpoint is then projected onto the plane through θ_final:
// (a_i, b_i) = (r_i·d_x, r_i·d_y), so the final checkpoint sits at (0, 0).

#include <string>
#include <vector>

#include "landscape/Directions.h"

namespace basin {

struct TrajectoryPcaOptions {
    // Zero the rows' 1-D tensors (biases, BatchNorm) first, as the reference
    // tool's "--ignore biasbn" does: the plane then moves only weight matrices
    // and filters.
    bool zeroOneDimensional = true;
    // Subtract the mean offset before the decomposition (sklearn's PCA, the
    // reference tool). Off: directions of the uncentred offsets (an SVD of r).
    bool centred = true;
};

// `checkpoints` in training order, the last one the final weights (the
// plane's centre); at least three, all with one layout. `labels` name them in
// Directions::points (defaults "0", "1", ...). Throws when the trajectory spans
// fewer than two dimensions.
Directions trajectoryPca(const std::vector<WeightVector>& checkpoints,
                         const std::vector<std::string>& labels = {},
                         const TrajectoryPcaOptions& options = {});

}  // namespace basin
