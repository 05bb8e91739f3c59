#pragma once
// Poses for skeletons with SMPL-X joint names (the procedural avatar and
// SMPL-X bodies): the T-pose (rest), the A-pose (arms lowered), an in-place
// procedural walk cycle swinging hips, knees, shoulders and elbows, and the
// joint groups pose sliders are organized in. Joints a skeleton lacks are
// left alone.

#include <string>
#include <vector>

#include "splats/Skeleton.h"

namespace basin {

// Every rotation zero: SMPL-X's rest is a T-pose.
SkeletonPose tPose(const Skeleton& skeleton);
// Arms lowered by `armAngle` radians about the body's front-back axis.
SkeletonPose aPose(const Skeleton& skeleton, double armAngle = 0.8);

struct WalkCycle {
    double period = 1.1;     // seconds per two steps
    double hipSwing = 0.45;  // radians forward/back
    double kneeBend = 0.9;   // largest knee flexion, mid-swing
    double armAngle = 1.2;   // arms lowered from the T-pose
    double shoulderSwing = 0.35;
    double elbowBend = 0.35;    // mean elbow flexion, swinging ±40%
    double pelvisTwist = 0.08;  // about the vertical, the spine turning back
    double bob = 0.015;         // metres up and down, twice per cycle
};
// The pose at time t (seconds); periodic with cycle.period.
SkeletonPose walkPose(const Skeleton& skeleton, double t, const WalkCycle& cycle = {});

// Joints to show as sliders together.
struct JointGroup {
    std::string name;  // "body", "left hand", "right hand", "jaw and face"
    std::vector<int> joints;
};
// The groups of the skeleton's SMPL-X-named joints: body (pelvis … wrists),
// each hand's 15 finger joints, jaw and eyes. Empty groups are left out.
std::vector<JointGroup> jointGroups(const Skeleton& skeleton);

}  // namespace basin
