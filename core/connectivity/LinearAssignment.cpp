#include "connectivity/LinearAssignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace basin {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// State of the shortest-augmenting-path solver for an n×n row-major cost.
class ShortestAugmentingPath {
public:
    ShortestAugmentingPath(std::vector<double> cost, std::int64_t n)
        : cost_(std::move(cost)),
          n_(n),
          u_(std::size_t(n), 0.0),
          v_(std::size_t(n), 0.0),
          distance_(std::size_t(n)),
          predecessor_(std::size_t(n), -1),
          columnOfRow_(std::size_t(n), -1),
          rowOfColumn_(std::size_t(n), -1),
          unvisited_(std::size_t(n)) {}

    std::vector<std::int64_t> solve() {
        for (std::int64_t row = 0; row < n_; ++row)
            augmentFrom(row);
        return columnOfRow_;
    }

private:
    // Dijkstra from `start` (a free row) over the columns with reduced costs;
    // stops at the first free column reached, flips the matching along the
    // path and updates the potentials so reduced costs stay non-negative.
    void augmentFrom(std::int64_t start) {
        std::fill(distance_.begin(), distance_.end(), kInfinity);
        visitedRows_.clear();
        visitedColumns_.clear();
        std::int64_t unvisited = n_;
        for (std::int64_t k = 0; k < n_; ++k)
            unvisited_[std::size_t(k)] = k;

        double pathLength = 0.0;  // distance to the column settled last
        std::int64_t row = start, freeColumn = -1;
        while (freeColumn < 0) {
            visitedRows_.push_back(row);
            const double* c = cost_.data() + row * n_;
            const double base = pathLength - u_[std::size_t(row)];
            std::int64_t best = -1;
            double lowest = kInfinity;
            for (std::int64_t k = 0; k < unvisited; ++k) {
                const std::int64_t j = unvisited_[std::size_t(k)];
                const double d = base + c[j] - v_[std::size_t(j)];
                if (d < distance_[std::size_t(j)]) {
                    distance_[std::size_t(j)] = d;
                    predecessor_[std::size_t(j)] = row;
                }
                const double dj = distance_[std::size_t(j)];
                // Among equally near columns prefer a free one: the search ends sooner.
                if (dj < lowest || (dj == lowest && rowOfColumn_[std::size_t(j)] < 0)) {
                    lowest = dj;
                    best = k;
                }
            }
            if (best < 0 || !std::isfinite(lowest))
                throw std::logic_error("linear assignment: no augmenting path (non-finite costs)");
            pathLength = lowest;
            const std::int64_t column = unvisited_[std::size_t(best)];
            visitedColumns_.push_back(column);
            unvisited_[std::size_t(best)] = unvisited_[std::size_t(--unvisited)];
            if (rowOfColumn_[std::size_t(column)] < 0)
                freeColumn = column;
            else
                row = rowOfColumn_[std::size_t(column)];
        }

        // Potentials: u_i += L − d(σ(i)) for rows reached through a matched
        // column (u_start += L), v_j −= L − d(j) for settled columns.
        u_[std::size_t(start)] += pathLength;
        for (std::int64_t i : visitedRows_)
            if (i != start)
                u_[std::size_t(i)] +=
                    pathLength - distance_[std::size_t(columnOfRow_[std::size_t(i)])];
        for (std::int64_t j : visitedColumns_)
            v_[std::size_t(j)] -= pathLength - distance_[std::size_t(j)];

        // Flip the matching along the path back to `start`.
        std::int64_t column = freeColumn;
        while (true) {
            const std::int64_t i = predecessor_[std::size_t(column)];
            rowOfColumn_[std::size_t(column)] = i;
            std::swap(columnOfRow_[std::size_t(i)], column);
            if (i == start) break;
        }
    }

    std::vector<double> cost_;
    std::int64_t n_;
    std::vector<double> u_, v_, distance_;
    std::vector<std::int64_t> predecessor_, columnOfRow_, rowOfColumn_;
    std::vector<std::int64_t> unvisited_, visitedRows_, visitedColumns_;
};

Assignment solve(const Eigen::MatrixXd& m, double sign) {
    if (m.rows() != m.cols())
        throw std::invalid_argument("linear assignment needs a square matrix, got " +
                                    std::to_string(m.rows()) + "×" + std::to_string(m.cols()));
    const std::int64_t n = m.rows();
    std::vector<double> cost(std::size_t(n * n));
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            const double x = m(i, j);
            if (!std::isfinite(x))
                throw std::invalid_argument("linear assignment: entry (" + std::to_string(i) +
                                            ", " + std::to_string(j) + ") is " + std::to_string(x) +
                                            ", not a finite number");
            cost[std::size_t(i * n + j)] = sign * x;
        }
    Assignment a;
    a.columnOfRow = ShortestAugmentingPath(std::move(cost), n).solve();
    for (std::int64_t i = 0; i < n; ++i)
        a.total += m(i, a.columnOfRow[std::size_t(i)]);
    return a;
}

}  // namespace

Assignment minimumCostAssignment(const Eigen::MatrixXd& cost) {
    return solve(cost, 1.0);
}

Assignment maximumWeightAssignment(const Eigen::MatrixXd& weight) {
    return solve(weight, -1.0);
}

}  // namespace basin
