// Skeleton: forward kinematics of a 3-joint chain against transforms worked
// out by hand, skinning transforms A_j = G_j(pose)·G_j(rest)⁻¹ moving rest
// points where the posed chain carries them, rest rotations, Rodrigues'
// formula against Eigen's AngleAxis, the SMPL-X joint table, and errors.

#include <Eigen/Geometry>
#include <cmath>
#include <stdexcept>

#include "BasinTest.h"
#include "splats/Skeleton.h"
#include "splats/SmplxJoints.h"

using namespace basin;

namespace {

constexpr double kHalfPi = 1.5707963267948966;

bool nearVector(const Eigen::Vector3d& a, const Eigen::Vector3d& b, double tol = 1e-12) {
    return (a - b).cwiseAbs().maxCoeff() <= tol;
}

bool nearMatrix(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b, double tol = 1e-12) {
    return (a - b).cwiseAbs().maxCoeff() <= tol;
}

// root at (1, 0, 0), child 1 up, grandchild 2 forward.
Skeleton chain() {
    Skeleton s;
    s.addJoint("root", -1, {1, 0, 0});
    s.addJoint("child", 0, {0, 1, 0});
    s.addJoint("tip", 1, {0, 0, 2});
    return s;
}

}  // namespace

class TestSkeleton : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chainForwardKinematics() {
        const Skeleton s = chain();
        SkeletonPose pose = s.restPose();
        pose.rotations[0] = {0, 0, kHalfPi};  // 90° about z
        pose.rotations[1] = {kHalfPi, 0, 0};  // 90° about x
        pose.translation = {0, 0, 5};
        const auto g = s.worldTransforms(pose);
        QCOMPARE(int(g.size()), 3);

        Eigen::Matrix3d rz, rx, rzx;
        rz << 0, -1, 0, 1, 0, 0, 0, 0, 1;
        rx << 1, 0, 0, 0, 0, -1, 0, 1, 0;
        rzx << 0, 0, 1, 1, 0, 0, 0, 1, 0;  // rz·rx by hand
        // G0 = T(0,0,5)·[Rz | (1,0,0)]
        QVERIFY(nearMatrix(g[0].linear(), rz));
        QVERIFY(nearVector(g[0].translation(), {1, 0, 5}));
        // G1 = G0·[Rx | (0,1,0)]: (1,0,5) + Rz(0,1,0) = (0,0,5)
        QVERIFY(nearMatrix(g[1].linear(), rzx));
        QVERIFY(nearVector(g[1].translation(), {0, 0, 5}));
        // G2 = G1·[I | (0,0,2)]: (0,0,5) + Rz·Rx·(0,0,2) = (2,0,5)
        QVERIFY(nearMatrix(g[2].linear(), rzx));
        QVERIFY(nearVector(g[2].translation(), {2, 0, 5}));

        // Rest positions are the summed offsets.
        const auto rest = s.restPositions();
        QVERIFY(nearVector(rest[0], {1, 0, 0}));
        QVERIFY(nearVector(rest[1], {1, 1, 0}));
        QVERIFY(nearVector(rest[2], {1, 1, 2}));

        // A_2 carries the rest tip to the posed tip, and a rest point one
        // unit past it along z to (2,0,5) + Rz·Rx·(0,0,1) = (3,0,5).
        const auto a = s.skinningTransforms(pose);
        QVERIFY(nearVector(a[2] * rest[2], {2, 0, 5}));
        QVERIFY(nearVector(a[2] * Eigen::Vector3d(1, 1, 3), {3, 0, 5}));
        // A_0 moves the rest root to the translated root and rotates about it.
        QVERIFY(nearVector(a[0] * rest[0], {1, 0, 5}));
        QVERIFY(nearVector(a[0] * Eigen::Vector3d(2, 0, 0), {1, 1, 5}));
    }

    void identityPoseGivesIdentitySkinning() {
        Skeleton s = chain();
        Eigen::Matrix3d tilt = axisAngleMatrix({0.3, -0.2, 0.5});
        s.addJoint("tilted", 2, {0.5, 0, 0}, tilt);
        s.addJoint("after", 3, {0, 0.25, 0});
        const auto a = s.skinningTransforms(s.restPose());
        for (const auto& t : a) {
            QVERIFY(nearMatrix(t.linear(), Eigen::Matrix3d::Identity(), 1e-14));
            QVERIFY(nearVector(t.translation(), Eigen::Vector3d::Zero(), 1e-14));
        }
        // The rest rotation turns the child's offset: (1,1,2)+(0.5,0,0)+tilt·(0,0.25,0).
        const auto rest = s.restPositions();
        QVERIFY(
            nearVector(rest[4], Eigen::Vector3d(1.5, 1, 2) + tilt * Eigen::Vector3d(0, 0.25, 0)));
        // A pose rotation acts in the joint's rest frame: rotating "tilted"
        // by θ about its own x axis moves "after" by tilt·Rx(θ)·(0,0.25,0).
        SkeletonPose pose = s.restPose();
        pose.rotations[3] = {0.7, 0, 0};
        const auto g = s.worldTransforms(pose);
        QVERIFY(nearVector(g[4].translation(),
                           Eigen::Vector3d(1.5, 1, 2) +
                               tilt * axisAngleMatrix({0.7, 0, 0}) * Eigen::Vector3d(0, 0.25, 0)));
    }

    void rodriguesMatchesAngleAxis() {
        const Eigen::Vector3d vs[] = {
            {0.1, 0.2, 0.3}, {-2.5, 0.4, 1.0}, {0, 0, 3.1}, {1e-14, 0, 0}};
        for (const auto& v : vs) {
            const double angle = v.norm();
            const Eigen::Matrix3d expected = Eigen::AngleAxisd(angle, v / angle).toRotationMatrix();
            QVERIFY(nearMatrix(axisAngleMatrix(v), expected, 1e-13));
            if (angle > 1e-6) QVERIFY(nearVector(matrixAxisAngle(axisAngleMatrix(v)), v, 1e-9));
        }
        QVERIFY(
            nearMatrix(axisAngleMatrix(Eigen::Vector3d::Zero()), Eigen::Matrix3d::Identity(), 0));
    }

    void smplxJointTable() {
        const auto& names = smplxJointNames();
        const auto& parents = smplxParents();
        QCOMPARE(int(names.size()), kSmplxJointCount);
        QCOMPARE(int(parents.size()), kSmplxJointCount);
        QCOMPARE(parents[0], -1);
        for (int j = 1; j < kSmplxJointCount; ++j)
            QVERIFY(parents[std::size_t(j)] < j);
        auto parentName = [&](int j) { return names[std::size_t(parents[std::size_t(j)])]; };
        QCOMPARE(names[kSmplxJaw], std::string("jaw"));
        QCOMPARE(parentName(kSmplxJaw), std::string("head"));
        QCOMPARE(names[kSmplxLeftHandFirst], std::string("left_index1"));
        QCOMPARE(parentName(kSmplxLeftHandFirst), std::string("left_wrist"));
        QCOMPARE(names[kSmplxRightHandFirst + 14], std::string("right_thumb3"));
        QCOMPARE(parentName(kSmplxRightHandFirst + 14), std::string("right_thumb2"));
        QCOMPARE(parentName(18), std::string("left_shoulder"));  // left_elbow
        QCOMPARE(names[18], std::string("left_elbow"));
    }

    void errors() {
        Skeleton s = chain();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, s.addJoint("x", 7, {0, 0, 0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, s.addJoint("child", 0, {0, 0, 0}));
        QCOMPARE(s.find("tip"), 2);
        QCOMPARE(s.find("nose"), -1);
        try {
            s.at("nose");
            QFAIL("expected an error");
        } catch (const std::out_of_range& e) {
            QVERIFY(std::string(e.what()).find("'nose'") != std::string::npos);
        }
        SkeletonPose pose;
        pose.rotations.resize(2);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, s.worldTransforms(pose));
        pose = s.restPose();
        pose.rotations[1].x() = std::nan("");
        try {
            s.worldTransforms(pose);
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QVERIFY(std::string(e.what()).find("'child'") != std::string::npos);
        }
        QCOMPARE(s.children(0), std::vector<int>{1});
    }
};

BASIN_TEST_MAIN(TestSkeleton)
#include "test_skeleton.moc"
