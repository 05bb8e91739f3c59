#pragma once
// What every splat renderer draws: per splat a centre, a 3D covariance, an
// opacity and spherical-harmonic colour coefficients, all activated. It is
// made from a GaussianCloud (fromCloud) or, for a posed avatar, by skinning
// the rest cloud's centres and covariances (Σ' = A Σ Aᵀ); the CPU reference
// rasterizer and the GL renderer both take it as it is.

#include <cstddef>
#include <vector>

namespace basin {

struct GaussianCloud;

struct RenderSplats {
    std::vector<float> centres;      // [x y z] × N, world space
    std::vector<float> covariances;  // [xx xy xz yy yz zz] × N, the upper triangle of Σ
    std::vector<float> opacities;    // [opacity] × N, in [0, 1]
    int shDegree = 0;                // 0..3
    // (shDegree+1)² coefficients × RGB per splat, coefficient-major as in
    // GaussianCloud::sh: sh[(i·K + k)·3 + c], k = 0 the DC term.
    std::vector<float> sh;

    std::size_t size() const { return opacities.size(); }
    int shCoefficientCount() const { return (shDegree + 1) * (shDegree + 1); }
    // Throws std::runtime_error naming the array whose length does not match
    // size() (or the degree).
    void validate() const;

    // Centres, covariances (GaussianCloud::covariance), activated opacities
    // and SH coefficients of an activated cloud.
    static RenderSplats fromCloud(const GaussianCloud& cloud);
};

}  // namespace basin
