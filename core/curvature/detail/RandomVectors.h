#pragma once
// Seeded random probe vectors for the curvature algorithms, drawn from Pcg32 so
// the same seed gives the same vectors on every platform. Hutchinson and
// stochastic Lanczos quadrature draw their probes in the same order from the
// same seed, so with equal seeds their first probes coincide.

#include <Eigen/Core>

#include <cstdint>

#include "util/Pcg32.h"

namespace basin::detail {

// Entries ±1 with probability 1/2 each (Rademacher): E[zzᵀ] = I.
inline Eigen::VectorXd rademacherVector(std::int64_t n, Pcg32& rng) {
    Eigen::VectorXd z(n);
    for (std::int64_t i = 0; i < n; ++i)
        z[i] = (rng.next() & 1u) ? 1.0 : -1.0;
    return z;
}

// Entries N(0, 1).
inline Eigen::VectorXd gaussianVector(std::int64_t n, Pcg32& rng) {
    Eigen::VectorXd z(n);
    for (std::int64_t i = 0; i < n; ++i)
        z[i] = rng.normal();
    return z;
}

}  // namespace basin::detail
