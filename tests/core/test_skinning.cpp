// Linear blend skinning: the identity pose leaves centres and covariances
// bit for bit; one bone rotated by R with weight 1 rotates centres about the
// joint and covariances to R Σ Rᵀ, checked against the empirical covariance of
// transformed samples; two bones at half weight blend their transforms
// linearly; weights keep the four largest and are normalized; bad weights
// are named.

#include <Eigen/Cholesky>
#include <Eigen/Geometry>
#include <cmath>
#include <random>
#include <stdexcept>

#include "BasinTest.h"
#include "splats/LinearBlendSkinning.h"
#include "splats/Skeleton.h"

using namespace basin;

namespace {

// A random symmetric positive definite covariance (upper entries).
std::array<float, 6> randomCovariance(std::mt19937& rng) {
    std::normal_distribution<double> n(0, 1);
    Eigen::Matrix3d a;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            a(r, c) = 0.05 * n(rng);
    return upperEntries(a * a.transpose() + 1e-4 * Eigen::Matrix3d::Identity());
}

Skeleton arm() {
    Skeleton s;
    s.addJoint("shoulder", -1, {0.2, 1.4, 0});
    s.addJoint("elbow", 0, {0.26, 0, 0});
    s.addJoint("wrist", 1, {0.25, 0, 0});
    return s;
}

}  // namespace

class TestSkinning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identityPoseIsExact() {
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(-1, 1);
        std::uniform_real_distribution<double> uw(0, 1);
        const Skeleton s = arm();
        std::vector<float> centres, covs;
        SkinWeights w;
        for (int i = 0; i < 500; ++i) {
            for (int c = 0; c < 3; ++c)
                centres.push_back(u(rng));
            const auto cov = randomCovariance(rng);
            covs.insert(covs.end(), cov.begin(), cov.end());
            w.append({{0, uw(rng)}, {1, uw(rng)}, {2, uw(rng)}});
        }
        const auto out = skinSplats(centres, covs, w, s.skinningTransforms(s.restPose()));
        QCOMPARE(out.centres, centres);
        QCOMPARE(out.covariances, covs);
    }

    void singleBoneRotates() {
        const Skeleton s = arm();
        SkeletonPose pose = s.restPose();
        const Eigen::Vector3d axisAngle(0.3, -0.5, 0.9);
        pose.rotations[1] = axisAngle;
        const Eigen::Matrix3d r = axisAngleMatrix(axisAngle);
        const Eigen::Vector3d elbow = s.restPositions()[1];

        const Eigen::Vector3d x(0.6, 1.45, 0.03);
        Eigen::Matrix3d sigma;
        sigma << 0.004, 0.001, 0.0005, 0.001, 0.002, -0.0003, 0.0005, -0.0003, 0.001;
        const std::vector<float> centres = {float(x.x()), float(x.y()), float(x.z())};
        const auto up = upperEntries(sigma);
        const std::vector<float> covs(up.begin(), up.end());
        SkinWeights w;
        w.append({{1, 1.0}});
        const auto out = skinSplats(centres, covs, w, s.skinningTransforms(pose));

        // Centre rotated about the elbow.
        const Eigen::Vector3d expected =
            elbow + r * (Eigen::Vector3d(centres[0], centres[1], centres[2]) - elbow);
        for (int c = 0; c < 3; ++c)
            QVERIFY(std::abs(out.centres[std::size_t(c)] - expected[c]) < 1e-6);
        // Analytic R Σ Rᵀ.
        const Eigen::Matrix3d sigmaF = symmetricFromUpper(covs.data());
        const Eigen::Matrix3d rotated = r * sigmaF * r.transpose();
        const Eigen::Matrix3d got = symmetricFromUpper(out.covariances.data());
        QVERIFY((got - rotated).cwiseAbs().maxCoeff() < 1e-8);

        // Brute force: transform samples of N(x, Σ) by A and measure their covariance.
        const Eigen::Isometry3d a = s.skinningTransforms(pose)[1];
        const Eigen::Matrix3d l = sigmaF.llt().matrixL();
        std::mt19937 rng(11);
        std::normal_distribution<double> n(0, 1);
        const int samples = 200000;
        Eigen::Vector3d mean = Eigen::Vector3d::Zero();
        Eigen::Matrix3d second = Eigen::Matrix3d::Zero();
        for (int k = 0; k < samples; ++k) {
            const Eigen::Vector3d z(n(rng), n(rng), n(rng));
            const Eigen::Vector3d y = a * (x + l * z);
            mean += y;
            second += y * y.transpose();
        }
        mean /= samples;
        const Eigen::Matrix3d empirical = second / samples - mean * mean.transpose();
        // Sampling error of a covariance entry ~ σ²·sqrt(2/n) ≈ 0.004·0.003.
        QVERIFY((got - empirical).cwiseAbs().maxCoeff() < 6e-5);
        QVERIFY((mean - expected).cwiseAbs().maxCoeff() < 1e-3);
    }

    void twoBonesBlendLinearly() {
        Skeleton s;
        s.addJoint("a", -1, {0, 0, 0});
        s.addJoint("b", 0, {1, 0, 0});
        SkeletonPose pose = s.restPose();
        pose.rotations[0] = {0, 0, 0.8};  // bone a turns, b turns with it
        pose.rotations[1] = {0, -1.1, 0};
        const auto a = s.skinningTransforms(pose);

        const Eigen::Vector3d x(1.0, 0.1, -0.2);
        Eigen::Matrix3d sigma;
        sigma << 0.01, 0, 0, 0, 0.002, 0, 0, 0, 0.003;
        const auto up = upperEntries(sigma);
        const std::vector<float> centres = {1.0f, 0.1f, -0.2f};
        SkinWeights w;
        w.append({{0, 0.5}, {1, 0.5}});
        QCOMPARE(w.weights[0][0], 0.5f);
        QCOMPARE(w.weights[0][1], 0.5f);
        const auto out = skinSplats(centres, std::vector<float>(up.begin(), up.end()), w, a);

        const Eigen::Vector3d xf(centres[0], centres[1], centres[2]);
        const Eigen::Vector3d expected = 0.5 * (a[0] * xf) + 0.5 * (a[1] * xf);
        for (int c = 0; c < 3; ++c)
            QVERIFY(std::abs(out.centres[std::size_t(c)] - expected[c]) < 1e-6);
        const Eigen::Matrix3d m = 0.5 * a[0].linear() + 0.5 * a[1].linear();
        const Eigen::Matrix3d sigmaF = symmetricFromUpper(up.data());
        const Eigen::Matrix3d expectedCov = m * sigmaF * m.transpose();
        QVERIFY((symmetricFromUpper(out.covariances.data()) - expectedCov).cwiseAbs().maxCoeff() <
                1e-8);
        // The blend of two different rotations is not a rotation: the
        // covariance shrinks (det M < 1).
        QVERIFY(m.determinant() < 0.99);
    }

    void renderSplatsKeepColourAndOpacity() {
        const Skeleton s = arm();
        RenderSplats rest;
        rest.centres = {0.5f, 1.4f, 0.f, 0.7f, 1.4f, 0.f};
        rest.covariances = {1e-4f, 0, 0, 1e-4f, 0, 1e-4f, 2e-4f, 0, 0, 1e-4f, 0, 1e-4f};
        rest.opacities = {0.25f, 0.75f};
        rest.sh = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
        SkinWeights w;
        w.append({{1, 1.0}});
        w.append({{2, 1.0}});
        SkeletonPose pose = s.restPose();
        pose.rotations[0] = {0, 0, -0.6};
        const auto transforms = s.skinningTransforms(pose);
        const RenderSplats posed = skinRenderSplats(rest, w, transforms);
        const auto direct = skinSplats(rest.centres, rest.covariances, w, transforms);
        QCOMPARE(posed.centres, direct.centres);
        QCOMPARE(posed.covariances, direct.covariances);
        QCOMPARE(posed.opacities, rest.opacities);
        QCOMPARE(posed.sh, rest.sh);
        QVERIFY(posed.centres[1] < 1.3f);  // the arm turned down
        posed.validate();
    }

    void weightsKeepFourLargest() {
        SkinWeights w;
        w.append({{7, 0.05}, {3, 2.0}, {5, 1.0}, {1, 0.5}, {2, 0.5}, {9, 0.01}});
        QCOMPARE(w.bones[0][0], 3);
        QCOMPARE(w.bones[0][1], 5);
        float sum = 0;
        for (float x : w.weights[0])
            sum += x;
        QCOMPARE(sum, 1.0f);
        QVERIFY(std::abs(w.weights[0][0] - 0.5f) < 1e-6f);  // 2 / (2+1+0.5+0.5)
        QCOMPARE(w.dominantBone(0), 3);
        w.append({});
        QCOMPARE(w.weights[1][0], 1.0f);
        w.validate(2, 10);
    }

    void badWeightsAreNamed() {
        SkinWeights w;
        w.append({{0, 1.0}});
        w.append({{4, 1.0}});
        try {
            w.validate(2, 3);
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QVERIFY(std::string(e.what()).find("splat 1") != std::string::npos);
            QVERIFY(std::string(e.what()).find("bone 4") != std::string::npos);
        }
        w.weights[1] = {0.5f, 0.2f, 0, 0};
        w.bones[1] = {0, 1, 0, 0};
        try {
            w.validate(2, 3);
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QVERIFY(std::string(e.what()).find("sum to 0.7") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, w.validate(3, 3));
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            skinSplats({0, 0, 0, 1}, {1, 0, 0, 1, 0, 1}, w, std::vector<Eigen::Isometry3d>(3)));
    }
};

BASIN_TEST_MAIN(TestSkinning)
#include "test_skinning.moc"
