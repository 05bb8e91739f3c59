// The procedural avatar: the SMPL-X rig's joint count and plausible rest
// positions; splat counts per part as requested; hand and face splats
// smaller than body ones; every splat's weights ≤ 4 bones summing to 1, its
// "bone" quantity the dominant one, of its own part's joints; the bounds of a
// ~1.7 m figure; determinism; poses (identity exact, the A-pose lowering the
// hands, the walk cycle periodic and mirrored after half a period) and the
// slider groups.

#include <QElapsedTimer>
#include <cmath>
#include <set>

#include "BasinTest.h"
#include "splats/AvatarPose.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SmplxJoints.h"

using namespace basin;

namespace {

const std::vector<float>& quantity(const GaussianCloud& cloud, const char* name) {
    const SplatQuantity* q = cloud.quantity(name);
    if (!q) throw std::runtime_error(std::string("no quantity ") + name);
    return q->values;
}

double meanY(const std::vector<float>& centres, const std::vector<float>& part, float which) {
    double sum = 0;
    int n = 0;
    for (std::size_t i = 0; i < part.size(); ++i)
        if (part[i] == which) {
            sum += centres[3 * i + 1];
            ++n;
        }
    return sum / n;
}

}  // namespace

class TestProceduralAvatar : public QObject {
    Q_OBJECT
private:
    Avatar avatar_;

private Q_SLOTS:
    void initTestCase() {
        QElapsedTimer timer;
        timer.start();
        avatar_ = makeProceduralAvatar();
        qInfo("procedural avatar of %zu splats built in %lld ms", avatar_.cloud.size(),
              static_cast<long long>(timer.elapsed()));
    }

    void rig() {
        const Skeleton& s = avatar_.skeleton;
        QCOMPARE(s.size(), kSmplxJointCount);
        const auto p = s.restPositions();
        auto at = [&](const char* name) { return p[std::size_t(s.at(name))]; };
        QVERIFY(at("head").y() > at("neck").y());
        QVERIFY(at("neck").y() > at("spine3").y());
        QVERIFY(at("left_knee").y() < at("left_hip").y());
        QVERIFY(at("left_wrist").x() > 0.5);  // T-pose, left at +x
        QVERIFY(std::abs(at("left_wrist").x() + at("right_wrist").x()) < 1e-12);
        // Every finger joint lies beyond its wrist.
        for (int k = 0; k < kSmplxHandJointCount; ++k)
            QVERIFY(p[std::size_t(kSmplxLeftHandFirst + k)].x() > at("left_wrist").x());
        // Limb lengths of an adult: thigh 0.38, shin 0.42, upper arm 0.26 m.
        QVERIFY(std::abs((at("left_knee") - at("left_hip")).norm() - 0.38) < 0.03);
        QVERIFY(std::abs((at("left_elbow") - at("left_shoulder")).norm() - 0.26) < 0.03);
    }

    void countsPerPart() {
        const GaussianCloud& c = avatar_.cloud;
        QCOMPARE(c.size(), std::size_t(80000));
        const auto& part = quantity(c, "part");
        std::array<int, 3> count{};
        for (float v : part) {
            QVERIFY(v == 0 || v == 1 || v == 2);
            ++count[std::size_t(v)];
        }
        qInfo("splats: body %d, hands %d, face %d", count[0], count[1], count[2]);
        // Shares 0.62 / 0.22 / 0.16 up to one splat per shape (≤ 50 shapes).
        QVERIFY(std::abs(count[1] - 0.22 * 80000) < 50);
        QVERIFY(std::abs(count[2] - 0.16 * 80000) < 50);
        QCOMPARE(count[0] + count[1] + count[2], 80000);

        const ProceduralAvatarOptions small{20000, 5, 0.3, 0.1};
        const Avatar a = makeProceduralAvatar(small);
        QCOMPARE(a.cloud.size(), std::size_t(20000));
        int hands = 0;
        for (float v : quantity(a.cloud, "part"))
            hands += v == 1;
        QVERIFY(std::abs(hands - 6000) < 50);
    }

    void handsAndFaceAreFiner() {
        const GaussianCloud& c = avatar_.cloud;
        const auto& part = quantity(c, "part");
        std::array<double, 3> sum{};
        std::array<int, 3> n{};
        for (std::size_t i = 0; i < c.size(); ++i) {
            const auto p = std::size_t(part[i]);
            sum[p] +=
                std::cbrt(double(c.scales[3 * i]) * c.scales[3 * i + 1] * c.scales[3 * i + 2]);
            ++n[p];
        }
        const double body = sum[0] / n[0], hand = sum[1] / n[1], face = sum[2] / n[2];
        qInfo(
            "mean splat size (geometric mean of scales): body %.2f mm, hands %.2f mm, face %.2f mm",
            body * 1e3, hand * 1e3, face * 1e3);
        QVERIFY(hand < 0.6 * body);
        QVERIFY(face < 0.8 * body);
        // Opacities activated, colours degree 0.
        QCOMPARE(c.shDegree, 0);
        for (float o : c.opacities)
            QVERIFY(o > 0.8f && o < 0.98f);
    }

    void weightsAreNormalizedAndLocal() {
        const GaussianCloud& c = avatar_.cloud;
        const SkinWeights& w = avatar_.weights;
        QCOMPARE(w.size(), c.size());
        const auto& part = quantity(c, "part");
        const auto& bone = quantity(c, "bone");
        // Hand splats follow the wrist and fingers, at the wrist also the forearm.
        std::set<int> handJoints = {s().at("left_wrist"), s().at("right_wrist"),
                                    s().at("left_elbow"), s().at("right_elbow")};
        for (int k = 0; k < 2 * kSmplxHandJointCount; ++k)
            handJoints.insert(kSmplxLeftHandFirst + k);
        const std::set<int> faceJoints = {s().at("head"), s().at("jaw"), kSmplxLeftEye,
                                          kSmplxRightEye, s().at("neck")};
        int blended = 0;
        for (std::size_t i = 0; i < c.size(); ++i) {
            double sum = 0;
            int used = 0;
            for (std::size_t k = 0; k < 4; ++k) {
                QVERIFY(w.weights[i][k] >= 0);
                sum += w.weights[i][k];
                used += w.weights[i][k] > 0;
            }
            QVERIFY(std::abs(sum - 1) < 1e-6);
            QVERIFY(used >= 1 && used <= kMaxBonesPerSplat);
            blended += w.weights[i][0] < 0.9f;
            const int dominant = w.dominantBone(i);
            QCOMPARE(int(bone[i]), dominant);
            if (part[i] == 1) QVERIFY(handJoints.count(dominant));
            if (part[i] == 2) QVERIFY(faceJoints.count(dominant));
        }
        // Joints blend: a good share of splats is not bound to one bone.
        QVERIFY(blended > int(c.size()) / 10);
        avatar_.validate();
    }

    void boundsOfAFigure() {
        const auto b = avatar_.cloud.bounds();
        qInfo("bounds: x %.3f..%.3f  y %.3f..%.3f  z %.3f..%.3f m", b[0], b[3], b[1], b[4], b[2],
              b[5]);
        const float height = b[4] - b[1];
        QVERIFY(height > 1.6f && height < 1.8f);
        QVERIFY(b[1] > -0.02f && b[1] < 0.03f);             // standing on y = 0
        QVERIFY(b[3] - b[0] > 1.5f && b[3] - b[0] < 2.0f);  // arm span in T-pose
        QVERIFY(b[5] - b[2] > 0.2f && b[5] - b[2] < 0.45f);
    }

    void deterministic() {
        const ProceduralAvatarOptions o{5000, 9, 0.22, 0.16};
        const Avatar a = makeProceduralAvatar(o), b = makeProceduralAvatar(o);
        QCOMPARE(a.cloud.positions, b.cloud.positions);
        QCOMPARE(a.cloud.sh, b.cloud.sh);
        QCOMPARE(a.weights.weights, b.weights.weights);
        const Avatar other = makeProceduralAvatar({5000, 10, 0.22, 0.16});
        QVERIFY(other.cloud.positions != a.cloud.positions);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeProceduralAvatar({10, 1, 0.2, 0.1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeProceduralAvatar({5000, 1, 0.6, 0.5}));
    }

    void poses() {
        const RenderSplats rest = avatar_.restSplats();
        const RenderSplats same = avatar_.posed(rest, tPose(avatar_.skeleton));
        QCOMPARE(same.centres, rest.centres);
        QCOMPARE(same.covariances, rest.covariances);

        const auto& part = quantity(avatar_.cloud, "part");
        const double angle = 0.8;
        const RenderSplats a = avatar_.posed(rest, aPose(avatar_.skeleton, angle));
        // Every bone of the left arm moves with the shoulder: left-hand splats
        // turn rigidly by −0.8 rad about z through the shoulder joint.
        const Eigen::Vector3d shoulder = s().restPositions()[std::size_t(s().at("left_shoulder"))];
        const Eigen::Matrix3d r = axisAngleMatrix({0, 0, -angle});
        int checked = 0;
        for (std::size_t i = 0; i < part.size(); ++i) {
            if (part[i] != 1 || rest.centres[3 * i] < 0) continue;
            const Eigen::Vector3d x(rest.centres[3 * i], rest.centres[3 * i + 1],
                                    rest.centres[3 * i + 2]);
            const Eigen::Vector3d expected = shoulder + r * (x - shoulder);
            for (int c = 0; c < 3; ++c)
                QVERIFY(std::abs(a.centres[3 * i + std::size_t(c)] - expected[c]) < 1e-5);
            ++checked;
        }
        QVERIFY(checked > 8000);
        const double drop = meanY(rest.centres, part, 1) - meanY(a.centres, part, 1);
        qInfo("A-pose: hands drop %.3f m", drop);
        QVERIFY(drop > 0.3);
        // The face does not move.
        QVERIFY(std::abs(meanY(rest.centres, part, 2) - meanY(a.centres, part, 2)) < 1e-5);
        a.validate();
    }

    void walkCycle() {
        const Skeleton& sk = avatar_.skeleton;
        const WalkCycle cycle;
        for (double t : {0.0, 0.13, 0.4, 0.77}) {
            const SkeletonPose p0 = walkPose(sk, t, cycle);
            const SkeletonPose p1 = walkPose(sk, t + cycle.period, cycle);
            const SkeletonPose p2 = walkPose(sk, t + 3 * cycle.period, cycle);
            for (int j = 0; j < sk.size(); ++j) {
                QVERIFY((p0.rotations[std::size_t(j)] - p1.rotations[std::size_t(j)]).norm() <
                        1e-9);
                QVERIFY((p0.rotations[std::size_t(j)] - p2.rotations[std::size_t(j)]).norm() <
                        1e-9);
            }
            QVERIFY((p0.translation - p1.translation).norm() < 1e-12);
            // Half a period later the legs have swapped.
            const SkeletonPose half = walkPose(sk, t + cycle.period / 2, cycle);
            const auto l = std::size_t(sk.at("left_hip")), r = std::size_t(sk.at("right_hip"));
            QVERIFY((half.rotations[l] - p0.rotations[r]).norm() < 1e-9);
        }
        // A quarter period in, the left leg is forward: its ankle ahead (+z) of the right.
        const auto g = sk.worldTransforms(walkPose(sk, cycle.period / 4, cycle));
        const double ahead = g[std::size_t(sk.at("left_ankle"))].translation().z() -
                             g[std::size_t(sk.at("right_ankle"))].translation().z();
        QVERIFY(ahead > 0.2);
        // And the feet stay near the floor level of the rest pose.
        const double lowest = std::min(g[std::size_t(sk.at("left_ankle"))].translation().y(),
                                       g[std::size_t(sk.at("right_ankle"))].translation().y());
        QVERIFY(lowest > 0.0 && lowest < 0.2);
    }

    void sliderGroups() {
        const auto groups = jointGroups(avatar_.skeleton);
        QCOMPARE(int(groups.size()), 4);
        QCOMPARE(groups[0].name, std::string("body"));
        QCOMPARE(int(groups[0].joints.size()), kSmplxBodyJointCount);
        QCOMPARE(int(groups[1].joints.size()), kSmplxHandJointCount);
        QCOMPARE(int(groups[2].joints.size()), kSmplxHandJointCount);
        QCOMPARE(groups[3].joints, (std::vector<int>{kSmplxJaw, kSmplxLeftEye, kSmplxRightEye}));
        // A skeleton without hands has no hand groups.
        Skeleton small;
        small.addJoint("pelvis", -1, {0, 1, 0});
        small.addJoint("jaw", 0, {0, 0.5, 0});
        const auto g = jointGroups(small);
        QCOMPARE(int(g.size()), 2);
        QCOMPARE(g[1].name, std::string("jaw and face"));
    }

private:
    const Skeleton& s() const { return avatar_.skeleton; }
};

BASIN_TEST_MAIN(TestProceduralAvatar)
#include "test_procedural_avatar.moc"
