// The linear-mode-connectivity views: the path plot (several paths, the
// second-order prediction, checkpoint labels inside the plot at any width,
// the probe dragged along t), the barrier table (every definition, CSV) and
// the layer-wise heatmap (cells, layer names, per-layer barriers), and their
// figure and CSV exports.

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <cmath>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "connectivity/BarrierTable.h"
#include "connectivity/InterpolationPath.h"
#include "connectivity/LayerwiseHeatmapView.h"
#include "connectivity/PathPlotView.h"
#include "plot/QCustomPlot.h"

using namespace basin;
using namespace basin::widgets;

namespace {

// A path over n points of t with a barrier of height `h` (train loss
// 0.2 + h·4t(1 − t)), train accuracy 90 − 20·4t(1 − t), and test metrics
// 0.1 above / 5 below when `test`. `missing` points are not computed (−1).
PathSamples bumpPath(std::size_t n, double h, bool test, std::vector<std::size_t> missing = {},
                     std::vector<std::string> checkpoints = {"/runs/seed0/epoch_010.pt",
                                                             "/runs/seed1/epoch_010.pt"}) {
    PathSamples s;
    s.t = InterpolationPath::uniformT(n);
    s.checkpoints = checkpoints;
    for (std::size_t k = 0; k < checkpoints.size(); ++k)
        s.knots.push_back(double(k) / double(checkpoints.size() - 1));
    for (std::size_t i = 0; i < n; ++i) {
        const double bump = 4 * s.t[i] * (1 - s.t[i]);
        s.metric(SurfaceMetric::TrainLoss)[i] = 0.2 + h * bump;
        s.metric(SurfaceMetric::TrainAccuracy)[i] = 90 - 20 * bump;
        if (test) {
            s.metric(SurfaceMetric::TestLoss)[i] = 0.3 + h * bump;
            s.metric(SurfaceMetric::TestAccuracy)[i] = 85 - 20 * bump;
        }
    }
    for (std::size_t i : missing)
        for (auto& values : s.values)
            if (!values.empty()) values[i] = PathSamples::kNotComputed;
    return s;
}

// Layer-wise rows for layers fc1..fc3 and every variant over 5 t: row value
// base + h_ℓ·4t(1 − t) with h = 0.1, 0.5, 0.3 and base = 1 + variant.
PathSamples layerwiseSamples() {
    PathSamples s;
    s.kind = "layer-wise";
    s.t = InterpolationPath::uniformT(5);
    s.rows.clear();
    const char* layers[] = {"fc1", "fc2", "fc3"};
    const double heights[] = {0.1, 0.5, 0.3};
    for (const char* variant : {"at_a", "at_b", "cumulative"})
        for (const char* layer : layers)
            s.rows.push_back(std::string(variant) + "/" + layer);
    std::vector<double>& loss = s.metric(SurfaceMetric::TrainLoss);
    std::vector<double>& accuracy = s.metric(SurfaceMetric::TrainAccuracy);
    for (std::size_t r = 0; r < s.rows.size(); ++r) {
        for (std::size_t i = 0; i < s.nt(); ++i) {
            const double bump = 4 * s.t[i] * (1 - s.t[i]);
            loss[r * s.nt() + i] = 1.0 + double(r / 3) + heights[r % 3] * bump;
            accuracy[r * s.nt() + i] = 80 - 10 * heights[r % 3] * bump;
        }
    }
    loss[2 * s.nt() + 4] = PathSamples::kNotComputed;  // at_a/fc3 at t = 1
    return s;
}

QCPGraph* graphNamed(QCustomPlot* plot, const QString& name, QCPAxisRect* rect) {
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == name && plot->graph(i)->keyAxis()->axisRect() == rect)
            return plot->graph(i);
    return nullptr;
}

QStringList csvLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
    if (!lines.isEmpty() && lines.back().isEmpty()) lines.removeLast();
    return lines;
}

void checkFigureFiles(const QString& stem) {
    QCOMPARE(QImage(stem + ".png").size(), QSize(1600, 1200));  // 2× for print
    QFile svg(stem + ".svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains("<svg"));
    QFile pdf(stem + ".pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QCOMPARE(pdf.read(5), QByteArray("%PDF-"));
}

}  // namespace

class TestConnectivityViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pathPlotDrawsEveryPathAndThePrediction() {
        PathPlotView view;
        view.resize(800, 600);
        PathCurve linear{"linear", bumpPath(11, 0.5, true, {3}), 0, {}, {}};
        linear.predictionT = linear.samples.t;
        for (double t : linear.predictionT)
            linear.prediction.push_back(0.2 + 0.4 * 4 * t * (1 - t));
        PathCurve aligned{"aligned", bumpPath(11, 0.05, false), 0, {}, {}};
        view.setPaths({linear, aligned});
        // linear: train/test loss, train/test accuracy, the prediction; aligned: train
        // only; legend entries: the two paths, train, test, the prediction.
        QCOMPARE(view.plot()->graphCount(), 7 + 5);
        QVERIFY(view.accuracyShown());
        QCPGraph* loss = graphNamed(view.plot(), "linear: train", view.lossRect());
        QCPGraph* test = graphNamed(view.plot(), "linear: test", view.lossRect());
        QCPGraph* accuracy = graphNamed(view.plot(), "aligned: train", view.accuracyRect());
        QCPGraph* prediction = graphNamed(view.plot(), "linear: second order", view.lossRect());
        QVERIFY(loss && test && accuracy && prediction);
        QVERIFY(!view.plot()->legend->hasItemWithPlottable(loss));
        QCOMPARE(test->pen().style(), Qt::DashLine);
        QCOMPARE(prediction->pen().style(), Qt::DotLine);
        QVERIFY(loss->pen().color() != accuracy->pen().color());  // one colour per path
        QCOMPARE(loss->dataCount(), 11);
        QCOMPARE(loss->data()->at(5)->value, 0.7);        // the barrier's top at t = ½
        QVERIFY(std::isnan(loss->data()->at(3)->value));  // not computed: a gap
        QCOMPARE(prediction->data()->at(5)->value, 0.6);
        QCOMPARE(accuracy->data()->at(10)->value, 90.0);
        // A legend entry per path and per line style.
        int entries = 0;
        for (int i = 0; i < view.plot()->legend->itemCount(); ++i)
            entries += view.plot()->legend->item(i) != nullptr;  // wrapped rows leave empty cells
        QCOMPARE(entries, 5);
        QVERIFY(!view.plot()->legend->hasItemWithPlottable(accuracy));
        // Loss range covers the curves, not the −1 of missing points.
        QVERIFY(view.plot()->axisRect(0)->axis(QCPAxis::atLeft)->range().lower > 0.1);
        // Two paths of the same checkpoints: the two labels once.
        QCOMPARE(view.checkpointLabels().size(), 2);
        QCOMPARE(view.checkpointLabels().last()->text(), QStringLiteral("seed1/epoch_010"));
        // A path to an aligned B: one label at t = 1 naming both ends.
        view.setPaths(
            {{"linear", bumpPath(5, 0.2, false), 0, {}, {}},
             {"aligned",
              bumpPath(5, 0.05, false, {}, {"/runs/seed0/epoch_010.pt", "/runs/seed1/aligned.pt"}),
              0,
              {},
              {}}});
        QCOMPARE(view.checkpointLabels().size(), 2);
        QCOMPARE(view.checkpointLabels().last()->text(),
                 QStringLiteral("seed1/epoch_010\naligned"));

        // Without accuracies the loss panel is alone and carries the t axis.
        PathSamples lossOnly = bumpPath(5, 0.2, false);
        lossOnly.values[std::size_t(SurfaceMetric::TrainAccuracy)].clear();
        view.setPaths({{"regression", lossOnly, 0, {}, {}}});
        QVERIFY(!view.accuracyShown());
        QCOMPARE(view.plot()->graphCount(), 1);
        QCOMPARE(view.lossRect()->axis(QCPAxis::atBottom)->label(), QStringLiteral("t"));
    }

    void checkpointLabelsStayInsideThePlot() {
        PathPlotView view;
        view.setPaths(
            {{"chain",
              bumpPath(21, 0.3, true, {},
                       {"/r/a_long_checkpoint_name_epoch_000.pt", "/r/middle_checkpoint.pt",
                        "/r/another_long_checkpoint_name_epoch_100.pt"}),
              0,
              {},
              {}}});
        view.setProbe(0.97);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (int width : {420, 640, 1000}) {
            view.resize(width, 480);
            QTest::qWait(20);
            view.plot()->replot();
            const QRect panel = view.lossRect()->rect();
            QCOMPARE(view.checkpointLabels().size(), 3);
            for (QCPItemText* label : view.checkpointLabels()) {
                const QPointF left = label->left->pixelPosition();
                const QPointF right = label->right->pixelPosition();
                QVERIFY2(left.x() >= panel.left() && right.x() <= panel.right() + 1,
                         qPrintable(QStringLiteral("%1 at width %2: %3..%4 outside %5..%6")
                                        .arg(label->text())
                                        .arg(width)
                                        .arg(left.x())
                                        .arg(right.x())
                                        .arg(panel.left())
                                        .arg(panel.right())));
            }
            // Labels that would overlap are a line apart.
            const QList<QCPItemText*>& labels = view.checkpointLabels();
            for (int i = 0; i < labels.size(); ++i) {
                for (int j = i + 1; j < labels.size(); ++j) {
                    const double x0 = labels[i]->left->pixelPosition().x();
                    const double x1 = labels[i]->right->pixelPosition().x();
                    const double y0 = labels[j]->left->pixelPosition().x();
                    const double y1 = labels[j]->right->pixelPosition().x();
                    if (x1 <= y0 || y1 <= x0) continue;
                    const double apart = std::abs(labels[i]->bottom->pixelPosition().y() -
                                                  labels[j]->bottom->pixelPosition().y());
                    QVERIFY2(apart >= QFontMetrics(labels[j]->font()).height(),
                             qPrintable(labels[i]->text() + " overlaps " + labels[j]->text()));
                }
            }
            // The t = 1 label ends at the line (right-aligned), t = 0 starts there.
            const double one = view.lossRect()->axis(QCPAxis::atBottom)->coordToPixel(1.0);
            QVERIFY(std::abs(view.checkpointLabels().last()->right->pixelPosition().x() - one) < 8);
        }
        view.resize(800, 520);
        QTest::qWait(20);
        view.grab().save(basin::test::testOutputDir() + "/path_plot_chain.png");
    }

    void draggingTheCursorEmitsT() {
        PathPlotView view;
        view.resize(800, 600);
        view.setPaths({{"linear", bumpPath(11, 0.5, true), 0, {}, {}}});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy dragged(&view, &PathPlotView::probeDragged);
        QSignalSpy released(&view, &PathPlotView::probeReleased);
        const double pixel = 1.0 / view.lossRect()->width();
        auto at = [&](double t) { return view.pixelOf(t, 0.4).toPoint(); };

        QTest::mousePress(view.plot(), Qt::LeftButton, {}, at(0.2));
        QCOMPARE(dragged.count(), 1);
        QVERIFY(std::abs(dragged.last()[0].toDouble() - 0.2) < 2 * pixel);
        QVERIFY(view.hasProbe());
        for (double t : {0.3, 0.45, 0.6}) {
            QTest::mouseMove(view.plot(), at(t));
            QVERIFY(std::abs(dragged.last()[0].toDouble() - t) < 2 * pixel);
        }
        QCOMPARE(dragged.count(), 4);   // continuously
        QCOMPARE(released.count(), 0);  // the probe is set on release only
        QVERIFY(std::abs(view.probeT() - 0.6) < 2 * pixel);
        QVERIFY(view.readout().startsWith("t = 0.6"));
        // Past the end the cursor stops at t = 1.
        QTest::mouseMove(view.plot(), at(1.015));
        QCOMPARE(dragged.last()[0].toDouble(), 1.0);
        QTest::mouseRelease(view.plot(), Qt::LeftButton, {}, at(0.7));
        QCOMPARE(released.count(), 1);
        QVERIFY(std::abs(released.last()[0].toDouble() - 0.7) < 2 * pixel);
        // Moving without the button only reads out.
        QTest::mouseMove(view.plot(), at(0.1));
        QCOMPARE(released.count(), 1);
        QTRY_VERIFY(view.readout().contains("train loss"));
        QVERIFY(std::abs(view.probeT() - 0.7) < 2 * pixel);

        // The session moves the probe; a new path keeps it.
        view.setProbe(0.25);
        view.setPaths({{"linear", bumpPath(21, 0.5, true), 0, {}, {}}});
        QVERIFY(view.hasProbe());
        QCOMPARE(view.probeT(), 0.25);
        view.clearProbe();
        QVERIFY(!view.hasProbe());
    }

    void pathPlotExportsFigureAndCsv() {
        PathPlotView view;
        view.resize(640, 480);
        PathCurve linear{"linear, BN re-estimated", bumpPath(5, 0.5, true, {1}), 0, {}, {}};
        linear.predictionT = linear.samples.t;
        linear.prediction = {0.2, 0.5, 0.6, 0.5, 0.2};
        view.setPaths({linear, {"aligned", bumpPath(5, 0.1, false), 0, {}, {}}});
        const QString stem = basin::test::testOutputDir() + "/path_plot";
        for (const char* ext : {".png", ".svg", ".pdf"})
            QVERIFY(view.exportFigure(stem + ext, QSize(800, 600)));
        checkFigureFiles(stem);
        const QStringList lines = csvLines(stem + ".csv");
        QCOMPARE(lines.size(), 1 + 5 + 5);
        QCOMPARE(lines[0], QStringLiteral("path,t,train_loss,train_acc,test_loss,test_acc,"
                                          "predicted_train_loss"));
        // The name holds a comma: quoted. Not computed: empty fields.
        QCOMPARE(lines[1], QStringLiteral("\"linear, BN re-estimated\",0,0.2,90,0.3,85,0.2"));
        QCOMPARE(lines[2], QStringLiteral("\"linear, BN re-estimated\",0.25,,,,,0.5"));
        QCOMPARE(lines[8], QStringLiteral("aligned,0.5,0.3,70,,,"));
        QVERIFY(view.findChild<QPushButton*>("exportFigure"));
        QString error;
        QVERIFY(!view.exportFigure("/nonexistent-dir/path.png", QSize(800, 600), &error));
        QVERIFY(error.contains("/nonexistent-dir/path.png"));
    }

    void barrierTableShowsEveryDefinitionPerSegment() {
        // A chain A → B → C with a barrier of 0.5 on [0, ½] and [½, 1] each
        // (the bump's chord between the knots differs per segment).
        const PathSamples chain = bumpPath(21, 0.5, true, {}, {"/r/A.pt", "/r/B.pt", "/r/C.pt"});
        std::vector<BarrierRow> rows = pathBarrierRows("linear", chain);
        QCOMPARE(rows.size(), std::size_t(4));  // 2 segments × train, test
        QCOMPARE(rows[0].segment, QStringLiteral("A → B"));
        QCOMPARE(rows[1].split, QStringLiteral("test"));
        QCOMPARE(rows[3].segment, QStringLiteral("B → C"));
        // Independently: the first segment's train barrier from the samples with t ≤ ½.
        std::vector<double> t, loss, accuracy;
        segmentSamples(chain.t, chain.row(SurfaceMetric::TrainLoss, 0),
                       chain.row(SurfaceMetric::TrainAccuracy, 0), 0.0, 0.5, &t, &loss, &accuracy);
        const Barrier expected = measureBarrier(t, loss, accuracy);
        QCOMPARE(rows[0].barrier.linear, expected.linear);
        QCOMPARE(rows[0].barrier.linearT, expected.linearT);

        BarrierTable table;
        Barrier predicted;
        predicted.linear = 0.25;
        predicted.linearT = 0.5;
        rows.push_back({"linear", "A → B", "second order (train)", predicted});
        table.setRows(rows);
        QCOMPARE(table.table()->rowCount(), 5);
        QCOMPARE(table.table()->columnCount(), 13);
        QCOMPARE(table.table()->item(0, 5)->text(), QString::number(expected.linear, 'g', 4));
        QCOMPARE(table.table()->item(0, 6)->text(), QString::number(expected.linearT, 'f', 3));
        QCOMPARE(table.table()->item(4, 4)->text(), QStringLiteral("—"));  // L_B unknown
        QVERIFY(table.table()->horizontalHeaderItem(5)->toolTip().contains("max_t"));

        const QStringList csv = table.toCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 6);
        QCOMPARE(csv[0], QStringLiteral("path,segment,split,loss_a,loss_b,linear,linear_t,"
                                        "max_above_mean_of_ends,max_t,midpoint,area,"
                                        "accuracy_drop,accuracy_t"));
        QVERIFY(csv[1].startsWith("linear,A → B,train,0.2,"));
        QCOMPARE(csv[5], QStringLiteral("linear,A → B,second order (train),,,0.25,0.5,,,,,,"));
        // Copy: the selected rows (or all).
        table.table()->selectRow(3);
        table.copyCsv();
        const QStringList copied =
            QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(copied.size(), 2);
        QVERIFY(copied[1].startsWith("linear,B → C,test,"));
        const QString path = basin::test::testOutputDir() + "/barriers.csv";
        QVERIFY(table.saveCsv(path));
        QCOMPARE(csvLines(path).size(), 6);
        table.resize(1100, 260);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        table.grab().save(basin::test::testOutputDir() + "/barrier_table.png");
    }

    void heatmapShowsLayersByT() {
        LayerwiseHeatmapView view;
        view.resize(900, 420);
        view.setSamples(layerwiseSamples());
        QCOMPARE(view.layers(), QStringList({"fc1", "fc2", "fc3"}));
        QCOMPARE(view.colorMap()->data()->keySize(), 5);
        QCOMPARE(view.colorMap()->data()->valueSize(), 3);
        // at_a rows: 1 + h·4t(1 − t); fc2 at t = ½ is 1.5.
        QCOMPARE(view.cellValue(1, 2), 1.5);
        QCOMPARE(view.cellValue(0, 0), 1.0);
        QVERIFY(std::isnan(view.cellValue(2, 4)));  // not computed
        // Per-layer barrier (i): the bump heights.
        QCOMPARE(view.layerBarriers().size(), std::size_t(3));
        QVERIFY(std::abs(view.layerBarriers()[1] - 0.5) < 1e-12);
        QVERIFY(std::abs(view.layerBarriers()[0] - 0.1) < 1e-12);
        QCOMPARE(view.barrierRect()->axis(QCPAxis::atBottom)->label(),
                 QStringLiteral("barrier (i)"));
        // Layer names on the y axis, the first layer at the top.
        auto ticker = view.colorMap()->valueAxis()->ticker().dynamicCast<QCPAxisTickerText>();
        QVERIFY(ticker);
        QCOMPARE(ticker->ticks().value(1), QStringLiteral("fc2"));
        QVERIFY(view.colorMap()->valueAxis()->rangeReversed());
        // A colour scale with viridis (dark purple at the low end), titled.
        QVERIFY(view.colorScale());
        QCOMPARE(view.colorScale()->axis()->label(), QStringLiteral("train loss"));
        const QColor low = QColor::fromRgb(view.colorMap()->gradient().color(0, QCPRange(0, 1)));
        QVERIFY(low.red() < 90 && low.green() < 20 && low.blue() > 60);

        view.setVariant(LayerwiseVariant::Cumulative);
        QCOMPARE(view.cellValue(1, 2), 3.5);  // base 3 for the third variant
        view.setMetric(SurfaceMetric::TrainAccuracy);
        QCOMPARE(view.cellValue(1, 2), 75.0);
        QVERIFY(std::abs(view.layerBarriers()[1] - 5.0) < 1e-9);  // the accuracy drop
        QCOMPARE(view.colorScale()->axis()->label(), QStringLiteral("train accuracy (%)"));

        view.setMetric(SurfaceMetric::TrainLoss);
        view.setVariant(LayerwiseVariant::OthersAtA);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::mouseMove(view.plot(), view.pixelOf(0.5, 1).toPoint());
        QTRY_VERIFY(view.readout().contains("fc2"));
        QVERIFY(view.readout().contains("1.5"));
        view.grab().save(basin::test::testOutputDir() + "/layerwise_heatmap.png");

        const QString stem = basin::test::testOutputDir() + "/layerwise";
        for (const char* ext : {".png", ".svg", ".pdf"})
            QVERIFY(view.exportFigure(stem + ext, QSize(800, 600)));
        checkFigureFiles(stem);
        const QStringList lines = csvLines(stem + ".csv");
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0], QStringLiteral("layer,barrier,barrier_t,0,0.25,0.5,0.75,1"));
        QCOMPARE(lines[2], QStringLiteral("fc2,0.5,0.5,1,1.375,1.5,1.375,1"));
        QVERIFY(lines[3].endsWith(",1.225,"));  // fc3 at t = 1 not computed
    }
};

BASIN_GUI_TEST_MAIN(TestConnectivityViews)
#include "test_connectivity_views.moc"
