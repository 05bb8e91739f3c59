#include "splats/ShRotation.h"

#include <Eigen/LU>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "splats/SphericalHarmonics.h"

namespace basin {
namespace {

// Sample directions for bands 2 (the first five) and 3 (all seven), from a
// random search minimizing the condition numbers of Y_2 (3.05) and Y_3 (2.84).
constexpr double kDirections[7][3] = {
    {-0.786698, -0.075121, -0.612750}, {0.235390, 0.526991, 0.816623},
    {0.165197, -0.835748, 0.523675},   {-0.219417, 0.189496, -0.957052},
    {-0.498756, -0.812630, 0.301454},  {0.251504, -0.455915, -0.853749},
    {-0.847835, -0.530232, 0.005410},
};

struct SampleTables {
    std::array<std::array<float, 3>, 7> directions;  // kDirections normalized
    Eigen::Matrix<double, 5, 5> p2;                  // Y_2(d_0..d_4)⁻¹
    Eigen::Matrix<double, 7, 7> p3;                  // Y_3(d_0..d_6)⁻¹
    float p2f[5][5];
    float p3f[7][7];
};

SampleTables makeTables() {
    SampleTables t;
    Eigen::Matrix<double, 5, 5> y2;
    Eigen::Matrix<double, 7, 7> y3;
    for (int i = 0; i < 7; ++i) {
        const double* d = kDirections[i];
        const double norm = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        auto& u = t.directions[std::size_t(i)];
        for (int a = 0; a < 3; ++a)
            u[std::size_t(a)] = float(d[a] / norm);
        const std::array<float, 16> b = shBasis(3, u);
        for (int k = 0; k < 7; ++k)
            y3(i, k) = b[std::size_t(9 + k)];
        if (i < 5)
            for (int k = 0; k < 5; ++k)
                y2(i, k) = b[std::size_t(4 + k)];
    }
    t.p2 = y2.inverse();
    t.p3 = y3.inverse();
    for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 5; ++c)
            t.p2f[r][c] = float(t.p2(r, c));
    for (int r = 0; r < 7; ++r)
        for (int c = 0; c < 7; ++c)
            t.p3f[r][c] = float(t.p3(r, c));
    return t;
}

const SampleTables& tables() {
    static const SampleTables t = makeTables();
    return t;
}

// Rᵀ d, with R indexed r(row, column).
template <typename Matrix>
std::array<float, 3> rotatedBack(const Matrix& r, const std::array<float, 3>& d) {
    std::array<float, 3> e{};
    for (int a = 0; a < 3; ++a)
        e[std::size_t(a)] = float(r(0, a) * d[0] + r(1, a) * d[1] + r(2, a) * d[2]);
    return e;
}

// Bands 2 and 3 of shBasis at a unit direction: the same polynomials and
// constants (the tests compare the rotated colours with shBasis itself), kept
// here so that the per-splat loop inlines them.
inline void bands23(const std::array<float, 3>& d, float y2[5], float y3[7]) {
    const float x = d[0], y = d[1], z = d[2];
    const float xx = x * x, yy = y * y, zz = z * z;
    y2[0] = sh::C2[0] * x * y;
    y2[1] = sh::C2[1] * y * z;
    y2[2] = sh::C2[2] * (2.0f * zz - xx - yy);
    y2[3] = sh::C2[3] * x * z;
    y2[4] = sh::C2[4] * (xx - yy);
    y3[0] = sh::C3[0] * y * (3.0f * xx - yy);
    y3[1] = sh::C3[1] * x * y * z;
    y3[2] = sh::C3[2] * y * (4.0f * zz - xx - yy);
    y3[3] = sh::C3[3] * z * (2.0f * zz - 3.0f * xx - 3.0f * yy);
    y3[4] = sh::C3[4] * x * (4.0f * zz - xx - yy);
    y3[5] = sh::C3[5] * z * (xx - yy);
    y3[6] = sh::C3[6] * x * (xx - 3.0f * yy);
}

}  // namespace

Eigen::MatrixXd shBandRotation(int band, const Eigen::Matrix3d& rotation) {
    if (band == 1) {
        // With g = (−c_3, −c_1, c_2) the band-1 colour is C1 g·d (shBasis:
        // Y_1 = −C1 y, Y_2 = C1 z, Y_3 = −C1 x), and g turns as R g.
        Eigen::Matrix3d toG, fromG;
        toG << 0, 0, -1, -1, 0, 0, 0, 1, 0;
        fromG = toG.transpose();  // a signed permutation: its inverse
        return fromG * rotation * toG;
    }
    if (band != 2 && band != 3)
        throw std::invalid_argument("spherical-harmonic band " + std::to_string(band) +
                                    " has no rotation matrix (bands 1..3 turn, band 0 does not)");
    const SampleTables& t = tables();
    const int m = 2 * band + 1, first = band * band;
    Eigen::MatrixXd y(m, m);
    for (int i = 0; i < m; ++i) {
        const std::array<float, 16> b =
            shBasis(band, rotatedBack(rotation, t.directions[std::size_t(i)]));
        for (int k = 0; k < m; ++k)
            y(i, k) = b[std::size_t(first + k)];
    }
    if (band == 2) return t.p2 * y;
    return t.p3 * y;
}

void rotateShCoefficients(int degree, const Eigen::Matrix3f& r, float* c) {
    if (degree < 1) return;
    // Band 1 (coefficients 1..3), closed form as in shBandRotation.
    for (int ch = 0; ch < 3; ++ch) {
        const float gx = -c[9 + ch], gy = -c[3 + ch], gz = c[6 + ch];
        c[3 + ch] = -(r(1, 0) * gx + r(1, 1) * gy + r(1, 2) * gz);
        c[6 + ch] = r(2, 0) * gx + r(2, 1) * gy + r(2, 2) * gz;
        c[9 + ch] = -(r(0, 0) * gx + r(0, 1) * gy + r(0, 2) * gz);
    }
    if (degree < 2) return;
    const SampleTables& t = tables();
    // v[i][ch]: the band's colour along Rᵀ d_i, then c'_l = P_l v.
    float v2[5][3] = {}, v3[7][3] = {};
    for (int i = 0; i < (degree >= 3 ? 7 : 5); ++i) {
        float y2[5], y3[7];
        bands23(rotatedBack(r, t.directions[std::size_t(i)]), y2, y3);
        if (i < 5)
            for (int k = 0; k < 5; ++k)
                for (int ch = 0; ch < 3; ++ch)
                    v2[i][ch] += y2[k] * c[3 * (4 + k) + ch];
        if (degree >= 3)
            for (int k = 0; k < 7; ++k)
                for (int ch = 0; ch < 3; ++ch)
                    v3[i][ch] += y3[k] * c[3 * (9 + k) + ch];
    }
    for (int k = 0; k < 5; ++k)
        for (int ch = 0; ch < 3; ++ch) {
            float s = 0;
            for (int i = 0; i < 5; ++i)
                s += t.p2f[k][i] * v2[i][ch];
            c[3 * (4 + k) + ch] = s;
        }
    if (degree < 3) return;
    for (int k = 0; k < 7; ++k)
        for (int ch = 0; ch < 3; ++ch) {
            float s = 0;
            for (int i = 0; i < 7; ++i)
                s += t.p3f[k][i] * v3[i][ch];
            c[3 * (9 + k) + ch] = s;
        }
}

}  // namespace basin
