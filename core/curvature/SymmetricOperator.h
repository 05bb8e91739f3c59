#pragma once
// A symmetric linear map A: Rⁿ → Rⁿ known only through products x ↦ Ax: what
// the curvature algorithms (Lanczos, power iteration, Hutchinson, stochastic
// Lanczos quadrature) need of a Hessian. HessianVectorProduct::asOperator()
// gives one for a network; tests wrap a dense Eigen matrix.
//
// `apply` may throw (an error sentence, or JobCancelled); the algorithms let
// the exception through. Each call is one product, the unit of work in which
// budgets, counts and progress are expressed.

#include <Eigen/Core>

#include <cstdint>
#include <functional>

namespace basin {

struct SymmetricOperator {
    std::int64_t dimension = 0;
    // y ← A x (y is resized by the callee).
    std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& y)> apply;
};

// A dense symmetric matrix as an operator (tests, small problems).
inline SymmetricOperator denseOperator(Eigen::MatrixXd matrix) {
    SymmetricOperator op;
    op.dimension = matrix.rows();
    op.apply = [m = std::move(matrix)](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
        y.noalias() = m * x;
    };
    return op;
}

}  // namespace basin
