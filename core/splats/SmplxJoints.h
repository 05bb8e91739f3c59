#pragma once
// The 55 joints of SMPL-X (Pavlakos et al., CVPR 2019) in the model's order
// and its kinematic tree: 22 body joints (pelvis … wrists), jaw, two eyes,
// then 15 finger joints per hand (index, middle, pinky, ring, thumb × 3, left
// hand first). SMPL-X parameter files use this order: global_orient is joint
// 0, body_pose joints 1–21, jaw_pose 22, leye/reye 23–24, left_hand_pose
// 25–39, right_hand_pose 40–54.

#include <string>
#include <vector>

namespace basin {

constexpr int kSmplxJointCount = 55;
constexpr int kSmplxBodyJointCount = 22;  // pelvis and body_pose's 21
constexpr int kSmplxJaw = 22;
constexpr int kSmplxLeftEye = 23;
constexpr int kSmplxRightEye = 24;
constexpr int kSmplxLeftHandFirst = 25;
constexpr int kSmplxRightHandFirst = 40;
constexpr int kSmplxHandJointCount = 15;

const std::vector<std::string>& smplxJointNames();
// Parent of each joint (-1 for the pelvis).
const std::vector<int>& smplxParents();

}  // namespace basin
