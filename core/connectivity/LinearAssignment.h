#pragma once
// The linear assignment problem on a dense square matrix: a permutation σ of
// 0..n−1 minimizing Σ_i C[i, σ(i)] (minimum-cost perfect matching) or
// maximizing Σ_i W[i, σ(i)] (maximum-weight perfect matching).
//
// Solved by the Jonker–Volgenant shortest-augmenting-path method (R. Jonker,
// A. Volgenant, "A shortest augmenting path algorithm for dense and sparse
// linear assignment problems", Computing 38, 1987), in the form without the
// initialization heuristics that D. F. Crouse describes ("On implementing 2D
// rectangular assignment algorithms", IEEE TAES 52, 2016) and SciPy's
// linear_sum_assignment uses: rows are added one at a time; for each, a
// Dijkstra search over reduced costs C[i, j] − u_i − v_j (non-negative thanks
// to the dual potentials u, v) finds the cheapest path to a free column, the
// matching is flipped along it and the potentials are updated. O(n³) in the
// worst case, far less on random matrices (n = 512 in a few milliseconds).
//
// Used for permutation alignment of networks (connectivity/WeightMatching.h),
// where W is the similarity of two layers' units.

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace basin {

struct Assignment {
    std::vector<std::int64_t> columnOfRow;  // σ: row i is matched to column σ(i)
    double total = 0.0;                     // Σ_i M[i, σ(i)]
};

// Throws std::invalid_argument for a non-square matrix or a non-finite entry
// (naming its row and column). A 0×0 matrix gives the empty assignment.
Assignment minimumCostAssignment(const Eigen::MatrixXd& cost);
Assignment maximumWeightAssignment(const Eigen::MatrixXd& weight);

}  // namespace basin
