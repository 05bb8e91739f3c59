#pragma once
// The CPU reference renderer of 3D Gaussian splats: the oracle the GL
// renderer is compared with and the headless exporter (`basin
// render-splats`). It follows the 3D Gaussian Splatting reference
// rasterizer (Kerbl et al. 2023): every splat projected by EWA splatting
// (SplatProjection.h), sorted front to back by view depth (DepthSort.h),
// binned into 16×16 pixel tiles, and composited per pixel front to back with
// α = min(0.99, opacity · exp(−½ dᵀ Σ⁻¹ d)), contributions with α < 1/255
// skipped, and the pixel finished once its transmittance would fall below
// 10⁻⁴; what transmittance is left shows the background. Tiles are shared by
// worker threads; the image does not depend on their number.

#include <array>
#include <cstddef>
#include <vector>

#include "splats/RenderSplats.h"
#include "splats/SplatCamera.h"

namespace basin {

struct SplatImage {
    int width = 0;
    int height = 0;
    std::vector<float> rgb;            // [r g b] × width × height, row-major, top row first
    std::vector<float> transmittance;  // per pixel, what the splats let through (1: none drawn)
};

struct SplatRasterOptions {
    std::array<float, 3> background{0.0f, 0.0f, 0.0f};
    int shDegree = 3;        // the highest SH degree evaluated (the splats' own if lower)
    float nearPlane = 0.2f;  // splats with view depth ≤ this are culled (as the reference)
    int threads = 0;         // 0: one per hardware thread
};

SplatImage rasterizeSplats(const RenderSplats& splats, const SplatCamera& camera,
                           const SplatRasterOptions& options = {});

}  // namespace basin
