#pragma once
// The Lanczos process with full reorthogonalization, shared by
// LanczosEigenvalues and StochasticLanczosQuadrature.
//
// From a unit start vector q₁, step j computes
//     w = A q_j − β_{j−1} q_{j−1},   α_j = q_jᵀ w,   w ← w − α_j q_j,
// then removes from w its components along every earlier q_i (classical
// Gram–Schmidt, applied twice: "twice is enough", Giraud et al. 2005), so the
// basis stays orthogonal to working precision instead of losing orthogonality
// as Ritz values converge (Paige 1971), which would otherwise produce spurious
// copies of converged eigenvalues. β_j = ‖w‖, q_{j+1} = w / β_j. After j steps
// QⱼᵀAQⱼ = Tⱼ, the j×j tridiagonal matrix with diagonal α and off-diagonal β;
// its eigenvalues (Ritz values) approximate A's extreme eigenvalues first, and
// a Ritz pair (θ, y) has residual ‖A Qy − θ Qy‖ = β_j |y_j|.
//
// The basis is kept in double precision: n × steps doubles.

#include <Eigen/Core>

#include <vector>

#include "curvature/SymmetricOperator.h"

namespace basin::detail {

class LanczosProcess {
public:
    // `start` need not be normalized; it must not be zero.
    LanczosProcess(const SymmetricOperator& op, const Eigen::VectorXd& start);

    // One step (one product). Returns false, without a product, once the
    // Krylov space is exhausted: an invariant subspace was found (β ≈ 0) or
    // the basis spans the whole space; Tⱼ's eigenvalues are then exact.
    bool step();
    bool exhausted() const { return exhausted_; }
    int steps() const { return int(alpha_.size()); }

    // Tⱼ after steps() steps.
    Eigen::MatrixXd tridiagonal() const;
    // β_j, the norm of the last residual (0 after exhaustion).
    double lastBeta() const { return lastBeta_; }
    // Q y for a coefficient vector y of length steps(): a Ritz vector.
    Eigen::VectorXd combine(const Eigen::VectorXd& y) const;

private:
    const SymmetricOperator& op_;
    std::vector<Eigen::VectorXd> basis_;  // q_1 .. q_{j+1}
    std::vector<double> alpha_, beta_;
    double lastBeta_ = 0.0;
    bool exhausted_ = false;
};

}  // namespace basin::detail
