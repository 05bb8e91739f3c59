#include "splats/SplatBlendShapes.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace basin {

namespace {

// Rows 3v…3v+2 of `all` for each vertex v of `vertices`, in that order.
Eigen::MatrixXf gatherRows(const Eigen::MatrixXf& all, const std::vector<int>& vertices) {
    if (all.size() == 0) return {};
    Eigen::MatrixXf out(3 * Eigen::Index(vertices.size()), all.cols());
    for (std::size_t s = 0; s < vertices.size(); ++s)
        out.middleRows(3 * Eigen::Index(s), 3) = all.middleRows(3 * Eigen::Index(vertices[s]), 3);
    return out;
}

}  // namespace

SplatBlendShapes SplatBlendShapes::fromModel(const std::vector<int>& vertexOfSplat,
                                             const Eigen::MatrixXf& poseDirections,
                                             const Eigen::MatrixXf& expressionDirections,
                                             const Eigen::MatrixXd& jointRegressor,
                                             std::vector<double> bindExpression) {
    const Eigen::Index rows =
        poseDirections.size() > 0 ? poseDirections.rows() : expressionDirections.rows();
    if (rows % 3 != 0 || (poseDirections.size() > 0 && expressionDirections.size() > 0 &&
                          expressionDirections.rows() != rows))
        throw std::invalid_argument("blend shapes of " + std::to_string(poseDirections.rows()) +
                                    " and " + std::to_string(expressionDirections.rows()) +
                                    " rows do not describe one mesh (3V rows)");
    const Eigen::Index vertices = rows / 3;
    if (poseDirections.size() > 0 && poseDirections.cols() % 9 != 0)
        throw std::invalid_argument("pose blend shapes with " +
                                    std::to_string(poseDirections.cols()) +
                                    " columns, not 9 per joint");
    if (expressionDirections.size() > 0 && jointRegressor.cols() != vertices)
        throw std::invalid_argument("a joint regressor over " +
                                    std::to_string(jointRegressor.cols()) + " vertices for " +
                                    std::to_string(vertices) + " vertices");
    SplatBlendShapes b;
    b.bindExpression = std::move(bindExpression);
    std::vector<int> slotOfVertex(std::size_t(vertices), -1);
    b.slotOfSplat.reserve(vertexOfSplat.size());
    for (const int v : vertexOfSplat) {
        if (v < 0 || v >= vertices)
            throw std::invalid_argument("a splat bound to vertex " + std::to_string(v) +
                                        " of a mesh of " + std::to_string(vertices));
        int& slot = slotOfVertex[std::size_t(v)];
        if (slot < 0) {
            slot = int(b.vertexOfSlot.size());
            b.vertexOfSlot.push_back(v);
        }
        b.slotOfSplat.push_back(slot);
    }
    b.poseDirections = gatherRows(poseDirections, b.vertexOfSlot);
    b.expressionDirections = gatherRows(expressionDirections, b.vertexOfSlot);
    if (expressionDirections.size() > 0) {
        // J(ψ) = J_regressor · (T̄ + B_S + B_E(ψ)): the joints move by
        // J_regressor · E_c ψ along each axis c.
        const Eigen::Index e = expressionDirections.cols();
        b.jointExpressionDirections.resize(3 * jointRegressor.rows(), e);
        using Strided = Eigen::Map<const Eigen::MatrixXf, 0, Eigen::Stride<Eigen::Dynamic, 3>>;
        for (int c = 0; c < 3; ++c) {
            const Strided axis(expressionDirections.data() + c, vertices, e,
                               Eigen::Stride<Eigen::Dynamic, 3>(rows, 3));
            const Eigen::MatrixXd moved = jointRegressor * axis.cast<double>();
            for (Eigen::Index j = 0; j < jointRegressor.rows(); ++j)
                b.jointExpressionDirections.row(3 * j + c) = moved.row(j);
        }
    }
    return b;
}

Eigen::VectorXd SplatBlendShapes::expressionChange(const SkeletonPose& pose) const {
    const Eigen::Index e = expressionDirections.cols();
    Eigen::VectorXd change = Eigen::VectorXd::Zero(e);
    if (pose.expression.empty()) return change;
    for (std::size_t k = 0; k < pose.expression.size(); ++k)
        if (!std::isfinite(pose.expression[k]))
            throw std::invalid_argument("expression coefficient " + std::to_string(k) +
                                        " of the pose is not finite");
    for (Eigen::Index k = 0; k < e; ++k) {
        const std::size_t i = std::size_t(k);
        change[k] = (i < pose.expression.size() ? pose.expression[i] : 0.0) -
                    (i < bindExpression.size() ? bindExpression[i] : 0.0);
    }
    return change;
}

bool SplatBlendShapes::displacements(const SkeletonPose& pose,
                                     std::vector<float>& displacement) const {
    // The pose feature: (R_k − I) of joints 1…J−1, row-major per joint.
    Eigen::VectorXf feature;
    if (poseDirections.size() > 0) {
        const std::size_t joints = std::size_t(poseDirections.cols() / 9) + 1;
        if (pose.rotations.size() != joints)
            throw std::invalid_argument("a pose with " + std::to_string(pose.rotations.size()) +
                                        " joint rotations for pose blend shapes of " +
                                        std::to_string(joints) + " joints");
        bool turned = false;
        for (std::size_t k = 1; k < joints && !turned; ++k)
            turned = !pose.rotations[k].isZero(0.0);
        if (turned) {
            feature.resize(poseDirections.cols());
            for (std::size_t k = 1; k < joints; ++k) {
                const Eigen::Matrix3d r =
                    axisAngleMatrix(pose.rotations[k]) - Eigen::Matrix3d::Identity();
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b)
                        feature[Eigen::Index(9 * (k - 1) + 3 * a + b)] = float(r(a, b));
            }
        }
    }
    const Eigen::VectorXd change = expressionChange(pose);
    const bool expressed = expressionDirections.size() > 0 && !change.isZero(0.0);
    if (feature.size() == 0 && !expressed) return false;

    // One GEMV per blend-shape kind over the bound vertices, in float as the
    // model stores them, then a gather per splat.
    Eigen::VectorXf offsets;
    if (feature.size() > 0)
        offsets.noalias() = poseDirections * feature;
    else
        offsets.setZero(3 * Eigen::Index(vertexOfSlot.size()));
    if (expressed) offsets.noalias() += expressionDirections * change.cast<float>();
    displacement.resize(3 * slotOfSplat.size());
    for (std::size_t i = 0; i < slotOfSplat.size(); ++i)
        for (int c = 0; c < 3; ++c)
            displacement[3 * i + std::size_t(c)] = offsets[3 * slotOfSplat[i] + c];
    return true;
}

Skeleton SplatBlendShapes::skeletonAt(const Skeleton& bind, const SkeletonPose& pose) const {
    const Eigen::VectorXd change = expressionChange(pose);
    if (jointExpressionDirections.size() == 0 || change.isZero(0.0)) return bind;
    if (jointExpressionDirections.rows() != 3 * bind.size())
        throw std::invalid_argument("expression blend shapes for " +
                                    std::to_string(jointExpressionDirections.rows() / 3) +
                                    " joints, a skeleton of " + std::to_string(bind.size()));
    const Eigen::VectorXd moved = jointExpressionDirections * change;
    const auto rest = bind.restWorldTransforms();
    // Offsets are in the parent's rest frame: a joint moving by δ_j while
    // its parent moves by δ_p changes its offset by R_pᵀ (δ_j − δ_p).
    Skeleton s;
    for (int j = 0; j < bind.size(); ++j) {
        const Joint& joint = bind.joint(j);
        const Eigen::Vector3d delta = moved.segment<3>(3 * j);
        Eigen::Vector3d offset = joint.offset;
        if (joint.parent < 0)
            offset += delta;
        else
            offset += rest[std::size_t(joint.parent)].linear().transpose() *
                      (delta - moved.segment<3>(3 * joint.parent));
        s.addJoint(joint.name, joint.parent, offset, joint.restRotation);
    }
    return s;
}

}  // namespace basin
