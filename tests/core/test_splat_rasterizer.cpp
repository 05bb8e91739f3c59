// The CPU reference splat rasterizer against independent computations: the
// analytic 2D Gaussian of an isotropic splat (with the 0.3 dilation), the
// projected covariance of a rotated anisotropic splat against a numerical
// Jacobian of the pinhole projection, front-to-back compositing of two
// splats in either input order, SH degree 1 colour against its formula, a
// random scene against a brute-force double-precision renderer written here,
// RenderSplats::fromCloud, the SH basis orthonormal on the sphere, and the
// camera's framing.

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "BasinTest.h"
#include "splats/GaussianCloud.h"
#include "splats/SphericalHarmonics.h"
#include "splats/SplatCamera.h"
#include "splats/SplatProjection.h"
#include "splats/SplatRasterizer.h"

using namespace basin;

namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;

// R S Sᵀ Rᵀ from scales and a w-first unit quaternion, in double.
Mat3 covarianceOf(const std::array<double, 3>& s, std::array<double, 4> q) {
    const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    for (double& v : q)
        v /= n;
    const double w = q[0], x = q[1], y = q[2], z = q[3];
    const Mat3 r = {{{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                     {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                     {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}}};
    Mat3 c{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k)
                c[i][j] += r[i][k] * s[k] * s[k] * r[j][k];
    return c;
}

// One splat with constant colour `rgb` (SH degree 0).
void addSplat(RenderSplats& s, const std::array<float, 3>& centre, const Mat3& cov, float opacity,
              const std::array<float, 3>& rgb) {
    for (float v : centre)
        s.centres.push_back(v);
    for (const auto& [i, j] : {std::pair{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}})
        s.covariances.push_back(static_cast<float>(cov[i][j]));
    s.opacities.push_back(opacity);
    for (float c : rgb)
        s.sh.push_back((c - 0.5f) / sh::C0);
}

Mat3 isotropic(double sigma) {
    Mat3 c{};
    for (int i = 0; i < 3; ++i)
        c[i][i] = sigma * sigma;
    return c;
}

float pixel(const SplatImage& image, int x, int y, int c) {
    return image.rgb[3 * (static_cast<std::size_t>(y) * image.width + x) + c];
}

// The camera's pixel coordinates of a world point, from its position and
// target alone (x right, y down, z forward; principal point at the centre).
std::array<double, 2> pinhole(const SplatCamera& cam, const std::array<double, 3>& p) {
    std::array<double, 3> f, r, d;
    for (int i = 0; i < 3; ++i)
        f[i] = cam.target[i] - cam.position[i];
    auto normalize = [](std::array<double, 3>& v) {
        const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for (double& x : v)
            x /= n;
    };
    normalize(f);
    r = {-f[2], 0, f[0]};  // f × (0, 1, 0)
    normalize(r);
    d = {f[1] * r[2] - f[2] * r[1], f[2] * r[0] - f[0] * r[2], f[0] * r[1] - f[1] * r[0]};
    std::array<double, 3> q;
    for (int i = 0; i < 3; ++i)
        q[i] = p[i] - cam.position[i];
    const double x = r[0] * q[0] + r[1] * q[1] + r[2] * q[2];
    const double y = d[0] * q[0] + d[1] * q[1] + d[2] * q[2];
    const double z = f[0] * q[0] + f[1] * q[1] + f[2] * q[2];
    const double focal = 0.5 * cam.height / std::tan(0.5 * cam.fovYDegrees * M_PI / 180.0);
    return {focal * x / z + 0.5 * cam.width, focal * y / z + 0.5 * cam.height};
}

}  // namespace

class TestSplatRasterizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void isotropicSplatIsTheAnalyticGaussian() {
        const SplatCamera cam = SplatCamera::orbit({0, 0, 0}, 0, 0, 5, 40, 65, 65);
        RenderSplats s;
        const double sigma = 0.25, opacity = 0.8;
        addSplat(s, {0, 0, 0}, isotropic(sigma), static_cast<float>(opacity), {1, 1, 1});
        SplatRasterOptions options;
        options.threads = 3;
        const SplatImage image = rasterizeSplats(s, cam, options);
        QCOMPARE(image.width, 65);
        QCOMPARE(image.height, 65);

        // Projected standard deviation at the centre: focal·σ/z; plus 0.3.
        const double focal = 0.5 * 65 / std::tan(20.0 * M_PI / 180.0);
        const double var = std::pow(focal * sigma / 5.0, 2) + 0.3;
        const double radius = std::ceil(3 * std::sqrt(var));
        int compared = 0;
        for (int y = 0; y < 65; ++y) {
            for (int x = 0; x < 65; ++x) {
                const double dx = x + 0.5 - 32.5, dy = y + 0.5 - 32.5;
                const double alpha = opacity * std::exp(-0.5 * (dx * dx + dy * dy) / var);
                const float v = pixel(image, x, y, 0);
                // Radially symmetric: mirrored and transposed pixels agree.
                QVERIFY(std::abs(v - pixel(image, 64 - x, y, 0)) < 1e-6f);
                QVERIFY(std::abs(v - pixel(image, y, x, 0)) < 1e-6f);
                QCOMPARE(pixel(image, x, y, 1), v);
                if (std::abs(dx) > radius || std::abs(dy) > radius || alpha < 1.0 / 255) {
                    QCOMPARE(v, 0.0f);  // outside the 3σ square, or α below 1/255
                } else {
                    QVERIFY2(
                        std::abs(v - alpha) < 1e-3,
                        qPrintable(
                            QStringLiteral("(%1, %2): %3 vs %4").arg(x).arg(y).arg(v).arg(alpha)));
                    ++compared;
                }
            }
        }
        QVERIFY(compared > 100);
        QVERIFY(std::abs(pixel(image, 32, 32, 0) - opacity) < 1e-3);
        QVERIFY(std::abs(image.transmittance[32 * 65 + 32] - (1 - opacity)) < 1e-3);
    }

    void rotatedAnisotropicCovarianceMatchesNumericalJacobian() {
        const SplatCamera cam = SplatCamera::orbit({0.1f, 0.2f, 0}, 35, 20, 4, 50, 320, 240);
        const std::array<double, 3> centre{0.4, -0.3, 0.25};
        const Mat3 cov = covarianceOf({0.3, 0.05, 0.12}, {0.8, 0.3, -0.4, 0.5});
        RenderSplats s;
        addSplat(s, {0.4f, -0.3f, 0.25f}, cov, 0.7f, {0.2f, 0.5f, 0.9f});
        ProjectedSplat p;
        QVERIFY(projectSplat(s, 0, cam, 0.2f, 3, &p));

        // Central differences of the pinhole projection at the centre: J W.
        const double h = 1e-5;
        double jw[2][3];
        for (int k = 0; k < 3; ++k) {
            std::array<double, 3> a = centre, b = centre;
            a[k] += h;
            b[k] -= h;
            const auto pa = pinhole(cam, a), pb = pinhole(cam, b);
            for (int r = 0; r < 2; ++r)
                jw[r][k] = (pa[r] - pb[r]) / (2 * h);
        }
        double expected[2][2] = {};
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 2; ++c)
                for (int i = 0; i < 3; ++i)
                    for (int j = 0; j < 3; ++j)
                        expected[r][c] += jw[r][i] * cov[i][j] * jw[c][j];
        expected[0][0] += 0.3;
        expected[1][1] += 0.3;
        const double scale = std::max(expected[0][0], expected[1][1]);
        QVERIFY(std::abs(p.covariance[0] - expected[0][0]) < 1e-4 * scale);
        QVERIFY(std::abs(p.covariance[1] - expected[0][1]) < 1e-4 * scale);
        QVERIFY(std::abs(p.covariance[2] - expected[1][1]) < 1e-4 * scale);
        QVERIFY(std::abs(p.covariance[1]) > 0.05 * scale);  // really rotated in the image
        const auto mean = pinhole(cam, centre);
        QVERIFY(std::abs(p.x - mean[0]) < 1e-3);
        QVERIFY(std::abs(p.y - mean[1]) < 1e-3);
        // The conic is the inverse; the extent covers 3σ of the major axis.
        const double a = p.covariance[0], b = p.covariance[1], c = p.covariance[2];
        QVERIFY(std::abs(a * p.conic[0] + b * p.conic[1] - 1) < 1e-4);
        QVERIFY(std::abs(a * p.conic[1] + b * p.conic[2]) < 1e-4);
        const double major = 0.5 * (a + c) + std::sqrt(0.25 * (a - c) * (a - c) + b * b);
        QCOMPARE(p.radius, static_cast<int>(std::ceil(3 * std::sqrt(major))));
    }

    void twoSplatsCompositeFrontToBackInEitherOrder() {
        const SplatCamera cam = SplatCamera::orbit({0, 0, 0}, 0, 0, 5, 40, 33, 33);
        const std::array<float, 3> red{1, 0, 0}, green{0, 1, 0};
        RenderSplats nearFirst, farFirst;
        addSplat(nearFirst, {0, 0, 0.5f}, isotropic(0.2), 0.6f, red);  // nearer the camera
        addSplat(nearFirst, {0, 0, -0.5f}, isotropic(0.2), 0.7f, green);
        addSplat(farFirst, {0, 0, -0.5f}, isotropic(0.2), 0.7f, green);
        addSplat(farFirst, {0, 0, 0.5f}, isotropic(0.2), 0.6f, red);
        SplatRasterOptions options;
        options.background = {0, 0, 1};
        const SplatImage a = rasterizeSplats(nearFirst, cam, options);
        const SplatImage b = rasterizeSplats(farFirst, cam, options);
        QVERIFY(a.rgb == b.rgb);
        // At the centre both Gaussians are at their peak: α = opacity.
        const float r = pixel(a, 16, 16, 0), g = pixel(a, 16, 16, 1), bl = pixel(a, 16, 16, 2);
        QVERIFY(std::abs(r - 0.6f) < 1e-5f);
        QVERIFY(std::abs(g - 0.4f * 0.7f) < 1e-5f);
        QVERIFY(std::abs(bl - 0.4f * 0.3f) < 1e-5f);
        // Seen from behind, green is in front.
        const SplatImage back =
            rasterizeSplats(nearFirst, SplatCamera::orbit({0, 0, 0}, 180, 0, 5, 40, 33, 33));
        QVERIFY(std::abs(pixel(back, 16, 16, 1) - 0.7f) < 1e-5f);
        QVERIFY(std::abs(pixel(back, 16, 16, 0) - 0.3f * 0.6f) < 1e-5f);
    }

    void opaqueStackStopsAtTinyTransmittance() {
        // α 0.99 then 0.98 leave T = 2·10⁻⁴; a third with α 0.99 would take it
        // below 10⁻⁴, so it is not drawn and the pixel is finished.
        const SplatCamera cam = SplatCamera::orbit({0, 0, 0}, 0, 0, 5, 40, 33, 33);
        RenderSplats s;
        addSplat(s, {0, 0, 1.0f}, isotropic(0.2), 1.0f, {1, 0, 0});
        addSplat(s, {0, 0, 0.5f}, isotropic(0.2), 0.98f, {0, 1, 0});
        addSplat(s, {0, 0, 0.0f}, isotropic(0.2), 1.0f, {0, 0, 1});
        const SplatImage image = rasterizeSplats(s, cam);
        QVERIFY(std::abs(pixel(image, 16, 16, 0) - 0.99f) < 1e-6f);
        QVERIFY(std::abs(pixel(image, 16, 16, 1) - 0.01f * 0.98f) < 1e-6f);
        QCOMPARE(pixel(image, 16, 16, 2), 0.0f);
        QVERIFY(std::abs(image.transmittance[16 * 33 + 16] - 2e-4f) < 1e-7f);
    }

    void shDegreeOneColourFollowsTheViewDirection() {
        RenderSplats s;
        s.shDegree = 1;
        s.centres = {0, 0, 0};
        const Mat3 c = isotropic(0.2);
        s.covariances = {float(c[0][0]), 0, 0, float(c[1][1]), 0, float(c[2][2])};
        s.opacities = {0.5f};
        // DC 0 (colour 0.5); Y₁ = −C1·y, Y₂ = C1·z, Y₃ = −C1·x carry blue, green, red.
        s.sh = {0, 0, 0, 0, 0, 0.4f, 0, 0.6f, 0, 0.8f, 0, 0};
        struct View {
            float azimuth, elevation;
        };
        for (const View v : {View{0, 0}, View{90, 0}, View{-90, 0}, View{30, 40}, View{200, -25}}) {
            const SplatCamera cam =
                SplatCamera::orbit({0, 0, 0}, v.azimuth, v.elevation, 5, 40, 33, 33);
            // Direction from the camera to the splat.
            double d[3];
            for (int i = 0; i < 3; ++i)
                d[i] = -cam.position[i] / 5.0;
            const double expected[3] = {std::max(0.0, 0.5 - sh::C1 * d[0] * 0.8),
                                        std::max(0.0, 0.5 + sh::C1 * d[2] * 0.6),
                                        std::max(0.0, 0.5 - sh::C1 * d[1] * 0.4)};
            const SplatImage image = rasterizeSplats(s, cam);
            for (int ch = 0; ch < 3; ++ch)
                QVERIFY2(std::abs(pixel(image, 16, 16, ch) - 0.5 * expected[ch]) < 1e-5,
                         qPrintable(QStringLiteral("azimuth %1 channel %2: %3 vs %4")
                                        .arg(v.azimuth)
                                        .arg(ch)
                                        .arg(pixel(image, 16, 16, ch))
                                        .arg(0.5 * expected[ch])));
            // Degree 0 only: the DC colour whatever the view.
            SplatRasterOptions dcOnly;
            dcOnly.shDegree = 0;
            const SplatImage flat = rasterizeSplats(s, cam, dcOnly);
            for (int ch = 0; ch < 3; ++ch)
                QVERIFY(std::abs(pixel(flat, 16, 16, ch) - 0.25f) < 1e-5f);
        }
    }

    void shBasisHasTheReferenceConstants() {
        // Degree 3 on the z axis: only the zonal terms are non-zero.
        const auto b = shBasis(3, {0, 0, 1});
        QCOMPARE(b[0], sh::C0);
        QCOMPARE(b[2], sh::C1);
        QCOMPARE(b[6], 2 * sh::C2[2]);
        QCOMPARE(b[12], 2 * sh::C3[3]);
        for (int k : {1, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15})
            QCOMPARE(b[k], 0.0f);
        // Clamped below at zero.
        const float coefficients[3] = {-10, 0, 10};
        const auto rgb = shColour(0, coefficients, {1, 0, 0});
        QCOMPARE(rgb[0], 0.0f);
        QCOMPARE(rgb[1], 0.5f);
        QVERIFY(std::abs(rgb[2] - (0.5f + 10 * sh::C0)) < 1e-6f);
    }

    void shBasisIsOrthonormalOnTheSphere() {
        // ∫ Y_k Y_l dΩ = δ_kl for all 16 functions of degree ≤ 3 (whatever the
        // signs): midpoint rule in cos θ and φ, where dΩ = d(cos θ) dφ.
        const int nu = 300, nphi = 300;
        double gram[16][16] = {};
        for (int i = 0; i < nu; ++i) {
            const double z = -1 + (i + 0.5) * 2.0 / nu, r = std::sqrt(1 - z * z);
            for (int j = 0; j < nphi; ++j) {
                const double phi = (j + 0.5) * 2 * M_PI / nphi;
                const auto b =
                    shBasis(3, {float(r * std::cos(phi)), float(r * std::sin(phi)), float(z)});
                for (int k = 0; k < 16; ++k)
                    for (int l = 0; l < 16; ++l)
                        gram[k][l] += double(b[k]) * b[l];
            }
        }
        const double w = (2.0 / nu) * (2 * M_PI / nphi);
        for (int k = 0; k < 16; ++k)
            for (int l = 0; l < 16; ++l)
                QVERIFY2(std::abs(gram[k][l] * w - (k == l ? 1.0 : 0.0)) < 1e-3,
                         qPrintable(
                             QStringLiteral("<Y%1, Y%2> = %3").arg(k).arg(l).arg(gram[k][l] * w)));
    }

    void nearPlaneCullsAndThreadsDoNotChangeTheImage() {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> u(-1, 1);
        RenderSplats s;
        for (int i = 0; i < 300; ++i)
            addSplat(s, {u(rng), u(rng), u(rng)},
                     covarianceOf({0.02 + 0.05 * std::abs(u(rng)), 0.03, 0.01},
                                  {u(rng), u(rng), u(rng), u(rng)}),
                     0.5f + 0.5f * std::abs(u(rng)), {std::abs(u(rng)), std::abs(u(rng)), 0.5f});
        const SplatCamera cam = SplatCamera::orbit({0, 0, 0}, 20, 10, 3, 50, 100, 80);
        SplatRasterOptions one, four;
        one.threads = 1;
        four.threads = 4;
        const SplatImage a = rasterizeSplats(s, cam, one);
        QVERIFY(a.rgb == rasterizeSplats(s, cam, four).rgb);
        // A camera inside the cloud: splats behind or within 0.2 are culled, no NaN.
        const SplatCamera inside = SplatCamera::orbit({0, 0, 0}, 0, 0, 0.1f, 60, 64, 64);
        for (float v : rasterizeSplats(s, inside).rgb)
            QVERIFY(std::isfinite(v));
        // Non-finite values cull the splat instead of spreading NaN.
        RenderSplats broken;
        addSplat(broken, {0, 0, 0}, isotropic(0.2), 0.5f, {1, 0, 0});
        addSplat(broken, {0, 0, 0.1f}, isotropic(0.2), 0.5f, {0, 1, 0});
        addSplat(broken, {0, 0, 0.2f}, isotropic(0.2), 0.5f, {0, 0, 1});
        addSplat(broken, {std::nanf(""), 0, 0.3f}, isotropic(0.2), 0.5f, {1, 1, 1});
        broken.sh[3] = std::numeric_limits<float>::infinity();  // the green splat's colour
        broken.opacities[2] = std::nanf("");
        const SplatImage clean =
            rasterizeSplats(broken, SplatCamera::orbit({0, 0, 0}, 0, 0, 5, 40, 33, 33));
        for (float v : clean.rgb)
            QVERIFY(std::isfinite(v));
        QVERIFY(std::abs(pixel(clean, 16, 16, 0) - 0.5f) < 1e-5f);  // only red is drawn
        QCOMPARE(pixel(clean, 16, 16, 1), 0.0f);
        ProjectedSplat p;
        RenderSplats behind;
        addSplat(behind, {0, 0, 6}, isotropic(0.1), 1, {1, 1, 1});
        QVERIFY(!projectSplat(behind, 0, SplatCamera::orbit({0, 0, 0}, 0, 0, 5, 40, 32, 32), 0.2f,
                              0, &p));
    }

    void randomSceneMatchesABruteForceRenderer() {
        // Every pixel against every splat in double precision, with the 2D
        // covariance from a numerical Jacobian and SH degree 2 evaluated from
        // the basis written out here. Opacities ≤ 0.35 keep α < 1/255 beyond
        // 3σ of the major axis, where tiles may or may not evaluate a splat.
        std::mt19937 rng(21);
        std::uniform_real_distribution<double> u(-1, 1);
        const SplatCamera cam = SplatCamera::orbit({0, 0.1f, 0}, -25, 30, 4, 45, 64, 48);
        RenderSplats s;
        s.shDegree = 2;
        struct Splat {
            std::array<double, 3> centre;
            Mat3 cov;
            double opacity;
            std::array<double, 27> sh;
        };
        std::vector<Splat> splats;
        for (int i = 0; i < 40; ++i) {
            Splat sp;
            sp.centre = {0.8 * u(rng), 0.6 * u(rng), 0.8 * u(rng)};
            sp.cov = covarianceOf({0.03 + 0.1 * std::abs(u(rng)), 0.03 + 0.05 * std::abs(u(rng)),
                                   0.02 + 0.02 * std::abs(u(rng))},
                                  {u(rng), u(rng), u(rng), u(rng)});
            sp.opacity = 0.1 + 0.25 * std::abs(u(rng));
            for (double& c : sp.sh)
                c = 0.4 * u(rng);
            splats.push_back(sp);
            for (double c : sp.centre)
                s.centres.push_back(float(c));
            for (const auto& [a, b] : {std::pair{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}})
                s.covariances.push_back(float(sp.cov[a][b]));
            s.opacities.push_back(float(sp.opacity));
            for (double c : sp.sh)
                s.sh.push_back(float(c));
        }
        SplatRasterOptions options;
        options.background = {0.2f, 0.3f, 0.4f};
        const SplatImage image = rasterizeSplats(s, cam, options);

        // Brute force: project, sort by depth, composite.
        struct Flat {
            double depth, x, y, inv[3], opacity, rgb[3];
        };
        std::vector<Flat> flats;
        const double h = 1e-6;
        for (const Splat& sp : splats) {
            const auto forward = [&](const std::array<double, 3>& p) {
                double d[3], n = 0;
                for (int i = 0; i < 3; ++i)
                    n += std::pow(cam.target[i] - cam.position[i], 2);
                for (int i = 0; i < 3; ++i)
                    d[i] = (cam.target[i] - cam.position[i]) / std::sqrt(n);
                return d[0] * (p[0] - cam.position[0]) + d[1] * (p[1] - cam.position[1]) +
                       d[2] * (p[2] - cam.position[2]);
            };
            Flat f;
            f.depth = forward(sp.centre);
            QVERIFY(f.depth > 0.2);
            const auto mean = pinhole(cam, sp.centre);
            f.x = mean[0];
            f.y = mean[1];
            double jw[2][3];
            for (int k = 0; k < 3; ++k) {
                std::array<double, 3> a = sp.centre, b = sp.centre;
                a[k] += h;
                b[k] -= h;
                const auto pa = pinhole(cam, a), pb = pinhole(cam, b);
                for (int r = 0; r < 2; ++r)
                    jw[r][k] = (pa[r] - pb[r]) / (2 * h);
            }
            double c2[2][2] = {};
            for (int r = 0; r < 2; ++r)
                for (int c = 0; c < 2; ++c)
                    for (int i = 0; i < 3; ++i)
                        for (int j = 0; j < 3; ++j)
                            c2[r][c] += jw[r][i] * sp.cov[i][j] * jw[c][j];
            c2[0][0] += 0.3;
            c2[1][1] += 0.3;
            const double det = c2[0][0] * c2[1][1] - c2[0][1] * c2[0][1];
            f.inv[0] = c2[1][1] / det;
            f.inv[1] = -c2[0][1] / det;
            f.inv[2] = c2[0][0] / det;
            f.opacity = sp.opacity;
            double d[3], n = 0;
            for (int i = 0; i < 3; ++i)
                n += std::pow(sp.centre[i] - cam.position[i], 2);
            for (int i = 0; i < 3; ++i)
                d[i] = (sp.centre[i] - cam.position[i]) / std::sqrt(n);
            const double x = d[0], y = d[1], z = d[2];
            const double basis[9] = {0.28209479177387814,
                                     -0.4886025119029199 * y,
                                     0.4886025119029199 * z,
                                     -0.4886025119029199 * x,
                                     1.0925484305920792 * x * y,
                                     -1.0925484305920792 * y * z,
                                     0.31539156525252005 * (2 * z * z - x * x - y * y),
                                     -1.0925484305920792 * x * z,
                                     0.5462742152960396 * (x * x - y * y)};
            for (int c = 0; c < 3; ++c) {
                double v = 0.5;
                for (int k = 0; k < 9; ++k)
                    v += basis[k] * sp.sh[3 * k + c];
                f.rgb[c] = std::max(0.0, v);
            }
            flats.push_back(f);
        }
        std::stable_sort(flats.begin(), flats.end(),
                         [](const Flat& a, const Flat& b) { return a.depth < b.depth; });
        double worst = 0, sum = 0;
        int lit = 0;
        for (int py = 0; py < 48; ++py) {
            for (int px = 0; px < 64; ++px) {
                double T = 1, rgb[3] = {0, 0, 0};
                for (const Flat& f : flats) {
                    const double dx = px + 0.5 - f.x, dy = py + 0.5 - f.y;
                    const double power =
                        -0.5 * (f.inv[0] * dx * dx + f.inv[2] * dy * dy) - f.inv[1] * dx * dy;
                    const double alpha = std::min(0.99, f.opacity * std::exp(power));
                    if (alpha < 1.0 / 255) continue;
                    if (T * (1 - alpha) < 1e-4) break;
                    for (int c = 0; c < 3; ++c)
                        rgb[c] += f.rgb[c] * alpha * T;
                    T *= 1 - alpha;
                }
                lit += T < 0.95;
                for (int c = 0; c < 3; ++c) {
                    const double expected = rgb[c] + T * options.background[c];
                    const double diff = std::abs(pixel(image, px, py, c) - expected);
                    worst = std::max(worst, diff);
                    sum += diff;
                }
            }
        }
        qInfo("brute force vs rasterizer: max %.2e, mean %.2e, %d pixels lit", worst,
              sum / (64 * 48 * 3), lit);
        QVERIFY(lit > 250);
        QVERIFY(worst < 5e-3);  // an α at the 1/255 cut-off in float vs double
        QVERIFY(sum / (64 * 48 * 3) < 1e-6);
    }

    void fromCloudTakesTheActivatedValues() {
        GaussianCloud cloud;
        cloud.positions = {0.1f, 0.2f, 0.3f, -1.0f, 0.5f, 2.0f};
        cloud.logScales = {std::log(0.3f),  std::log(0.05f), std::log(0.12f),
                           std::log(0.02f), std::log(0.02f), std::log(0.2f)};
        cloud.rawRotations = {1.6f, 0.6f, -0.8f, 1.0f, 0.0f, 0.0f, 2.0f, 0.0f};  // not unit
        cloud.opacityLogits = {0.5f, -1.0f};
        cloud.shDegree = 1;
        for (int i = 0; i < 2 * 4 * 3; ++i)
            cloud.sh.push_back(0.01f * float(i) - 0.1f);
        cloud.activate();
        const RenderSplats s = RenderSplats::fromCloud(cloud);
        QCOMPARE(s.size(), std::size_t(2));
        QCOMPARE(s.shDegree, 1);
        QVERIFY(s.sh == cloud.sh);
        QVERIFY(s.centres == cloud.positions);
        const Mat3 expected[2] = {covarianceOf({0.3, 0.05, 0.12}, {1.6, 0.6, -0.8, 1.0}),
                                  covarianceOf({0.02, 0.02, 0.2}, {0, 0, 2, 0})};
        for (int i = 0; i < 2; ++i) {
            QVERIFY(std::abs(s.opacities[i] - 1 / (1 + std::exp(-cloud.opacityLogits[i]))) < 1e-6);
            int k = 0;
            for (const auto& [r, c] : {std::pair{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}})
                QVERIFY2(std::abs(s.covariances[6 * i + k++] - expected[i][r][c]) < 1e-6,
                         qPrintable(QStringLiteral("splat %1 entry %2").arg(i).arg(k - 1)));
        }
        // A rotation of 180° about y swaps the signs of x and z: Σ stays diagonal.
        QVERIFY(std::abs(s.covariances[6 + 1]) < 1e-7f);
        QVERIFY(std::abs(s.covariances[6 + 5] - 0.04f) < 1e-7f);

        RenderSplats broken = s;
        broken.covariances.pop_back();
        try {
            broken.validate();
            QFAIL("a short covariance array was accepted");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("covariances holds 11 values, expected 12"),
                     e.what());
        }
    }

    void otherUpAxesTurnTheView() {
        RenderSplats s;
        addSplat(s, {0.5f, 0.3f, 0.0f}, isotropic(0.1), 0.9f, {1, 0, 0});
        addSplat(s, {-0.2f, -0.4f, 0.1f}, isotropic(0.15), 0.7f, {0, 1, 0});
        addSplat(s, {0.0f, 0.2f, 0.6f}, isotropic(0.1), 0.8f, {0, 0, 1});
        const SplatImage yUp =
            rasterizeSplats(s, SplatCamera::orbit({0, 0, 0}, 0, 0, 4, 40, 48, 32));
        const SplatImage yDown =
            rasterizeSplats(s, SplatCamera::orbit({0, 0, 0}, 0, 0, 4, 40, 48, 32, {0, -1, 0}));
        // −y up, seen from +z: the picture turned by 180°.
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 48; ++x)
                for (int c = 0; c < 3; ++c)
                    QVERIFY(std::abs(pixel(yUp, x, y, c) - pixel(yDown, 47 - x, 31 - y, c)) <
                            1e-5f);
        // +z up, azimuth 0 looks from −y: +z is at the top, +x on the right.
        const SplatCamera zUp = SplatCamera::orbit({0, 0, 0}, 0, 0, 4, 40, 48, 32, {0, 0, 1});
        QVERIFY(std::abs(zUp.position[1] + 4) < 1e-5f);
        const SplatVec3 top = zUp.toView({0, 0, 1}), right = zUp.toView({1, 0, 0});
        QVERIFY(top[1] < -0.99f);  // view y points down
        QVERIFY(right[0] > 0.99f);
        // Azimuth turns right-handedly about up: 90° about +z looks from +x.
        const SplatCamera zUp90 = SplatCamera::orbit({0, 0, 0}, 90, 0, 4, 40, 48, 32, {0, 0, 1});
        QVERIFY(std::abs(zUp90.position[0] - 4) < 1e-5f);
    }

    void framingKeepsTheBoundsInView() {
        const std::array<float, 6> bounds{-0.4f, 0.0f, -0.2f, 0.4f, 1.8f, 0.3f};
        for (float az : {0.0f, 45.0f, 135.0f}) {
            const SplatCamera cam = SplatCamera::framing(bounds, az, 15, 40, 200, 100);
            for (int corner = 0; corner < 8; ++corner) {
                const std::array<double, 3> p{bounds[corner & 1 ? 3 : 0],
                                              bounds[corner & 2 ? 4 : 1],
                                              bounds[corner & 4 ? 5 : 2]};
                const auto px = pinhole(cam, p);
                QVERIFY(px[0] > 0 && px[0] < 200);
                QVERIFY(px[1] > 0 && px[1] < 100);
            }
        }
        // viewMatrix and toView agree.
        const SplatCamera cam = SplatCamera::orbit({1, 2, 3}, 70, -30, 4, 50, 64, 48);
        const auto m = cam.viewMatrix();
        const SplatVec3 p{0.3f, -1.0f, 2.0f};
        const SplatVec3 v = cam.toView(p);
        for (int r = 0; r < 3; ++r)
            QVERIFY(std::abs(m[4 * r] * p[0] + m[4 * r + 1] * p[1] + m[4 * r + 2] * p[2] +
                             m[4 * r + 3] - v[r]) < 1e-5f);
        QVERIFY(std::abs(cam.toView({1, 2, 3})[2] - 4) < 1e-5f);  // target at the distance
    }
};

BASIN_TEST_MAIN(TestSplatRasterizer)
#include "test_splat_rasterizer.moc"
