// Linear mode connectivity in the GUI, on the quick demo (two seeds of the
// MLP): the demo's own path plot between the seeds, then the checkpoint's
// "Linear mode connectivity…" dialog with BatchNorm re-estimation, layer-wise
// rows and the second-order prediction, ending in the path plot (with the
// prediction), the barrier table and the heatmap; the files as project
// results; the cursor dragged to set a Path probe; views restored from the
// saved project. The suggested path file never clashes with the demo's. With
// "Also find a low-loss curve", the curve's training and path in the jobs
// panel, "curve" beside "linear" in the plot and the table, and the plane
// through its ends and middle bend as a landscape.

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <functional>

#include "BasinGuiTest.h"
#include "DialogDriver.h"
#include "ImageCompare.h"
#include "connectivity/BarrierTable.h"
#include "connectivity/LayerwiseHeatmapView.h"
#include "connectivity/PathPlotView.h"
#include "jobs/JobHandle.h"
#include "jobs/JobsPanel.h"
#include "plot/QCustomPlot.h"
#include "project/Demo.h"
#include "project/Session.h"
#include "ui/Connectivity.h"
#include "ui/ConnectivityDialog.h"
#include "ui/MainWindow.h"
#include "ui/ViewArea.h"

using namespace basin;
using namespace basin::app;

namespace {

void whenDialogOpens(const std::function<void(ConnectivityDialog&)>& fill) {
    whenModalOpens<ConnectivityDialog>(fill);
}

// Runs the LMC dialog on checkpoint item `a` with 9 points, `configure`
// filling in the rest, and returns the request it made.
LmcRequest runLmcDialog(MainWindow& w, int a,
                        const std::function<void(ConnectivityDialog&)>& configure) {
    LmcRequest request;
    whenDialogOpens([&](ConnectivityDialog& d) {
        field<QSpinBox>(d, "points")->setValue(9);
        configure(d);
        request = d.request();
    });
    linearModeConnectivityForItem(&w, a);
    return request;
}

bool isResult(MainWindow& w, const QString& path) {
    for (const ProjectItem& i : w.session()->project().itemsOfKind(ItemKind::Result))
        if (i.path == path) return true;
    return false;
}

template <class View>
View* viewOf(MainWindow& w, const QString& file) {
    for (QWidget* v : w.viewArea()->views()) {
        const ViewSpec spec = w.viewArea()->specOf(v);
        const bool shows = spec.settings.value("paths").toArray().contains(file) ||
                           spec.settings.value("path").toString() == file;
        if (auto* view = qobject_cast<View*>(v); view && shows) return view;
    }
    return nullptr;
}

int graphsNamed(QCustomPlot* plot, const QString& part) {
    int n = 0;
    for (int i = 0; i < plot->graphCount(); ++i)
        n += plot->graph(i)->name().contains(part);
    return n;
}

// The first seed's last checkpoint (the dialog's A); −1 when there is none.
int seed0Checkpoint(const Project& p) {
    int a = -1;
    for (int i = 0; i < p.items.size(); ++i)
        if (p.items[i].kind == ItemKind::Checkpoint &&
            p.items[i].name.startsWith("mlp_spirals_seed0"))
            a = i;
    return a;
}

// Writes the quick demo into `dir`, saves its project and opens it in `w`
// (shown); A, the first seed's last checkpoint, or −1 when a step failed.
int openQuickDemo(const QString& dir, MainWindow& w) {
    DemoJob demo(dir, quickDemoOptions());
    JobHandle handle(demo.title());
    if (runJob(demo, handle).state != JobState::Succeeded) return -1;
    const QString projectFile = dir + "/demo.basin";
    demoProject(demo.manifest()).save(projectFile);
    w.setConfirmDiscard(false);
    if (!w.openProject(projectFile)) return -1;
    w.show();
    if (!QTest::qWaitForWindowExposed(&w)) return -1;
    return seed0Checkpoint(w.session()->project());
}

}  // namespace

class TestConnectivity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lmcFromTheDialogEndsInItsViews() {
        QTemporaryDir dir;
        DemoOptions options = quickDemoOptions();
        DemoJob demo(dir.path(), options);
        JobHandle handle(demo.title());
        QCOMPARE(runJob(demo, handle).state, JobState::Succeeded);
        const QString demoPath = demoLmcPath(demo.manifest());
        QVERIFY(QFileInfo::exists(demoPath));
        const QString projectFile = dir.path() + "/lmc.basin";
        demoProject(demo.manifest()).save(projectFile);

        MainWindow w;
        w.setConfirmDiscard(false);
        QVERIFY(w.openProject(projectFile));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // The demo shows the path between its two seeds.
        QVERIFY(isResult(w, demoPath));
        auto* demoPlot = viewOf<widgets::PathPlotView>(w, demoPath);
        QVERIFY(demoPlot);
        QCOMPARE(demoPlot->paths().size(), std::size_t(1));
        QCOMPARE(demoPlot->paths()[0].samples.missingCount(SurfaceMetric::TrainLoss),
                 std::size_t(0));
        QCOMPARE(graphsNamed(demoPlot->plot(), "train"), 2);  // loss and accuracy

        // A: the first seed's last checkpoint; B ticked by default: the other seed's.
        const int a = seed0Checkpoint(w.session()->project());
        QVERIFY(a >= 0);
        QString pathFile;
        whenDialogOpens([&](ConnectivityDialog& d) {
            const auto* others = field<QListWidget>(d, "otherCheckpoints");
            int ticked = 0;
            for (int i = 0; i < others->count(); ++i)
                if (others->item(i)->checkState() == Qt::Checked) {
                    ++ticked;
                    QVERIFY(others->item(i)->text().startsWith("mlp_spirals_seed1"));
                }
            QCOMPARE(ticked, 1);
            QVERIFY(d.request().trainData.endsWith("spirals_train.npz"));
            QVERIFY(d.request().testData.endsWith("spirals_test.npz"));
            field<QSpinBox>(d, "points")->setValue(9);
            field<QCheckBox>(d, "reestimateBatchNorm")->setChecked(true);
            field<QCheckBox>(d, "layerwise")->setChecked(true);
            field<QCheckBox>(d, "secondOrder")->setChecked(true);
            pathFile = d.request().pathFile;
        });
        linearModeConnectivityForItem(&w, a);
        QVERIFY2(pathFile.endsWith("-bn.path.h5"), qPrintable(pathFile));
        // The views are there at once.
        auto* plot = viewOf<widgets::PathPlotView>(w, pathFile);
        auto* table = viewOf<widgets::BarrierTable>(w, pathFile);
        QVERIFY(plot && table);
        const QString layerwise = lmcLayerwiseFile(pathFile);
        QVERIFY(QTest::qWaitFor([&] { return isResult(w, layerwise); }, 240000));
        QVERIFY(isResult(w, pathFile));
        QVERIFY(isResult(w, lmcSecondOrderFile(pathFile)));

        // The path with the second-order prediction beside it.
        QCOMPARE(plot->paths()[0].samples.nt(), std::size_t(9));
        QCOMPARE(plot->paths()[0].samples.missingCount(SurfaceMetric::TestLoss), std::size_t(0));
        QVERIFY(plot->paths()[0].samples.batchNormReestimated);
        QCOMPARE(plot->paths()[0].prediction.size(), std::size_t(9));
        QCOMPARE(graphsNamed(plot->plot(), "second-order prediction"), 1);
        QVERIFY(plot->paths()[0].name.contains("BN re-estimated"));
        // Train, test and the prediction's barrier.
        QCOMPARE(table->table()->rowCount(), 3);
        QCOMPARE(table->rows()[2].split, QStringLiteral("second order (train)"));
        QVERIFY(std::isfinite(table->rows()[0].barrier.linear));
        auto* heatmap = viewOf<widgets::LayerwiseHeatmapView>(w, layerwise);
        QVERIFY(heatmap);
        QVERIFY(heatmap->layers().size() >= 2);
        QVERIFY(std::isfinite(heatmap->cellValue(0, 4)));

        // Dragging the cursor sets a Path probe on this file when released.
        w.viewArea()->addView(lmcPathSpec({pathFile}));
        plot = qobject_cast<widgets::PathPlotView*>(w.viewArea()->currentView());
        QVERIFY(plot);
        QTest::qWait(50);
        const double y = plot->lossRect()->axis(QCPAxis::atLeft)->range().center();
        QTest::mousePress(plot->plot(), Qt::LeftButton, {}, plot->pixelOf(0.2, y).toPoint());
        QTest::mouseMove(plot->plot(), plot->pixelOf(0.5, y).toPoint());
        QCOMPARE(w.session()->project().probe.kind, Probe::Kind::Checkpoint);  // not yet
        QTest::mouseRelease(plot->plot(), Qt::LeftButton, {}, plot->pixelOf(0.6, y).toPoint());
        const Probe probe = w.session()->project().probe;
        QCOMPARE(probe.kind, Probe::Kind::Path);
        QCOMPARE(probe.result, QFileInfo(pathFile).fileName());
        QVERIFY(std::abs(probe.t - 0.6) < 0.01);
        // Every path plot of the file follows it; the demo's does not.
        QVERIFY(viewOf<widgets::PathPlotView>(w, pathFile)->hasProbe());
        QVERIFY(!demoPlot->hasProbe());
        QVERIFY(plot->grab().save(basin::test::testOutputDir() + "/lmc_path_view.png"));
        // Both paths in one plot, named by what differs.
        auto* both = qobject_cast<widgets::PathPlotView*>(
            w.viewArea()->addView(lmcPathSpec({demoPath, pathFile})));
        QVERIFY(both);
        QCOMPARE(both->paths().size(), std::size_t(2));
        QCOMPARE(both->paths()[0].name, QStringLiteral("linear"));
        QCOMPARE(both->paths()[1].name, QStringLiteral("linear, BN re-estimated"));
        QCOMPARE(graphsNamed(both->plot(), "second"), 2);  // the curve, its legend entry
        QVERIFY(both->hasProbe());
        QTest::qWait(50);
        QVERIFY(both->grab().save(basin::test::testOutputDir() + "/lmc_two_paths.png"));
        QVERIFY(table->grab().save(basin::test::testOutputDir() + "/lmc_barrier_view.png"));
        QVERIFY(heatmap->grab().save(basin::test::testOutputDir() + "/lmc_layerwise_view.png"));

        // Saved with the project and restored.
        w.saveProject(projectFile);
        MainWindow again;
        again.setConfirmDiscard(false);
        QVERIFY(again.openProject(projectFile));
        auto* restored = viewOf<widgets::PathPlotView>(again, pathFile);
        QVERIFY(restored);
        QVERIFY(restored->hasProbe());
        QVERIFY(std::abs(restored->probeT() - 0.6) < 0.01);
        QVERIFY(viewOf<widgets::BarrierTable>(again, pathFile));
        QVERIFY(viewOf<widgets::LayerwiseHeatmapView>(again, layerwise));
        QCOMPARE(pathFileKind(pathFile), QStringLiteral("linear path"));
        QCOMPARE(pathFileKind(layerwise), QStringLiteral("layer-wise"));
    }

    // The suggested path file is the demo's own when it holds the same path
    // (the job resumes it) and "<…>-2.path.h5" when it holds another number of
    // points, on which the path job would fail.
    void suggestedPathFileNeverClashes() {
        QTemporaryDir dir;
        DemoJob demo(dir.path(), quickDemoOptions());
        JobHandle handle(demo.title());
        QCOMPARE(runJob(demo, handle).state, JobState::Succeeded);
        const QString demoPath = demoLmcPath(demo.manifest());
        const PathSamples demoSamples = readPathSamples(demoPath.toStdString());
        const Project project = demoProject(demo.manifest());
        ConnectivityDialog d(project, seed0Checkpoint(project));
        auto* points = field<QSpinBox>(d, "points");
        points->setValue(int(demoSamples.nt()));
        QCOMPARE(d.request().pathFile, demoPath);
        points->setValue(9);
        QString second = demoPath;
        second.replace(".path.h5", "-2.path.h5");
        QCOMPARE(d.request().pathFile, second);
        QVERIFY(d.isValid());
        // Another file in the way of "-2": "-3".
        QFile other(second);
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("not a path file");
        other.close();
        points->setValue(10);
        QString third = demoPath;
        third.replace(".path.h5", "-3.path.h5");
        QCOMPARE(d.request().pathFile, third);
        // BatchNorm re-estimation has its own name.
        field<QCheckBox>(d, "reestimateBatchNorm")->setChecked(true);
        QVERIFY(d.request().pathFile.endsWith("-bn.path.h5"));
    }

    // "Align B to A first": the alignment in the jobs panel, the aligned B a
    // checkpoint of the project linked to the model, and the plot and table
    // showing the line and the aligned path together, the aligned lower.
    void alignmentFromTheDialogAddsTheAlignedPath() {
        QTemporaryDir dir;
        MainWindow w;
        const int a = openQuickDemo(dir.path(), w);
        QVERIFY(a >= 0);
        const LmcRequest request = runLmcDialog(w, a, [&](ConnectivityDialog& d) {
            auto* alignment = field<QComboBox>(d, "alignment");
            QVERIFY(alignment->isEnabled());
            alignment->setCurrentIndex(alignment->findData(QStringLiteral("weights")));
            // Not the demo's own path file (25 points).
            QString output = d.request().pathFile;
            output.replace(".path.h5", "-nine.path.h5");
            field<QLineEdit>(d, "output")->setText(output);
        });
        QCOMPARE(request.alignment, QStringLiteral("weights"));
        const QString alignedPath = lmcAlignedPathFile(request.pathFile);
        const QString alignedB = lmcAlignedCheckpointFile(request.pathFile);
        QVERIFY2(alignedB.endsWith(".aligned.pt"), qPrintable(alignedB));
        auto* plot = viewOf<widgets::PathPlotView>(w, alignedPath);
        auto* table = viewOf<widgets::BarrierTable>(w, alignedPath);
        QVERIFY(plot && table);
        QVERIFY(QTest::qWaitFor([&] { return isResult(w, alignedPath); }, 120000));
        QVERIFY(isResult(w, request.pathFile));

        // The aligned B: a checkpoint item of the model.
        bool added = false;
        for (const ProjectItem& c : w.session()->project().itemsOfKind(ItemKind::Checkpoint))
            added =
                added || (c.path == alignedB && c.extra.value("model").toString() == request.model);
        QVERIFY(added);

        QCOMPARE(plot->paths().size(), std::size_t(2));
        QCOMPARE(plot->paths()[0].name, QStringLiteral("linear"));
        QCOMPARE(plot->paths()[1].name, QStringLiteral("aligned"));
        QCOMPARE(plot->paths()[1].samples.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        // Its legend entry, then train and test of loss and accuracy.
        QCOMPARE(graphsNamed(plot->plot(), "aligned"), 5);
        QCOMPARE(table->table()->rowCount(), 4);  // train and test of each path
        QCOMPARE(table->rows()[2].path, QStringLiteral("aligned"));
        qInfo("train-loss barrier (i): linear %.4f, aligned %.4f", table->rows()[0].barrier.linear,
              table->rows()[2].barrier.linear);
        QVERIFY(table->rows()[2].barrier.linear < 0.5 * table->rows()[0].barrier.linear);
        QTest::qWait(50);
        QVERIFY(plot->grab().save(basin::test::testOutputDir() + "/lmc_aligned_paths.png"));
    }

    // "REPAIR": the REPAIRed path after the plain one, a project result,
    // "linear, REPAIRed" in the plot and table with a barrier no higher.
    void repairFromTheDialogAddsTheRepairedPath() {
        QTemporaryDir dir;
        MainWindow w;
        const int a = openQuickDemo(dir.path(), w);
        QVERIFY(a >= 0);
        const LmcRequest request = runLmcDialog(
            w, a, [&](ConnectivityDialog& d) { field<QCheckBox>(d, "repair")->setChecked(true); });
        QVERIFY(request.repair);
        const QString repaired = lmcRepairedPathFile(request.pathFile, false);
        QVERIFY2(repaired.endsWith(".repaired.path.h5"), qPrintable(repaired));
        auto* plot = viewOf<widgets::PathPlotView>(w, repaired);
        auto* table = viewOf<widgets::BarrierTable>(w, repaired);
        QVERIFY(plot && table);
        QVERIFY(QTest::qWaitFor([&] { return isResult(w, repaired); }, 120000));
        QCOMPARE(plot->paths().size(), std::size_t(2));
        QCOMPARE(plot->paths()[1].name, QStringLiteral("linear, REPAIRed"));
        QCOMPARE(plot->paths()[1].samples.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        QCOMPARE(table->table()->rowCount(), 4);
        qInfo("train-loss barrier (i): linear %.4f, REPAIRed %.4f", table->rows()[0].barrier.linear,
              table->rows()[2].barrier.linear);
        QVERIFY(table->rows()[2].barrier.linear <= table->rows()[0].barrier.linear);
    }

    // "Also find a low-loss curve" (3 epochs): the curve trained in the jobs
    // panel, then its path, "curve bezier:1" beside "linear" in the plot and
    // the table with a lower barrier, the curve and path files project
    // results, then the plane through its ends and bend in a contour view.
    void curveFromTheDialogAddsTheCurvePath() {
        QTemporaryDir dir;
        MainWindow w;
        const int a = openQuickDemo(dir.path(), w);
        QVERIFY(a >= 0);
        const LmcRequest request = runLmcDialog(w, a, [&](ConnectivityDialog& d) {
            QVERIFY(!field<QSpinBox>(d, "curveEpochs")->isEnabled());
            field<QCheckBox>(d, "curve")->setChecked(true);
            QVERIFY(field<QSpinBox>(d, "curveEpochs")->isEnabled());
            QCOMPARE(field<QSpinBox>(d, "curveEpochs")->value(), 20);  // basin lmc's default
            field<QSpinBox>(d, "curveEpochs")->setValue(3);
            field<QCheckBox>(d, "curvePlane")->setChecked(true);
            QVERIFY(d.grab().save(basin::test::testOutputDir() + "/lmc_dialog.png"));
        });
        QVERIFY(request.curve && request.curvePlane);
        QCOMPARE(request.curveKind, QStringLiteral("bezier"));
        QCOMPARE(request.curveBends, 1);
        QCOMPARE(request.curveEpochs, 3);
        const QString curvePath = lmcCurvePathFile(request.pathFile, "bezier", 1);
        QVERIFY2(curvePath.endsWith(".curve-bezier1.path.h5"), qPrintable(curvePath));
        auto* plot = viewOf<widgets::PathPlotView>(w, curvePath);
        auto* table = viewOf<widgets::BarrierTable>(w, curvePath);
        QVERIFY(plot && table);
        QVERIFY(QTest::qWaitFor([&] { return isResult(w, curvePath); }, 120000));
        QVERIFY(isResult(w, request.pathFile));
        QVERIFY(isResult(w, lmcCurveFile(curvePath)));
        QVERIFY(QFileInfo::exists(lmcCurveFile(curvePath)));

        QCOMPARE(plot->paths().size(), std::size_t(2));
        QCOMPARE(plot->paths()[0].name, QStringLiteral("linear"));
        QCOMPARE(plot->paths()[1].name, QStringLiteral("curve bezier:1"));
        const PathSamples& line = plot->paths()[0].samples;
        const PathSamples& curve = plot->paths()[1].samples;
        QCOMPARE(curve.nt(), std::size_t(9));
        QCOMPARE(curve.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        QCOMPARE(curve.missingCount(SurfaceMetric::TestLoss), std::size_t(0));
        // The ends are A and B.
        for (std::size_t end : {std::size_t(0), std::size_t(8)})
            QVERIFY(std::abs(curve.row(SurfaceMetric::TrainLoss, 0)[end] -
                             line.row(SurfaceMetric::TrainLoss, 0)[end]) < 1e-4);
        QCOMPARE(table->table()->rowCount(), 4);  // train and test of each path
        QCOMPARE(table->rows()[2].path, QStringLiteral("curve bezier:1"));
        qInfo("train-loss barrier (i): linear %.4f, curve %.4f", table->rows()[0].barrier.linear,
              table->rows()[2].barrier.linear);
        QVERIFY(table->rows()[2].barrier.linear < table->rows()[0].barrier.linear);
        QTest::qWait(50);
        QVERIFY(plot->grab().save(basin::test::testOutputDir() + "/lmc_curve_path.png"));

        // The plane through A, B and the bend, in a contour view.
        const QString plane = lmcCurvePlaneFile(curvePath);
        QVERIFY(QTest::qWaitFor([&] { return isResult(w, plane); }, 120000));
        bool shown = false;
        for (QWidget* v : w.viewArea()->views())
            shown = shown || w.viewArea()->specOf(v).settings.value("path").toString() == plane;
        QVERIFY(shown);
    }

    // A curve training cancelled in the jobs panel shows Resume; resuming
    // trains on to the epochs asked for and the curve's path follows.
    void cancelledCurveResumesFromTheJobsPanel() {
        QTemporaryDir dir;
        MainWindow w;
        const int a = openQuickDemo(dir.path(), w);
        QVERIFY(a >= 0);
        const LmcRequest request = runLmcDialog(w, a, [&](ConnectivityDialog& d) {
            field<QCheckBox>(d, "curve")->setChecked(true);
            field<QSpinBox>(d, "curveEpochs")->setValue(100);  // long enough to cancel
        });
        QWidget* row = nullptr;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (QWidget* r : w.jobs()->findChildren<QWidget*>("jobRow"))
                    for (QLabel* l : r->findChildren<QLabel*>())
                        if (l->text().startsWith("Train bezier curve")) row = r;
                return row != nullptr;
            },
            60000));
        QTest::mouseClick(row->findChild<QPushButton*>("cancelJob"), Qt::LeftButton);
        auto* resume = row->findChild<QPushButton*>("resumeJob");
        QVERIFY(resume);
        QVERIFY(QTest::qWaitFor([&] { return resume->isVisible(); }, 60000));
        QTest::mouseClick(resume, Qt::LeftButton);
        const QString curvePath = lmcCurvePathFile(request.pathFile, "bezier", 1);
        QVERIFY(QTest::qWaitFor([&] { return isResult(w, curvePath); }, 120000));
        QVERIFY(QFileInfo::exists(lmcCurveFile(curvePath)));
        QVERIFY(!resume->isVisible());
        bool done = false;
        for (QLabel* l : row->findChildren<QLabel*>())
            done = done || l->text() == QStringLiteral("done");
        QVERIFY(done);
    }
};

BASIN_GUI_TEST_MAIN(TestConnectivity)
#include "test_connectivity.moc"
