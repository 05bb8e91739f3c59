#pragma once
// A cloud of 3D Gaussians as 3D Gaussian Splatting (Kerbl et al., SIGGRAPH
// 2023) trains them: per splat a centre, a scale and a rotation (the
// covariance Σ = R S Sᵀ Rᵀ), an opacity and view-dependent colour as real
// spherical harmonics of degree 0–3, plus whatever else a training run stores
// per splat (EVA's part label `f_view_ind_0`, GaussianAvatars' `binding_0`).
//
// Values are kept as the file stores them (log scales, opacity logits, the
// unnormalized quaternion) so writing back is lossless; the activated values
// renderers use (exp, sigmoid, normalized w-first quaternion) are derived on
// load by activate() and kept beside them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace basin {

// A per-splat value with no fixed meaning in 3DGS, kept by name.
struct SplatQuantity {
    std::string name;  // the PLY property name ("f_view_ind_0")
    std::vector<float> values;  // one per splat
};

struct GaussianCloud {
    // As stored (3DGS PLY property names in brackets).
    std::vector<float> positions;      // [x y z] × N
    std::vector<float> logScales;      // [scale_0..2] × N
    std::vector<float> rawRotations;   // [rot_0..3] × N, w first, not normalized
    std::vector<float> opacityLogits;  // [opacity] × N
    int shDegree = 0;                  // 0..3
    // Per splat (shDegree+1)² coefficients × RGB, coefficient-major:
    // sh[(i·K + k)·3 + c] with k = 0 the DC term (f_dc_c), k ≥ 1 from
    // f_rest, which the file stores channel-major (all red, then green, blue).
    std::vector<float> sh;
    std::vector<SplatQuantity> quantities;
    // The PLY property names in the order the file had them (empty for a
    // cloud made in memory). writeGaussianPly keeps this order while it still
    // names exactly the cloud's values, so read → write is byte-identical.
    std::vector<std::string> propertyOrder;

    // Activated (derived by activate()).
    std::vector<float> scales;     // exp(logScales)
    std::vector<float> rotations;  // unit quaternion, w first
    std::vector<float> opacities;  // sigmoid(opacityLogits)

    std::size_t size() const { return opacityLogits.size(); }
    int shCoefficientCount() const { return (shDegree + 1) * (shDegree + 1); }
    // Recomputes scales, rotations and opacities from the stored values.
    void activate();
    // The quantity named `name`, or null.
    const SplatQuantity* quantity(const std::string& name) const;
    // The 3×3 covariance R S Sᵀ Rᵀ of splat i as its 6 upper entries
    // (xx, xy, xz, yy, yz, zz).
    std::array<float, 6> covariance(std::size_t i) const;
    // Axis-aligned bounds of the centres: {min x, y, z, max x, y, z}.
    std::array<float, 6> bounds() const;
    // Throws std::runtime_error naming the array whose length does not match
    // size() (or the degree).
    void validate() const;
};

}  // namespace basin
