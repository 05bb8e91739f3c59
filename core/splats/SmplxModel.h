#pragma once
// SMPL-X body models (Pavlakos et al., CVPR 2019) as the user downloads them
// (SMPLX_NEUTRAL.npz and friends; never shipped with Basin): a template mesh,
// shape blend shapes, a joint regressor, skinning weights over the 55-joint
// kinematic tree and, optionally, pose blend shapes. Basin uses a model to
// drive Gaussian avatars trained on it (EVA binds its Gaussians to SMPL-X):
// splats are bound to the nearest vertex's skinning weights in the rest pose
// and posed with SMPL-X's body, hand and jaw parameters. Hand poses given as
// PCA coefficients are expanded to axis-angle with the model's hand
// components (withFullHandPoses).

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "splats/Avatar.h"
#include "splats/LinearBlendSkinning.h"
#include "splats/Skeleton.h"

namespace basin {

// One frame of SMPL-X parameters, as the smplx package names them. Axis-angle
// vectors in radians; empty vectors mean zeros.
struct SmplxParameters {
    Eigen::Vector3d globalOrient = Eigen::Vector3d::Zero();  // joint 0
    std::vector<double> bodyPose;                            // 21 × 3, joints 1–21
    Eigen::Vector3d jawPose = Eigen::Vector3d::Zero();       // joint 22
    Eigen::Vector3d leftEyePose = Eigen::Vector3d::Zero();   // joint 23
    Eigen::Vector3d rightEyePose = Eigen::Vector3d::Zero();  // joint 24
    // Hand poses: 45 values (15 × 3 axis-angle, joints 25–39 and 40–54), or
    // k < 45 PCA coefficients (the smplx package's use_pca=True,
    // num_pca_comps=k) that only an SMPL-X model's hand components turn into
    // a pose: SmplxModel::withFullHandPoses.
    std::vector<double> leftHandPose;
    std::vector<double> rightHandPose;
    Eigen::Vector3d transl = Eigen::Vector3d::Zero();
    std::vector<double> betas;       // shape coefficients
    std::vector<double> expression;  // expression coefficients

    // True when a hand pose holds PCA coefficients (1 to 44 values).
    bool hasPcaHandPoses() const;
    // The 55-joint pose; throws std::invalid_argument naming a parameter of
    // the wrong length (body_pose 63, hand poses 45), and for PCA hand poses,
    // which need a model's hand components (SmplxModel::withFullHandPoses).
    SkeletonPose skeletonPose() const;
};

class SmplxModel {
public:
    // Reads an SMPL-X .npz. Throws std::runtime_error naming the file and
    // the missing or misshapen array: v_template (V×3), shapedirs (V×3×S),
    // J_regressor (J×V), weights (V×J), kintree_table (2×J), optional
    // posedirs (V×3×(J−1)·9), optional hand PCA components hands_componentsl
    // and hands_componentsr (K×45, a component per row, K ≤ 45; official
    // files have 45) and mean hand poses hands_meanl and hands_meanr (45).
    static SmplxModel load(const std::string& path);
    // The same from the bytes of an .npz; `name` names it in messages.
    static SmplxModel parse(const std::uint8_t* data, std::size_t size, const std::string& name);

    const std::string& path() const { return path_; }
    int vertexCount() const { return int(vTemplate_.rows()); }
    int jointCount() const { return int(parents_.size()); }
    int shapeCount() const { return int(shapedirs_.cols()); }
    bool hasPoseBlendShapes() const { return posedirs_.size() > 0; }
    // Expression blend shapes: the shapedirs columns from 300 on.
    int expressionCount() const;
    bool hasHandComponents() const { return handComponents_[0].size() > 0; }
    bool hasHandMean() const { return handMean_[0].size() > 0; }
    const std::vector<int>& parents() const { return parents_; }
    // The skinning weights, V×J.
    const Eigen::MatrixXd& weights() const { return weights_; }

    // v_template + shape blend shapes: betas from column 0, expression from
    // column 300 (SMPL-X's 300 shape + 100 expression components). Throws
    // std::invalid_argument when there are more coefficients than columns.
    Eigen::MatrixX3d shapedVertices(const std::vector<double>& betas = {},
                                    const std::vector<double>& expression = {}) const;
    // J_regressor · vertices.
    Eigen::MatrixX3d regressJoints(const Eigen::MatrixX3d& vertices) const;
    // The kinematic tree at the joints regressed from shapedVertices(betas);
    // joints named as SMPL-X names them when there are 55, "joint_k" otherwise.
    Skeleton skeleton(const std::vector<double>& betas = {},
                      const std::vector<double>& expression = {}) const;
    // `parameters` with 45-value axis-angle hand poses, as the smplx package
    // builds its full pose: k PCA coefficients c become c · components[:k]
    // (the first k rows of hands_components{l,r}); with `addHandMean`, the
    // model's hands_mean{l,r} is added to both hands, PCA or not (an empty
    // hand pose counts as zeros), as smplx does with flat_hand_mean=False,
    // its default. Hand poses that are already 45 values stay as they are
    // without `addHandMean`. Throws std::invalid_argument for PCA
    // coefficients when the model has no hand components or fewer than k,
    // for more than 45 values, and for `addHandMean` without hand means.
    SmplxParameters withFullHandPoses(const SmplxParameters& parameters,
                                      bool addHandMean = false) const;
    // The posed mesh: shape and pose blend shapes, then linear blend skinning
    // and the translation, as the smplx package computes it. PCA hand poses
    // are expanded first by withFullHandPoses(parameters) (no mean).
    Eigen::MatrixX3d posedVertices(const SmplxParameters& parameters) const;

    // Skinning weights for splats at rest-pose `centres` (3N floats): each
    // takes the ≤ 4 largest weights of its nearest vertex of `restVertices`
    // (shapedVertices() of the shape the splats were trained at), normalized.
    // `nearestVertex`, when given, receives the vertex of each splat.
    SkinWeights bindSplats(const std::vector<float>& centres, const Eigen::MatrixX3d& restVertices,
                           std::vector<int>* nearestVertex = nullptr) const;

    // The pose correctives and expression blend shapes at each splat's
    // vertex (bindSplats' `nearestVertex`), for splats trained at
    // `bindExpression`: what makeSmplxAvatar attaches to an avatar.
    SplatBlendShapes splatBlendShapes(const std::vector<int>& vertexOfSplat,
                                      const std::vector<double>& bindExpression = {}) const;

private:
    std::string path_;
    Eigen::MatrixX3d vTemplate_;
    Eigen::MatrixXf shapedirs_;   // 3V × S, row 3v + c
    Eigen::MatrixXf posedirs_;    // 3V × (J−1)·9, or empty
    Eigen::MatrixXd jRegressor_;  // J × V
    Eigen::MatrixXd weights_;     // V × J
    std::vector<int> parents_;
    Eigen::MatrixXd handComponents_[2];  // left, right: K × 45, or empty
    Eigen::VectorXd handMean_[2];        // left, right: 45, or empty
};

// A trained rest-pose cloud (e.g. EVA's canonical Gaussians) rigged to the
// model at the shape it was trained with: the skeleton at that shape, each
// splat bound to its nearest vertex, and a "bone" quantity (the dominant
// joint) unless the cloud has one. When the model has pose blend shapes or
// expression components, the avatar carries them at the splats' vertices
// (Avatar::blendShapes): poses then bend the splats with SMPL-X's pose
// correctives and SkeletonPose::expression moves the face.
Avatar makeSmplxAvatar(GaussianCloud cloud, const SmplxModel& model,
                       const std::vector<double>& betas = {},
                       const std::vector<double>& expression = {});

}  // namespace basin
