#include "curvature/LanczosEigenvalues.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "curvature/detail/LanczosProcess.h"
#include "curvature/detail/RandomVectors.h"

namespace basin {
namespace {

bool closeRelative(double now, double before, double tolerance) {
    return std::abs(now - before) <= tolerance * std::abs(now);
}

}  // namespace

LanczosResult lanczosEigenvalues(const SymmetricOperator& op, const LanczosOptions& options,
                                 JobContext* context) {
    if (options.k < 1) throw std::invalid_argument("Lanczos needs k >= 1 eigenvalues");
    if (op.dimension < 1) throw std::invalid_argument("Lanczos needs a non-empty operator");
    const int k = int(std::min<std::int64_t>(options.k, op.dimension));
    const int maxSteps =
        int(std::min<std::int64_t>(std::max(1, options.maxIterations), op.dimension));

    Pcg32 rng(options.seed);
    detail::LanczosProcess lanczos(op, detail::gaussianVector(op.dimension, rng));
    LanczosResult result;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    std::vector<double> previousTop;
    double previousBottom = std::nan("");
    while (lanczos.steps() < maxSteps) {
        if (context) context->throwIfCancelled();
        if (!lanczos.step()) break;
        ++result.products;
        if (context)
            context->report(
                double(lanczos.steps()) / double(maxSteps),
                "Lanczos: " + std::to_string(lanczos.steps()) + " Hessian-vector products");
        solver.compute(lanczos.tridiagonal(), Eigen::EigenvaluesOnly);
        const Eigen::VectorXd& theta = solver.eigenvalues();  // ascending
        const int m = int(theta.size());
        if (lanczos.exhausted()) {
            result.converged = true;
            break;
        }
        if (m < k) continue;
        std::vector<double> top(static_cast<std::size_t>(k));
        for (int i = 0; i < k; ++i)
            top[std::size_t(i)] = theta[m - 1 - i];
        bool done = previousTop.size() == top.size();
        for (std::size_t i = 0; done && i < top.size(); ++i)
            done = closeRelative(top[i], previousTop[i], options.tolerance);
        if (options.bottom)
            done = done && m > k && closeRelative(theta[0], previousBottom, options.tolerance);
        previousTop = std::move(top);
        previousBottom = theta[0];
        if (done) {
            result.converged = true;
            break;
        }
    }
    result.iterations = lanczos.steps();

    solver.compute(lanczos.tridiagonal(), Eigen::ComputeEigenvectors);
    const Eigen::VectorXd& theta = solver.eigenvalues();
    const Eigen::MatrixXd& y = solver.eigenvectors();
    const int m = int(theta.size());
    for (int i = m - 1; i >= 0; --i)
        result.ritzValues.push_back(theta[i]);
    const double beta = lanczos.lastBeta();
    auto ritzVector = [&](int column) {
        Eigen::VectorXd x = lanczos.combine(y.col(column));
        return Eigen::VectorXd(x / x.norm());
    };
    for (int i = 0; i < std::min(k, m); ++i) {
        const int column = m - 1 - i;
        result.eigenvalues.push_back(theta[column]);
        result.residuals.push_back(beta * std::abs(y(m - 1, column)));
        if (options.eigenvectors) result.eigenvectors.push_back(ritzVector(column));
    }
    if (options.bottom) {
        result.bottomEigenvalue = theta[0];
        result.bottomResidual = beta * std::abs(y(m - 1, 0));
        if (options.eigenvectors) result.bottomEigenvector = ritzVector(0);
    }
    return result;
}

}  // namespace basin
