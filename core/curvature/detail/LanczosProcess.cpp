#include "curvature/detail/LanczosProcess.h"

#include <cmath>
#include <stdexcept>

namespace basin::detail {

LanczosProcess::LanczosProcess(const SymmetricOperator& op, const Eigen::VectorXd& start)
    : op_(op) {
    if (start.size() != op.dimension)
        throw std::invalid_argument("Lanczos start vector has " + std::to_string(start.size()) +
                                    " entries for an operator of dimension " +
                                    std::to_string(op.dimension));
    const double norm = start.norm();
    if (!(norm > 0.0) || !std::isfinite(norm))
        throw std::invalid_argument("Lanczos start vector is zero or not finite");
    basis_.push_back(start / norm);
    exhausted_ = op.dimension == 0;
}

bool LanczosProcess::step() {
    if (exhausted_) return false;
    const Eigen::VectorXd& q = basis_.back();
    Eigen::VectorXd w;
    op_.apply(q, w);
    if (w.size() != q.size())
        throw std::runtime_error("operator returned " + std::to_string(w.size()) +
                                 " values for a vector of " + std::to_string(q.size()));
    if (!w.allFinite())
        throw std::runtime_error(
            "the Hessian-vector product is not finite (NaN or infinite "
            "loss or gradients at these weights)");
    const double a = q.dot(w);
    w -= a * q;
    if (!beta_.empty()) w -= beta_.back() * basis_[basis_.size() - 2];
    for (int pass = 0; pass < 2; ++pass)
        for (const Eigen::VectorXd& b : basis_)
            w -= b.dot(w) * b;
    alpha_.push_back(a);
    lastBeta_ = w.norm();

    // Breakdown threshold relative to the size of T seen so far.
    double scale = 0.0;
    for (std::size_t i = 0; i < alpha_.size(); ++i)
        scale = std::max(scale, std::abs(alpha_[i]) + (i < beta_.size() ? beta_[i] : 0.0));
    const bool invariant = lastBeta_ <= 1e-12 * std::max(scale, 1e-300);
    if (invariant || std::int64_t(alpha_.size()) >= op_.dimension) {
        exhausted_ = true;
        lastBeta_ = 0.0;
        return true;
    }
    beta_.push_back(lastBeta_);
    basis_.push_back(w / lastBeta_);
    return true;
}

Eigen::MatrixXd LanczosProcess::tridiagonal() const {
    const int m = steps();
    Eigen::MatrixXd t = Eigen::MatrixXd::Zero(m, m);
    for (int i = 0; i < m; ++i) {
        t(i, i) = alpha_[std::size_t(i)];
        if (i + 1 < m) t(i, i + 1) = t(i + 1, i) = beta_[std::size_t(i)];
    }
    return t;
}

Eigen::VectorXd LanczosProcess::combine(const Eigen::VectorXd& y) const {
    Eigen::VectorXd x = Eigen::VectorXd::Zero(op_.dimension);
    for (Eigen::Index i = 0; i < y.size(); ++i)
        x += y[i] * basis_[std::size_t(i)];
    return x;
}

}  // namespace basin::detail
