#include "splats/SphericalHarmonics.h"

#include <algorithm>
#include <cmath>

namespace basin {

std::array<float, 16> shBasis(int degree, const std::array<float, 3>& d) {
    std::array<float, 16> b{};
    b[0] = sh::C0;
    if (degree < 1) return b;
    const float x = d[0], y = d[1], z = d[2];
    b[1] = -sh::C1 * y;
    b[2] = sh::C1 * z;
    b[3] = -sh::C1 * x;
    if (degree < 2) return b;
    const float xx = x * x, yy = y * y, zz = z * z;
    const float xy = x * y, yz = y * z, xz = x * z;
    b[4] = sh::C2[0] * xy;
    b[5] = sh::C2[1] * yz;
    b[6] = sh::C2[2] * (2.0f * zz - xx - yy);
    b[7] = sh::C2[3] * xz;
    b[8] = sh::C2[4] * (xx - yy);
    if (degree < 3) return b;
    b[9] = sh::C3[0] * y * (3.0f * xx - yy);
    b[10] = sh::C3[1] * xy * z;
    b[11] = sh::C3[2] * y * (4.0f * zz - xx - yy);
    b[12] = sh::C3[3] * z * (2.0f * zz - 3.0f * xx - 3.0f * yy);
    b[13] = sh::C3[4] * x * (4.0f * zz - xx - yy);
    b[14] = sh::C3[5] * z * (xx - yy);
    b[15] = sh::C3[6] * x * (xx - 3.0f * yy);
    return b;
}

std::array<float, 3> shColour(int degree, const float* coefficients,
                              const std::array<float, 3>& direction) {
    std::array<float, 3> d = direction;
    const float norm = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (norm > 0)
        for (float& v : d)
            v /= norm;
    const std::array<float, 16> b = shBasis(degree, d);
    const int count = (degree + 1) * (degree + 1);
    std::array<float, 3> rgb{0.5f, 0.5f, 0.5f};
    for (int k = 0; k < count; ++k)
        for (int c = 0; c < 3; ++c)
            rgb[c] += b[k] * coefficients[3 * k + c];
    for (float& v : rgb)
        v = std::max(v, 0.0f);
    return rgb;
}

}  // namespace basin
