#include "landscape/TrajectoryPca.h"

#include <Eigen/Dense>

#include <stdexcept>

namespace basin {

Directions trajectoryPca(const std::vector<WeightVector>& checkpoints,
                         const std::vector<std::string>& labels,
                         const TrajectoryPcaOptions& options) {
    const std::size_t m = checkpoints.size();
    if (m < 3)
        throw std::invalid_argument("the PCA of a trajectory needs at least 3 checkpoints, got " +
                                    std::to_string(m));
    const WeightVector& last = checkpoints.back();
    for (std::size_t i = 0; i + 1 < m; ++i)
        if (!checkpoints[i].sameLayout(last))
            throw std::invalid_argument("checkpoint " + std::to_string(i) +
                                        " of the trajectory has another layout than the final one");
    auto label = [&](std::size_t i) { return i < labels.size() ? labels[i] : std::to_string(i); };

    // Rows r_i = θ_i − θ_final, then centred.
    std::vector<WeightVector> rows;
    rows.reserve(m);
    for (const auto& c : checkpoints) {
        rows.push_back(c - last);
        if (options.zeroOneDimensional) rows.back().zeroOneDimensional();
    }
    std::vector<WeightVector> centred = rows;
    if (options.centred) {
        WeightVector mean = WeightVector::zerosLike(last);
        for (const auto& r : rows)
            mean.axpy(1.0 / double(m), r);
        for (auto& r : centred)
            r -= mean;
    }

    // Gram matrix of the centred rows, in double.
    Eigen::MatrixXd gram(m, m);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = i; j < m; ++j)
            gram(Eigen::Index(i), Eigen::Index(j)) = gram(Eigen::Index(j), Eigen::Index(i)) =
                centred[i].dot(centred[j]);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram);
    const Eigen::VectorXd lambda = eigen.eigenvalues();  // ascending
    const double total = lambda.cwiseMax(0.0).sum();
    const double l1 = lambda(Eigen::Index(m - 1)), l2 = lambda(Eigen::Index(m - 2));
    if (!(total > 0.0) || !(l2 > 1e-12 * l1))
        throw std::invalid_argument("the trajectory of " + std::to_string(m) +
                                    " checkpoints spans fewer than two dimensions; no PCA plane");

    auto component = [&](Eigen::Index k, double value) {
        WeightVector d = WeightVector::zerosLike(last);
        for (std::size_t i = 0; i < m; ++i)
            d.axpy(eigen.eigenvectors()(Eigen::Index(i), k) / std::sqrt(value), centred[i]);
        // Renormalize away the float rounding of the sum.
        d.scale(1.0 / d.norm());
        return d;
    };

    Directions d;
    d.kind = DirectionKind::TrajectoryPca;
    d.x.vector = component(Eigen::Index(m - 1), l1);
    d.y = Direction{component(Eigen::Index(m - 2), l2)};
    d.explainedVarianceRatio = {l1 / total, l2 / total};
    d.centre = label(m - 1);
    for (std::size_t i = 0; i < m; ++i)
        d.points.push_back({label(i), rows[i].dot(d.x.vector), rows[i].dot(d.y->vector)});
    return d;
}

}  // namespace basin
