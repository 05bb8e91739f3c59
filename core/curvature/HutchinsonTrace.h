#pragma once
// The trace of a symmetric operator by Hutchinson's estimator (Hutchinson
// 1989, "A stochastic estimator of the trace of the influence matrix for
// Laplacian smoothing splines"): for Rademacher z (entries ±1),
// E[zᵀAz] = tr A, so the mean of zᵀAz over independent probes estimates the
// trace, with variance 2(‖A‖_F² − Σᵢ Aᵢᵢ²) per probe. Used on Hessians by
// PyHessian (Yao et al. 2020). Probes are drawn from Pcg32(seed), one
// product each.

#include <cmath>
#include <cstdint>
#include <vector>

#include "curvature/SymmetricOperator.h"
#include "jobs/Job.h"

namespace basin {

struct HutchinsonOptions {
    int samples = 100;  // probes (products); at least 2 for a standard error
    std::uint64_t seed = 0;
};

struct HutchinsonResult {
    double trace = std::nan("");          // mean of the estimates
    double standardError = std::nan("");  // sample standard deviation / √samples
    std::vector<double> estimates;        // zᵀAz per probe
    std::int64_t products = 0;
};

// With a context: progress as probes done / samples; JobCancelled between
// products.
HutchinsonResult hutchinsonTrace(const SymmetricOperator& op, const HutchinsonOptions& options = {},
                                 JobContext* context = nullptr);

}  // namespace basin
