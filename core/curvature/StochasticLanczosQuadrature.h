#pragma once
// The spectral density of a symmetric operator by stochastic Lanczos
// quadrature (Ubaru, Chen & Saad 2017, "Fast estimation of tr(f(A)) via
// stochastic Lanczos quadrature"; Ghorbani, Krishnan & Xiao 2019 and Yao et
// al. 2020, "PyHessian", for Hessians of networks).
//
// The spectral measure μ = (1/n) Σᵢ δ(λᵢ) satisfies ∫f dμ = tr f(A) / n =
// E[qᵀf(A)q] for q = z/√n, z Rademacher. m Lanczos steps from q give
// Tₘ = U Θ Uᵀ, and the Gauss quadrature qᵀf(A)q ≈ Σₖ τₖ f(θₖ) with nodes θₖ
// (Ritz values) and weights τₖ = U₀ₖ² (which sum to 1); it is exact for
// polynomials of degree < 2m. Averaging over `starts` probes gives nodes and
// weights of total mass 1 whose first moment is the Hutchinson trace
// estimate / n (exactly, with the same probes: Σₖ τₖθₖ = α₁ = qᵀAq).
//
// The density is the measure broadened by a Gaussian of width σ,
// φ(t) = (1/starts) Σ_l Σₖ τₖ⁽ˡ⁾ N(t; θₖ⁽ˡ⁾, σ²), tabulated on a uniform grid
// from the smallest node − 5σ to the largest + 5σ.

#include <cstdint>
#include <vector>

#include "curvature/SymmetricOperator.h"
#include "jobs/Job.h"

namespace basin {

struct SlqOptions {
    int starts = 10;  // random probes
    int steps = 80;   // Lanczos steps (products) per probe, capped by the dimension
    // Probes are the same Rademacher vectors as HutchinsonTrace's for the same seed.
    std::uint64_t seed = 0;
    int gridPoints = 1000;
    double sigma = 0.0;  // broadening; 0 = 1% of the node range (1e-3 when that is 0)
};

struct SpectralDensity {
    std::int64_t dimension = 0;
    // Quadrature of each probe: nodes (Ritz values, ascending) and weights
    // (summing to 1 per probe).
    std::vector<std::vector<double>> nodes, weights;
    double sigma = 0.0;
    std::vector<double> grid, density;  // φ on the grid
    std::int64_t products = 0;

    // ∫ t^p dμ estimated by the quadrature (p = 1: trace / n).
    double moment(int p) const;
};

// With a context: progress as products / (starts · steps); JobCancelled
// between products.
SpectralDensity stochasticLanczosQuadrature(const SymmetricOperator& op,
                                            const SlqOptions& options = {},
                                            JobContext* context = nullptr);

}  // namespace basin
