#pragma once
// The nearest of a fixed set of 3D points (a body mesh's vertices) to query
// points, through a uniform grid: each query visits cells ring by ring
// around its own and stops once no unvisited cell can hold a closer point.
// Exact (ties go to the lower index); used to bind splats to SMPL-X vertices.

#include <Eigen/Core>
#include <cstddef>
#include <vector>

namespace basin {

class NearestVertex {
public:
    // `vertices` is V×3; throws std::invalid_argument when it is empty or
    // holds a non-finite value.
    explicit NearestVertex(const Eigen::MatrixX3d& vertices);
    // Index of the vertex nearest to p.
    int nearest(const Eigen::Vector3d& p) const;

private:
    Eigen::MatrixX3d vertices_;
    Eigen::Vector3d origin_;
    double cell_ = 1;
    Eigen::Vector3i dims_;
    std::vector<int> cellStart_;  // CSR over cells: vertices of cell c are
    std::vector<int> cellItems_;  // cellItems_[cellStart_[c] .. cellStart_[c+1])
};

}  // namespace basin
