#include "saliency/detail/Quadrature.h"

#include <algorithm>
#include <cmath>

namespace basin::detail {

Quadrature riemannMidpoint(int n) {
    Quadrature q;
    for (int k = 0; k < n; ++k) {
        q.nodes.push_back((double(k) + 0.5) / double(n));
        q.weights.push_back(1.0 / double(n));
    }
    return q;
}

namespace {

// P_n(x) and P_n'(x) by the three-term recurrence.
void legendre(int n, double x, double& value, double& derivative) {
    double previous = 1.0, current = x;  // P_0, P_1
    for (int k = 1; k < n; ++k) {
        const double next = ((2.0 * k + 1.0) * x * current - double(k) * previous) / double(k + 1);
        previous = current;
        current = next;
    }
    value = current;
    derivative = double(n) * (x * current - previous) / (x * x - 1.0);
}

}  // namespace

Quadrature gaussLegendre(int n) {
    Quadrature q;
    if (n < 1) return q;
    const double pi = std::acos(-1.0);
    q.nodes.resize(std::size_t(n));
    q.weights.resize(std::size_t(n));
    // Roots come in ± pairs: find the (n + 1)/2 non-negative ones.
    for (int i = 1; i <= (n + 1) / 2; ++i) {
        double x = std::cos(pi * (double(i) - 0.25) / (double(n) + 0.5));
        double value = 0.0, derivative = 1.0;
        for (int iteration = 0; iteration < 100; ++iteration) {
            legendre(n, x, value, derivative);
            const double step = value / derivative;
            x -= step;
            if (std::abs(step) <= 1e-15 * std::max(1.0, std::abs(x))) break;
        }
        legendre(n, x, value, derivative);
        const double w = 2.0 / ((1.0 - x * x) * derivative * derivative);
        // x decreases with i: α = (1 ∓ x)/2 fill the rule from both ends.
        q.nodes[std::size_t(i - 1)] = (1.0 - x) / 2.0;
        q.nodes[std::size_t(n - i)] = (1.0 + x) / 2.0;
        q.weights[std::size_t(i - 1)] = w / 2.0;
        q.weights[std::size_t(n - i)] = w / 2.0;
    }
    if (n % 2 == 1) q.nodes[std::size_t(n / 2)] = 0.5;  // the middle root is exactly 0
    return q;
}

}  // namespace basin::detail
