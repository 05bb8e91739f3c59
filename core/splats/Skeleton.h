#pragma once
// A joint hierarchy with a rest pose, posed by per-joint local rotations
// (axis-angle vectors, as SMPL-X stores them) and a root translation.
//
// Joint j's rest local transform is a rotation R⁰_j and an offset t_j from
// its parent (the root's offset is its world position). A pose multiplies
// the rest rotation by the pose rotation exp([θ_j]×), so the world transform
// is G_j = G_parent(j) · [R⁰_j exp([θ_j]×) | t_j], with the root translation
// applied in front of the root. Linear blend skinning moves rest-pose points
// by A_j = G_j(pose) · G_j(rest)⁻¹.

#include <Eigen/Geometry>
#include <string>
#include <vector>

namespace basin {

struct Joint {
    std::string name;
    int parent = -1;                                   // index of an earlier joint; -1 for a root
    Eigen::Vector3d offset = Eigen::Vector3d::Zero();  // from the parent, in its rest frame
    Eigen::Matrix3d restRotation = Eigen::Matrix3d::Identity();
};

// Local rotations (axis-angle, radians) per joint and a root translation.
struct SkeletonPose {
    std::vector<Eigen::Vector3d> rotations;
    Eigen::Vector3d translation = Eigen::Vector3d::Zero();
    // Expression coefficients (SMPL-X's `expression`) for avatars with
    // expression blend shapes (Avatar::blendShapes); empty leaves the face as
    // it was trained. Skeletons and avatars without them ignore it.
    std::vector<double> expression;
};

class Skeleton {
public:
    // Appends a joint; its parent must already be there (or be -1). Throws
    // std::invalid_argument for a bad parent or a repeated name.
    int addJoint(const std::string& name, int parent, const Eigen::Vector3d& offset,
                 const Eigen::Matrix3d& restRotation = Eigen::Matrix3d::Identity());
    int size() const { return int(joints_.size()); }
    const Joint& joint(int j) const { return joints_[std::size_t(j)]; }
    const std::vector<Joint>& joints() const { return joints_; }
    // The joint named `name`, or -1.
    int find(const std::string& name) const;
    // Like find, but throws std::out_of_range naming the joint.
    int at(const std::string& name) const;
    // The joints whose parent is j.
    std::vector<int> children(int j) const;

    // The identity pose: every rotation zero, no translation.
    SkeletonPose restPose() const;
    // Throws std::invalid_argument when the pose has another joint count or a
    // non-finite value.
    void checkPose(const SkeletonPose& pose) const;

    // World transforms G_j of every joint.
    std::vector<Eigen::Isometry3d> worldTransforms(const SkeletonPose& pose) const;
    std::vector<Eigen::Isometry3d> restWorldTransforms() const;
    // Joint positions in the rest pose (the translations of G_j(rest)).
    std::vector<Eigen::Vector3d> restPositions() const;
    // A_j = G_j(pose) · G_j(rest)⁻¹, what skinning applies to rest points.
    std::vector<Eigen::Isometry3d> skinningTransforms(const SkeletonPose& pose) const;

private:
    std::vector<Joint> joints_;
};

// exp([v]×): the rotation by |v| radians about v/|v| (Rodrigues' formula).
Eigen::Matrix3d axisAngleMatrix(const Eigen::Vector3d& v);
// The inverse: an axis-angle vector with angle in [0, π].
Eigen::Vector3d matrixAxisAngle(const Eigen::Matrix3d& r);

}  // namespace basin
