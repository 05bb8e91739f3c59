#pragma once
// Basin's built-in avatar: a ~1.7 m figure in T-pose (y up, facing +z, its
// left at +x) rigged to the 55 SMPL-X joints (SmplxJoints.h), with rest
// offsets in metres, so SMPL-X pose parameters drive it as they drive a body
// model. Gaussians are sampled on capsules and ellipsoids around the bones,
// denser and smaller on the hands and the face as avatar methods such as EVA
// place them; each splat carries its part ("part": 0 body, 1 hand, 2 face)
// and dominant bone ("bone") as quantities, degree-0 colours (skin, shirt,
// trousers, shoes, hair, dark eyes) and skinning weights to the ≤ 4 nearest
// bones of its own, parent and child joints (inverse distance to the bone
// segments, 4th power, so weights are shared evenly at a joint and fade
// along the bone). Free to ship: nothing comes from a licensed body model.

#include <cstddef>
#include <cstdint>

#include "splats/Avatar.h"

namespace basin {

enum class AvatarPart { Body = 0, Hand = 1, Face = 2 };

struct ProceduralAvatarOptions {
    std::size_t splatCount = 80000;
    std::uint64_t seed = 1;
    // Shares of the splats on the hands (both) and the face; the body gets
    // the rest.
    double handShare = 0.22;
    double faceShare = 0.16;
};

// The rig alone: the SMPL-X joints at the avatar's rest positions.
Skeleton proceduralAvatarSkeleton();
// Deterministic for a given seed and count. Throws std::invalid_argument for
// fewer than 1,000 splats or shares outside [0, 1) whose sum reaches 1.
Avatar makeProceduralAvatar(const ProceduralAvatarOptions& options = {});

}  // namespace basin
