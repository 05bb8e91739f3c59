// SMPL-X: a tiny synthetic body model written by NumPy with the official
// keys and shapes (55 joints, a few dozen vertices) — posed vertices against
// an independent NumPy implementation of the smplx package's LBS (shape and
// pose blend shapes, kinematic chain, transl), the skeleton at the regressed
// joints, splats bound to the nearest vertex (grid search against brute
// force) and skinned onto the posed mesh, errors naming a missing or
// misshapen array; parameter sequences from pickled dicts of numpy arrays and
// .npz files read back frame by frame in natural order; PCA hand poses
// expanded by the model's hand components (and mean) against NumPy's einsum,
// and posed against NumPy's LBS of the equivalent axis-angle pose. Splats
// bound to a model with pose correctives and expression blend shapes land on
// its posed mesh (NumPy's LBS with expressions); the rest pose keeps them bit
// for bit and an expression moves only the face.

#include <QTemporaryDir>
#include <cmath>
#include <random>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "io/Numpy.h"
#include "splats/NearestVertex.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SmplxJoints.h"
#include "splats/SmplxModel.h"
#include "splats/SmplxSequence.h"

using namespace basin;

namespace {

// A model with SMPL-X's keys and kinematic tree; every vertex weighted to at
// most 3 joints so binding keeps its weights exactly. Writes the reference
// posed vertices (with and without pose blend shapes) and the joints.
constexpr const char* kModelScript = R"PY(
import numpy as np
rng = np.random.default_rng(4)
V, J, S = 60, 55, 12
parents = [-1,0,0,0,1,2,3,4,5,6,7,8,9,9,9,12,13,14,16,17,18,19,15,15,15]
for wrist in (20, 21):
    for f in range(5):
        first = len(parents)
        parents += [wrist, first, first + 1]
kintree = np.array([[4294967295] + parents[1:], list(range(J))], dtype=np.int64)
v_template = rng.normal(size=(V, 3)) * 0.5
shapedirs = rng.normal(size=(V, 3, S)) * 0.01
posedirs = rng.normal(size=(V, 3, (J - 1) * 9)) * 0.003
J_regressor = np.zeros((J, V))
for j in range(J):
    idx = rng.choice(V, 3, replace=False)
    J_regressor[j, idx] = rng.dirichlet(np.ones(3))
weights = np.zeros((V, J))
for v in range(V):
    idx = rng.choice(J, 3, replace=False)
    weights[v, idx] = rng.dirichlet(np.ones(3))
model = dict(v_template=v_template, shapedirs=shapedirs, posedirs=posedirs,
             J_regressor=J_regressor, weights=weights, kintree_table=kintree,
             f=np.zeros((4, 3), dtype=np.int32))
np.savez('SMPLX_TEST.npz', **model)
# Broken copies.
np.savez('no_regressor.npz', **{k: v for k, v in model.items() if k != 'J_regressor'})
bad = dict(model); bad['weights'] = weights[:, :54]
np.savez('bad_weights.npz', **bad)

def rodrigues(r):
    angle = np.linalg.norm(r)
    if angle < 1e-12:
        return np.eye(3)
    k = r / angle
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K

betas = rng.normal(size=5)
pose = rng.normal(size=(J, 3)) * 0.4
transl = np.array([0.1, -0.2, 0.3])
np.save('betas.npy', betas)
np.save('pose.npy', pose)
np.save('transl.npy', transl)

def lbs(with_posedirs):
    v_shaped = v_template + shapedirs[:, :, :5] @ betas
    Jp = J_regressor @ v_shaped
    R = np.stack([rodrigues(p) for p in pose])
    v = v_shaped
    if with_posedirs:
        feature = (R[1:] - np.eye(3)).reshape(-1)
        v = v_shaped + (posedirs.reshape(V * 3, -1) @ feature).reshape(V, 3)
    G = [None] * J
    for j in range(J):
        local = np.eye(4)
        local[:3, :3] = R[j]
        local[:3, 3] = Jp[j] - (Jp[parents[j]] if j > 0 else 0)
        G[j] = local if j == 0 else G[parents[j]] @ local
    A = np.stack(G)
    A[:, :3, 3] -= np.einsum('jab,jb->ja', A[:, :3, :3], Jp)
    T = np.einsum('vj,jab->vab', weights, A)
    return np.einsum('vab,vb->va', T[:, :3, :3], v) + T[:, :3, 3] + transl, Jp, v_shaped

posed, joints, shaped = lbs(True)
posed_lbs_only, _, _ = lbs(False)
np.save('posed.npy', posed)
np.save('posed_lbs_only.npy', posed_lbs_only)
np.save('joints.npy', joints)
np.save('shaped.npy', shaped)

# Hand PCA as SMPL-X files carry it: orthonormal components (one per row)
# and non-zero mean hand poses, in a copy of the model; broken copies.
import pickle
comps_l = np.linalg.qr(rng.normal(size=(45, 45)))[0].T
comps_r = np.linalg.qr(rng.normal(size=(45, 45)))[0].T
mean_l = rng.normal(size=45) * 0.2
mean_r = rng.normal(size=45) * 0.2
hands = dict(model, hands_componentsl=comps_l, hands_componentsr=comps_r,
             hands_meanl=mean_l, hands_meanr=mean_r)
np.savez('SMPLX_HANDS.npz', **hands)
np.savez('hands_left_only.npz', **dict(model, hands_componentsl=comps_l))
np.savez('hands_bad_shape.npz', **dict(hands, hands_componentsr=comps_r[:, :44]))
np.savez('hands_three.npz', **dict(hands, hands_componentsl=comps_l[:3],
                                   hands_componentsr=comps_r[:3]))
# Two frames with 6 PCA coefficients per hand (smplx's use_pca=True,
# num_pca_comps=6), the rest of the pose as above.
coeffs_l = rng.normal(size=(2, 6))
coeffs_r = rng.normal(size=(2, 6))
two = lambda a: np.tile(np.asarray(a).reshape(1, -1), (2, 1))
with open('pca6.pkl', 'wb') as f:
    pickle.dump(dict(global_orient=two(pose[0]), body_pose=two(pose[1:22]), jaw_pose=two(pose[22]),
                     leye_pose=two(pose[23]), reye_pose=two(pose[24]), transl=two(transl),
                     betas=betas.reshape(1, 5), left_hand_pose=coeffs_l,
                     right_hand_pose=coeffs_r), f)
# smplx's full hand pose: einsum('bi,ij->bj', coefficients, components[:k]),
# plus the mean unless flat_hand_mean.
full_l = np.einsum('bi,ij->bj', coeffs_l, comps_l[:6])
full_r = np.einsum('bi,ij->bj', coeffs_r, comps_r[:6])
np.save('full_hands.npy', np.concatenate([full_l, full_r], axis=1))
np.save('full_hands_mean.npy', np.concatenate([full_l + mean_l, full_r + mean_r], axis=1))
pose[25:40] = (full_l[1] + mean_l).reshape(15, 3)
pose[40:55] = (full_r[1] + mean_r).reshape(15, 3)
np.save('posed_pca_mean.npy', lbs(True)[0])
)PY";

// Parameter files: three per-frame pickles (frame_1, frame_2, frame_10),
// a two-frame .npz with a frame rate, and bad files.
constexpr const char* kSequenceScript = R"PY(
import numpy as np, pickle, os
os.makedirs('seq', exist_ok=True)
for i, name in [(0, 'frame_1'), (1, 'frame_2'), (2, 'frame_10')]:
    d = dict(global_orient=np.full((1, 3), 0.1 * i, dtype=np.float32),
             body_pose=(np.arange(63, dtype=np.float32) * 0.001 + i).reshape(1, 63),
             left_hand_pose=np.full((1, 45), 0.01 * i),
             right_hand_pose=np.full((1, 45), -0.01 * i),
             jaw_pose=np.array([[0.2 * i, 0, 0]]),
             transl=np.array([[i, 2.0 * i, 3.0 * i]], dtype=np.float32),
             betas=np.arange(10, dtype=np.float32).reshape(1, 10) * 0.1,
             expression=np.zeros((1, 10), dtype=np.float32),
             camera_rotation=np.eye(3), note='ignored')
    with open(os.path.join('seq', name + '.pkl'), 'wb') as f:
        pickle.dump(d, f)
np.savez('two_frames.npz', global_orient=np.zeros((2, 3)), body_pose=np.ones((2, 21, 3)) * 0.5,
         transl=np.array([[0, 0, 0], [0, 1, 0]]), betas=np.ones(10), mocap_framerate=np.array(60.0))
with open('pca_hands.pkl', 'wb') as f:
    pickle.dump(dict(body_pose=np.zeros(63), left_hand_pose=np.zeros(12)), f)
with open('hand46.pkl', 'wb') as f:
    pickle.dump(dict(body_pose=np.zeros(63), right_hand_pose=np.zeros((1, 46))), f)
# PCA hands of two frames as nested lists; and three rows for two frames.
with open('pca_lists.pkl', 'wb') as f:
    pickle.dump(dict(global_orient=[[0.0] * 3, [0.0] * 3],
                     left_hand_pose=[[1.0, 2.0], [3.0, 4.0]], right_hand_pose=[5.0, 6.0, 7.0]), f)
np.savez('hand_rows.npz', global_orient=np.zeros((2, 3)), left_hand_pose=np.zeros((3, 6)))
with open('no_pose.pkl', 'wb') as f:
    pickle.dump(dict(betas=np.zeros(10)), f)
with open('a_list.pkl', 'wb') as f:
    pickle.dump([1, 2, 3], f)
# A few hundred bytes naming 10⁹ numbers through memo references.
a = [0.5] * 1000
b = [a] * 1000
with open('memo_bomb.pkl', 'wb') as f:
    pickle.dump(dict(body_pose=[b] * 1000), f, protocol=2)
import shutil
shutil.copy('two_frames.npz', 'npz_named.pkl')
)PY";

// A model with expression blend shapes (300 shape + 10 expression columns)
// on the first 20 vertices only (the "face"), whose jaw and eye joints are
// regressed from face vertices, and strong pose correctives; the reference
// mesh posed with shape, expression and pose as the smplx package does.
constexpr const char* kExpressionScript = R"PY(
import numpy as np
rng = np.random.default_rng(12)
V, J, S, E, FACE = 60, 55, 310, 10, 20
parents = [-1,0,0,0,1,2,3,4,5,6,7,8,9,9,9,12,13,14,16,17,18,19,15,15,15]
for wrist in (20, 21):
    for f in range(5):
        first = len(parents)
        parents += [wrist, first, first + 1]
kintree = np.array([[4294967295] + parents[1:], list(range(J))], dtype=np.int64)
v_template = rng.normal(size=(V, 3)) * 0.5
shapedirs = rng.normal(size=(V, 3, S)) * 0.01
shapedirs[:, :, 300:] *= 3
shapedirs[FACE:, :, 300:] = 0
posedirs = rng.normal(size=(V, 3, (J - 1) * 9)) * 0.01
J_regressor = np.zeros((J, V))
for j in range(J):
    idx = rng.choice(FACE if j in (22, 23, 24) else V, 3, replace=False)
    J_regressor[j, idx] = rng.dirichlet(np.ones(3))
weights = np.zeros((V, J))
for v in range(V):
    idx = rng.choice(J, 3, replace=False)
    weights[v, idx] = rng.dirichlet(np.ones(3))
np.savez('SMPLX_EXPR.npz', v_template=v_template, shapedirs=shapedirs, posedirs=posedirs,
         J_regressor=J_regressor, weights=weights, kintree_table=kintree)

def rodrigues(r):
    angle = np.linalg.norm(r)
    if angle < 1e-12:
        return np.eye(3)
    k = r / angle
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K

betas = rng.normal(size=5)
expression = rng.normal(size=E)
pose = rng.normal(size=(J, 3)) * 0.4
transl = np.array([0.2, 0.1, -0.3])
for name, a in [('betas', betas), ('expression', expression), ('pose', pose), ('transl', transl)]:
    np.save('expr_' + name + '.npy', a)
v_shaped = v_template + shapedirs[:, :, :5] @ betas + shapedirs[:, :, 300:] @ expression
Jp = J_regressor @ v_shaped
R = np.stack([rodrigues(p) for p in pose])
v = v_shaped + (posedirs.reshape(V * 3, -1) @ (R[1:] - np.eye(3)).reshape(-1)).reshape(V, 3)
G = [None] * J
for j in range(J):
    local = np.eye(4)
    local[:3, :3] = R[j]
    local[:3, 3] = Jp[j] - (Jp[parents[j]] if j > 0 else 0)
    G[j] = local if j == 0 else G[parents[j]] @ local
A = np.stack(G)
A[:, :3, 3] -= np.einsum('jab,jb->ja', A[:, :3, :3], Jp)
T = np.einsum('vj,jab->vab', weights, A)
np.save('expr_posed.npy', np.einsum('vab,vb->va', T[:, :3, :3], v) + T[:, :3, 3] + transl)
)PY";

Eigen::MatrixX3d readMatrix(const QString& path) {
    const TensorData t = readNpy(path.toStdString());
    const auto d = t.toDoubles();
    Eigen::MatrixX3d m(t.shape[0], 3);
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (int c = 0; c < 3; ++c)
            m(i, c) = d[std::size_t(3 * i + c)];
    return m;
}

std::vector<double> readVector(const QString& path) {
    return readNpy(path.toStdString()).toDoubles();
}

template <typename F>
QString errorOf(F f) {
    try {
        f();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// The 55 × 3 axis-angle `pose` (as smplx's full_pose) and `transl` of a
// NumPy reference, as SmplxParameters.
void setPose(SmplxParameters& p, const std::vector<double>& pose,
             const std::vector<double>& transl) {
    auto joint = [&](int j) {
        return Eigen::Vector3d(pose[std::size_t(3 * j)], pose[std::size_t(3 * j + 1)],
                               pose[std::size_t(3 * j + 2)]);
    };
    p.globalOrient = joint(0);
    p.bodyPose.assign(pose.begin() + 3, pose.begin() + 66);
    p.jawPose = joint(kSmplxJaw);
    p.leftEyePose = joint(kSmplxLeftEye);
    p.rightEyePose = joint(kSmplxRightEye);
    p.leftHandPose.assign(pose.begin() + 3 * kSmplxLeftHandFirst,
                          pose.begin() + 3 * kSmplxRightHandFirst);
    p.rightHandPose.assign(pose.begin() + 3 * kSmplxRightHandFirst, pose.end());
    p.transl = {transl[0], transl[1], transl[2]};
}

}  // namespace

class TestSmplx : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString at(const QString& name) const { return dir_.path() + "/" + name; }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString error = test::runPython(dir_.path(), kModelScript);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString error2 = test::runPython(dir_.path(), kSequenceScript);
        QVERIFY2(error2.isEmpty(), qPrintable(error2));
        const QString error3 = test::runPython(dir_.path(), kExpressionScript);
        QVERIFY2(error3.isEmpty(), qPrintable(error3));
    }

    void loadsTheModel() {
        const SmplxModel m = SmplxModel::load(at("SMPLX_TEST.npz").toStdString());
        QCOMPARE(m.vertexCount(), 60);
        QCOMPARE(m.jointCount(), kSmplxJointCount);
        QCOMPARE(m.shapeCount(), 12);
        QVERIFY(m.hasPoseBlendShapes());
        QCOMPARE(m.parents(), smplxParents());
        // Shape blend shapes and the regressed joints against NumPy.
        const auto betas = readVector(at("betas.npy"));
        QVERIFY((m.shapedVertices(betas) - readMatrix(at("shaped.npy"))).cwiseAbs().maxCoeff() <
                1e-6);
        const Skeleton s = m.skeleton(betas);
        QCOMPARE(s.joint(kSmplxJaw).name, std::string("jaw"));
        const Eigen::MatrixX3d joints = readMatrix(at("joints.npy"));
        const auto rest = s.restPositions();
        for (int j = 0; j < s.size(); ++j)
            QVERIFY((rest[std::size_t(j)] - joints.row(j).transpose()).norm() < 1e-6);
    }

    void posedVerticesMatchNumpy() {
        const SmplxModel m = SmplxModel::load(at("SMPLX_TEST.npz").toStdString());
        const auto pose = readVector(at("pose.npy"));  // 55 × 3
        const auto transl = readVector(at("transl.npy"));
        SmplxParameters p;
        p.betas = readVector(at("betas.npy"));
        setPose(p, pose, transl);
        const Eigen::MatrixX3d expected = readMatrix(at("posed.npy"));
        const double error = (m.posedVertices(p) - expected).cwiseAbs().maxCoeff();
        qInfo("posed vertices vs NumPy LBS: max |difference| %.2e", error);
        QVERIFY(error < 1e-5);
        // Without the pose the mesh is the shaped template, translated.
        SmplxParameters still;
        still.betas = p.betas;
        const Eigen::MatrixX3d shaped = m.shapedVertices(p.betas);
        QVERIFY((m.posedVertices(still) - shaped).cwiseAbs().maxCoeff() < 1e-12);

        // Splats placed at the rest vertices, bound and skinned, land on the
        // posed vertices of plain LBS (no pose blend shapes for splats).
        std::vector<float> centres;
        for (int i = 0; i < shaped.rows(); ++i)
            for (int c = 0; c < 3; ++c)
                centres.push_back(float(shaped(i, c)));
        std::vector<int> nearest;
        const SkinWeights w = m.bindSplats(centres, shaped, &nearest);
        for (int i = 0; i < shaped.rows(); ++i)
            QCOMPARE(nearest[std::size_t(i)], i);
        const Skeleton s = m.skeleton(p.betas);
        const std::vector<float> covs(6 * centres.size() / 3, 0.f);
        const auto skinned = skinSplats(centres, covs, w, s.skinningTransforms(p.skeletonPose()));
        const Eigen::MatrixX3d lbsOnly = readMatrix(at("posed_lbs_only.npy"));
        double splatError = 0;
        for (int i = 0; i < shaped.rows(); ++i)
            for (int c = 0; c < 3; ++c)
                splatError = std::max(
                    splatError,
                    std::abs(double(skinned.centres[std::size_t(3 * i + c)]) - lbsOnly(i, c)));
        QVERIFY2(splatError < 1e-5, qPrintable(QString::number(splatError)));
    }

    void bindingPicksTheNearestVertex() {
        const SmplxModel m = SmplxModel::load(at("SMPLX_TEST.npz").toStdString());
        const Eigen::MatrixX3d rest = m.shapedVertices();
        std::mt19937 rng(2);
        std::uniform_real_distribution<float> u(-2, 2);
        std::vector<float> centres;
        for (int i = 0; i < 3000; ++i)
            centres.push_back(u(rng));
        std::vector<int> nearest;
        const SkinWeights w = m.bindSplats(centres, rest, &nearest);
        for (std::size_t i = 0; i < centres.size() / 3; ++i) {
            const Eigen::Vector3d p(centres[3 * i], centres[3 * i + 1], centres[3 * i + 2]);
            int best = 0;
            for (int v = 1; v < rest.rows(); ++v)
                if ((rest.row(v).transpose() - p).squaredNorm() <
                    (rest.row(best).transpose() - p).squaredNorm())
                    best = v;
            QCOMPARE(nearest[i], best);
            // Its weights are that vertex's (three joints each here).
            for (std::size_t k = 0; k < 4; ++k)
                if (w.weights[i][k] > 0)
                    QVERIFY(std::abs(w.weights[i][k] - m.weights()(best, w.bones[i][k])) < 1e-6);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m.bindSplats(centres, rest.topRows(10)));

        // A cloud rigged to the model: same binding, a "bone" quantity, and
        // posing it moves a splat at vertex 5 where LBS moves the vertex.
        GaussianCloud cloud;
        const std::size_t n = centres.size() / 3;
        cloud.positions = centres;
        for (int c = 0; c < 3; ++c)
            cloud.positions[std::size_t(c)] = float(rest(5, c));
        cloud.logScales.assign(3 * n, -4.f);
        cloud.rawRotations.assign(4 * n, 0.f);
        for (std::size_t i = 0; i < n; ++i)
            cloud.rawRotations[4 * i] = 1.f;
        cloud.opacityLogits.assign(n, 0.f);
        cloud.sh.assign(3 * n, 0.f);
        cloud.activate();
        const Avatar avatar = makeSmplxAvatar(cloud, m);
        QCOMPARE(avatar.weights.bones[7], w.bones[7]);
        const SplatQuantity* bone = avatar.cloud.quantity("bone");
        QVERIFY(bone);
        QCOMPARE(int(bone->values[7]), w.dominantBone(7));
        SmplxParameters p;
        p.bodyPose.assign(63, 0.3);
        p.transl = {0, 1, 0};
        // Without its blend shapes (plain LBS) the splat moves as LBS moves
        // the vertex; with them (the model has posedirs) it lands on the
        // posed mesh's vertex.
        QVERIFY(avatar.blendShapes);
        Avatar plain = avatar;
        plain.blendShapes.reset();
        const RenderSplats posed = plain.posed(p.skeletonPose());
        Eigen::Vector3d expected = Eigen::Vector3d::Zero();
        const auto a = avatar.skeleton.skinningTransforms(p.skeletonPose());
        for (int k = 0; k < m.jointCount(); ++k)
            expected += m.weights()(5, k) * (a[std::size_t(k)] * rest.row(5).transpose());
        double error = 0;
        for (int c = 0; c < 3; ++c)
            error = std::max(error, std::abs(double(posed.centres[std::size_t(c)]) - expected[c]));
        QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
        QVERIFY((expected - rest.row(5).transpose()).norm() > 0.5);  // it did move
        const RenderSplats corrected = avatar.posed(p.skeletonPose());
        const Eigen::Vector3d vertex = m.posedVertices(p).row(5).transpose();
        error = 0;
        for (int c = 0; c < 3; ++c)
            error =
                std::max(error, std::abs(double(corrected.centres[std::size_t(c)]) - vertex[c]));
        QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
    }

    void blendShapesMoveSplatsWithTheMesh() {
        // The posed mesh with shape, expression and pose blend shapes
        // against NumPy's smplx-style LBS.
        const SmplxModel m = SmplxModel::load(at("SMPLX_EXPR.npz").toStdString());
        QCOMPARE(m.expressionCount(), 10);
        const auto pose = readVector(at("expr_pose.npy"));
        const auto transl = readVector(at("expr_transl.npy"));
        SmplxParameters p;
        p.betas = readVector(at("expr_betas.npy"));
        p.expression = readVector(at("expr_expression.npy"));
        setPose(p, pose, transl);
        const Eigen::MatrixX3d mesh = m.posedVertices(p);
        const double meshError = (mesh - readMatrix(at("expr_posed.npy"))).cwiseAbs().maxCoeff();
        QVERIFY2(meshError < 1e-5, qPrintable(QString::number(meshError)));
        QCOMPARE(p.skeletonPose().expression, p.expression);

        // Splats at the vertices of the shaped rest mesh (zero expression),
        // each bound to its own vertex, land on the posed mesh.
        const Eigen::MatrixX3d shaped = m.shapedVertices(p.betas);
        GaussianCloud cloud;
        const std::size_t n = std::size_t(shaped.rows());
        for (Eigen::Index i = 0; i < shaped.rows(); ++i)
            for (int c = 0; c < 3; ++c)
                cloud.positions.push_back(float(shaped(i, c)));
        cloud.logScales.assign(3 * n, -4.f);
        cloud.rawRotations.assign(4 * n, 0.f);
        for (std::size_t i = 0; i < n; ++i)
            cloud.rawRotations[4 * i] = 1.f;
        cloud.opacityLogits.assign(n, 0.f);
        cloud.sh.assign(3 * n, 0.f);
        cloud.activate();
        const Avatar avatar = makeSmplxAvatar(cloud, m, p.betas);
        QVERIFY(avatar.blendShapes);
        for (std::size_t i = 0; i < n; ++i)
            QCOMPARE(
                avatar.blendShapes->vertexOfSlot[std::size_t(avatar.blendShapes->slotOfSplat[i])],
                int(i));
        Avatar plain = avatar;
        plain.blendShapes.reset();
        const RenderSplats rest = avatar.restSplats();
        auto distance = [&](const RenderSplats& splats, const Eigen::MatrixX3d& to, std::size_t i) {
            return (Eigen::Vector3d(splats.centres[3 * i], splats.centres[3 * i + 1],
                                    splats.centres[3 * i + 2]) -
                    to.row(Eigen::Index(i)).transpose())
                .norm();
        };
        auto maxDistance = [&](const RenderSplats& splats, const Eigen::MatrixX3d& to) {
            double worst = 0;
            for (std::size_t i = 0; i < n; ++i)
                worst = std::max(worst, distance(splats, to, i));
            return worst;
        };
        const RenderSplats posed = avatar.posed(rest, p.skeletonPose());
        const double error = maxDistance(posed, mesh);
        const double lbsError = maxDistance(plain.posed(rest, p.skeletonPose()), mesh);
        qInfo("splats vs posed mesh: max distance %.2e with blend shapes, %.2e with LBS only",
              error, lbsError);
        QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
        QVERIFY(lbsError > 1e-2);
        // Correctives move centres only: covariances are skinned as before
        // when the expression (so the skeleton) is the trained one.
        SmplxParameters noExpression = p;
        noExpression.expression.clear();
        QCOMPARE(avatar.posed(rest, noExpression.skeletonPose()).covariances,
                 plain.posed(rest, noExpression.skeletonPose()).covariances);

        // The rest pose, and poses turning only the root, move nothing more
        // than plain skinning: bit for bit, empty or zero expression alike.
        SkeletonPose still = avatar.skeleton.restPose();
        QCOMPARE(avatar.posed(rest, still).centres, rest.centres);
        still.expression.assign(10, 0.0);
        QCOMPARE(avatar.posed(rest, still).centres, rest.centres);
        QCOMPARE(avatar.posed(rest, still).sh, rest.sh);
        still.rotations[0] = {0.3, -0.2, 0.1};
        still.translation = {0.1, 0.2, 0.3};
        const RenderSplats turned = avatar.posed(rest, still);
        QCOMPARE(turned.centres, plain.posed(rest, still).centres);
        QCOMPARE(turned.covariances, plain.posed(rest, still).covariances);

        // An expression alone moves the face's splats onto the mesh and no
        // others (their joints do not move).
        SmplxParameters face;
        face.betas = p.betas;
        face.expression = p.expression;
        const RenderSplats expressed = avatar.posed(rest, face.skeletonPose());
        const Eigen::MatrixX3d faceMesh = m.posedVertices(face);
        QVERIFY(maxDistance(expressed, faceMesh) < 1e-5);
        for (std::size_t i = 0; i < n; ++i) {
            const double moved = distance(expressed, shaped, i);
            if (i < 20)
                QVERIFY2(moved > 1e-3,
                         qPrintable(QString("face splat %1 moved %2").arg(i).arg(moved)));
            else
                QVERIFY2(moved < 1e-6, qPrintable(QString("splat %1 moved %2").arg(i).arg(moved)));
        }
        // Coefficients beyond the model's are ignored; a non-finite one is named.
        SkeletonPose longer = face.skeletonPose();
        longer.expression.resize(100, 0.5);
        QCOMPARE(avatar.posed(rest, longer).centres, expressed.centres);
        longer.expression[3] = std::nan("");
        const QString nan = errorOf([&] { avatar.posed(rest, longer); });
        QVERIFY2(nan.contains("expression") && nan.contains("3"), qPrintable(nan));

        // Splats trained at an expression keep it until a pose asks for
        // another: the pose's expression is absolute.
        const Eigen::MatrixX3d smiling = m.shapedVertices(p.betas, p.expression);
        GaussianCloud trained = cloud;
        for (std::size_t i = 0; i < n; ++i)
            for (int c = 0; c < 3; ++c)
                trained.positions[3 * i + std::size_t(c)] = float(smiling(Eigen::Index(i), c));
        const Avatar atExpression = makeSmplxAvatar(trained, m, p.betas, p.expression);
        const RenderSplats trainedRest = atExpression.restSplats();
        QCOMPARE(atExpression.posed(trainedRest, atExpression.skeleton.restPose()).centres,
                 trainedRest.centres);
        QVERIFY(maxDistance(atExpression.posed(trainedRest, p.skeletonPose()), mesh) < 1e-5);
        SmplxParameters neutral = p;
        neutral.expression.assign(10, 0.0);
        QVERIFY(maxDistance(atExpression.posed(trainedRest, neutral.skeletonPose()),
                            m.posedVertices(neutral)) < 1e-5);
    }

    void nearestVertexAgainstBruteForce() {
        // Clustered points (a body's hands are dense) and queries far outside.
        std::mt19937 rng(8);
        std::normal_distribution<double> n(0, 1);
        Eigen::MatrixX3d points(5000, 3);
        for (int i = 0; i < points.rows(); ++i) {
            const double scale = i < 1000 ? 0.01 : 0.5;
            for (int c = 0; c < 3; ++c)
                points(i, c) = scale * n(rng) + (i < 1000 ? 0.7 : 0);
        }
        points.row(17) = points.row(4000);  // a tie: the lower index wins
        const NearestVertex search(points);
        for (int q = 0; q < 2000; ++q) {
            const double spread = q % 3 == 0 ? 5.0 : 0.6;
            const Eigen::Vector3d p(spread * n(rng), spread * n(rng), spread * n(rng));
            Eigen::Index best = 0;
            (points.rowwise() - p.transpose()).rowwise().squaredNorm().minCoeff(&best);
            QCOMPARE(search.nearest(p), int(best));
        }
        QCOMPARE(search.nearest(points.row(4000).transpose()), 17);
    }

    void missingOrMisshapenArraysAreNamed() {
        const QString missing =
            errorOf([&] { SmplxModel::load(at("no_regressor.npz").toStdString()); });
        QVERIFY2(missing.contains("no_regressor.npz") && missing.contains("'J_regressor'"),
                 qPrintable(missing));
        const QString shape =
            errorOf([&] { SmplxModel::load(at("bad_weights.npz").toStdString()); });
        QVERIFY2(
            shape.contains("'weights'") && shape.contains("[60, 54]") && shape.contains("[60, 55]"),
            qPrintable(shape));
        const QString none = errorOf([&] { SmplxModel::load(at("nothing.npz").toStdString()); });
        QVERIFY2(none.contains("nothing.npz"), qPrintable(none));
        SmplxParameters p;
        p.bodyPose.assign(60, 0.0);
        const QString params = errorOf([&] { p.skeletonPose(); });
        QVERIFY2(params.contains("body_pose") && params.contains("63"), qPrintable(params));
    }

    void sequenceFromPickles() {
        const SmplxSequence s = readSmplxSequenceFolder(at("seq").toStdString());
        QCOMPARE(int(s.frames.size()), 3);
        QVERIFY(QString::fromStdString(s.files[2]).endsWith("frame_10.pkl"));
        for (int i = 0; i < 3; ++i) {
            const SmplxParameters& f = s.frames[std::size_t(i)];
            QVERIFY(std::abs(f.globalOrient.x() - 0.1 * i) < 1e-6);
            QCOMPARE(int(f.bodyPose.size()), 63);
            QVERIFY(std::abs(f.bodyPose[62] - (0.062 + i)) < 1e-6);
            QCOMPARE(int(f.leftHandPose.size()), 45);
            QVERIFY(std::abs(f.leftHandPose[7] - 0.01 * i) < 1e-12);
            QVERIFY(std::abs(f.rightHandPose[44] + 0.01 * i) < 1e-12);
            QVERIFY(std::abs(f.jawPose.x() - 0.2 * i) < 1e-12);
            QCOMPARE(f.transl, Eigen::Vector3d(i, 2.0 * i, 3.0 * i));
            QCOMPARE(int(f.betas.size()), 10);
            QVERIFY(std::abs(f.betas[3] - 0.3) < 1e-6);
            QCOMPARE(int(f.expression.size()), 10);
        }
        // Frames become 55-joint poses in SMPL-X's order.
        const SkeletonPose pose = s.frames[2].skeletonPose();
        QCOMPARE(int(pose.rotations.size()), kSmplxJointCount);
        QVERIFY(std::abs(pose.rotations[21].z() - (0.062 + 2)) <
                1e-6);  // right wrist, last body_pose
        QVERIFY(std::abs(pose.rotations[kSmplxJaw].x() - 0.4) < 1e-12);
        // The procedural avatar's rig takes the same 55-joint poses: frame 2
        // turns the root by 0.2 rad about (1,1,1)/√3 and moves it by transl.
        const Skeleton rig = proceduralAvatarSkeleton();
        const auto g = rig.worldTransforms(pose);
        const Eigen::Vector3d pelvis = rig.restPositions()[0];
        QVERIFY((g[0].translation() - (pelvis + Eigen::Vector3d(2, 4, 6))).norm() < 1e-6);
        QVERIFY((g[0].linear() - axisAngleMatrix({0.2, 0.2, 0.2})).cwiseAbs().maxCoeff() < 1e-6);
        // Played at 30 fps, looping.
        QCOMPARE(s.frameAt(0.0), std::size_t(0));
        QCOMPARE(s.frameAt(2.5 / 30), std::size_t(2));
        QCOMPARE(s.frameAt(3.5 / 30), std::size_t(0));
        QCOMPARE(s.frameAt(-0.5 / 30), std::size_t(2));
    }

    void sequenceFromNpz() {
        const SmplxSequence s = readSmplxSequence({at("two_frames.npz").toStdString()});
        QCOMPARE(int(s.frames.size()), 2);
        QCOMPARE(s.fps, 60.0);
        QCOMPARE(s.frames[1].transl, Eigen::Vector3d(0, 1, 0));
        QCOMPARE(s.frames[0].bodyPose[10], 0.5);
        QCOMPARE(int(s.frames[1].betas.size()), 10);  // one row for both frames
        QVERIFY(std::abs(s.duration() - 2.0 / 60) < 1e-12);
    }

    void pcaHandPosesExpand() {
        const SmplxModel m = SmplxModel::load(at("SMPLX_HANDS.npz").toStdString());
        QVERIFY(m.hasHandComponents() && m.hasHandMean());
        const SmplxSequence s = readSmplxSequence({at("pca6.pkl").toStdString()});
        QCOMPARE(int(s.frames.size()), 2);
        QCOMPARE(int(s.frames[1].leftHandPose.size()), 6);
        QCOMPARE(int(s.frames[1].rightHandPose.size()), 6);
        QVERIFY(s.frames[1].hasPcaHandPoses());
        // Not a pose without a model's components.
        const QString raw = errorOf([&] { s.frames[1].skeletonPose(); });
        QVERIFY2(
            raw.contains("left_hand_pose") && raw.contains("6 PCA") && raw.contains("SMPL-X model"),
            qPrintable(raw));

        // coefficients · components[:6] (+ the mean), against NumPy's einsum.
        for (const bool mean : {false, true}) {
            const SmplxSequence full = expandHandPoses(s, m, mean);
            const auto expected = readVector(at(mean ? "full_hands_mean.npy" : "full_hands.npy"));
            double error = 0;
            for (std::size_t f = 0; f < 2; ++f) {
                const SmplxParameters& p = full.frames[f];
                QVERIFY(!p.hasPcaHandPoses());
                QCOMPARE(int(p.leftHandPose.size()), 45);
                QCOMPARE(int(p.rightHandPose.size()), 45);
                for (std::size_t i = 0; i < 45; ++i) {
                    error = std::max(error, std::abs(p.leftHandPose[i] - expected[90 * f + i]));
                    error =
                        std::max(error, std::abs(p.rightHandPose[i] - expected[90 * f + 45 + i]));
                }
                // The rest of the frame is untouched.
                QCOMPARE(p.bodyPose, s.frames[f].bodyPose);
                QCOMPARE(p.transl, s.frames[f].transl);
            }
            QVERIFY2(error < 1e-12, qPrintable(QString::number(error)));
        }
        // Full axis-angle hands stay as they are, unless the mean is asked.
        const SmplxParameters full = m.withFullHandPoses(s.frames[1]);
        QCOMPARE(m.withFullHandPoses(full).leftHandPose, full.leftHandPose);
        const SmplxParameters meanTwice = m.withFullHandPoses(full, true);
        QCOMPARE(meanTwice.leftHandPose, m.withFullHandPoses(s.frames[1], true).leftHandPose);
        // An empty hand is the flat hand, or the mean hand with the mean.
        SmplxParameters flat;
        QVERIFY(m.withFullHandPoses(flat).leftHandPose.empty());
        const auto meanHand = m.withFullHandPoses(flat, true).rightHandPose;
        QCOMPARE(int(meanHand.size()), 45);
        QVERIFY(std::abs(meanHand[7] - (m.withFullHandPoses(full, true).rightHandPose[7] -
                                        full.rightHandPose[7])) < 1e-12);

        // The posed mesh: PCA frames (expanded with the mean) against NumPy's
        // LBS of the equivalent 45-value pose; expanded and equivalent
        // parameters pose alike, and posedVertices expands PCA hands itself.
        const SmplxParameters withMean = m.withFullHandPoses(s.frames[1], true);
        const double error = (m.posedVertices(withMean) - readMatrix(at("posed_pca_mean.npy")))
                                 .cwiseAbs()
                                 .maxCoeff();
        QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
        const auto fullNoMean = readVector(at("full_hands.npy"));
        SmplxParameters equivalent = s.frames[1];
        equivalent.leftHandPose.assign(fullNoMean.begin() + 90, fullNoMean.begin() + 135);
        equivalent.rightHandPose.assign(fullNoMean.begin() + 135, fullNoMean.end());
        QVERIFY((m.posedVertices(full) - m.posedVertices(equivalent)).cwiseAbs().maxCoeff() <
                1e-12);
        QVERIFY((m.posedVertices(s.frames[1]) - m.posedVertices(equivalent)).cwiseAbs().maxCoeff() <
                1e-12);
        // The hands moved the mesh.
        SmplxParameters flatHands = s.frames[1];
        flatHands.leftHandPose.clear();
        flatHands.rightHandPose.clear();
        QVERIFY((m.posedVertices(full) - m.posedVertices(flatHands)).cwiseAbs().maxCoeff() > 1e-3);
    }

    void pcaHandPoseErrors() {
        const SmplxSequence s = readSmplxSequence({at("pca6.pkl").toStdString()});
        // A model without hand components.
        const SmplxModel plain = SmplxModel::load(at("SMPLX_TEST.npz").toStdString());
        QVERIFY(!plain.hasHandComponents() && !plain.hasHandMean());
        const QString none = errorOf([&] { expandHandPoses(s, plain); });
        QVERIFY2(none.contains("pca6.pkl") && none.contains("6 PCA coefficients") &&
                     none.contains("hands_componentsl") && none.contains("SMPLX_TEST.npz"),
                 qPrintable(none));
        QVERIFY2(errorOf([&] { plain.posedVertices(s.frames[0]); }).contains("hands_componentsl"),
                 "posedVertices names the missing components");
        const QString noMean = errorOf([&] { plain.withFullHandPoses(SmplxParameters{}, true); });
        QVERIFY2(noMean.contains("hands_meanl"), qPrintable(noMean));
        // More coefficients than the model has components, or than 45.
        const SmplxModel three = SmplxModel::load(at("hands_three.npz").toStdString());
        const QString few = errorOf([&] { three.withFullHandPoses(s.frames[0]); });
        QVERIFY2(few.contains("6 PCA") && few.contains("3 components"), qPrintable(few));
        const SmplxModel m = SmplxModel::load(at("SMPLX_HANDS.npz").toStdString());
        SmplxParameters p;
        p.rightHandPose.assign(46, 0.0);
        const QString many = errorOf([&] { m.withFullHandPoses(p); });
        QVERIFY2(many.contains("right_hand_pose") && many.contains("46"), qPrintable(many));
        const QString file46 =
            errorOf([&] { readSmplxParameters(at("hand46.pkl").toStdString()); });
        QVERIFY2(file46.contains("hand46.pkl") && file46.contains("'right_hand_pose'") &&
                     file46.contains("46") && file46.contains("PCA"),
                 qPrintable(file46));
        // Misshapen or unpaired arrays in the model are named.
        const QString shape =
            errorOf([&] { SmplxModel::load(at("hands_bad_shape.npz").toStdString()); });
        QVERIFY2(shape.contains("'hands_componentsr'") && shape.contains("[45, 44]"),
                 qPrintable(shape));
        const QString unpaired =
            errorOf([&] { SmplxModel::load(at("hands_left_only.npz").toStdString()); });
        QVERIFY2(unpaired.contains("'hands_componentsr'"), qPrintable(unpaired));
    }

    void pcaHandShapesInFiles() {
        // Nested lists, one row per frame; a flat list for every frame.
        const auto lists = readSmplxParameters(at("pca_lists.pkl").toStdString());
        QCOMPARE(int(lists.size()), 2);
        QCOMPARE(lists[1].leftHandPose, std::vector<double>({3.0, 4.0}));
        QCOMPARE(lists[0].rightHandPose, std::vector<double>({5.0, 6.0, 7.0}));
        QCOMPARE(lists[1].rightHandPose, std::vector<double>({5.0, 6.0, 7.0}));
        const QString rows =
            errorOf([&] { readSmplxParameters(at("hand_rows.npz").toStdString()); });
        QVERIFY2(rows.contains("'left_hand_pose'") && rows.contains("3 rows for 2 frame(s)"),
                 qPrintable(rows));
    }

    void badSequenceFiles() {
        // PCA coefficients read, but are no pose without a model.
        const auto pcaFrames = readSmplxParameters(at("pca_hands.pkl").toStdString());
        QCOMPARE(int(pcaFrames.at(0).leftHandPose.size()), 12);
        const QString pca = errorOf([&] { pcaFrames[0].skeletonPose(); });
        QVERIFY2(pca.contains("left_hand_pose") && pca.contains("PCA"), qPrintable(pca));
        const QString none = errorOf([&] { readSmplxParameters(at("no_pose.pkl").toStdString()); });
        QVERIFY2(none.contains("no_pose.pkl") && none.contains("global_orient"), qPrintable(none));
        const QString list = errorOf([&] { readSmplxParameters(at("a_list.pkl").toStdString()); });
        QVERIFY2(list.contains("a_list.pkl") && list.contains("dict"), qPrintable(list));
        const QString bomb =
            errorOf([&] { readSmplxParameters(at("memo_bomb.pkl").toStdString()); });
        QVERIFY2(bomb.contains("'body_pose'") && bomb.contains("more than"), qPrintable(bomb));
        // Content decides, not the name: an .npz named .pkl reads as .npz.
        QCOMPARE(int(readSmplxParameters(at("npz_named.pkl").toStdString()).size()), 2);
        const QString empty =
            errorOf([&] { readSmplxSequenceFolder(dir_.path().toStdString() + "/nope"); });
        QVERIFY2(empty.contains("nope"), qPrintable(empty));
    }
};

BASIN_TEST_MAIN(TestSmplx)
#include "test_smplx.moc"
