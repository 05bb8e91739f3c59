#pragma once
// A skinned Gaussian avatar: a rest-pose cloud, the skeleton it is rigged to
// and each splat's skinning weights. The procedural avatar and clouds bound
// to an SMPL-X body are both Avatars; posing one gives the renderers' input.
// Avatars bound to a body model's mesh may also carry its blend shapes (pose
// correctives and expressions), which move the splats before skinning.

#include <memory>
#include <vector>

#include "splats/GaussianCloud.h"
#include "splats/LinearBlendSkinning.h"
#include "splats/RenderSplats.h"
#include "splats/Skeleton.h"
#include "splats/SplatBlendShapes.h"

namespace basin {

struct Avatar {
    Skeleton skeleton;
    GaussianCloud cloud;  // rest pose, activated
    SkinWeights weights;  // one entry per splat
    // The body model's blend shapes at each splat's vertex, or null (plain
    // linear blend skinning). Shared: copies of an avatar share them.
    std::shared_ptr<const SplatBlendShapes> blendShapes;

    // Throws std::invalid_argument when the weights (see
    // SkinWeights::validate) or the blend shapes do not fit the cloud and
    // skeleton.
    void validate() const;
    // The rest cloud as renderers take it.
    RenderSplats restSplats() const { return RenderSplats::fromCloud(cloud); }
    // The cloud skinned to `pose`.
    RenderSplats posed(const SkeletonPose& pose) const;
    // Skins an already converted rest cloud (saves the covariances per frame).
    // With blend shapes, each centre first moves by its displacement d for
    // the pose (SplatBlendShapes::displacements) and skins from the skeleton
    // at the pose's expression: M(x + d) + b (skinRenderSplats with the
    // displacements). The rest pose with the trained expression gives what
    // plain skinning gives, bit for bit.
    RenderSplats posed(const RenderSplats& rest, const SkeletonPose& pose) const;
};

}  // namespace basin
