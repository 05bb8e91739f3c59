#include "splats/LinearBlendSkinning.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>

#include "splats/ShRotation.h"

namespace basin {

void SkinWeights::append(std::vector<std::pair<int, double>> pairs) {
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (pairs.size() > std::size_t(kMaxBonesPerSplat)) pairs.resize(kMaxBonesPerSplat);
    double total = 0;
    for (const auto& p : pairs)
        total += std::max(0.0, p.second);
    std::array<int, kMaxBonesPerSplat> b{};
    std::array<float, kMaxBonesPerSplat> w{};
    for (std::size_t k = 0; k < pairs.size(); ++k) {
        b[k] = pairs[k].first;
        w[k] = total > 0 ? float(std::max(0.0, pairs[k].second) / total) : (k == 0 ? 1.f : 0.f);
    }
    if (pairs.empty()) w[0] = 1.f;
    // Make the float weights sum to 1 as closely as floats can: the largest
    // takes the rounding remainder.
    float rest = 0;
    for (int k = 1; k < kMaxBonesPerSplat; ++k)
        rest += w[std::size_t(k)];
    w[0] = 1.f - rest;
    bones.push_back(b);
    weights.push_back(w);
}

int SkinWeights::dominantBone(std::size_t i) const {
    const auto& w = weights[i];
    const auto k = std::size_t(std::max_element(w.begin(), w.end()) - w.begin());
    return bones[i][k];
}

void SkinWeights::validate(std::size_t splatCount, int boneCount) const {
    if (bones.size() != splatCount || weights.size() != splatCount)
        throw std::invalid_argument("skinning weights for " + std::to_string(bones.size()) +
                                    " splats, but the cloud has " + std::to_string(splatCount));
    for (std::size_t i = 0; i < splatCount; ++i) {
        double sum = 0;
        for (std::size_t k = 0; k < std::size_t(kMaxBonesPerSplat); ++k) {
            const float w = weights[i][k];
            if (!std::isfinite(w) || w < 0)
                throw std::invalid_argument("splat " + std::to_string(i) +
                                            " has a negative or non-finite skinning weight");
            if (w > 0 && (bones[i][k] < 0 || bones[i][k] >= boneCount))
                throw std::invalid_argument("splat " + std::to_string(i) + " is bound to bone " +
                                            std::to_string(bones[i][k]) + " of a skeleton with " +
                                            std::to_string(boneCount) + " joints");
            sum += w;
        }
        if (std::abs(sum - 1.0) > 1e-4)
            throw std::invalid_argument("the skinning weights of splat " + std::to_string(i) +
                                        " sum to " + std::to_string(sum) + ", not 1");
    }
}

std::array<float, 6> upperEntries(const Eigen::Matrix3d& m) {
    return {float(m(0, 0)), float(m(0, 1)), float(m(0, 2)),
            float(m(1, 1)), float(m(1, 2)), float(m(2, 2))};
}

Eigen::Matrix3d symmetricFromUpper(const float* u) {
    Eigen::Matrix3d m;
    m << u[0], u[1], u[2], u[1], u[3], u[4], u[2], u[4], u[5];
    return m;
}

bool polarRotation(const Eigen::Matrix3d& m, Eigen::Matrix3d& rotation) {
    Eigen::Matrix3d x = m;
    for (int iteration = 0; iteration < 50; ++iteration) {
        const Eigen::Vector3d r0 = x.row(0).transpose(), r1 = x.row(1).transpose(),
                              r2 = x.row(2).transpose();
        const double det = r0.dot(r1.cross(r2));
        if (!(det > 0) || !std::isfinite(det)) return false;
        // X⁻ᵀ = cofactor(X) / det X; its rows are the rows' pairwise cross products.
        Eigen::Matrix3d inverseTransposed;
        inverseTransposed.row(0) = r1.cross(r2).transpose();
        inverseTransposed.row(1) = r2.cross(r0).transpose();
        inverseTransposed.row(2) = r0.cross(r1).transpose();
        // Higham's scaling speeds up matrices far from orthogonal; near one
        // (most blends) the plain step converges as fast and skips the cube root.
        const double gamma = std::abs(det - 1) > 0.05 ? 1.0 / std::cbrt(det) : 1.0;
        const Eigen::Matrix3d next = 0.5 * (gamma * x + inverseTransposed / (gamma * det));
        const double change = (next - x).cwiseAbs().maxCoeff();
        x = next;
        // Quadratic convergence: the error after a step is about ½ change²,
        // below 1e-12 here, far below float rounding.
        if (change < 1e-6) break;
    }
    rotation = x;
    return x.allFinite();
}

namespace {

// skinSplats, and where `sh` is given (degree ≥ 1, (degree+1)² RGB triples
// per splat, a copy of the rest coefficients) the SH turned in place by each
// moving splat's polar rotation; where `displacement` is given (3N floats)
// each centre moves by it before skinning.
SkinnedSplats skinAll(const std::vector<float>& centres, const std::vector<float>& covariances,
                      const SkinWeights& weights, const std::vector<Eigen::Isometry3d>& transforms,
                      int shDegree, float* sh, const std::vector<float>* displacement) {
    const std::size_t n = centres.size() / 3;
    if (centres.size() != 3 * n || covariances.size() != 6 * n)
        throw std::invalid_argument("skinning " + std::to_string(centres.size()) +
                                    " centre floats and " + std::to_string(covariances.size()) +
                                    " covariance floats: expected 3 and 6 per splat");
    if (displacement && displacement->size() != centres.size())
        throw std::invalid_argument("displacements for " +
                                    std::to_string(displacement->size() / 3) +
                                    " splats, a cloud of " + std::to_string(n));
    weights.validate(n, int(transforms.size()));
    // R_j − I and t_j per bone, so that bones that do not move add exactly 0.
    std::vector<Eigen::Matrix3d> delta(transforms.size());
    for (std::size_t j = 0; j < transforms.size(); ++j)
        delta[j] = transforms[j].linear() - Eigen::Matrix3d::Identity();
    const bool turnSh = sh != nullptr && shDegree >= 1;
    const std::size_t shStride = 3 * std::size_t((shDegree + 1) * (shDegree + 1));

    SkinnedSplats out;
    out.centres.resize(3 * n);
    out.covariances.resize(6 * n);
    auto skinRange = [&](std::size_t first, std::size_t last) {
        for (std::size_t i = first; i < last; ++i) {
            Eigen::Matrix3d dm = Eigen::Matrix3d::Zero();
            Eigen::Vector3d b = Eigen::Vector3d::Zero();
            for (std::size_t k = 0; k < std::size_t(kMaxBonesPerSplat); ++k) {
                const double w = weights.weights[i][k];
                if (w == 0) continue;
                const auto j = std::size_t(weights.bones[i][k]);
                dm += w * delta[j];
                b += w * transforms[j].translation();
            }
            Eigen::Vector3d x(centres[3 * i], centres[3 * i + 1], centres[3 * i + 2]);
            Eigen::Vector3d moved = b;
            if (displacement) {
                const Eigen::Vector3d d((*displacement)[3 * i], (*displacement)[3 * i + 1],
                                        (*displacement)[3 * i + 2]);
                x += d;
                moved += d;
            }
            moved += dm * x;
            for (std::size_t c = 0; c < 3; ++c)
                out.centres[3 * i + c] = centres[3 * i + c] + float(moved[Eigen::Index(c)]);
            // Σ' − Σ with M = I + D; exactly 0 when D is.
            const Eigen::Matrix3d sigma = symmetricFromUpper(&covariances[6 * i]);
            const Eigen::Matrix3d m = Eigen::Matrix3d::Identity() + dm;
            const auto d = upperEntries(m * sigma * m.transpose() - sigma);
            for (std::size_t c = 0; c < 6; ++c)
                out.covariances[6 * i + c] = covariances[6 * i + c] + d[c];
            // Splats whose bones do not turn (D = 0) keep their colour exactly.
            if (!turnSh || (dm.array() == 0.0).all()) continue;
            Eigen::Matrix3d r;
            if (!polarRotation(m, r)) r = transforms[std::size_t(weights.dominantBone(i))].linear();
            rotateShCoefficients(shDegree, r.cast<float>(), sh + shStride * i);
        }
    };
    // Splats are independent: large clouds are shared among threads (smaller
    // shares when SH is turned too, which costs a few times the skinning).
    const std::size_t grain = turnSh ? 8192 : 32768;
    const std::size_t threads =
        std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), n / grain + 1);
    if (threads <= 1) {
        skinRange(0, n);
        return out;
    }
    std::vector<std::thread> workers;
    const std::size_t chunk = (n + threads - 1) / threads;
    for (std::size_t t = 1; t < threads; ++t)
        workers.emplace_back(skinRange, t * chunk, std::min(n, (t + 1) * chunk));
    skinRange(0, std::min(n, chunk));
    for (auto& w : workers)
        w.join();
    return out;
}

}  // namespace

SkinnedSplats skinSplats(const std::vector<float>& centres, const std::vector<float>& covariances,
                         const SkinWeights& weights,
                         const std::vector<Eigen::Isometry3d>& transforms) {
    return skinAll(centres, covariances, weights, transforms, 0, nullptr, nullptr);
}

RenderSplats skinRenderSplats(const RenderSplats& rest, const SkinWeights& weights,
                              const std::vector<Eigen::Isometry3d>& transforms,
                              const std::vector<float>* displacement) {
    RenderSplats posed = rest;
    float* sh = nullptr;
    if (rest.shDegree >= 1) {
        const std::size_t n = rest.centres.size() / 3;
        if (rest.shDegree > 3 || rest.sh.size() != 3 * n * std::size_t(rest.shCoefficientCount()))
            throw std::invalid_argument(
                "skinning splats with " + std::to_string(rest.sh.size()) + " SH floats of degree " +
                std::to_string(rest.shDegree) + ": expected 3 × " +
                std::to_string(std::max(0, rest.shCoefficientCount())) + " per splat for " +
                std::to_string(n) + " splats of degree ≤ 3");
        sh = posed.sh.data();
    }
    SkinnedSplats skinned = skinAll(rest.centres, rest.covariances, weights, transforms,
                                    rest.shDegree, sh, displacement);
    posed.centres = std::move(skinned.centres);
    posed.covariances = std::move(skinned.covariances);
    return posed;
}

}  // namespace basin
