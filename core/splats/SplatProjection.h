#pragma once
// EWA splatting of one 3D Gaussian (Zwicker et al., "EWA Splatting", 2002)
// as the 3D Gaussian Splatting reference code does it (forward.cu
// preprocessCUDA): the view-space centre t, the perspective projection's
// Jacobian J at t (its tx/tz, ty/tz clamped to 1.3× the half field of view),
// the 2D covariance J W Σ Wᵀ Jᵀ with W the world → view rotation, plus 0.3
// on its diagonal (a low-pass filter of about one pixel), its inverse (the
// conic) and a square extent of 3 standard deviations of its larger axis.

#include <array>
#include <cstddef>

#include "splats/RenderSplats.h"
#include "splats/SplatCamera.h"

namespace basin {

struct ProjectedSplat {
    float x = 0, y = 0;                 // centre in pixels (pixel i's centre is i + ½)
    float depth = 0;                    // view-space z
    std::array<float, 3> covariance{};  // 2D covariance (a, b, c) = [[a b] [b c]], dilated
    std::array<float, 3> conic{};       // its inverse, same layout
    int radius = 0;                     // pixels: ceil(3 √λ_max)
    std::array<float, 3> colour{};      // SH colour in the viewing direction
    float opacity = 0;
};

// The 0.3 added to the projected covariance's diagonal.
constexpr float kSplatDilation = 0.3f;

// Projects splat i. Returns false when it is culled: centre closer than
// `nearPlane` in depth, a degenerate 2D covariance, or a non-finite value.
// `shDegree` is the degree used for colour (≤ the splats' own).
bool projectSplat(const RenderSplats& splats, std::size_t i, const SplatCamera& camera,
                  float nearPlane, int shDegree, ProjectedSplat* out);

}  // namespace basin
