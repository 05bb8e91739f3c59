#pragma once
// A skinned Gaussian avatar: a rest-pose cloud, the skeleton it is rigged to
// and each splat's skinning weights. The procedural avatar and clouds bound
// to an SMPL-X body are both Avatars; posing one gives the renderers' input.

#include <vector>

#include "splats/GaussianCloud.h"
#include "splats/LinearBlendSkinning.h"
#include "splats/RenderSplats.h"
#include "splats/Skeleton.h"

namespace basin {

struct Avatar {
    Skeleton skeleton;
    GaussianCloud cloud;  // rest pose, activated
    SkinWeights weights;  // one entry per splat

    // Throws std::invalid_argument when the weights do not fit the cloud
    // and skeleton (see SkinWeights::validate).
    void validate() const;
    // The rest cloud as renderers take it.
    RenderSplats restSplats() const { return RenderSplats::fromCloud(cloud); }
    // The cloud skinned to `pose`.
    RenderSplats posed(const SkeletonPose& pose) const;
    // Skins an already converted rest cloud (saves the covariances per frame).
    RenderSplats posed(const RenderSplats& rest, const SkeletonPose& pose) const;
};

}  // namespace basin
