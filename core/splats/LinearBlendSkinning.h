#pragma once
// Linear blend skinning of Gaussian splats: each splat follows up to four
// bones with weights summing to 1. With A_j = [R_j | t_j] the skinning
// transforms of a pose (Skeleton::skinningTransforms), the blended transform
// is M = Σ w_j R_j, b = Σ w_j t_j; a centre moves to x' = M x + b and a
// covariance to Σ' = M Σ Mᵀ (the Gaussian pushed through the affine map).
// M is not a rotation where bones disagree, so the covariance shrinks there
// as the skin does (the candy-wrapper effect of LBS). View-dependent colour
// (spherical harmonics of degree ≥ 1) turns with R, the rotation factor of
// M's polar decomposition M = R S (the rotation closest to M; M itself where
// the bones agree), so that colour'(d) = colour(Rᵀ d) (ShRotation.h).

#include <Eigen/Geometry>
#include <array>
#include <cstddef>
#include <vector>

#include "splats/RenderSplats.h"

namespace basin {

constexpr int kMaxBonesPerSplat = 4;

// Per splat up to four (bone, weight) pairs; unused slots have weight 0.
struct SkinWeights {
    std::vector<std::array<int, kMaxBonesPerSplat>> bones;
    std::vector<std::array<float, kMaxBonesPerSplat>> weights;

    std::size_t size() const { return bones.size(); }
    // Keeps the four largest of `pairs` (bone, weight ≥ 0), normalized to sum
    // to 1 (pairs summing to 0 give all weight to the first bone).
    void append(std::vector<std::pair<int, double>> pairs);
    // The bone with the largest weight of splat i.
    int dominantBone(std::size_t i) const;
    // Throws std::invalid_argument naming the first splat whose bone is out
    // of [0, boneCount), whose weight is negative or not finite, or whose
    // weights do not sum to 1 within 1e-4.
    void validate(std::size_t splatCount, int boneCount) const;
};

// Skinned centres and covariances, the input renderers need.
struct SkinnedSplats {
    std::vector<float> centres;      // [x y z] × N
    std::vector<float> covariances;  // [xx xy xz yy yz zz] × N
};

// Skins N rest-pose centres (3N floats) and covariances (6N floats, upper
// entries as GaussianCloud::covariance gives them). Throws
// std::invalid_argument for mismatched sizes or bad weights. The identity
// pose returns the inputs exactly (the blend is computed as x + Σ w_j (A_j x − x)).
SkinnedSplats skinSplats(const std::vector<float>& centres, const std::vector<float>& covariances,
                         const SkinWeights& weights,
                         const std::vector<Eigen::Isometry3d>& transforms);

// A rest-pose renderer input posed: centres and covariances skinned as
// skinSplats does, opacities kept, and the SH coefficients of degree ≥ 1
// turned by each splat's polar rotation R (rotateShCoefficients). Splats whose
// bones do not move keep their coefficients exactly, as do degree-0 clouds.
// Where M has no rotation factor (det M ≤ 0, bones turned apart by about
// 180°) the splat's colour turns with its dominant bone instead. With
// `displacement` (3N floats, rest space, e.g. blend shapes) each centre is
// moved by it before skinning: x' = M (x + d) + b; throws
// std::invalid_argument when its length is not the centres'.
RenderSplats skinRenderSplats(const RenderSplats& rest, const SkinWeights& weights,
                              const std::vector<Eigen::Isometry3d>& transforms,
                              const std::vector<float>* displacement = nullptr);

// The rotation factor R of the polar decomposition M = R S (S symmetric
// positive definite), found by Higham's scaled Newton iteration
// X ← ½(γ X + γ⁻¹ X⁻ᵀ), γ = |det X|^(−1/3), which converges quadratically
// (one step when M is already a rotation). Returns false when det M ≤ 0 or M
// is not finite: M then has no rotation factor.
bool polarRotation(const Eigen::Matrix3d& m, Eigen::Matrix3d& rotation);

// The 6 upper entries of a symmetric 3×3 matrix and back.
std::array<float, 6> upperEntries(const Eigen::Matrix3d& m);
Eigen::Matrix3d symmetricFromUpper(const float* upper);

}  // namespace basin
