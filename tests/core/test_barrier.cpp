// Barrier definitions (connectivity/Barrier.h) against hand computation on
// quadratic curves, where every definition has a closed form:
//   L(t) = L_A + (L_B − L_A)·t + c·t(1 − t)
// gap to the chord c·t(1 − t): (i) = c/4 at t = ½ for c > 0 (0 at an end for
// c ≤ 0); (ii) = max L − ½(L_A + L_B); (iii) = c/4; area (trapezoid, step h)
// = c·(1 − h²)/6 (the trapezoid rule overestimates ∫t² by h²/6).

#include <cmath>
#include <vector>

#include "BasinTest.h"
#include "connectivity/Barrier.h"

using namespace basin;

namespace {

std::vector<double> grid(int n) {
    std::vector<double> t(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        t[std::size_t(i)] = double(i) / (n - 1);
    return t;
}

std::vector<double> curve(const std::vector<double>& t, double la, double lb, double c) {
    std::vector<double> l;
    for (double x : t)
        l.push_back(la + (lb - la) * x + c * x * (1 - x));
    return l;
}

bool near(double a, double b, double tolerance = 1e-12) {
    return std::abs(a - b) <= tolerance;
}

}  // namespace

class TestBarrier : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void concaveQuadraticHasABarrierAtTheMiddle() {
        const std::vector<double> t = grid(25);
        const double la = 1.0, lb = 1.5, c = 2.0, h = 1.0 / 24;
        std::vector<double> acc;
        for (double x : t)
            acc.push_back(90 + 4 * x - 40 * x * (1 - x));  // percent
        const Barrier b = measureBarrier(t, curve(t, la, lb, c), acc);
        QVERIFY(near(b.lossA, la) && near(b.lossB, lb));
        QVERIFY(near(b.linear, c / 4));
        QVERIFY(near(b.linearT, 0.5));
        // max L: d/dt [0.5 t + 2t − 2t²] = 0 at t = 0.625 (a grid point: 15/24).
        const double top = la + 0.5 * 0.625 + c * 0.625 * 0.375;
        QVERIFY(near(b.maxAboveMeanOfEnds, top - 1.25));
        QVERIFY(near(b.maxT, 0.625));
        QVERIFY(near(b.midpoint, c / 4));
        QVERIFY2(near(b.area, c * (1 - h * h) / 6), qPrintable(QString::number(b.area)));
        QVERIFY(near(b.accuracyDrop, 10.0));
        QVERIFY(near(b.accuracyT, 0.5));
    }

    void convexQuadraticHasNoLinearBarrier() {
        const std::vector<double> t = grid(11);
        const double la = 3.0, lb = 2.0, c = -1.2, h = 0.1;
        const Barrier b = measureBarrier(t, curve(t, la, lb, c));
        QCOMPARE(b.linear, 0.0);  // at an end
        QVERIFY(b.linearT == 0.0 || b.linearT == 1.0);
        // The highest point of a convex path is its higher end.
        QVERIFY(near(b.maxAboveMeanOfEnds, (la - lb) / 2));
        QCOMPARE(b.maxT, 0.0);
        QVERIFY(near(b.midpoint, c / 4));
        QVERIFY(near(b.area, c * (1 - h * h) / 6));
        QVERIFY(std::isnan(b.accuracyDrop));  // no accuracies given
    }

    void midpointBetweenSamplesIsInterpolated() {
        const std::vector<double> t = {0.0, 0.4, 0.6, 1.0};
        const std::vector<double> l = {1.0, 2.0, 3.0, 1.0};
        QVERIFY(near(measureBarrier(t, l).midpoint, 2.5 - 1.0));
    }

    void pointsNotComputedAreSkipped() {
        const std::vector<double> t = grid(5);
        const std::vector<double> l = {1.0, -1.0, 2.0, -1.0, 1.0};
        const Barrier b = measureBarrier(t, l);
        QVERIFY(near(b.linear, 1.0));
        QVERIFY(near(b.area, 0.5));  // triangle of height 1 over [0, 1]
        // The first and last computed samples are the ends; with one there is none.
        QVERIFY(near(measureBarrier(t, {-1.0, 1.0, 2.0, 1.0, 1.0}).linear, 1.0));
        QVERIFY(std::isnan(measureBarrier(t, {-1.0, -1.0, -1.0, -1.0, 1.0}).linear));
    }

    void segmentsOfAChainAreMeasuredOnTheirOwn() {
        const std::vector<double> t = grid(9);  // knots at 0, 0.5, 1
        std::vector<double> l;
        for (double x : t)
            l.push_back(x <= 0.5 ? 1 + 4 * x * (0.5 - x) : 1 + 2 * (x - 0.5));
        std::vector<double> st, sl, sa;
        segmentSamples(t, l, {}, 0.5, 1.0, &st, &sl, &sa);
        QCOMPARE(st.size(), std::size_t(5));
        QCOMPARE(st.front(), 0.5);
        const Barrier second = measureBarrier(st, sl);
        QVERIFY(near(second.linear, 0.0));  // a straight segment
        segmentSamples(t, l, {}, 0.0, 0.5, &st, &sl, &sa);
        const Barrier first = measureBarrier(st, sl);
        QVERIFY(near(first.linear, 0.25));   // 4·¼·¼ at the segment's middle
        QVERIFY(near(first.linearT, 0.25));  // t along the whole chain
    }
};

BASIN_TEST_MAIN(TestBarrier)
#include "test_barrier.moc"
