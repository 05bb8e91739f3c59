#pragma once
// The dominant eigenvalues of a symmetric operator by power iteration with
// deflation, as PyHessian computes the top Hessian eigenvalues (Yao et al.
// 2020, "PyHessian: Neural Networks Through the Lens of the Hessian"); kept
// for comparison with LanczosEigenvalues, which needs far fewer products.
//
// For the i-th eigenvalue: v ← Gaussian, made orthogonal to the eigenvectors
// already found and normalized; then repeatedly λ = vᵀAv, v ← Av / ‖Av‖
// (orthogonalized likewise), until |λ − λ_prev| ≤ tolerance · (|λ_prev| + 1e-6).
// Power iteration converges to the eigenvalue of largest magnitude, which for
// a Hessian near a minimum is the top one; its rate is |λ₂/λ₁| per product.

#include <Eigen/Core>

#include <cstdint>
#include <vector>

#include "curvature/SymmetricOperator.h"
#include "jobs/Job.h"

namespace basin {

struct PowerIterationOptions {
    int k = 1;
    double tolerance = 1e-3;
    int maxIterations = 100;  // products per eigenvalue at most
    std::uint64_t seed = 0;
};

struct PowerIterationResult {
    std::vector<double> eigenvalues;  // in the order found (decreasing magnitude)
    std::vector<Eigen::VectorXd> eigenvectors;
    std::vector<int> iterations;  // products spent on each eigenvalue
    std::int64_t products = 0;
    bool converged = false;  // every eigenvalue met the tolerance
};

// With a context: progress as products / (k · maxIterations); JobCancelled
// between products.
PowerIterationResult powerIteration(const SymmetricOperator& op,
                                    const PowerIterationOptions& options = {},
                                    JobContext* context = nullptr);

}  // namespace basin
