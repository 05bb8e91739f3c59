// The 1D landscape view: loss and accuracy curves on two axes, gaps where
// points are not computed, checkpoint markers and the probe, hover readout,
// click-to-probe, slices of 2D surfaces and figure export.

#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <cmath>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "landscape/SliceView.h"
#include "plot/QCustomPlot.h"

using namespace basin;
using namespace basin::widgets;

namespace {

// A 1D surface along a with loss a² + 0.1 and accuracy 100 − 40a², train and
// (when `test`) test; the points listed in `missing` not computed (−1).
Surface lineSurface(std::size_t n, bool test, const std::vector<std::size_t>& missing = {}) {
    Surface s(linspace(-1, 1, n));
    for (std::size_t i = 0; i < n; ++i) {
        const double a = s.x[i];
        s.metric(SurfaceMetric::TrainLoss)[i] = a * a + 0.1;
        s.metric(SurfaceMetric::TrainAccuracy)[i] = 100 - 40 * a * a;
        if (test) {
            s.metric(SurfaceMetric::TestLoss)[i] = a * a + 0.3;
            s.metric(SurfaceMetric::TestAccuracy)[i] = 90 - 40 * a * a;
        }
    }
    for (std::size_t i : missing) {
        for (auto& values : s.values) {
            if (!values.empty()) values[i] = Surface::kNotComputed;
        }
    }
    return s;
}

QCPGraph* graphNamed(QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name) return plot->graph(i);
    }
    return nullptr;
}

}  // namespace

class TestSliceView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsLossAndAccuracyWithGaps() {
        SliceView view;
        view.resize(700, 450);
        view.setSurface(lineSurface(11, true, {3, 4}));
        QCOMPARE(view.plot()->graphCount(), 4);
        QCPGraph* loss = graphNamed(view.plot(), "train loss");
        QCPGraph* accuracy = graphNamed(view.plot(), "test accuracy");
        QVERIFY(loss && accuracy);
        // Loss on the left axis, accuracy on the right; test dashed.
        QCOMPARE(loss->valueAxis(), view.plot()->yAxis);
        QCOMPARE(accuracy->valueAxis(), view.plot()->yAxis2);
        QVERIFY(view.plot()->yAxis2->visible());
        QCOMPARE(accuracy->pen().style(), Qt::DashLine);
        // Every grid point is there; the missing ones as NaN (gaps).
        QCOMPARE(loss->dataCount(), 11);
        QVERIFY(std::isnan(loss->data()->at(3)->value));
        QVERIFY(std::isnan(loss->data()->at(4)->value));
        QCOMPARE(loss->data()->at(5)->value, 0.1);
        // Ranges cover the values, not the −1 markers.
        QVERIFY(view.plot()->yAxis->range().lower > 0.0);
        QVERIFY(view.plot()->yAxis2->range().upper > 99.0);
        QCOMPARE(view.plot()->xAxis->range().lower, -1.0);
        QCOMPARE(view.plot()->xAxis->range().upper, 1.0);

        // Without test data only the training curves.
        view.setSurface(lineSurface(11, false));
        QCOMPARE(view.plot()->graphCount(), 2);
        // A surface with nothing computed yet shows empty axes.
        view.setSurface(lineSurface(5, false, {0, 1, 2, 3, 4}));
        QCOMPARE(view.plot()->graphCount(), 0);
    }

    void markersProbeHoverAndClick() {
        SliceView view;
        view.resize(700, 450);
        view.setSurface(lineSurface(21, true));
        view.setMarkers({{0, 0, "epoch_003"}, {1, 0, "epoch_010"}});
        QCOMPARE(view.markerCount(), 2);
        view.setProbe(0.5, 0);
        // Two marker lines with labels, the probe line with its label.
        QCOMPARE(view.plot()->itemCount(), 6);
        view.clearProbe();
        QCOMPARE(view.plot()->itemCount(), 4);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        const QPoint at = view.pixelOf(0.0, 0.5).toPoint();
        QTest::mouseMove(view.plot(), at);
        QTRY_VERIFY(view.readout().contains("a = 0"));
        QVERIFY(view.readout().contains("train loss 0.1"));
        QVERIFY(view.readout().contains("test accuracy 90.0%"));
        QSignalSpy clicked(&view, &SliceView::pointClicked);
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, view.pixelOf(0.5, 0.5).toPoint());
        QCOMPARE(clicked.count(), 1);
        const double pixel = view.plot()->xAxis->range().size() / view.plot()->axisRect()->width();
        QVERIFY(std::abs(clicked[0][0].toDouble() - 0.5) <= 1.5 * pixel);
        QCOMPARE(clicked[0][1].toDouble(), 0.0);

        view.setProbe(0.5, 0);
        view.setMarkers({{-0.5, 0, "A"}, {0.5, 0, "B"}});
        view.resize(800, 500);
        QTest::qWait(50);
        view.grab().save(basin::test::testOutputDir() + "/slice_view.png");
    }

    void slicesATwoDimensionalSurface() {
        // loss(a, b) = a + 10 b on a 5 × 3 grid.
        Surface plane(linspace(-1, 1, 5), linspace(-1, 1, 3));
        for (std::size_t i = 0; i < 5; ++i) {
            for (std::size_t j = 0; j < 3; ++j) {
                plane.metric(SurfaceMetric::TrainLoss)[i * 3 + j] =
                    20 + plane.x[i] + 10 * plane.y[j];
            }
        }
        double line = 0;
        Surface alongA = sliceOfSurface(plane, SliceAxis::A, 0.9, &line);
        QCOMPARE(line, 1.0);  // the nearest row
        QCOMPARE(alongA.nx(), std::size_t(5));
        QCOMPARE(alongA.metric(SurfaceMetric::TrainLoss)[0], 20 - 1.0 + 10);
        Surface alongB = sliceOfSurface(plane, SliceAxis::B, -0.4, &line);
        QCOMPARE(line, -0.5);
        QCOMPARE(alongB.nx(), std::size_t(3));
        QCOMPARE(alongB.metric(SurfaceMetric::TrainLoss)[2], 20 - 0.5 + 10);

        SliceView view;
        view.resize(600, 400);
        view.setSurface(plane);
        view.setSlice(SliceAxis::B, -0.5);
        QCOMPARE(view.slice().nx(), std::size_t(3));
        QVERIFY(view.plot()->xAxis->label().contains("a = -0.5"));
        // Only the checkpoints within half a step of the line a = −0.5.
        view.setMarkers({{-0.5, 0.2, "on"}, {-0.3, 1, "near"}, {0.5, 0, "off"}});
        QCOMPARE(view.markerCount(), 2);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy clicked(&view, &SliceView::pointClicked);
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, view.pixelOf(0.0, 20).toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked[0][0].toDouble(), -0.5);  // (a, b) in the plane
        QVERIFY(std::abs(clicked[0][1].toDouble()) < 0.05);
    }

    void exportsFigureAndData() {
        SliceView view;
        view.resize(600, 400);
        view.setSurface(lineSurface(9, true, {2}));
        view.setMarkers({{0, 0, "centre"}});
        const QString dir = basin::test::testOutputDir();
        QVERIFY(view.exportFigure(dir + "/slice.png", QSize(800, 600)));
        QCOMPARE(QImage(dir + "/slice.png").size(), QSize(1600, 1200));  // 2× for print
        QVERIFY(view.exportFigure(dir + "/slice.svg", QSize(800, 600)));
        QFile svg(dir + "/slice.svg");
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg") &&
                svgText.count("<polyline") + svgText.count("<path") > 4);
        QVERIFY(view.exportFigure(dir + "/slice.pdf", QSize(800, 600)));
        QFile pdf(dir + "/slice.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QFile csv(dir + "/slice.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines[0], QByteArray("a,train_loss,train_acc,test_loss,test_acc"));
        QCOMPARE(lines.size(), 9 + 2);  // header, rows, final newline
        QCOMPARE(lines[1], QByteArray("-1,1.1,60,1.3,50"));
        QCOMPARE(lines[3], QByteArray("-0.5,,,,"));  // not computed: empty fields
        QVERIFY(view.findChild<QPushButton*>("exportFigure"));
        QString error;
        QVERIFY(!view.exportFigure("/nonexistent-dir/slice.png", QSize(800, 600), &error));
        QVERIFY(error.contains("/nonexistent-dir/slice.png"));
    }
};

BASIN_GUI_TEST_MAIN(TestSliceView)
#include "test_slice_view.moc"
