#include "splats/NearestVertex.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace basin {

NearestVertex::NearestVertex(const Eigen::MatrixX3d& vertices) : vertices_(vertices) {
    const auto n = vertices_.rows();
    if (n == 0) throw std::invalid_argument("no vertices to search for the nearest one");
    if (!vertices_.allFinite()) throw std::invalid_argument("a vertex position is not finite");
    const Eigen::Vector3d lo = vertices_.colwise().minCoeff().transpose();
    const Eigen::Vector3d hi = vertices_.colwise().maxCoeff().transpose();
    const Eigen::Vector3d extent = (hi - lo).cwiseMax(1e-9);
    // About two vertices per cell, at most 128 cells along an axis.
    const double volume = extent.prod();
    cell_ = std::cbrt(2.0 * volume / double(n));
    cell_ = std::max(cell_, extent.maxCoeff() / 128);
    origin_ = lo;
    for (int a = 0; a < 3; ++a)
        dims_[a] = std::clamp(int(std::floor(extent[a] / cell_)) + 1, 1, 129);
    const std::size_t cells = std::size_t(dims_[0]) * std::size_t(dims_[1]) * std::size_t(dims_[2]);
    std::vector<int> cellOf(static_cast<std::size_t>(n));
    cellStart_.assign(cells + 1, 0);
    for (Eigen::Index v = 0; v < n; ++v) {
        Eigen::Vector3i c;
        for (int a = 0; a < 3; ++a)
            c[a] = std::clamp(int(std::floor((vertices_(v, a) - origin_[a]) / cell_)), 0,
                              dims_[a] - 1);
        const int index = (c[2] * dims_[1] + c[1]) * dims_[0] + c[0];
        cellOf[std::size_t(v)] = index;
        ++cellStart_[std::size_t(index) + 1];
    }
    for (std::size_t c = 0; c < cells; ++c)
        cellStart_[c + 1] += cellStart_[c];
    cellItems_.resize(std::size_t(n));
    std::vector<int> fill(cellStart_.begin(), cellStart_.end() - 1);
    for (Eigen::Index v = 0; v < n; ++v)
        cellItems_[std::size_t(fill[std::size_t(cellOf[std::size_t(v)])]++)] = int(v);
}

int NearestVertex::nearest(const Eigen::Vector3d& p) const {
    Eigen::Vector3i c;
    for (int a = 0; a < 3; ++a)
        c[a] = std::clamp(int(std::floor((p[a] - origin_[a]) / cell_)), 0, dims_[a] - 1);
    int best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (int r = 0;; ++r) {
        Eigen::Vector3i lo, hi;
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::max(0, c[a] - r);
            hi[a] = std::min(dims_[a] - 1, c[a] + r);
        }
        for (int z = lo[2]; z <= hi[2]; ++z)
            for (int y = lo[1]; y <= hi[1]; ++y)
                for (int x = lo[0]; x <= hi[0]; ++x) {
                    // Only the shell of ring r is new.
                    if (std::max({std::abs(x - c[0]), std::abs(y - c[1]), std::abs(z - c[2])}) != r)
                        continue;
                    const int cell = (z * dims_[1] + y) * dims_[0] + x;
                    for (int k = cellStart_[std::size_t(cell)];
                         k < cellStart_[std::size_t(cell) + 1]; ++k) {
                        const int v = cellItems_[std::size_t(k)];
                        const double d = (vertices_.row(v).transpose() - p).squaredNorm();
                        if (d < bestDistance || (d == bestDistance && v < best)) {
                            bestDistance = d;
                            best = v;
                        }
                    }
                }
        // Unvisited cells lie beyond a face of the visited box that does not
        // reach the grid's edge; the nearest such face bounds their distance.
        double bound = std::numeric_limits<double>::infinity();
        for (int a = 0; a < 3; ++a) {
            if (lo[a] > 0)
                bound = std::min(bound, std::max(0.0, p[a] - (origin_[a] + lo[a] * cell_)));
            if (hi[a] < dims_[a] - 1)
                bound = std::min(bound, std::max(0.0, origin_[a] + (hi[a] + 1) * cell_ - p[a]));
        }
        if (std::isinf(bound)) return best;  // every cell visited
        if (best >= 0 && bound * bound > bestDistance) return best;
    }
}

}  // namespace basin
