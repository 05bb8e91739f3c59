#pragma once
// The extreme eigenvalues of a symmetric operator (a Hessian) by the Lanczos
// method with full reorthogonalization (Lanczos 1950; see Golub & Van Loan,
// "Matrix Computations", ch. 10, and Yao et al. 2020, "PyHessian", for its use
// on neural networks). After j products the Ritz values — eigenvalues of the
// j×j tridiagonal Tⱼ, from Eigen's SelfAdjointEigenSolver — bracket the
// spectrum from inside and converge to the top and bottom eigenvalues much
// faster than power iteration, whose rate depends on λ₂/λ₁ alone.
//
// "Top" means algebraically largest (most positive); `bottom` also returns the
// algebraically smallest (most negative: a direction of negative curvature).
// Stops when each wanted Ritz value changes by at most `tolerance` × its
// magnitude from one step to the next (the criterion PowerIteration uses for
// its Rayleigh quotient, so their product counts compare), or when the Krylov
// space is exhausted (then the values are exact).

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <vector>

#include "curvature/SymmetricOperator.h"
#include "jobs/Job.h"

namespace basin {

struct LanczosOptions {
    int k = 1;                // number of top eigenvalues
    bool bottom = false;      // also the smallest eigenvalue
    double tolerance = 1e-3;  // relative change of the wanted Ritz values between steps
    int maxIterations = 100;  // products at most (capped by the dimension)
    bool eigenvectors = true;
    std::uint64_t seed = 0;  // Gaussian start vector from Pcg32(seed)
};

struct LanczosResult {
    std::vector<double> eigenvalues;            // top k, descending
    std::vector<Eigen::VectorXd> eigenvectors;  // unit Ritz vectors, when asked for
    std::vector<double> residuals;              // ‖Ax − θx‖ for each top Ritz pair
    double bottomEigenvalue = std::nan("");     // with options.bottom
    Eigen::VectorXd bottomEigenvector;
    double bottomResidual = std::nan("");
    std::vector<double> ritzValues;  // all Ritz values at the end, descending
    int iterations = 0;
    std::int64_t products = 0;
    bool converged = false;  // false when maxIterations ran out first
};

// With a context: reports progress as products / maxIterations and stops with
// JobCancelled between products.
LanczosResult lanczosEigenvalues(const SymmetricOperator& op, const LanczosOptions& options = {},
                                 JobContext* context = nullptr);

}  // namespace basin
