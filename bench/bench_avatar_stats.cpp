// bench_avatar_stats: what the avatar view computes besides drawing. Two
// procedural avatars of --splats N (default 1,000,000) and 0.9 N splats
// (different seeds) stand for two iterations of a run: their per-part
// comparison (IterationComparisonView.h: nearest-neighbour spacing within each
// part and centre matching within half the median spacing, on a uniform grid),
// and one A-pose re-skinning of each avatar as the pose panel does per walk
// frame (80k, the avatar's default, and N), of its degree-0 colours and of
// random degree-3 ones that turn with the bones, and of the 80k avatar with
// SMPL-X blend shapes carried to its splats (SplatBlendShapes.h: pose
// correctives, then 100 expression coefficients too) from a real-size random
// model (10,475 vertices, posedirs 31,425 × 486). Median of --runs (default 3), wall
// time. Exits with status 1 unless sampled spacings equal a brute-force search
// and the part counts add up.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "BenchStats.h"
#include "splats/AvatarPose.h"
#include "splats/IterationComparisonView.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SplatBlendShapes.h"
#include "splats/SplatStatsView.h"

using namespace basin;
using namespace basin::bench;

namespace {

Avatar avatarOf(std::size_t splats, std::uint64_t seed) {
    ProceduralAvatarOptions options;
    options.splatCount = splats;
    options.seed = seed;
    return makeProceduralAvatar(options);
}

// With shDegree 3 the rest colours get random degree-1..3 terms, which
// skinning turns with the bones (ShRotation.h).
double skinMs(const Avatar& avatar, int runs, int shDegree) {
    RenderSplats rest = avatar.restSplats();
    if (shDegree > 0) {
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> u(-0.2f, 0.2f);
        const std::size_t k = std::size_t((shDegree + 1) * (shDegree + 1));
        std::vector<float> sh(3 * k * rest.size());
        for (std::size_t i = 0; i < rest.size(); ++i)
            for (std::size_t j = 0; j < 3 * k; ++j)
                sh[3 * k * i + j] = j < 3 ? rest.sh[3 * i + j] : u(rng);
        rest.shDegree = shDegree;
        rest.sh = std::move(sh);
    }
    const SkeletonPose pose = aPose(avatar.skeleton);
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
        const auto t = Clock::now();
        const RenderSplats posed = avatar.posed(rest, pose);
        ms.push_back(msSince(t));
        if (posed.size() != rest.size()) return -1;
    }
    return median(ms);
}

// Brute-force spacing of `samples` random splats of part `label` of `cloud`,
// against the comparison's.
bool spacingsAgree(const GaussianCloud& cloud, const widgets::PartComparison& part, int samples) {
    const std::vector<int> labels = widgets::splatPartLabels(cloud);
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == part.label) members.push_back(i);
    if (members.size() != part.spacingA.size()) return false;
    std::mt19937 rng(7);
    for (int s = 0; s < samples; ++s) {
        const std::size_t k =
            std::uniform_int_distribution<std::size_t>(0, members.size() - 1)(rng);
        const float* p = &cloud.positions[3 * members[k]];
        double best = 1e30;
        for (std::size_t m : members) {
            if (m == members[k]) continue;
            const float* q = &cloud.positions[3 * m];
            best = std::min(best, double(q[0] - p[0]) * (q[0] - p[0]) +
                                      double(q[1] - p[1]) * (q[1] - p[1]) +
                                      double(q[2] - p[2]) * (q[2] - p[2]));
        }
        if (std::abs(std::sqrt(best) - double(part.spacingA[k])) > 1e-6) return false;
    }
    return true;
}

// Re-posing `avatar` (random pose, and with `expression` 100 coefficients)
// once its splats are bound at random to the vertices of a real-size SMPL-X
// model of random blend shapes; -1 when the splat count changes.
double blendShapeMs(const Avatar& avatar, int runs, bool expression, double* bindMs) {
    const Eigen::Index v = 10475, joints = avatar.skeleton.size();
    std::mt19937 rng(9);
    std::vector<int> vertexOfSplat(avatar.cloud.size());
    std::uniform_int_distribution<int> pick(0, int(v) - 1);
    for (int& i : vertexOfSplat)
        i = pick(rng);
    const Eigen::MatrixXf poseDirs = Eigen::MatrixXf::Random(3 * v, 9 * (joints - 1)) * 0.01f;
    const Eigen::MatrixXf exprDirs = Eigen::MatrixXf::Random(3 * v, 100) * 0.001f;
    const Eigen::MatrixXd regressor = Eigen::MatrixXd::Random(joints, v).cwiseAbs() / double(v);
    const auto t = Clock::now();
    Avatar bound = avatar;
    bound.blendShapes = std::make_shared<const SplatBlendShapes>(
        SplatBlendShapes::fromModel(vertexOfSplat, poseDirs, exprDirs, regressor));
    *bindMs = msSince(t);
    SkeletonPose pose = avatar.skeleton.restPose();
    std::normal_distribution<double> n(0, 0.3);
    for (auto& r : pose.rotations)
        r = {n(rng), n(rng), n(rng)};
    if (expression) pose.expression.assign(100, 0.5);
    const RenderSplats rest = avatar.restSplats();
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
        const auto start = Clock::now();
        const RenderSplats posed = bound.posed(rest, pose);
        ms.push_back(msSince(start));
        if (posed.size() != rest.size()) return -1;
    }
    return median(ms);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 3, count = 1000000;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--runs", 1, runs)) continue;
        if (intOption(argc, argv, i, "--splats", 1000, count)) continue;
        std::fprintf(stderr, "usage: bench_avatar_stats [--runs N] [--splats N]\n");
        return 2;
    }
    const std::size_t n = std::size_t(count);
    const Avatar a = avatarOf(n, 1), b = avatarOf(n * 9 / 10, 2), small = avatarOf(80000, 1);

    std::vector<double> compareMs;
    widgets::IterationComparison c;
    for (int r = 0; r < runs; ++r) {
        const auto t = Clock::now();
        c = widgets::compareIterations(a.cloud, b.cloud);
        compareMs.push_back(msSince(t));
    }
    std::printf("avatar statistics, median of %d:\n", runs);
    std::printf("  compare %zu with %zu splats per part   %9.1f ms (tolerance %.3g m)\n",
                a.cloud.size(), b.cloud.size(), median(compareMs), c.tolerance);
    std::size_t totalA = 0, totalB = 0;
    bool spacingOk = true;
    for (const widgets::PartComparison& p : c.parts) {
        std::printf(
            "    %-5s %8zu -> %8zu  added %8zu removed %8zu  median spacing %.3g -> %.3g mm\n",
            widgets::splatPartName(p.label).toUtf8().constData(), p.countA, p.countB, p.added(),
            p.removed(), 1e3 * p.medianSpacingA, 1e3 * p.medianSpacingB);
        totalA += p.countA;
        totalB += p.countB;
        spacingOk = spacingOk && spacingsAgree(a.cloud, p, 20);
    }
    for (const Avatar* avatar : {&small, &a})
        for (int degree : {0, 3})
            std::printf("  A-pose skinning of %7zu splats, SH degree %d %9.1f ms\n",
                        avatar->cloud.size(), degree,
                        skinMs(*avatar, avatar == &small ? std::max(runs, 5) : runs, degree));
    double bindMs = 0;
    const int smallRuns = std::max(runs, 5);
    const double correctiveMs = blendShapeMs(small, smallRuns, false, &bindMs);
    const double expressionMs = blendShapeMs(small, smallRuns, true, &bindMs);
    std::printf(
        "  SMPL-X re-posing of %7zu splats: pose correctives %.1f ms, with 100 "
        "expression coefficients %.1f ms (binding the blend shapes %.0f ms)\n",
        small.cloud.size(), correctiveMs, expressionMs, bindMs);
    if (totalA != a.cloud.size() || totalB != b.cloud.size() || !spacingOk) {
        std::fprintf(stderr, "bench_avatar_stats: %s\n",
                     spacingOk ? "the part counts do not add up"
                               : "a spacing differs from the brute-force search");
        return 1;
    }
    return 0;
}
