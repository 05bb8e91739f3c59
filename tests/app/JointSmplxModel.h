#pragma once
// A synthetic SMPL-X body model for tests (the real ones are never shipped):
// one vertex per joint, at the procedural avatar's rest joints moved by
// `offset`, each vertex weighted fully to its joint, the joint regressor the
// identity, one shape direction of zeros. With `handComponents`, hand PCA
// components (a permutation of the identity, so component k moves one finger
// angle) and mean hand poses (0.1 everywhere) are added.

#include <QString>
#include <cstdint>
#include <vector>

#include "data/detail/TensorBuilders.h"
#include "io/Numpy.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SmplxJoints.h"

inline QString writeJointSmplxModel(const QString& path, const Eigen::Vector3d& offset,
                                    bool handComponents = false) {
    const basin::Avatar rig = basin::makeProceduralAvatar({1000});
    const auto world = rig.skeleton.worldTransforms(rig.skeleton.restPose());
    const int joints = basin::kSmplxJointCount;
    std::vector<float> vertices, identity(std::size_t(joints * joints), 0.0f);
    std::vector<std::int64_t> kintree(std::size_t(2 * joints));
    for (int j = 0; j < joints; ++j) {
        const Eigen::Vector3d at = world[std::size_t(j)].translation() + offset;
        vertices.insert(vertices.end(), {float(at.x()), float(at.y()), float(at.z())});
        identity[std::size_t(j * joints + j)] = 1.0f;
        const int parent = basin::smplxParents()[std::size_t(j)];
        kintree[std::size_t(j)] = parent < 0 ? std::int64_t(4294967295) : parent;
        kintree[std::size_t(joints + j)] = j;
    }
    using basin::detail::float32Tensor;
    std::vector<basin::NamedTensor> arrays{
        {"v_template", float32Tensor({joints, 3}, vertices)},
        {"shapedirs", float32Tensor({joints, 3, 1}, std::vector<float>(joints * 3, 0.0f))},
        {"J_regressor", float32Tensor({joints, joints}, identity)},
        {"weights", float32Tensor({joints, joints}, identity)},
        {"kintree_table", basin::detail::int64Tensor({2, joints}, kintree)}};
    if (handComponents) {
        std::vector<float> components(45 * 45, 0.0f);
        for (int k = 0; k < 45; ++k)
            components[std::size_t(k * 45 + (k * 7) % 45)] = 1.0f;
        for (const char* side : {"l", "r"}) {
            arrays.push_back(
                {std::string("hands_components") + side, float32Tensor({45, 45}, components)});
            arrays.push_back({std::string("hands_mean") + side,
                              float32Tensor({45}, std::vector<float>(45, 0.1f))});
        }
    }
    basin::writeNpz(path.toStdString(), arrays);
    return path;
}
