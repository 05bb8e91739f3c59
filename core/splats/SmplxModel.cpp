#include "splats/SmplxModel.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/Numpy.h"
#include "splats/NearestVertex.h"
#include "splats/SmplxJoints.h"
#include "util/MappedFile.h"

namespace basin {

namespace {

constexpr int kExpressionFirstColumn = 300;

const TensorData* findArray(const std::vector<NamedTensor>& arrays, const std::string& key) {
    for (const auto& a : arrays)
        if (a.name == key) return &a.tensor;
    return nullptr;
}

// The array `key` with `dims` dimensions as doubles; -1 in `expected` is free.
std::vector<double> array(const std::vector<NamedTensor>& arrays, const std::string& path,
                          const std::string& key, std::vector<std::int64_t> expected,
                          std::vector<std::int64_t>* shape = nullptr) {
    const TensorData* t = findArray(arrays, key);
    if (!t)
        throw std::runtime_error(
            path + " has no '" + key +
            "' array; an SMPL-X body model needs v_template, shapedirs, J_regressor, weights and "
            "kintree_table");
    bool fits = t->shape.size() == expected.size();
    for (std::size_t d = 0; fits && d < expected.size(); ++d)
        fits = expected[d] < 0 || t->shape[d] == expected[d];
    if (!fits) {
        std::string want = "[";
        for (std::size_t d = 0; d < expected.size(); ++d)
            want += (d ? ", " : "") +
                    (expected[d] < 0 ? std::string("any") : std::to_string(expected[d]));
        throw std::runtime_error(path + ": '" + key + "' has shape " + t->shapeString() +
                                 ", expected " + want + "]");
    }
    t->validate(path + ": '" + key + "'");
    std::vector<double> values = t->toDoubles();
    for (double v : values)
        if (!std::isfinite(v))
            throw std::runtime_error(path + ": '" + key + "' holds a value that is not finite");
    if (shape) *shape = t->shape;
    return values;
}

}  // namespace

bool SmplxParameters::hasPcaHandPoses() const {
    for (const auto* hand : {&leftHandPose, &rightHandPose})
        if (!hand->empty() && hand->size() < std::size_t(3 * kSmplxHandJointCount)) return true;
    return false;
}

SkeletonPose SmplxParameters::skeletonPose() const {
    SkeletonPose pose;
    pose.rotations.assign(kSmplxJointCount, Eigen::Vector3d::Zero());
    pose.translation = transl;
    auto put = [&](const std::vector<double>& v, const char* name, int first, int joints) {
        if (v.empty()) return;
        if (joints == kSmplxHandJointCount && v.size() < std::size_t(3 * joints))
            throw std::invalid_argument(
                std::string("SMPL-X ") + name + " holds " + std::to_string(v.size()) +
                " PCA coefficients, not a 45-value axis-angle pose: PCA hand poses need an "
                "SMPL-X model's hand components (bind the avatar to an SMPL-X model)");
        if (v.size() != std::size_t(3 * joints))
            throw std::invalid_argument(std::string("SMPL-X ") + name + " holds " +
                                        std::to_string(v.size()) + " values, expected " +
                                        std::to_string(3 * joints));
        for (int k = 0; k < joints; ++k)
            pose.rotations[std::size_t(first + k)] = {
                v[std::size_t(3 * k)], v[std::size_t(3 * k + 1)], v[std::size_t(3 * k + 2)]};
    };
    pose.expression = expression;
    pose.rotations[0] = globalOrient;
    put(bodyPose, "body_pose", 1, kSmplxBodyJointCount - 1);
    pose.rotations[kSmplxJaw] = jawPose;
    pose.rotations[kSmplxLeftEye] = leftEyePose;
    pose.rotations[kSmplxRightEye] = rightEyePose;
    put(leftHandPose, "left_hand_pose", kSmplxLeftHandFirst, kSmplxHandJointCount);
    put(rightHandPose, "right_hand_pose", kSmplxRightHandFirst, kSmplxHandJointCount);
    return pose;
}

SmplxModel SmplxModel::load(const std::string& path) {
    const MappedFile file = mapFile(path);
    return parse(file.data, file.size, path);
}

SmplxModel SmplxModel::parse(const std::uint8_t* data, std::size_t size, const std::string& path) {
    const auto arrays = parseNpz(data, size, path);
    SmplxModel m;
    m.path_ = path;
    std::vector<std::int64_t> shape;
    const auto vt = array(arrays, path, "v_template", {-1, 3}, &shape);
    const std::int64_t v = shape[0];
    if (v == 0) throw std::runtime_error(path + ": 'v_template' has no vertices");
    const auto kt = array(arrays, path, "kintree_table", {2, -1}, &shape);
    const std::int64_t j = shape[1];
    if (j == 0) throw std::runtime_error(path + ": 'kintree_table' has no joints");
    const auto sd = array(arrays, path, "shapedirs", {v, 3, -1}, &shape);
    const std::int64_t s = shape[2];
    const auto jr = array(arrays, path, "J_regressor", {j, v});
    const auto w = array(arrays, path, "weights", {v, j});

    m.vTemplate_.resize(v, 3);
    for (std::int64_t i = 0; i < v; ++i)
        for (int c = 0; c < 3; ++c)
            m.vTemplate_(i, c) = vt[std::size_t(3 * i + c)];
    m.shapedirs_.resize(3 * v, s);
    for (std::int64_t r = 0; r < 3 * v; ++r)
        for (std::int64_t k = 0; k < s; ++k)
            m.shapedirs_(r, k) = float(sd[std::size_t(r * s + k)]);
    m.jRegressor_ =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            jr.data(), j, v);
    m.weights_ =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            w.data(), v, j);
    for (std::int64_t i = 0; i < v; ++i)
        if (std::abs(m.weights_.row(i).sum() - 1) > 1e-3 || m.weights_.row(i).minCoeff() < 0)
            throw std::runtime_error(path + ": the 'weights' of vertex " + std::to_string(i) +
                                     " are not non-negative summing to 1");
    m.parents_.resize(std::size_t(j));
    for (std::int64_t k = 0; k < j; ++k) {
        const double p = kt[std::size_t(k)];
        if (k == 0) {
            // The root's parent is -1 or, in the official files, 2³²−1.
            if (!(p < 0 || p >= double(j)))
                throw std::runtime_error(path + ": 'kintree_table' gives the root joint a parent");
            m.parents_[0] = -1;
        } else if (!(p >= 0 && p < double(k))) {
            throw std::runtime_error(path + ": 'kintree_table' gives joint " + std::to_string(k) +
                                     " the parent " + std::to_string(std::int64_t(p)) +
                                     ", which does not come before it");
        } else {
            m.parents_[std::size_t(k)] = int(p);
        }
    }
    if (findArray(arrays, "posedirs")) {
        const auto pd = array(arrays, path, "posedirs", {v, 3, (j - 1) * 9});
        const std::int64_t p = (j - 1) * 9;
        m.posedirs_.resize(3 * v, p);
        for (std::int64_t r = 0; r < 3 * v; ++r)
            for (std::int64_t k = 0; k < p; ++k)
                m.posedirs_(r, k) = float(pd[std::size_t(r * p + k)]);
    }
    // Hand PCA components and means: both hands or neither.
    const char* components[2] = {"hands_componentsl", "hands_componentsr"};
    const char* means[2] = {"hands_meanl", "hands_meanr"};
    for (const auto& names : {components, means}) {
        const bool left = findArray(arrays, names[0]) != nullptr;
        if (left != (findArray(arrays, names[1]) != nullptr))
            throw std::runtime_error(path + " has '" + names[left ? 0 : 1] + "' but no '" +
                                     names[left ? 1 : 0] + "'");
    }
    constexpr std::int64_t kHand = 3 * kSmplxHandJointCount;
    for (int h = 0; h < 2 && findArray(arrays, components[0]); ++h) {
        const auto c = array(arrays, path, components[h], {-1, kHand}, &shape);
        if (shape[0] < 1 || shape[0] > kHand)
            throw std::runtime_error(path + ": '" + components[h] + "' has shape " +
                                     findArray(arrays, components[h])->shapeString() +
                                     ", expected 1 to 45 components of 45 values");
        m.handComponents_[h] = Eigen::Map<
            const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            c.data(), shape[0], kHand);
    }
    for (int h = 0; h < 2 && findArray(arrays, means[0]); ++h) {
        // [45], or [1, 45] as some exports write it.
        const TensorData* t = findArray(arrays, means[h]);
        const bool row = t->shape.size() == 2 && t->shape[0] == 1;
        const auto mean = row ? array(arrays, path, means[h], {1, kHand})
                              : array(arrays, path, means[h], {kHand});
        m.handMean_[h] = Eigen::Map<const Eigen::VectorXd>(mean.data(), kHand);
    }
    return m;
}

SmplxParameters SmplxModel::withFullHandPoses(const SmplxParameters& parameters,
                                              bool addHandMean) const {
    if (addHandMean && !hasHandMean())
        throw std::invalid_argument(path_ +
                                    " has no mean hand poses (hands_meanl, hands_meanr) to add");
    constexpr std::size_t kHand = 3 * kSmplxHandJointCount;
    SmplxParameters out = parameters;
    const char* names[2] = {"left_hand_pose", "right_hand_pose"};
    const char* arrays[2] = {"hands_componentsl", "hands_componentsr"};
    std::vector<double>* hands[2] = {&out.leftHandPose, &out.rightHandPose};
    for (int h = 0; h < 2; ++h) {
        std::vector<double>& pose = *hands[h];
        const std::size_t k = pose.size();
        if (k > kHand)
            throw std::invalid_argument(std::string("SMPL-X ") + names[h] + " holds " +
                                        std::to_string(k) +
                                        " values, expected 45 axis-angle values or 1 to 45 PCA "
                                        "coefficients");
        if (k > 0 && k < kHand) {
            const Eigen::MatrixXd& c = handComponents_[h];
            if (c.size() == 0)
                throw std::invalid_argument(std::string("SMPL-X ") + names[h] + " holds " +
                                            std::to_string(k) + " PCA coefficients, but " + path_ +
                                            " has no hand components ('" + arrays[h] + "')");
            if (Eigen::Index(k) > c.rows())
                throw std::invalid_argument(std::string("SMPL-X ") + names[h] + " holds " +
                                            std::to_string(k) + " PCA coefficients, but " + path_ +
                                            "'s '" + arrays[h] + "' has " +
                                            std::to_string(c.rows()) + " components");
            // The smplx package's einsum('bi,ij->bj', coefficients, components[:k]).
            const Eigen::VectorXd full =
                c.topRows(Eigen::Index(k)).transpose() *
                Eigen::Map<const Eigen::VectorXd>(pose.data(), Eigen::Index(k));
            pose.assign(full.data(), full.data() + kHand);
        }
        if (addHandMean) {
            pose.resize(kHand, 0.0);
            for (std::size_t i = 0; i < kHand; ++i)
                pose[i] += handMean_[h][Eigen::Index(i)];
        }
    }
    return out;
}

Eigen::MatrixX3d SmplxModel::shapedVertices(const std::vector<double>& betas,
                                            const std::vector<double>& expression) const {
    const int s = shapeCount();
    if (int(betas.size()) > std::min(s, kExpressionFirstColumn))
        throw std::invalid_argument(path_ + " has " +
                                    std::to_string(std::min(s, kExpressionFirstColumn)) +
                                    " shape components, not " + std::to_string(betas.size()));
    if (!expression.empty() && kExpressionFirstColumn + int(expression.size()) > s)
        throw std::invalid_argument(
            path_ + " has " + std::to_string(std::max(0, s - kExpressionFirstColumn)) +
            " expression components, not " + std::to_string(expression.size()));
    Eigen::VectorXd offsets = Eigen::VectorXd::Zero(3 * vertexCount());
    for (std::size_t k = 0; k < betas.size(); ++k)
        offsets += betas[k] * shapedirs_.col(Eigen::Index(k)).cast<double>();
    for (std::size_t k = 0; k < expression.size(); ++k)
        offsets += expression[k] *
                   shapedirs_.col(Eigen::Index(kExpressionFirstColumn + int(k))).cast<double>();
    Eigen::MatrixX3d out = vTemplate_;
    for (int i = 0; i < vertexCount(); ++i)
        for (int c = 0; c < 3; ++c)
            out(i, c) += offsets[3 * i + c];
    return out;
}

Eigen::MatrixX3d SmplxModel::regressJoints(const Eigen::MatrixX3d& vertices) const {
    return jRegressor_ * vertices;
}

Skeleton SmplxModel::skeleton(const std::vector<double>& betas,
                              const std::vector<double>& expression) const {
    const Eigen::MatrixX3d joints = regressJoints(shapedVertices(betas, expression));
    const bool smplx = jointCount() == kSmplxJointCount;
    Skeleton s;
    for (int k = 0; k < jointCount(); ++k) {
        const int p = parents_[std::size_t(k)];
        const Eigen::Vector3d at = joints.row(k).transpose();
        s.addJoint(smplx ? smplxJointNames()[std::size_t(k)] : "joint_" + std::to_string(k), p,
                   p < 0 ? at : Eigen::Vector3d(at - joints.row(p).transpose()));
    }
    return s;
}

Eigen::MatrixX3d SmplxModel::posedVertices(const SmplxParameters& parameters) const {
    Eigen::MatrixX3d v = shapedVertices(parameters.betas, parameters.expression);
    const Skeleton s = skeleton(parameters.betas, parameters.expression);
    SkeletonPose pose = parameters.hasPcaHandPoses() ? withFullHandPoses(parameters).skeletonPose()
                                                     : parameters.skeletonPose();
    if (jointCount() != kSmplxJointCount) {
        // A model with another joint set: the first J rotations.
        pose.rotations.resize(std::size_t(jointCount()), Eigen::Vector3d::Zero());
    }
    if (hasPoseBlendShapes()) {
        Eigen::VectorXd feature(posedirs_.cols());
        for (int k = 1; k < jointCount(); ++k) {
            const Eigen::Matrix3d r =
                axisAngleMatrix(pose.rotations[std::size_t(k)]) - Eigen::Matrix3d::Identity();
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b)
                    feature[9 * (k - 1) + 3 * a + b] = r(a, b);
        }
        // In float, as stored (a real model's posedirs are 31,425 × 486).
        const Eigen::VectorXd offsets = (posedirs_ * feature.cast<float>()).cast<double>();
        for (int i = 0; i < vertexCount(); ++i)
            for (int c = 0; c < 3; ++c)
                v(i, c) += offsets[3 * i + c];
    }
    const auto a = s.skinningTransforms(pose);
    Eigen::MatrixX3d out(vertexCount(), 3);
    for (int i = 0; i < vertexCount(); ++i) {
        Eigen::Matrix4d blend = Eigen::Matrix4d::Zero();
        for (int k = 0; k < jointCount(); ++k)
            if (weights_(i, k) != 0) blend += weights_(i, k) * a[std::size_t(k)].matrix();
        out.row(i) = (blend * v.row(i).transpose().homogeneous()).head<3>().transpose();
    }
    return out;
}

int SmplxModel::expressionCount() const {
    return std::max(0, shapeCount() - kExpressionFirstColumn);
}

SplatBlendShapes SmplxModel::splatBlendShapes(const std::vector<int>& vertexOfSplat,
                                              const std::vector<double>& bindExpression) const {
    const Eigen::MatrixXf expressionDirs =
        expressionCount() > 0 ? Eigen::MatrixXf(shapedirs_.rightCols(expressionCount()))
                              : Eigen::MatrixXf();
    return SplatBlendShapes::fromModel(vertexOfSplat, posedirs_, expressionDirs, jRegressor_,
                                       bindExpression);
}

Avatar makeSmplxAvatar(GaussianCloud cloud, const SmplxModel& model,
                       const std::vector<double>& betas, const std::vector<double>& expression) {
    Avatar avatar;
    avatar.skeleton = model.skeleton(betas, expression);
    std::vector<int> vertexOfSplat;
    avatar.weights =
        model.bindSplats(cloud.positions, model.shapedVertices(betas, expression), &vertexOfSplat);
    if (model.hasPoseBlendShapes() || model.expressionCount() > 0)
        avatar.blendShapes = std::make_shared<const SplatBlendShapes>(
            model.splatBlendShapes(vertexOfSplat, expression));
    if (!cloud.quantity("bone")) {
        SplatQuantity bone{"bone", {}};
        bone.values.reserve(cloud.size());
        for (std::size_t i = 0; i < avatar.weights.size(); ++i)
            bone.values.push_back(float(avatar.weights.dominantBone(i)));
        cloud.quantities.push_back(std::move(bone));
    }
    avatar.cloud = std::move(cloud);
    avatar.validate();
    return avatar;
}

SkinWeights SmplxModel::bindSplats(const std::vector<float>& centres,
                                   const Eigen::MatrixX3d& restVertices,
                                   std::vector<int>* nearestVertex) const {
    if (restVertices.rows() != vertexCount())
        throw std::invalid_argument("binding splats to " + std::to_string(restVertices.rows()) +
                                    " vertices, but " + path_ + " has " +
                                    std::to_string(vertexCount()));
    if (centres.size() % 3 != 0)
        throw std::invalid_argument("splat centres are not a multiple of 3 floats");
    const NearestVertex search(restVertices);
    SkinWeights w;
    const std::size_t n = centres.size() / 3;
    if (nearestVertex) nearestVertex->resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const int v = search.nearest({centres[3 * i], centres[3 * i + 1], centres[3 * i + 2]});
        if (nearestVertex) (*nearestVertex)[i] = v;
        std::vector<std::pair<int, double>> pairs;
        for (int k = 0; k < jointCount(); ++k)
            if (weights_(v, k) > 0) pairs.push_back({k, weights_(v, k)});
        w.append(std::move(pairs));
    }
    return w;
}

}  // namespace basin
