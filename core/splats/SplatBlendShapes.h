#pragma once
// SMPL-X's blend shapes carried to splats bound to its mesh: the pose
// correctives (posedirs, driven by the rotation features R_j − I of joints
// 1…J−1) and the expression blend shapes (shapedirs' expression columns).
// A splat bound to vertex v moves with v's blend-shape displacement before
// skinning, as the vertex does in SMPL-X (Pavlakos et al., CVPR 2019:
// T_P(β, θ, ψ) = T̄ + B_S(β; S) + B_E(ψ; E) + B_P(θ; P), skinned about the
// joints J(β, ψ)). Expressions thus also move the joints the regressor places
// on the face (the jaw, the eyes): a changed expression skins from a skeleton
// regressed at it.
//
// The displacements are relative to the mesh the splats were trained at: the
// rest pose with the trained expression moves nothing. Only the rows of the
// vertices splats are bound to are kept, so one pose costs a GEMV over those
// rows (about 15 MFLOP for a full SMPL-X body) and a gather.

#include <Eigen/Core>
#include <vector>

#include "splats/Skeleton.h"

namespace basin {

struct SplatBlendShapes {
    // Per splat, its slot: the row block 3s…3s+2 of the matrices below.
    std::vector<int> slotOfSplat;
    // The model vertex of each slot (for reference and fingerprints).
    std::vector<int> vertexOfSlot;
    // 3U × 9(J−1) pose correctives of the slots' vertices (row 3s + c), or
    // empty; columns as SMPL-X's posedirs, 9(k−1) + 3a + b for (R_k − I)_ab.
    Eigen::MatrixXf poseDirections;
    // 3U × E expression blend shapes of the slots' vertices, or empty.
    Eigen::MatrixXf expressionDirections;
    // 3J × E: how the joints move per expression coefficient (the joint
    // regressor applied to the whole mesh's expression blend shapes), row 3j + c.
    Eigen::MatrixXd jointExpressionDirections;
    // The expression the splats were trained at (zeros when empty).
    std::vector<double> bindExpression;

    // Keeps the rows of the vertices in `vertexOfSplat` of a model's 3V ×
    // 9(J−1) `poseDirections` and 3V × E `expressionDirections` (either may
    // be empty); `jointRegressor` (J × V) is needed when there are
    // expression directions. Throws std::invalid_argument for mismatched
    // sizes or a vertex out of range.
    static SplatBlendShapes fromModel(const std::vector<int>& vertexOfSplat,
                                      const Eigen::MatrixXf& poseDirections,
                                      const Eigen::MatrixXf& expressionDirections,
                                      const Eigen::MatrixXd& jointRegressor,
                                      std::vector<double> bindExpression = {});

    std::size_t size() const { return slotOfSplat.size(); }
    int expressionCount() const { return int(expressionDirections.cols()); }
    // The change of expression `pose` asks for: pose.expression − the bind
    // expression over the model's E coefficients (coefficients beyond E are
    // ignored, as a model with fewer components ignores them); zeros when the
    // pose has no expression. Throws std::invalid_argument for a value that
    // is not finite.
    Eigen::VectorXd expressionChange(const SkeletonPose& pose) const;
    // Per splat its displacement (3N floats) before skinning for `pose`; false
    // (and `displacement` untouched) when nothing moves: joints 1…J−1 at rest
    // and no change of expression. Throws std::invalid_argument when the
    // pose's joint count does not fit the pose directions.
    bool displacements(const SkeletonPose& pose, std::vector<float>& displacement) const;
    // `bind` (the skeleton at the trained expression) with its joints moved
    // by the expression change; `bind` itself when there is none.
    Skeleton skeletonAt(const Skeleton& bind, const SkeletonPose& pose) const;
};

}  // namespace basin
