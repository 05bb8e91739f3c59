// Grids, analytic landscapes and colormaps: the plain types views are built on.

#include <cmath>

#include "BasinTest.h"
#include "landscape/AnalyticLandscape.h"
#include "util/Colormap.h"

using namespace basin;

class TestCoreBasics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linspaceEndpoints() {
        const auto v = linspace(-1, 1, 51);
        QCOMPARE(v.size(), std::size_t(51));
        QCOMPARE(v.front(), -1.0);
        QCOMPARE(v.back(), 1.0);
        QVERIFY(std::abs(v[25]) < 1e-15);
        QCOMPARE(linspace(3, 7, 1), std::vector<double>{3});
    }

    void gridIsXOuterAndTracksNaN() {
        Grid2D g({0, 1, 2}, {10, 20}, "train_loss");
        QCOMPARE(g.values.size(), std::size_t(6));
        QVERIFY(std::isnan(g.finiteRange().first));
        g.value(2, 1) = 5;
        g.value(0, 0) = -3;
        QCOMPARE(g.values[2 * 2 + 1], 5.0);
        QCOMPARE(g.finiteRange(), std::make_pair(-3.0, 5.0));
    }

    void bilinearInterpolation() {
        Grid2D g({0, 1, 3}, {0, 2}, "f");
        // f = 2x + 3y + 1 is reproduced exactly by bilinear interpolation.
        for (std::size_t i = 0; i < 3; ++i) {
            for (std::size_t j = 0; j < 2; ++j)
                g.value(i, j) = 2 * g.x[i] + 3 * g.y[j] + 1;
        }
        QCOMPARE(g.interpolate(2.5, 0.5), 2 * 2.5 + 3 * 0.5 + 1);
        QCOMPARE(g.interpolate(3, 2), 13.0);  // the far corner is inside
        QVERIFY(std::isnan(g.interpolate(3.01, 1)));
        g.value(2, 1) = std::nan("");
        QVERIFY(std::isnan(g.interpolate(2, 1)));  // next to a missing value
        QCOMPARE(g.interpolate(0.5, 1), 2 * 0.5 + 3 * 1.0 + 1);
    }

    void analyticMinimaAreWhereTheLiteratureSays() {
        // Himmelblau's four minima (Himmelblau 1972), all f = 0.
        const double himmelblau[4][2] = {
            {3.0, 2.0}, {-2.805118, 3.131312}, {-3.779310, -3.283186}, {3.584428, -1.848126}};
        for (const auto& m : himmelblau) {
            QVERIFY(evaluate(AnalyticLandscape::Himmelblau, m[0], m[1]) < 1e-9);
        }
        QCOMPARE(evaluate(AnalyticLandscape::Rosenbrock, 1, 1), 0.0);
        QVERIFY(std::abs(evaluate(AnalyticLandscape::Rastrigin, 0, 0)) < 1e-12);
        QVERIFY(std::abs(evaluate(AnalyticLandscape::SixHumpCamel, 0.0898, -0.7126) + 1.0316) <
                1e-4);
    }

    void analyticGradientVanishesAtMinimum() {
        // Central differences at Rosenbrock's minimum and away from it.
        auto grad = [](double x, double y) {
            const double h = 1e-6;
            return std::hypot((evaluate(AnalyticLandscape::Rosenbrock, x + h, y) -
                               evaluate(AnalyticLandscape::Rosenbrock, x - h, y)) /
                                  (2 * h),
                              (evaluate(AnalyticLandscape::Rosenbrock, x, y + h) -
                               evaluate(AnalyticLandscape::Rosenbrock, x, y - h)) /
                                  (2 * h));
        };
        QVERIFY(grad(1, 1) < 1e-5);
        QVERIFY(grad(0, 0) > 1);  // ∇f(0,0) = (-2, 0)
    }

    void sampledGridMatchesPointwise() {
        const Grid2D g = sampleAnalytic(AnalyticLandscape::Himmelblau, 11, 21);
        QCOMPARE(g.nx(), std::size_t(11));
        QCOMPARE(g.ny(), std::size_t(21));
        QCOMPARE(g.value(3, 7), evaluate(AnalyticLandscape::Himmelblau, g.x[3], g.y[7]));
        QCOMPARE(g.x.front(), -5.0);
        QCOMPARE(g.y.back(), 5.0);
    }

    void namesRoundTripAndUnknownIsListed() {
        for (const auto& i : analyticLandscapes()) {
            QCOMPARE(analyticLandscapeByName(i.name), i.kind);
        }
        try {
            analyticLandscapeByName("ackley");
            QFAIL("expected an error");
        } catch (const std::invalid_argument& e) {
            QVERIFY(std::string(e.what()).find("himmelblau") != std::string::npos);
        }
    }

    void colormapEndpointsAndOrder() {
        const Rgb lo = sampleColormap(Colormap::Viridis, 0),
                  hi = sampleColormap(Colormap::Viridis, 1);
        QVERIFY(std::abs(lo.r - 0x44 / 255.f) < 1e-6 && std::abs(hi.g - 0xe7 / 255.f) < 1e-6);
        // Viridis is perceptually ordered: luminance increases monotonically.
        const auto table = colormapTable(Colormap::Viridis, 64);
        for (std::size_t i = 1; i < table.size(); ++i) {
            const auto lum = [](const Rgb& c) {
                return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
            };
            QVERIFY(lum(table[i]) > lum(table[i - 1]));
        }
        // Coolwarm is neutral grey in the middle; clamped outside [0, 1].
        const Rgb mid = sampleColormap(Colormap::Coolwarm, 0.5);
        QVERIFY(std::abs(mid.r - mid.b) < 1e-6);
        QCOMPARE(sampleColormap(Colormap::Coolwarm, 7).r, sampleColormap(Colormap::Coolwarm, 1).r);
        QCOMPARE(sampleColormap(Colormap::Viridis, std::nan("")).g, 0.5f);
    }
};

BASIN_TEST_MAIN(TestCoreBasics)
#include "test_core_basics.moc"
