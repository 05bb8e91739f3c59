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
    return skinRenderSplats(rest, weights,
                            blendShapes->skeletonAt(skeleton, pose).skinningTransforms(pose), &d);
}

}  // namespace basin
