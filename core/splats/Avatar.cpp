#include "splats/Avatar.h"

namespace basin {

void Avatar::validate() const {
    weights.validate(cloud.size(), skeleton.size());
}

RenderSplats Avatar::posed(const SkeletonPose& pose) const {
    return posed(restSplats(), pose);
}

RenderSplats Avatar::posed(const RenderSplats& rest, const SkeletonPose& pose) const {
    return skinRenderSplats(rest, weights, skeleton.skinningTransforms(pose));
}

}  // namespace basin
