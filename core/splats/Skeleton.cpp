#include "splats/Skeleton.h"

#include <cmath>
#include <stdexcept>

namespace basin {

int Skeleton::addJoint(const std::string& name, int parent, const Eigen::Vector3d& offset,
                       const Eigen::Matrix3d& restRotation) {
    if (parent < -1 || parent >= size())
        throw std::invalid_argument("joint '" + name + "' names parent " + std::to_string(parent) +
                                    ", but only " + std::to_string(size()) +
                                    " joints come before it");
    if (find(name) >= 0) throw std::invalid_argument("joint '" + name + "' appears twice");
    Joint joint;
    joint.name = name;
    joint.parent = parent;
    joint.offset = offset;
    joint.restRotation = restRotation;
    joints_.push_back(std::move(joint));
    return size() - 1;
}

int Skeleton::find(const std::string& name) const {
    for (int j = 0; j < size(); ++j)
        if (joints_[std::size_t(j)].name == name) return j;
    return -1;
}

int Skeleton::at(const std::string& name) const {
    const int j = find(name);
    if (j < 0) throw std::out_of_range("the skeleton has no joint '" + name + "'");
    return j;
}

std::vector<int> Skeleton::children(int j) const {
    std::vector<int> out;
    for (int k = 0; k < size(); ++k)
        if (joints_[std::size_t(k)].parent == j) out.push_back(k);
    return out;
}

SkeletonPose Skeleton::restPose() const {
    SkeletonPose pose;
    pose.rotations.assign(joints_.size(), Eigen::Vector3d::Zero());
    return pose;
}

void Skeleton::checkPose(const SkeletonPose& pose) const {
    if (pose.rotations.size() != joints_.size())
        throw std::invalid_argument("a pose with " + std::to_string(pose.rotations.size()) +
                                    " joint rotations for a skeleton of " + std::to_string(size()) +
                                    " joints");
    if (!pose.translation.allFinite())
        throw std::invalid_argument("the pose's root translation is not finite");
    for (std::size_t j = 0; j < joints_.size(); ++j)
        if (!pose.rotations[j].allFinite())
            throw std::invalid_argument("the rotation of joint '" + joints_[j].name +
                                        "' is not finite");
}

std::vector<Eigen::Isometry3d> Skeleton::worldTransforms(const SkeletonPose& pose) const {
    checkPose(pose);
    std::vector<Eigen::Isometry3d> world(joints_.size());
    for (std::size_t j = 0; j < joints_.size(); ++j) {
        const Joint& joint = joints_[j];
        Eigen::Isometry3d local = Eigen::Isometry3d::Identity();
        local.linear() = joint.restRotation * axisAngleMatrix(pose.rotations[j]);
        local.translation() = joint.offset;
        if (joint.parent < 0) {
            Eigen::Isometry3d root = Eigen::Isometry3d::Identity();
            root.translation() = pose.translation;
            world[j] = root * local;
        } else {
            world[j] = world[std::size_t(joint.parent)] * local;
        }
    }
    return world;
}

std::vector<Eigen::Isometry3d> Skeleton::restWorldTransforms() const {
    return worldTransforms(restPose());
}

std::vector<Eigen::Vector3d> Skeleton::restPositions() const {
    std::vector<Eigen::Vector3d> out;
    for (const auto& g : restWorldTransforms())
        out.push_back(g.translation());
    return out;
}

std::vector<Eigen::Isometry3d> Skeleton::skinningTransforms(const SkeletonPose& pose) const {
    const auto posed = worldTransforms(pose);
    const auto rest = restWorldTransforms();
    std::vector<Eigen::Isometry3d> out(posed.size());
    for (std::size_t j = 0; j < posed.size(); ++j)
        out[j] = posed[j] * rest[j].inverse();
    return out;
}

Eigen::Matrix3d axisAngleMatrix(const Eigen::Vector3d& v) {
    const double angle = v.norm();
    if (angle < 1e-12) {
        // First order: I + [v]×, exact to rounding at this size.
        Eigen::Matrix3d k;
        k << 0, -v.z(), v.y(), v.z(), 0, -v.x(), -v.y(), v.x(), 0;
        return Eigen::Matrix3d::Identity() + k;
    }
    return Eigen::AngleAxisd(angle, v / angle).toRotationMatrix();
}

Eigen::Vector3d matrixAxisAngle(const Eigen::Matrix3d& r) {
    const Eigen::AngleAxisd aa(r);
    return aa.axis() * aa.angle();
}

}  // namespace basin
