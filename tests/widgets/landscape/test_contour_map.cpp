// The 2D contour map: heat map, isolines, trajectory, probe, hover readout,
// click-to-probe, 1D slices and figure export.

#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <cmath>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "landscape/AnalyticLandscape.h"
#include "landscape/ContourMapView.h"
#include "plot/QCustomPlot.h"

using namespace basin;
using namespace basin::widgets;

class TestContourMap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsMapIsolinesTrajectoryAndProbe() {
        ContourMapView view;
        view.resize(640, 520);
        ContourMapView::Options options;
        options.logScale = true;
        view.setGrid(sampleAnalytic(AnalyticLandscape::Himmelblau, 121, 121), options);
        view.setTrajectory({{-4, -4, "epoch 0"}, {-1, 0, ""}, {2, 1.5, ""}, {3, 2, "epoch 3"}});
        view.setProbe(3, 2);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Isolines: many curves besides the trajectory; one colour map.
        int curves = 0;
        for (int i = 0; i < view.plot()->plottableCount(); ++i) {
            curves += qobject_cast<QCPCurve*>(view.plot()->plottable(i)) != nullptr;
        }
        QVERIFY(curves > 12);
        QCOMPARE(view.plot()->itemCount(), 2);  // the two trajectory labels
        const QImage image = view.grab().toImage();
        BASIN_COMPARE_IMAGE(image, QStringLiteral("contour_himmelblau"), 0.95);
    }

    void hoverReadsOutAndClickEmitsThePoint() {
        ContourMapView view;
        view.resize(600, 500);
        view.setGrid(sampleAnalytic(AnalyticLandscape::Rosenbrock, 81, 81));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QPointF at = view.pixelOf(1.0, 1.0);  // Rosenbrock's minimum
        QTest::mouseMove(view.plot(), at.toPoint());
        QTRY_VERIFY(view.readout().contains("rosenbrock"));
        QSignalSpy clicked(&view, &ContourMapView::pointClicked);
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(clicked.count(), 1);
        // Within a pixel of the point clicked.
        const double pixel =
            (view.plot()->xAxis->range().size()) / view.plot()->axisRect()->width();
        QVERIFY(std::abs(clicked[0][0].toDouble() - 1.0) <= 1.5 * pixel);
        QVERIFY(std::abs(clicked[0][1].toDouble() - 1.0) <= 3 * pixel);
        QVERIFY(std::abs(view.valueAt(1.0, 1.0)) < 1e-9);
    }

    void oneDimensionalLandscapeIsALinePlot() {
        ContourMapView view;
        Grid2D line(linspace(-1, 1, 51), {0.0}, "train_loss");
        for (std::size_t i = 0; i < 51; ++i)
            line.value(i, 0) = line.x[i] * line.x[i];
        view.setGrid(line);
        QCOMPARE(view.plot()->graphCount(), 1);
        QCOMPARE(view.plot()->graph(0)->dataCount(), 51);
    }

    void exportsFigures() {
        ContourMapView view;
        view.resize(500, 400);
        view.setGrid(sampleAnalytic(AnalyticLandscape::SixHumpCamel, 41, 41));
        const QString dir = basin::test::testOutputDir();
        QVERIFY(view.savePng(dir + "/contour.png", 800, 600, 2.0));
        QCOMPARE(QImage(dir + "/contour.png").size(), QSize(1600, 1200));  // 2x for print DPI
        QVERIFY(view.saveSvg(dir + "/contour.svg", 800, 600));
        QFile svg(dir + "/contour.svg");
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        // Isolines stay vectors (Qt writes them as polylines).
        QVERIFY(svgText.contains("<svg") &&
                svgText.count("<polyline") + svgText.count("<path") > 10);
        QVERIFY(view.savePdf(dir + "/contour.pdf", 800, 600));
        QFile pdf(dir + "/contour.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(view.saveCsv(dir + "/contour.csv"));
        QFile csv(dir + "/contour.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines[0], QByteArray("x,y,six-hump-camel"));
        QCOMPARE(lines.size(), 41 * 41 + 2);  // header, rows, final newline
        // "Export figure…" writes the figure by extension and the CSV beside it.
        QVERIFY(view.exportFigure(dir + "/figure.pdf", QSize(600, 400)));
        QVERIFY(QFile::exists(dir + "/figure.pdf") && QFile::exists(dir + "/figure.csv"));
        QVERIFY(view.findChild<QPushButton*>("exportFigure"));
    }
};

BASIN_GUI_TEST_MAIN(TestContourMap)
#include "test_contour_map.moc"
