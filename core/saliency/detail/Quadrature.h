#pragma once
// Quadrature rules on [0, 1] for Integrated Gradients' path integral
// ∫₀¹ f(α) dα ≈ Σ_k w_k f(α_k). No libtorch: tests check the nodes directly.

#include <vector>

namespace basin::detail {

struct Quadrature {
    std::vector<double> nodes;    // α_k in (0, 1), ascending
    std::vector<double> weights;  // w_k, summing to 1
};

// Midpoint rule: α_k = (k + ½)/n, w_k = 1/n (Captum's "riemann_middle").
// Error O(1/n²) for smooth integrands.
Quadrature riemannMidpoint(int n);

// n-point Gauss–Legendre rule mapped from [−1, 1] to [0, 1] (α = (1 + x)/2,
// w = w_x/2): exact for polynomials of degree 2n − 1. The nodes are the roots
// of the Legendre polynomial P_n, found by Newton's iteration from
// x_i ≈ cos(π(i − ¼)/(n + ½)) (the asymptotic estimate, Abramowitz & Stegun
// 22.16.6), with P_n and P_n' from the three-term recurrence
// (k+1)P_{k+1} = (2k+1)x P_k − k P_{k−1} and
// P_n' = n(x P_n − P_{n−1})/(x² − 1); the weights are 2/((1 − x²) P_n'(x)²)
// (Golub & Welsch give the same rule as an eigenproblem; Newton is enough
// here and exact to rounding for n up to thousands). n < 1 gives an empty rule.
Quadrature gaussLegendre(int n);

}  // namespace basin::detail
