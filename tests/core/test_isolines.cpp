// Isolines by marching squares, checked on fields whose level sets are known.

#include <cmath>

#include "BasinTest.h"
#include "landscape/Isolines.h"

using namespace basin;

namespace {

Grid2D sample(std::size_t n, double (*f)(double, double)) {
    Grid2D g(linspace(-1, 1, n), linspace(-1, 1, n), "f");
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j)
            g.value(i, j) = f(g.x[i], g.y[j]);
    }
    return g;
}

}  // namespace

class TestIsolines : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void circleIsOneClosedLoopOnTheCircle() {
        const Grid2D g = sample(81, [](double x, double y) { return x * x + y * y; });
        const auto isolines = computeIsolines(g, {0.25});
        QCOMPARE(isolines.size(), std::size_t(1));
        QCOMPARE(isolines[0].polylines.size(), std::size_t(1));  // joined into one path
        const auto& loop = isolines[0].polylines[0];
        QVERIFY(loop.size() > 50);
        QCOMPARE(loop.front(), loop.back());  // closed
        for (const auto& [x, y] : loop) {
            // Linear interpolation along an edge of a quadratic: error ≤ h²/4.
            QVERIFY(std::abs(std::hypot(x, y) - 0.5) < 1e-3);
        }
    }

    void planeGivesStraightLines() {
        const Grid2D g = sample(11, [](double x, double y) { return x + 2 * y; });
        const auto isolines = computeIsolines(g, evenLevels(-3, 3, 5));
        QCOMPARE(isolines.size(), std::size_t(5));
        for (const auto& iso : isolines) {
            QCOMPARE(iso.polylines.size(), std::size_t(1));
            for (const auto& [x, y] : iso.polylines[0])
                QVERIFY(std::abs(x + 2 * y - iso.level) < 1e-12);
        }
        // Levels outside the range give no lines.
        QVERIFY(computeIsolines(g, {10})[0].polylines.empty());
    }

    void holesStopLines() {
        Grid2D g = sample(21, [](double x, double) { return x; });
        for (std::size_t j = 8; j < 12; ++j)
            g.value(10, j) = std::nan("");  // a hole on x = 0
        const auto iso = computeIsolines(g, {0.0})[0];
        QCOMPARE(iso.polylines.size(), std::size_t(2));  // the line is cut in two
        for (const auto& line : iso.polylines) {
            // NaN nodes at y = -0.2 ... 0.1 remove the cells from y = -0.3 to 0.2.
            for (const auto& [x, y] : line)
                QVERIFY(!(y > -0.29 && y < 0.19));
        }
    }

    void evenLevelsAreInside() {
        QCOMPARE(evenLevels(0, 10, 4), (std::vector<double>{2, 4, 6, 8}));
        QVERIFY(evenLevels(1, 1, 3).empty());
    }
};

BASIN_TEST_MAIN(TestIsolines)
#include "test_isolines.moc"
