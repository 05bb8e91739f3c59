#include "curvature/HutchinsonTrace.h"

#include <stdexcept>
#include <string>

#include "curvature/detail/RandomVectors.h"

namespace basin {

HutchinsonResult hutchinsonTrace(const SymmetricOperator& op, const HutchinsonOptions& options,
                                 JobContext* context) {
    if (options.samples < 1) throw std::invalid_argument("Hutchinson needs at least one sample");
    Pcg32 rng(options.seed);
    HutchinsonResult result;
    Eigen::VectorXd hz;
    for (int s = 0; s < options.samples; ++s) {
        if (context) context->throwIfCancelled();
        const Eigen::VectorXd z = detail::rademacherVector(op.dimension, rng);
        op.apply(z, hz);
        ++result.products;
        const double estimate = z.dot(hz);
        if (!std::isfinite(estimate))
            throw std::runtime_error(
                "the Hessian-vector product is not finite (NaN or infinite "
                "loss or gradients at these weights)");
        result.estimates.push_back(estimate);
        if (context)
            context->report(double(s + 1) / double(options.samples),
                            "Hutchinson trace: " + std::to_string(s + 1) + " of " +
                                std::to_string(options.samples) + " probes");
    }
    const double n = double(result.estimates.size());
    double sum = 0.0;
    for (double e : result.estimates)
        sum += e;
    result.trace = sum / n;
    if (result.estimates.size() > 1) {
        double squares = 0.0;
        for (double e : result.estimates)
            squares += (e - result.trace) * (e - result.trace);
        result.standardError = std::sqrt(squares / (n - 1.0) / n);
    }
    return result;
}

}  // namespace basin
