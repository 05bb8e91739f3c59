#include "splats/SmplxJoints.h"

namespace basin {

namespace {

std::vector<std::string> makeNames() {
    std::vector<std::string> names = {"pelvis",
                                      "left_hip",
                                      "right_hip",
                                      "spine1",
                                      "left_knee",
                                      "right_knee",
                                      "spine2",
                                      "left_ankle",
                                      "right_ankle",
                                      "spine3",
                                      "left_foot",
                                      "right_foot",
                                      "neck",
                                      "left_collar",
                                      "right_collar",
                                      "head",
                                      "left_shoulder",
                                      "right_shoulder",
                                      "left_elbow",
                                      "right_elbow",
                                      "left_wrist",
                                      "right_wrist",
                                      "jaw",
                                      "left_eye_smplhf",
                                      "right_eye_smplhf"};
    for (const char* side : {"left", "right"})
        for (const char* finger : {"index", "middle", "pinky", "ring", "thumb"})
            for (int k = 1; k <= 3; ++k)
                names.push_back(std::string(side) + "_" + finger + std::to_string(k));
    return names;
}

std::vector<int> makeParents() {
    std::vector<int> parents = {-1, 0, 0,  0,  1,  2,  3,  4,  5,  6,  7,  8, 9,
                                9,  9, 12, 13, 14, 16, 17, 18, 19, 15, 15, 15};
    for (int wrist : {20, 21})
        for (int finger = 0; finger < 5; ++finger) {
            const int first = int(parents.size());
            parents.push_back(wrist);
            parents.push_back(first);
            parents.push_back(first + 1);
        }
    return parents;
}

}  // namespace

const std::vector<std::string>& smplxJointNames() {
    static const std::vector<std::string> names = makeNames();
    return names;
}

const std::vector<int>& smplxParents() {
    static const std::vector<int> parents = makeParents();
    return parents;
}

}  // namespace basin
