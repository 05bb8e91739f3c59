#include "splats/AvatarPose.h"

#include <cmath>

#include "splats/SmplxJoints.h"

namespace basin {

namespace {

constexpr double kPi = 3.14159265358979323846;

Eigen::Matrix3d rotationX(double a) {
    return axisAngleMatrix({a, 0, 0});
}
Eigen::Matrix3d rotationY(double a) {
    return axisAngleMatrix({0, a, 0});
}
Eigen::Matrix3d rotationZ(double a) {
    return axisAngleMatrix({0, 0, a});
}

void set(const Skeleton& skeleton, SkeletonPose& pose, const std::string& joint,
         const Eigen::Matrix3d& rotation) {
    const int j = skeleton.find(joint);
    if (j >= 0) pose.rotations[std::size_t(j)] = matrixAxisAngle(rotation);
}

}  // namespace

SkeletonPose tPose(const Skeleton& skeleton) {
    return skeleton.restPose();
}

SkeletonPose aPose(const Skeleton& skeleton, double armAngle) {
    SkeletonPose pose = skeleton.restPose();
    // The left arm points along +x: turning about z by −a lowers it.
    set(skeleton, pose, "left_shoulder", rotationZ(-armAngle));
    set(skeleton, pose, "right_shoulder", rotationZ(armAngle));
    return pose;
}

SkeletonPose walkPose(const Skeleton& skeleton, double t, const WalkCycle& c) {
    SkeletonPose pose = skeleton.restPose();
    const double phase = 2 * kPi * t / c.period;
    const double s = std::sin(phase);
    // The figure faces +z; a leg hanging along −y swings forward for a
    // negative rotation about x. The left leg leads while sin(phase) > 0.
    set(skeleton, pose, "left_hip", rotationX(-c.hipSwing * s));
    set(skeleton, pose, "right_hip", rotationX(c.hipSwing * s));
    // Knees bend most as the thigh swings forward past vertical.
    const double leftKnee = 0.5 + 0.5 * std::cos(phase);
    const double rightKnee = 0.5 - 0.5 * std::cos(phase);
    set(skeleton, pose, "left_knee", rotationX(c.kneeBend * leftKnee * leftKnee));
    set(skeleton, pose, "right_knee", rotationX(c.kneeBend * rightKnee * rightKnee));
    // Feet stay roughly level: the ankle undoes part of hip and knee.
    set(skeleton, pose, "left_ankle",
        rotationX(0.5 * c.hipSwing * s - 0.4 * c.kneeBend * leftKnee * leftKnee));
    set(skeleton, pose, "right_ankle",
        rotationX(-0.5 * c.hipSwing * s - 0.4 * c.kneeBend * rightKnee * rightKnee));
    // Arms lowered, swinging against the leg of their side.
    set(skeleton, pose, "left_shoulder", rotationX(c.shoulderSwing * s) * rotationZ(-c.armAngle));
    set(skeleton, pose, "right_shoulder", rotationX(-c.shoulderSwing * s) * rotationZ(c.armAngle));
    // Elbows bend the forearm forward (towards +z), more on the forward swing.
    set(skeleton, pose, "left_elbow", rotationY(-c.elbowBend * (1 - 0.4 * s)));
    set(skeleton, pose, "right_elbow", rotationY(c.elbowBend * (1 + 0.4 * s)));
    // The pelvis turns with the leading leg and the chest turns back.
    set(skeleton, pose, "pelvis", rotationY(c.pelvisTwist * s));
    set(skeleton, pose, "spine3", rotationY(-c.pelvisTwist * s));
    pose.translation = {0, c.bob * std::cos(2 * phase), 0};
    return pose;
}

std::vector<JointGroup> jointGroups(const Skeleton& skeleton) {
    const auto& names = smplxJointNames();
    std::vector<JointGroup> groups = {
        {"body", {}}, {"left hand", {}}, {"right hand", {}}, {"jaw and face", {}}};
    for (int k = 0; k < kSmplxJointCount; ++k) {
        const int j = skeleton.find(names[std::size_t(k)]);
        if (j < 0) continue;
        std::size_t g = 0;
        if (k >= kSmplxRightHandFirst)
            g = 2;
        else if (k >= kSmplxLeftHandFirst)
            g = 1;
        else if (k >= kSmplxJaw)
            g = 3;
        groups[g].joints.push_back(j);
    }
    std::vector<JointGroup> out;
    for (auto& g : groups)
        if (!g.joints.empty()) out.push_back(std::move(g));
    return out;
}

}  // namespace basin
