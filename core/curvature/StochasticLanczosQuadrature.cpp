#include "curvature/StochasticLanczosQuadrature.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "curvature/detail/LanczosProcess.h"
#include "curvature/detail/RandomVectors.h"

namespace basin {

double SpectralDensity::moment(int p) const {
    if (nodes.empty()) return std::nan("");
    double sum = 0.0;
    for (std::size_t l = 0; l < nodes.size(); ++l)
        for (std::size_t k = 0; k < nodes[l].size(); ++k)
            sum += weights[l][k] * std::pow(nodes[l][k], p);
    return sum / double(nodes.size());
}

SpectralDensity stochasticLanczosQuadrature(const SymmetricOperator& op, const SlqOptions& options,
                                            JobContext* context) {
    if (options.starts < 1 || options.steps < 1)
        throw std::invalid_argument(
            "stochastic Lanczos quadrature needs at least one probe "
            "and one step");
    if (op.dimension < 1)
        throw std::invalid_argument("stochastic Lanczos quadrature needs a non-empty operator");
    const int steps = int(std::min<std::int64_t>(options.steps, op.dimension));
    const double budget = double(options.starts) * steps;

    SpectralDensity result;
    result.dimension = op.dimension;
    Pcg32 rng(options.seed);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    for (int l = 0; l < options.starts; ++l) {
        detail::LanczosProcess lanczos(op, detail::rademacherVector(op.dimension, rng));
        while (lanczos.steps() < steps) {
            if (context) context->throwIfCancelled();
            if (!lanczos.step()) break;
            ++result.products;
            if (context)
                context->report(double(result.products) / budget,
                                "spectral density: probe " + std::to_string(l + 1) + " of " +
                                    std::to_string(options.starts) + ", " +
                                    std::to_string(result.products) + " Hessian-vector products");
            if (lanczos.exhausted()) break;
        }
        solver.compute(lanczos.tridiagonal(), Eigen::ComputeEigenvectors);
        std::vector<double> nodes, weights;
        for (Eigen::Index k = 0; k < solver.eigenvalues().size(); ++k) {
            nodes.push_back(solver.eigenvalues()[k]);
            const double u = solver.eigenvectors()(0, k);
            weights.push_back(u * u);
        }
        result.nodes.push_back(std::move(nodes));
        result.weights.push_back(std::move(weights));
    }

    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& nodes : result.nodes)
        for (double t : nodes) {
            lo = std::min(lo, t);
            hi = std::max(hi, t);
        }
    double sigma = options.sigma;
    if (!(sigma > 0.0)) sigma = hi > lo ? 0.01 * (hi - lo) : 1e-3 * std::max(1.0, std::abs(hi));
    result.sigma = sigma;
    const int points = std::max(2, options.gridPoints);
    const double a = lo - 5.0 * sigma, b = hi + 5.0 * sigma;
    const double norm = 1.0 / (double(options.starts) * sigma * std::sqrt(2.0 * M_PI));
    result.grid.resize(std::size_t(points));
    result.density.assign(std::size_t(points), 0.0);
    for (int i = 0; i < points; ++i) {
        const double t = a + (b - a) * double(i) / double(points - 1);
        result.grid[std::size_t(i)] = t;
        double phi = 0.0;
        for (std::size_t l = 0; l < result.nodes.size(); ++l)
            for (std::size_t k = 0; k < result.nodes[l].size(); ++k) {
                const double d = (t - result.nodes[l][k]) / sigma;
                phi += result.weights[l][k] * std::exp(-0.5 * d * d);
            }
        result.density[std::size_t(i)] = phi * norm;
    }
    return result;
}

}  // namespace basin
