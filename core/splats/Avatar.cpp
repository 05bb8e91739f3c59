#include "splats/Avatar.h"

#include <stdexcept>
#include <string>

namespace basin {

void Avatar::validate() const {
    weights.validate(cloud.size(), skeleton.size());
    if (!blendShapes) return;
    if (blendShapes->size() != cloud.size())
        throw std::invalid_argument("blend shapes for " + std::to_string(blendShapes->size()) +
                                    " splats, a cloud of " + std::to_string(cloud.size()));
    const SplatBlendShapes& b = *blendShapes;
    if (b.poseDirections.size() > 0 && b.poseDirections.cols() != 9 * (skeleton.size() - 1))
        throw std::invalid_argument("pose blend shapes for " +
                                    std::to_string(b.poseDirections.cols() / 9 + 1) +
                                    " joints, a skeleton of " + std::to_string(skeleton.size()));
    if (b.jointExpressionDirections.size() > 0 &&
        b.jointExpressionDirections.rows() != 3 * skeleton.size())
        throw std::invalid_argument("expression blend shapes for " +
                                    std::to_string(b.jointExpressionDirections.rows() / 3) +
                                    " joints, a skeleton of " + std::to_string(skeleton.size()));
}

RenderSplats Avatar::posed(const SkeletonPose& pose) const {
    return posed(restSplats(), pose);
}

RenderSplats Avatar::posed(const RenderSplats& rest, const SkeletonPose& pose) const {
    std::vector<float> d;
    if (blendShapes) skeleton.checkPose(pose);  // named before the blend shapes use it
    if (!blendShapes || !blendShapes->displacements(pose, d))
        return skinRenderSplats(rest, weights, skeleton.skinningTransforms(pose));
    if (d.size() != rest.centres.size())
        throw std::invalid_argument("blend-shape displacements for " +
                                    std::to_string(d.size() / 3) + " splats, a cloud of " +
                                    std::to_string(rest.centres.size() / 3));
    const auto a = blendShapes->skeletonAt(skeleton, pose).skinningTransforms(pose);
    RenderSplats posed = skinRenderSplats(rest, weights, a);
    for (std::size_t i = 0; i < weights.size(); ++i) {
        Eigen::Matrix3d m = Eigen::Matrix3d::Zero();
        for (int k = 0; k < kMaxBonesPerSplat; ++k) {
            const float w = weights.weights[i][std::size_t(k)];
            if (w != 0) m += double(w) * a[std::size_t(weights.bones[i][std::size_t(k)])].linear();
        }
        const Eigen::Vector3d moved = m * Eigen::Vector3d(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
        for (int c = 0; c < 3; ++c)
            posed.centres[3 * i + std::size_t(c)] += float(moved[c]);
    }
    return posed;
}

}  // namespace basin
