// The main window as a user meets it: docks, menus, views in tabs and splits,
// projects saved and reopened with their layout, jobs with progress and
// Cancel, the probe shown in the status bar, window state remembered.

#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <fstream>
#include <thread>

#include "BasinGuiTest.h"
#include "checkpoint/CheckpointBrowser.h"
#include "eval/EvaluationView.h"
#include "jobs/JobsPanel.h"
#include "landscape/ContourMapView.h"
#include "landscape/Surface.h"
#include "plot/QCustomPlot.h"
#include "project/Demo.h"
#include "project/Session.h"
#include "ui/Evaluation.h"
#include "ui/InspectorPanel.h"
#include "ui/Landscape.h"
#include "ui/MainWindow.h"
#include "ui/ProjectReactions.h"
#include "ui/Screenshot.h"
#include "ui/ViewArea.h"
#include "ui/ViewFactory.h"
#include "util/Sha256.h"
#include "vtk/VtkView.h"

using namespace basin;
using namespace basin::app;

namespace {

// Runs until cancelled (or 60 s), reporting progress.
class EndlessJob : public Job {
public:
    std::string title() const override { return "endless"; }
    void run(JobContext& ctx) override {
        for (int i = 0; i < 6000; ++i) {
            ctx.throwIfCancelled();
            ctx.report(i / 6000.0, "working");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
};

class BrokenJob : public Job {
public:
    std::string title() const override { return "broken"; }
    void run(JobContext&) override { throw std::runtime_error("loss is NaN at (0.5, -0.25)"); }
};

QAction* findAction(QMainWindow& w, const QString& text) {
    for (QAction* a : w.findChildren<QAction*>()) {
        if (a->text() == text) return a;
    }
    return nullptr;
}

bool waitUntil(const std::function<bool()>& done, int ms = 10000) {
    return QTest::qWaitFor(done, ms);
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("BasinTest");
        QCoreApplication::setApplicationName("BasinTest");
        QSettings().clear();
    }

    void shellHasDocksMenusAndStatus() {
        MainWindow w;
        w.setConfirmDiscard(false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QStringList docks;
        for (auto* d : w.findChildren<QDockWidget*>())
            docks << d->objectName();
        docks.sort();
        QCOMPARE(docks, (QStringList{"inspectorDock", "jobsDock", "projectDock"}));
        QCOMPARE(w.dockWidgetArea(w.findChild<QDockWidget*>("projectDock")),
                 Qt::LeftDockWidgetArea);
        QCOMPARE(w.dockWidgetArea(w.findChild<QDockWidget*>("inspectorDock")),
                 Qt::RightDockWidgetArea);
        QCOMPARE(w.dockWidgetArea(w.findChild<QDockWidget*>("jobsDock")), Qt::BottomDockWidgetArea);
        QStringList menus;
        for (QAction* a : w.menuBar()->actions())
            menus << a->text();
        QCOMPARE(menus, (QStringList{"&File", "&View", "&Probe", "&Help"}));
        QCOMPARE(findAction(w, "&Open project…")->shortcut(), QKeySequence(QKeySequence::Open));
        QCOMPARE(findAction(w, "&Save project")->shortcut(), QKeySequence(QKeySequence::Save));
        QCOMPARE(findAction(w, "Split &right")->shortcut(), QKeySequence("Ctrl+\\"));
        // Nothing to split or close in an empty project.
        QVERIFY(!findAction(w, "Split &right")->isEnabled());
        QVERIFY(!findAction(w, "&Close view")->isEnabled());
        QVERIFY(w.windowTitle().contains("Untitled"));
        // The icon comes from the compiled-in resources and renders.
        const QImage icon = w.windowIcon().pixmap(32, 32).toImage();
        QVERIFY(!icon.isNull());
        QCOMPARE(QColor(icon.pixel(1, 16)).name(), QStringLiteral("#fde725"));
        QVERIFY(w.statusBar()->findChildren<QLabel*>().size() >= 2);
    }

    void viewsSplitMoveAndClose() {
        MainWindow w;
        w.setConfirmDiscard(false);
        w.show();
        ViewArea* area = w.viewArea();
        findAction(w, "Himmelblau surface")->trigger();
        findAction(w, "Himmelblau map")->trigger();
        QCOMPARE(area->views().size(), 2);
        QCOMPARE(area->paneCount(), 1);
        QVERIFY(findAction(w, "Split &right")->isEnabled());
        QVERIFY(!findAction(w, "&Move view to next pane")->isEnabled());

        // Two views in the pane: splitting moves the current one.
        findAction(w, "Split &right")->trigger();
        QCOMPARE(area->paneCount(), 2);
        QCOMPARE(area->views().size(), 2);
        auto* split = area->findChild<QSplitter*>();
        QVERIFY(split && split->orientation() == Qt::Horizontal);

        // One view left in the pane: splitting down duplicates it.
        findAction(w, "Split &down")->trigger();
        QCOMPARE(area->paneCount(), 3);
        QCOMPARE(area->views().size(), 3);
        QCOMPARE(area->specOf(area->views()[1]).type, area->specOf(area->views()[2]).type);

        findAction(w, "&Move view to next pane")->trigger();
        QCOMPARE(area->paneCount(), 2);  // the emptied pane went away
        QCOMPARE(area->views().size(), 3);

        findAction(w, "&Close view")->trigger();
        QTest::qWait(10);
        QCOMPARE(area->views().size(), 2);
        area->closeAll();
        QCOMPARE(area->views().size(), 0);
        QCOMPARE(area->paneCount(), 1);
    }

    void layoutRoundTripsThroughProjectFile() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/layout.basin";
        {
            MainWindow w;
            w.setConfirmDiscard(false);
            w.loadDemo();
            w.show();
            QCOMPARE(w.viewArea()->paneCount(), 2);
            QCOMPARE(w.viewArea()->views().size(), 6);
            QVERIFY(w.saveProject(file));
            QVERIFY(!w.session()->isModified());
            QVERIFY(w.windowTitle().startsWith("layout.basin"));
        }
        MainWindow w;
        w.setConfirmDiscard(false);
        w.show();
        QVERIFY2(w.openProject(file), qPrintable(w.lastError()));
        QCOMPARE(w.viewArea()->paneCount(), 2);
        QStringList titles;
        for (QWidget* v : w.viewArea()->views())
            titles << w.viewArea()->specOf(v).title;
        QCOMPARE(titles,
                 (QStringList{"Himmelblau surface", "Rastrigin surface", "Rosenbrock surface",
                              "Himmelblau contours", "Himmelblau map", "Six-hump camel map"}));
        // Recent projects remember it.
        QCOMPARE(QSettings().value("recentProjects").toStringList().value(0), file);
    }

    void unknownViewTypeIsReportedNotFatal() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/odd.basin";
        Project p;
        p.layout = QJsonObject{
            {"root",
             QJsonObject{
                 {"views", QJsonArray{QJsonObject{{"type", "hologram"}, {"title", "Future view"}},
                                      QJsonObject{{"type", "map2d"},
                                                  {"title", "Rastrigin map"},
                                                  {"settings",
                                                   QJsonObject{{"landscape", "rastrigin"}}}}}}}}};
        p.save(file);
        MainWindow w;
        w.setConfirmDiscard(false);
        QVERIFY(w.openProject(file));
        QCOMPARE(w.viewArea()->views().size(), 1);
        QVERIFY2(w.lastError().contains("hologram"), qPrintable(w.lastError()));
    }

    void addFilesFingerprintsInBackground() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/epoch_1.pt").toStdString();
        const std::string content(3u << 20, 'q');
        std::ofstream(path, std::ios::binary) << content;
        MainWindow w;
        w.setConfirmDiscard(false);
        w.show();
        addFilesToProject(&w, ItemKind::Checkpoint, {QString::fromStdString(path)});
        QCOMPARE(w.session()->project().items.size(), 1);
        QVERIFY(waitUntil([&] { return !w.session()->project().items[0].sha256.isEmpty(); }));
        Sha256 h;
        h.update(content.data(), content.size());
        QCOMPARE(w.session()->project().items[0].sha256.toStdString(), h.hexDigest());
        // The project panel lists it; selecting it fills the inspector.
        auto* tree = w.findChild<QTreeWidget*>("projectTree");
        auto found = tree->findItems("epoch_1", Qt::MatchStartsWith | Qt::MatchRecursive);
        QCOMPARE(found.size(), 1);
        tree->setCurrentItem(found[0]);
        auto* inspector = w.findChild<QTreeWidget*>("inspectorTree");
        QVERIFY(!inspector->findItems(QString::fromStdString(h.hexDigest()), Qt::MatchExactly, 1)
                     .isEmpty());
        // Activating a checkpoint makes it the probe, shown in the status bar.
        Q_EMIT tree->itemActivated(found[0], 0);
        QCOMPARE(w.session()->project().probe.kind, Probe::Kind::Checkpoint);
        bool shown = false;
        for (auto* label : w.statusBar()->findChildren<QLabel*>()) {
            shown = shown || label->text().contains("checkpoint epoch_1");
        }
        QVERIFY(shown);
    }

    void jobsPanelShowsProgressAndCancels() {
        MainWindow w;
        w.setConfirmDiscard(false);
        w.show();
        widgets::JobsPanel* jobs = w.jobs();
        bool finishedCalled = false;
        auto handle = jobs->submit(std::make_shared<EndlessJob>(), [&](const JobStatus& s) {
            finishedCalled = s.state == JobState::Cancelled;
        });
        QVERIFY(waitUntil([&] { return handle->status().progress.fraction > 0.005; }));
        QVERIFY(waitUntil([&] {
            auto bars = jobs->findChildren<QProgressBar*>();
            return !bars.isEmpty() && bars[0]->value() > 0;
        }));
        QCOMPARE(jobs->activeCount(), 1);
        auto* cancel = jobs->findChild<QPushButton*>("cancelJob");
        QVERIFY(cancel && cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(handle->waitFor(std::chrono::seconds(1)));
        QVERIFY(waitUntil([&] { return finishedCalled; }, 2000));
        QCOMPARE(jobs->activeCount(), 0);

        // A failing job: its sentence reaches the panel and the window.
        jobs->submit(std::make_shared<BrokenJob>());
        QVERIFY(waitUntil([&] { return w.lastError().contains("loss is NaN"); }));
        QCOMPARE(jobs->rowCount(), 2);
        jobs->clearFinished();
        QTest::qWait(10);
        QCOMPARE(jobs->rowCount(), 0);
    }

    void surfaceClickMovesTheProbe() {
        MainWindow w;
        w.setConfirmDiscard(false);
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QWidget* view = w.viewArea()->addView(analyticSurfaceSpec("himmelblau"));
        settleRendering(300);
        // Click around the centre until a click lands on the surface.
        for (int i = 0; i < 25 && w.session()->project().probe.kind != Probe::Kind::Plane; ++i) {
            const QPoint at(view->width() * (3 + i % 5) / 10, view->height() * (3 + i / 5) / 10);
            QTest::mouseClick(view, Qt::LeftButton, {}, at);
            QTest::qWait(50);
        }
        QCOMPARE(w.session()->project().probe.kind, Probe::Kind::Plane);
        const Probe& probe = w.session()->project().probe;
        QVERIFY(std::abs(probe.a) <= 5 && std::abs(probe.b) <= 5);
        QCOMPARE(probe.result, QStringLiteral("Himmelblau"));

        // The contour map of the same landscape shows the probe and moves it.
        auto* contour = qobject_cast<widgets::ContourMapView*>(
            w.viewArea()->addView(analyticContourSpec("himmelblau")));
        QVERIFY(contour);
        settleRendering(200);
        const int withProbe = contour->plot()->plottableCount();
        Probe elsewhere;
        elsewhere.kind = Probe::Kind::Checkpoint;
        elsewhere.checkpoint = "x";
        w.session()->setProbe(elsewhere);
        QCOMPARE(contour->plot()->plottableCount(), withProbe - 1);  // marker gone
        const QPointF at = contour->pixelOf(3.0, 2.0);
        QTest::mouseClick(contour->plot(), Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(w.session()->project().probe.kind, Probe::Kind::Plane);
        QVERIFY(std::abs(w.session()->project().probe.a - 3.0) < 0.1);
        QVERIFY(std::abs(w.session()->project().probe.b - 2.0) < 0.1);
        QCOMPARE(contour->plot()->plottableCount(), withProbe);
    }

    void demoTrainsInTheBackgroundThenOpens() {
        QTemporaryDir dir;
        MainWindow w;
        w.setConfirmDiscard(false);
        w.show();
        w.startDemo(dir.path(), quickDemoOptions());
        // The analytic views are there at once, while the demo trains.
        QCOMPARE(w.viewArea()->views().size(), 6);
        QVERIFY(waitUntil([&] { return w.session()->filePath().endsWith("demo.basin"); }, 120000));
        QVERIFY(w.session()->project().itemsOfKind(ItemKind::Checkpoint).size() >= 8);
        QCOMPARE(w.viewArea()->specOf(w.viewArea()->views()[0]).type, QStringLiteral("checkpoint"));
        auto* browser = w.findChild<widgets::CheckpointBrowser*>();
        QVERIFY(browser);
        QVERIFY(!browser->statistics().empty());

        // Evaluate the first run's checkpoints on the spirals test split.
        QStringList checkpoints;
        for (const ProjectItem& c : w.session()->project().itemsOfKind(ItemKind::Checkpoint)) {
            if (c.name.startsWith("mlp_spirals_seed0")) checkpoints << c.path;
        }
        QVERIFY(checkpoints.size() >= 2);
        startEvaluation(&w, dir.path() + "/models/mlp_spirals.pt",
                        dir.path() + "/datasets/spirals_test.npz", checkpoints);
        QVERIFY(
            waitUntil([&] { return w.findChild<widgets::EvaluationView*>() != nullptr; }, 60000));
        auto* evaluation = w.findChild<widgets::EvaluationView*>();
        QCOMPARE(evaluation->results().size(), std::size_t(checkpoints.size()));
        QCOMPARE(evaluation->table()->rowCount(), int(checkpoints.size()));
        QVERIFY(evaluation->results().back().result.loss <
                evaluation->results().front().result.loss);
        QVERIFY(evaluation->toCsv().startsWith("checkpoint,loss,accuracy,samples,error\n"));
        // A loss landscape around the trained MLP: the contour view exists
        // at once and fills in; the surface becomes a project result.
        const QString surface = dir.path() + "/mlp.landscape.h5";
        w.viewArea()->addView(landscapeContourSpec(surface));
        LandscapeRecipe recipe;
        recipe.modelPath = (dir.path() + "/models/mlp_spirals.pt").toStdString();
        recipe.checkpoint = checkpoints.back().toStdString();
        recipe.x = parseGridRange("-1:1:21", "x");
        recipe.y = parseGridRange("-1:1:21", "y");
        recipe.surfacePath = surface.toStdString();
        startLandscape(&w, recipe, dir.path() + "/datasets/spirals_test.npz");
        QVERIFY(waitUntil(
            [&] {
                for (const ProjectItem& r : w.session()->project().itemsOfKind(ItemKind::Result))
                    if (r.path == surface) return true;
                return false;
            },
            120000));
        QVERIFY(QFile::exists(surface));
        widgets::ContourMapView* map = nullptr;
        for (QWidget* v : w.viewArea()->views()) {
            if (w.viewArea()->specOf(v).settings.value("path").toString() == surface) {
                map = qobject_cast<widgets::ContourMapView*>(v);
            }
        }
        QVERIFY(map);
        QCOMPARE(map->grid().nx(), std::size_t(21));
        QVERIFY(std::isfinite(map->valueAt(0, 0)));
        // The same along the Hessian's eigenvectors.
        const QString hessianSurface = dir.path() + "/mlp.hessian.h5";
        recipe.directions = DirectionKind::HessianEigenvectors;
        recipe.surfacePath = hessianSurface.toStdString();
        startLandscape(&w, recipe, dir.path() + "/datasets/spirals_test.npz");
        QVERIFY(waitUntil(
            [&] {
                for (const ProjectItem& r : w.session()->project().itemsOfKind(ItemKind::Result))
                    if (r.path == hessianSurface) return true;
                return false;
            },
            120000));
        QCOMPARE(readSurface(hessianSurface.toStdString()).metadata.directionKind,
                 std::string("hessian"));
        // The 3D view of the same file opens from the project.
        auto* surface3d = w.viewArea()->addView(landscapeSurfaceSpec(surface));
        QVERIFY(dynamic_cast<widgets::VtkView*>(surface3d));

        // The numbers travel with the project.
        const QString file = dir.path() + "/with-results.basin";
        QVERIFY(w.saveProject(file));
        MainWindow reopened;
        reopened.setConfirmDiscard(false);
        QVERIFY(reopened.openProject(file));
        auto* restored = reopened.findChild<widgets::EvaluationView*>();
        QVERIFY(restored);
        QCOMPARE(restored->results().back().result.loss, evaluation->results().back().result.loss);
    }

    void windowStateIsRemembered() {
        {
            MainWindow w;
            w.setConfirmDiscard(false);
            w.resize(1000, 700);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.findChild<QDockWidget*>("jobsDock")->hide();
            w.removeDockWidget(w.findChild<QDockWidget*>("inspectorDock"));
            w.addDockWidget(Qt::LeftDockWidgetArea, w.findChild<QDockWidget*>("inspectorDock"));
            w.close();  // saves the state
        }
        MainWindow w;
        w.restoreWindowState();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.size(), QSize(1000, 700));
        QVERIFY(!w.findChild<QDockWidget*>("jobsDock")->isVisible());
        QCOMPARE(w.dockWidgetArea(w.findChild<QDockWidget*>("inspectorDock")),
                 Qt::LeftDockWidgetArea);
    }

    void screenshotOfDemoIsNotBlank() {
        MainWindow w;
        w.setConfirmDiscard(false);
        w.loadDemo();
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        settleRendering(500);
        const QImage image = grabWidget(&w);
        QCOMPARE(image.size(), QSize(1400, 900) * image.devicePixelRatio());
        image.save(QStringLiteral(BASIN_TEST_OUTPUT_DIR "/main_window_demo.png"));
        // Each view shows its picture: sample the centre of every view.
        for (QWidget* v : w.viewArea()->views()) {
            if (!v->isVisible()) continue;
            const QImage vi = grabWidget(v);
            QSet<QRgb> colours;
            for (int y = 0; y < vi.height(); y += 5) {
                for (int x = 0; x < vi.width(); x += 5)
                    colours.insert(vi.pixel(x, y));
            }
            QVERIFY2(colours.size() > 50, qPrintable(w.viewArea()->specOf(v).title));
        }
    }
};

BASIN_GUI_TEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
