#include "splats/SplatProjection.h"

#include <algorithm>
#include <cmath>

#include "splats/SphericalHarmonics.h"

namespace basin {

bool projectSplat(const RenderSplats& splats, std::size_t i, const SplatCamera& camera,
                  float nearPlane, int shDegree, ProjectedSplat* out) {
    const float* p = &splats.centres[3 * i];
    const SplatVec3 t = camera.toView({p[0], p[1], p[2]});
    if (!(t[2] > nearPlane)) return false;
    const float fx = camera.focalX(), fy = camera.focalY();

    // The Jacobian of (fx x/z, fy y/z) at t; outside 1.3× the field of view
    // the reference clamps x/z and y/z so that far off-screen splats do not
    // get huge footprints.
    const float limX = 1.3f * camera.tanHalfFovX(), limY = 1.3f * camera.tanHalfFovY();
    const float z = t[2];
    const float tx = std::clamp(t[0] / z, -limX, limX) * z;
    const float ty = std::clamp(t[1] / z, -limY, limY) * z;
    const float j00 = fx / z, j02 = -fx * tx / (z * z);
    const float j11 = fy / z, j12 = -fy * ty / (z * z);

    // T = J W (2×3), then cov2D = T Σ Tᵀ.
    const std::array<float, 9> w = camera.rotation();
    float T[2][3];
    for (int c = 0; c < 3; ++c) {
        T[0][c] = j00 * w[c] + j02 * w[6 + c];
        T[1][c] = j11 * w[3 + c] + j12 * w[6 + c];
    }
    const float* s = &splats.covariances[6 * i];
    const float S[3][3] = {{s[0], s[1], s[2]}, {s[1], s[3], s[4]}, {s[2], s[4], s[5]}};
    float TS[2][3];
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c)
            TS[r][c] = T[r][0] * S[0][c] + T[r][1] * S[1][c] + T[r][2] * S[2][c];
    float a = TS[0][0] * T[0][0] + TS[0][1] * T[0][1] + TS[0][2] * T[0][2];
    const float b = TS[0][0] * T[1][0] + TS[0][1] * T[1][1] + TS[0][2] * T[1][2];
    float c = TS[1][0] * T[1][0] + TS[1][1] * T[1][1] + TS[1][2] * T[1][2];
    a += kSplatDilation;
    c += kSplatDilation;

    const float det = a * c - b * b;
    if (!(det > 0) || !std::isfinite(det)) return false;
    const float mid = 0.5f * (a + c);
    const float lambdaMax = mid + std::sqrt(std::max(0.1f, mid * mid - det));

    ProjectedSplat& o = *out;
    o.x = fx * t[0] / z + 0.5f * static_cast<float>(camera.width);
    o.y = fy * t[1] / z + 0.5f * static_cast<float>(camera.height);
    if (!std::isfinite(o.x) || !std::isfinite(o.y)) return false;
    o.depth = z;
    o.covariance = {a, b, c};
    o.conic = {c / det, -b / det, a / det};
    const float radius = std::ceil(3.0f * std::sqrt(lambdaMax));
    o.radius = static_cast<int>(std::min(radius, 1e6f));
    o.opacity = splats.opacities[i];
    const int degree = std::min(shDegree, splats.shDegree);
    const std::size_t k = static_cast<std::size_t>(splats.shCoefficientCount());
    o.colour =
        shColour(degree, &splats.sh[3 * k * i],
                 {p[0] - camera.position[0], p[1] - camera.position[1], p[2] - camera.position[2]});
    // A NaN opacity or SH coefficient (readers drop such splats; clouds made
    // in memory may hold them) would spread NaN over every pixel behind it.
    return std::isfinite(o.opacity) && std::isfinite(o.colour[0]) && std::isfinite(o.colour[1]) &&
           std::isfinite(o.colour[2]);
}

}  // namespace basin
