// Linear blend skinning: the identity pose leaves centres and covariances
// bit for bit; one bone rotated by R with weight 1 rotates centres about the
// joint and covariances to R Σ Rᵀ, checked against the empirical covariance of
// transformed samples; two bones at half weight blend their transforms
// linearly; weights keep the four largest and are normalized; bad weights
// are named. Spherical-harmonic colour turns with the bones: rotated
// coefficients seen along d equal the originals seen along Rᵀ d, the band
// matrices D_l are orthogonal and multiply as the rotations do, the polar
// rotation of a blended matrix is its orthogonal factor, the identity pose
// keeps SH bit for bit, and a posed degree-3 cloud renders as the rest cloud
// seen from the camera turned back. Blend shapes carried to splats keep the
// rows of their vertices, displace each splat by its vertex's GEMV row and
// move the joints with the expression; re-posing 80k splats with a
// real-size SMPL-X model's blend shapes is timed.

#include <Eigen/Cholesky>
#include <Eigen/Geometry>
#include <cmath>
#include <random>
#include <stdexcept>

#include <algorithm>
#include "BasinTest.h"

#include "splats/Avatar.h"
#include "splats/LinearBlendSkinning.h"
#include "splats/ProceduralAvatar.h"
#include "splats/ShRotation.h"
#include "splats/Skeleton.h"
#include "splats/SphericalHarmonics.h"
#include "splats/SplatRasterizer.h"

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

Eigen::Matrix3d randomRotation(std::mt19937& rng) {
    std::normal_distribution<double> n(0, 1);
    Eigen::Quaterniond q(n(rng), n(rng), n(rng), n(rng));
    return q.normalized().toRotationMatrix();
}

std::array<float, 3> randomDirection(std::mt19937& rng) {
    std::normal_distribution<float> n(0, 1);
    Eigen::Vector3f d(n(rng), n(rng), n(rng));
    d.normalize();
    return {d.x(), d.y(), d.z()};
}

// Σ_k Y_k(d) c_k per channel, without shColour's offset and clamp.
std::array<double, 3> shSum(int degree, const float* c, const std::array<float, 3>& d) {
    const std::array<float, 16> b = shBasis(degree, d);
    std::array<double, 3> rgb{};
    for (int k = 0; k < (degree + 1) * (degree + 1); ++k)
        for (int ch = 0; ch < 3; ++ch)
            rgb[std::size_t(ch)] += double(b[std::size_t(k)]) * c[3 * k + ch];
    return rgb;
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

    void shRotationTurnsColour() {
        std::mt19937 rng(11);
        std::uniform_real_distribution<float> u(-1, 1);
        for (int degree = 1; degree <= 3; ++degree) {
            const int count = (degree + 1) * (degree + 1);
            for (int trial = 0; trial < 20; ++trial) {
                const Eigen::Matrix3d r = randomRotation(rng);
                std::vector<float> c(std::size_t(3 * count));
                for (float& x : c)
                    x = u(rng);
                std::vector<float> turned = c;
                rotateShCoefficients(degree, r.cast<float>(), turned.data());
                for (int ch = 0; ch < 3; ++ch)
                    QCOMPARE(turned[std::size_t(ch)], c[std::size_t(ch)]);  // DC kept
                for (int s = 0; s < 50; ++s) {
                    const std::array<float, 3> d = randomDirection(rng);
                    const Eigen::Vector3d back = r.transpose() * Eigen::Vector3d(d[0], d[1], d[2]);
                    const auto expected = shSum(
                        degree, c.data(), {float(back.x()), float(back.y()), float(back.z())});
                    const auto actual = shSum(degree, turned.data(), d);
                    for (int ch = 0; ch < 3; ++ch)
                        QVERIFY2(
                            std::abs(actual[std::size_t(ch)] - expected[std::size_t(ch)]) < 1e-5,
                            qPrintable(QString("degree %1 trial %2: %3 vs %4")
                                           .arg(degree)
                                           .arg(trial)
                                           .arg(actual[std::size_t(ch)])
                                           .arg(expected[std::size_t(ch)])));
                }
                // The per-band matrices agree with the in-place rotation.
                for (int band = 1; band <= degree; ++band) {
                    const Eigen::MatrixXd dl = shBandRotation(band, r);
                    for (int ch = 0; ch < 3; ++ch) {
                        Eigen::VectorXd cl(2 * band + 1);
                        for (int k = 0; k < 2 * band + 1; ++k)
                            cl(k) = c[std::size_t(3 * (band * band + k) + ch)];
                        const Eigen::VectorXd expected = dl * cl;
                        for (int k = 0; k < 2 * band + 1; ++k)
                            QVERIFY(std::abs(turned[std::size_t(3 * (band * band + k) + ch)] -
                                             expected(k)) < 1e-5);
                    }
                }
            }
        }
    }

    void shBandRotationsAreARepresentation() {
        std::mt19937 rng(12);
        for (int band = 1; band <= 3; ++band) {
            const auto identity = Eigen::MatrixXd::Identity(2 * band + 1, 2 * band + 1);
            QVERIFY((shBandRotation(band, Eigen::Matrix3d::Identity()) - identity)
                        .cwiseAbs()
                        .maxCoeff() < 1e-5);
            for (int trial = 0; trial < 20; ++trial) {
                const Eigen::Matrix3d r1 = randomRotation(rng), r2 = randomRotation(rng);
                const Eigen::MatrixXd d1 = shBandRotation(band, r1), d2 = shBandRotation(band, r2);
                QVERIFY((shBandRotation(band, r1 * r2) - d1 * d2).cwiseAbs().maxCoeff() < 1e-5);
                QVERIFY((d1.transpose() * d1 - identity).cwiseAbs().maxCoeff() < 1e-5);
                QVERIFY(
                    (shBandRotation(band, r1.transpose()) - d1.transpose()).cwiseAbs().maxCoeff() <
                    1e-5);
            }
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 shBandRotation(4, Eigen::Matrix3d::Identity()));
    }

    void polarRotationIsTheOrthogonalFactor() {
        std::mt19937 rng(13);
        std::normal_distribution<double> n(0, 1);
        for (int trial = 0; trial < 50; ++trial) {
            const Eigen::Matrix3d r = randomRotation(rng);
            Eigen::Matrix3d a;
            for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j)
                    a(i, j) = 0.3 * n(rng);
            const Eigen::Matrix3d spd = a * a.transpose() + 0.2 * Eigen::Matrix3d::Identity();
            Eigen::Matrix3d found;
            QVERIFY(polarRotation(r * spd, found));
            QVERIFY((found - r).cwiseAbs().maxCoeff() < 1e-10);
            QVERIFY(polarRotation(r, found));
            QVERIFY((found - r).cwiseAbs().maxCoeff() < 1e-14);
        }
        // Two bones turned apart by 180° at half weight: no rotation factor.
        Eigen::Matrix3d flip = Eigen::Matrix3d::Identity();
        flip(0, 0) = flip(1, 1) = -1;
        Eigen::Matrix3d found;
        QVERIFY(!polarRotation(0.5 * (Eigen::Matrix3d::Identity() + flip), found));
        QVERIFY(!polarRotation(-Eigen::Matrix3d::Identity(), found));
    }

    void restPoseKeepsShExactly() {
        std::mt19937 rng(14);
        std::uniform_real_distribution<float> u(-1, 1);
        const Skeleton s = arm();
        RenderSplats rest;
        rest.shDegree = 3;
        SkinWeights w;
        for (int i = 0; i < 300; ++i) {
            for (int c = 0; c < 3; ++c)
                rest.centres.push_back(u(rng));
            const auto cov = randomCovariance(rng);
            rest.covariances.insert(rest.covariances.end(), cov.begin(), cov.end());
            rest.opacities.push_back(0.5f);
            for (int k = 0; k < 48; ++k)
                rest.sh.push_back(u(rng));
            // Every third splat follows the shoulder alone.
            if (i % 3 == 0)
                w.append({{0, 1.0}});
            else
                w.append({{1, 0.5 + 0.5 * u(rng)}, {2, 0.5 + 0.5 * u(rng)}});
        }
        const RenderSplats same = skinRenderSplats(rest, w, s.skinningTransforms(s.restPose()));
        QCOMPARE(same.centres, rest.centres);
        QCOMPARE(same.covariances, rest.covariances);
        QCOMPARE(same.sh, rest.sh);
        // Turning the elbow leaves the shoulder's splats' colour as it was and
        // turns the others'.
        SkeletonPose pose = s.restPose();
        pose.rotations[1] = {0.2, 0.7, -0.4};
        const RenderSplats posed = skinRenderSplats(rest, w, s.skinningTransforms(pose));
        for (std::size_t i = 0; i < rest.size(); ++i) {
            const auto first = rest.sh.begin() + std::ptrdiff_t(48 * i);
            const bool kept =
                std::equal(first, first + 48, posed.sh.begin() + std::ptrdiff_t(48 * i));
            QCOMPARE(kept, i % 3 == 0);
        }
        RenderSplats bad = rest;
        bad.sh.pop_back();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 skinRenderSplats(bad, w, s.skinningTransforms(pose)));
    }

    // One bone turned by 90° carries a degree-3 cloud: seen from camera C the
    // posed cloud looks exactly as the rest cloud seen from C carried back by
    // the bone's inverse transform (centres, covariances and view-dependent
    // colour all turned consistently).
    void posedCloudRendersAsTurnedCamera() {
        std::mt19937 rng(15);
        std::uniform_real_distribution<float> u(-1, 1);
        const Skeleton s = arm();
        const Eigen::Vector3d elbow = s.restPositions()[1];
        RenderSplats rest;
        rest.shDegree = 3;
        SkinWeights w;
        for (int i = 0; i < 60; ++i) {
            const Eigen::Vector3d x =
                elbow + Eigen::Vector3d(0.15 + 0.1 * u(rng), 0.08 * u(rng), 0.08 * u(rng));
            for (int c = 0; c < 3; ++c)
                rest.centres.push_back(float(x[c]));
            const float sx = 0.02f + 0.02f * std::abs(u(rng)), sy = 0.01f, sz = 0.015f;
            const Eigen::Matrix3d turn = randomRotation(rng);
            const Eigen::Matrix3d cov =
                turn * Eigen::Vector3d(sx * sx, sy * sy, sz * sz).asDiagonal() * turn.transpose();
            const auto up = upperEntries(cov);
            rest.covariances.insert(rest.covariances.end(), up.begin(), up.end());
            rest.opacities.push_back(0.6f + 0.3f * std::abs(u(rng)));
            for (int k = 0; k < 16; ++k)
                for (int c = 0; c < 3; ++c)
                    rest.sh.push_back(k == 0 ? 0.5f * u(rng) : 0.4f * u(rng));
            w.append({{1, 1.0}});
        }
        SkeletonPose pose = s.restPose();
        pose.rotations[1] = {0.0, 0.0, M_PI / 2};
        const auto transforms = s.skinningTransforms(pose);
        const RenderSplats posed = skinRenderSplats(rest, w, transforms);

        const Eigen::Isometry3d a = transforms[1];
        const Eigen::Vector3d target = a * Eigen::Vector3d(elbow.x() + 0.15, elbow.y(), 0.0);
        const SplatCamera camera = SplatCamera::orbit(
            {float(target.x()), float(target.y()), float(target.z())}, 30, 20, 0.6f, 50, 64, 48);
        SplatCamera back = camera;
        const auto carry = [](const Eigen::Vector3d& v) {
            return SplatVec3{float(v.x()), float(v.y()), float(v.z())};
        };
        const auto vec = [](const SplatVec3& v) { return Eigen::Vector3d(v[0], v[1], v[2]); };
        back.position = carry(a.inverse() * vec(camera.position));
        back.target = carry(a.inverse() * vec(camera.target));
        back.up = carry(a.linear().transpose() * vec(camera.up));

        SplatRasterOptions options;
        options.background = {0.1f, 0.2f, 0.3f};
        options.nearPlane = 0.01f;
        const SplatImage seen = rasterizeSplats(posed, camera, options);
        const SplatImage expected = rasterizeSplats(rest, back, options);
        QCOMPARE(seen.rgb.size(), expected.rgb.size());
        float largest = 0, coverage = 0;
        for (std::size_t p = 0; p < seen.rgb.size(); ++p)
            largest = std::max(largest, std::abs(seen.rgb[p] - expected.rgb[p]));
        for (std::size_t p = 0; p < seen.transmittance.size(); ++p) {
            largest =
                std::max(largest, std::abs(seen.transmittance[p] - expected.transmittance[p]));
            coverage += 1 - seen.transmittance[p];
        }
        QVERIFY2(largest < 1e-4f, qPrintable(QString("largest pixel difference %1").arg(largest)));
        QVERIFY(coverage > 100);  // the cloud is in view
        // Without turning the SH the picture would differ.
        RenderSplats unturned = posed;
        unturned.sh = rest.sh;
        const SplatImage wrong = rasterizeSplats(unturned, camera, options);
        float wrongLargest = 0;
        for (std::size_t p = 0; p < wrong.rgb.size(); ++p)
            wrongLargest = std::max(wrongLargest, std::abs(wrong.rgb[p] - expected.rgb[p]));
        QVERIFY(wrongLargest > 0.05f);
    }

    void blendShapesKeepTheBoundRows() {
        // A 6-vertex "mesh" on the 3-joint arm: 18 rows, 18 pose columns
        // (joints 1 and 2), 2 expression columns; splats on vertices 4, 1, 4.
        std::mt19937 rng(5);
        std::normal_distribution<float> n(0, 0.1f);
        Eigen::MatrixXf poseDirs(18, 18), exprDirs(18, 2);
        for (Eigen::Index i = 0; i < poseDirs.size(); ++i)
            poseDirs.data()[i] = n(rng);
        for (Eigen::Index i = 0; i < exprDirs.size(); ++i)
            exprDirs.data()[i] = n(rng);
        Eigen::MatrixXd regressor = Eigen::MatrixXd::Zero(3, 6);
        regressor(0, 0) = regressor(1, 1) = 1;
        regressor(2, 4) = regressor(2, 5) = 0.5;
        const SplatBlendShapes b =
            SplatBlendShapes::fromModel({4, 1, 4}, poseDirs, exprDirs, regressor);
        QCOMPARE(b.vertexOfSlot, std::vector<int>({4, 1}));
        QCOMPARE(b.slotOfSplat, std::vector<int>({0, 1, 0}));
        QCOMPARE(b.poseDirections.rows(), Eigen::Index(6));
        QVERIFY(b.poseDirections.middleRows(3, 3) == poseDirs.middleRows(3, 3));

        const Skeleton s = arm();
        SkeletonPose pose = s.restPose();
        std::vector<float> d;
        QVERIFY(!b.displacements(pose, d));  // at rest nothing moves
        pose.rotations[0] = {0.5, 0, 0};     // the root alone neither
        QVERIFY(!b.displacements(pose, d));
        pose.rotations[1] = {0, 0.3, 0.2};
        pose.rotations[2] = {0.1, 0, -0.4};
        pose.expression = {0.7, -1.2};
        QVERIFY(b.displacements(pose, d));
        Eigen::VectorXd feature(18);
        for (int k = 1; k < 3; ++k) {
            const Eigen::Matrix3d r =
                axisAngleMatrix(pose.rotations[std::size_t(k)]) - Eigen::Matrix3d::Identity();
            for (int a = 0; a < 3; ++a)
                for (int c = 0; c < 3; ++c)
                    feature[9 * (k - 1) + 3 * a + c] = r(a, c);
        }
        const Eigen::VectorXd all = poseDirs.cast<double>() * feature +
                                    exprDirs.cast<double>() * Eigen::Vector2d(0.7, -1.2);
        const int vertexOf[3] = {4, 1, 4};
        for (int i = 0; i < 3; ++i)
            for (int c = 0; c < 3; ++c)
                QVERIFY(std::abs(d[std::size_t(3 * i + c)] - all[3 * vertexOf[i] + c]) < 1e-5);

        // The joints move by the regressor's share of the expression.
        const Skeleton moved = b.skeletonAt(s, pose);
        const auto before = s.restPositions(), after = moved.restPositions();
        const Eigen::VectorXd shift = exprDirs.cast<double>() * Eigen::Vector2d(0.7, -1.2);
        QVERIFY((after[0] - before[0] - shift.segment<3>(0)).norm() < 1e-6);
        QVERIFY((after[1] - before[1] - shift.segment<3>(3)).norm() < 1e-6);
        QVERIFY(
            (after[2] - before[2] - 0.5 * (shift.segment<3>(12) + shift.segment<3>(15))).norm() <
            1e-6);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 SplatBlendShapes::fromModel({6}, poseDirs, exprDirs, regressor));
        SkeletonPose tooFew = pose;
        tooFew.rotations.pop_back();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, b.displacements(tooFew, d));
    }

    void blendShapeCorrectiveFollowsItsVertex() {
        // Splats of the procedural avatar bound at random to the vertices of
        // a model of random blend shapes: a posed centre is the plainly
        // skinned centre moved by its vertex's displacement through the
        // splat's blended transform; covariances are plain skinning's.
        // (bench_avatar_stats times this at real SMPL-X size.)
        const Avatar avatar = makeProceduralAvatar({4000});
        const Eigen::Index v = 500, joints = avatar.skeleton.size();
        std::mt19937 rng(9);
        std::vector<int> vertexOfSplat(avatar.cloud.size());
        std::uniform_int_distribution<int> pick(0, int(v) - 1);
        for (int& i : vertexOfSplat)
            i = pick(rng);
        const Eigen::MatrixXf poseDirs = Eigen::MatrixXf::Random(3 * v, 9 * (joints - 1)) * 0.01f;
        const Eigen::MatrixXf exprDirs = Eigen::MatrixXf::Random(3 * v, 10) * 0.001f;
        const Eigen::MatrixXd regressor = Eigen::MatrixXd::Random(joints, v).cwiseAbs() / double(v);
        Avatar corrected = avatar;
        corrected.blendShapes = std::make_shared<const SplatBlendShapes>(
            SplatBlendShapes::fromModel(vertexOfSplat, poseDirs, exprDirs, regressor));
        corrected.validate();

        const RenderSplats rest = avatar.restSplats();
        SkeletonPose pose = avatar.skeleton.restPose();
        std::normal_distribution<double> n(0, 0.3);
        for (auto& r : pose.rotations)
            r = {n(rng), n(rng), n(rng)};
        const RenderSplats plainOut = avatar.posed(rest, pose);
        const RenderSplats poseOut = corrected.posed(rest, pose);
        std::vector<float> d;
        QVERIFY(corrected.blendShapes->displacements(pose, d));
        const auto a = avatar.skeleton.skinningTransforms(pose);
        for (std::size_t i = 0; i < rest.size(); i += 397) {
            Eigen::Matrix3d m = Eigen::Matrix3d::Zero();
            for (int k = 0; k < kMaxBonesPerSplat; ++k)
                m += double(avatar.weights.weights[i][std::size_t(k)]) *
                     a[std::size_t(avatar.weights.bones[i][std::size_t(k)])].linear();
            const Eigen::Vector3d expected =
                Eigen::Vector3d(plainOut.centres[3 * i], plainOut.centres[3 * i + 1],
                                plainOut.centres[3 * i + 2]) +
                m * Eigen::Vector3d(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
            for (int c = 0; c < 3; ++c)
                QVERIFY(std::abs(poseOut.centres[3 * i + std::size_t(c)] - expected[c]) < 1e-5);
            QVERIFY(Eigen::Vector3d(d[3 * i], d[3 * i + 1], d[3 * i + 2]).norm() > 1e-4);
        }
        QCOMPARE(poseOut.covariances, plainOut.covariances);
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
