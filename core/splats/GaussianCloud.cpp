#include "splats/GaussianCloud.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace basin {

void GaussianCloud::activate() {
    const std::size_t n = size();
    scales.resize(3 * n);
    rotations.resize(4 * n);
    opacities.resize(n);
    for (std::size_t i = 0; i < 3 * n && i < logScales.size(); ++i)
        scales[i] = std::exp(logScales[i]);
    for (std::size_t i = 0; i < n && 4 * i + 3 < rawRotations.size(); ++i) {
        const float* q = &rawRotations[4 * i];
        const double length = std::sqrt(double(q[0]) * q[0] + double(q[1]) * q[1] +
                                        double(q[2]) * q[2] + double(q[3]) * q[3]);
        float* out = &rotations[4 * i];
        if (!(length > 0.0) || !std::isfinite(length)) {
            // No rotation to normalize: the identity, as torch's normalize
            // would give NaNs the renderer cannot use.
            out[0] = 1.0f;
            out[1] = out[2] = out[3] = 0.0f;
            continue;
        }
        for (int c = 0; c < 4; ++c)
            out[c] = float(q[c] / length);
    }
    // 3DGS's opacity activation: sigmoid of the stored logit.
    for (std::size_t i = 0; i < n; ++i)
        opacities[i] = float(1.0 / (1.0 + std::exp(-double(opacityLogits[i]))));
}

const SplatQuantity* GaussianCloud::quantity(const std::string& name) const {
    for (const auto& q : quantities) {
        if (q.name == name) return &q;
    }
    return nullptr;
}

std::array<float, 6> GaussianCloud::covariance(std::size_t i) const {
    // Σ = R S Sᵀ Rᵀ with R from the unit quaternion (w, x, y, z) as 3DGS's
    // build_rotation writes it and S = diag(scale).
    const float* q = &rotations[4 * i];
    const double w = q[0], x = q[1], y = q[2], z = q[3];
    const double r[3][3] = {
        {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
        {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
        {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)},
    };
    double m[3][3];  // M = R S
    for (int row = 0; row < 3; ++row) {
        for (int col = 0; col < 3; ++col)
            m[row][col] = r[row][col] * scales[3 * i + std::size_t(col)];
    }
    auto entry = [&](int a, int b) {
        return float(m[a][0] * m[b][0] + m[a][1] * m[b][1] + m[a][2] * m[b][2]);
    };
    return {entry(0, 0), entry(0, 1), entry(0, 2), entry(1, 1), entry(1, 2), entry(2, 2)};
}

std::array<float, 6> GaussianCloud::bounds() const {
    constexpr float inf = std::numeric_limits<float>::infinity();
    std::array<float, 6> b = {inf, inf, inf, -inf, -inf, -inf};
    for (std::size_t i = 0; i + 2 < positions.size(); i += 3) {
        for (std::size_t c = 0; c < 3; ++c) {
            b[c] = std::min(b[c], positions[i + c]);
            b[c + 3] = std::max(b[c + 3], positions[i + c]);
        }
    }
    return b;
}

void GaussianCloud::validate() const {
    if (shDegree < 0 || shDegree > 3)
        throw std::runtime_error("Gaussian cloud: SH degree " + std::to_string(shDegree) +
                                 " is outside 0..3");
    const std::size_t n = size();
    auto check = [n](const char* what, std::size_t actual, std::size_t perSplat,
                     bool emptyAllowed) {
        if (emptyAllowed && actual == 0) return;
        if (actual != perSplat * n)
            throw std::runtime_error("Gaussian cloud: " + std::string(what) + " holds " +
                                     std::to_string(actual) + " values, expected " +
                                     std::to_string(perSplat) + " × " + std::to_string(n) +
                                     " splats");
    };
    check("positions", positions.size(), 3, false);
    check("logScales", logScales.size(), 3, false);
    check("rawRotations", rawRotations.size(), 4, false);
    check("sh", sh.size(), std::size_t(shCoefficientCount()) * 3, false);
    check("scales", scales.size(), 3, true);
    check("rotations", rotations.size(), 4, true);
    check("opacities", opacities.size(), 1, true);
    for (const auto& q : quantities)
        check(("quantity " + q.name).c_str(), q.values.size(), 1, false);
}

}  // namespace basin
