#include "splats/SplatDisplayValues.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace basin::widgets {

std::vector<std::string> splatValueNames(const std::vector<SplatQuantity>& quantities) {
    std::vector<std::string> names{"opacity", "scale"};
    for (const SplatQuantity& q : quantities)
        names.push_back(q.name);
    return names;
}

float largestStandardDeviation(const float* s) {
    // Eigenvalues of a symmetric 3×3 matrix in closed form (Smith 1961).
    const double a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5];
    const double p1 = b * b + c * c + e * e;
    double largest;
    if (p1 <= 0) {
        largest = std::max({a, d, f});
    } else {
        const double q = (a + d + f) / 3.0;
        const double p2 = (a - q) * (a - q) + (d - q) * (d - q) + (f - q) * (f - q) + 2.0 * p1;
        const double p = std::sqrt(p2 / 6.0);
        // B = (A − qI)/p; r = det(B)/2.
        const double ba = (a - q) / p, bd = (d - q) / p, bf = (f - q) / p;
        const double bb = b / p, bc = c / p, be = e / p;
        const double det =
            ba * (bd * bf - be * be) - bb * (bb * bf - be * bc) + bc * (bb * be - bd * bc);
        const double r = std::clamp(det / 2.0, -1.0, 1.0);
        const double phi = std::acos(r) / 3.0;
        largest = q + 2.0 * p * std::cos(phi);
    }
    return static_cast<float>(std::sqrt(std::max(largest, 0.0)));
}

std::vector<float> splatValues(const RenderSplats& splats,
                               const std::vector<SplatQuantity>& quantities,
                               const std::string& name) {
    if (name == "opacity") return splats.opacities;
    if (name == "scale") {
        std::vector<float> out(splats.size());
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = largestStandardDeviation(&splats.covariances[6 * i]);
        return out;
    }
    for (const SplatQuantity& q : quantities)
        if (q.name == name && q.values.size() == splats.size()) return q.values;
    return {};
}

std::vector<float> colourValues(const std::vector<float>& values, Colormap map) {
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (const float v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    std::vector<float> rgb(3 * values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        Rgb c{0.5f, 0.5f, 0.5f};
        if (std::isfinite(v)) c = sampleColormap(map, hi > lo ? (v - lo) / (hi - lo) : 0.5);
        rgb[3 * i] = c.r;
        rgb[3 * i + 1] = c.g;
        rgb[3 * i + 2] = c.b;
    }
    return rgb;
}

}  // namespace basin::widgets
