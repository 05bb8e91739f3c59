#include "curvature/PowerIteration.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "curvature/detail/RandomVectors.h"

namespace basin {
namespace {

void orthonormalize(Eigen::VectorXd& v, const std::vector<Eigen::VectorXd>& against) {
    for (const Eigen::VectorXd& u : against)
        v -= u.dot(v) * u;
    const double norm = v.norm();
    if (norm > 0.0) v /= norm;
}

}  // namespace

PowerIterationResult powerIteration(const SymmetricOperator& op,
                                    const PowerIterationOptions& options, JobContext* context) {
    if (options.k < 1) throw std::invalid_argument("power iteration needs k >= 1 eigenvalues");
    if (op.dimension < 1) throw std::invalid_argument("power iteration needs a non-empty operator");
    const int k = int(std::min<std::int64_t>(options.k, op.dimension));
    const int maxIterations = std::max(1, options.maxIterations);
    const double budget = double(k) * maxIterations;

    Pcg32 rng(options.seed);
    PowerIterationResult result;
    result.converged = true;
    Eigen::VectorXd hv;
    for (int i = 0; i < k; ++i) {
        Eigen::VectorXd v = detail::gaussianVector(op.dimension, rng);
        orthonormalize(v, result.eigenvectors);
        double lambda = std::nan("");
        bool converged = false;
        int iterations = 0;
        while (iterations < maxIterations) {
            if (context) context->throwIfCancelled();
            op.apply(v, hv);
            ++iterations;
            ++result.products;
            if (context)
                context->report(double(result.products) / budget,
                                "power iteration: " + std::to_string(result.products) +
                                    " Hessian-vector products");
            if (!hv.allFinite())
                throw std::runtime_error(
                    "the Hessian-vector product is not finite (NaN or "
                    "infinite loss or gradients at these weights)");
            const double next = hv.dot(v);
            v = hv;
            orthonormalize(v, result.eigenvectors);
            const bool settled =
                std::isfinite(lambda) &&
                std::abs(next - lambda) <= options.tolerance * (std::abs(lambda) + 1e-6);
            lambda = next;
            if (settled || v.squaredNorm() == 0.0) {
                converged = true;
                break;
            }
        }
        result.eigenvalues.push_back(lambda);
        result.eigenvectors.push_back(v);
        result.iterations.push_back(iterations);
        result.converged = result.converged && converged;
    }
    return result;
}

}  // namespace basin
