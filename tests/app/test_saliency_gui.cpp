// Saliency in the GUI on a small CNN with two checkpoints (two seeds) and a
// digits dataset: "Saliency…" on checkpoint A → the dialog → a job in the
// jobs panel → the saliency view shows a Grad-CAM++ map of the image; moving
// the probe to checkpoint B, or to t = 0.5 on the path between A and B,
// recomputes the map in the background; ticking both
// checkpoints and two methods gives a 2 × 2 comparison grid with the
// deletion/insertion curves of every map; the view is saved with the project;
// the demo project shows Grad-CAM++ and IG of a test digit for its CNN.

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <functional>

#include "BasinGuiTest.h"
#include "DialogDriver.h"
#include "ProjectItems.h"
#include "connectivity/PathJob.h"
#include "data/DatasetFiles.h"
#include "data/GeneratedDatasets.h"
#include "jobs/JobHandle.h"
#include "jobs/JobsPanel.h"
#include "model/StateDictFile.h"
#include "project/Demo.h"
#include "project/Session.h"
#include "saliency/DeletionCurveView.h"
#include "saliency/SaliencyGrid.h"
#include "saliency/SaliencyView.h"
#include "ui/MainWindow.h"
#include "ui/Saliency.h"
#include "ui/SaliencyDialog.h"
#include "ui/ViewArea.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::app;

namespace {

void whenDialogOpens(const std::function<void(SaliencyDialog&)>& fill) {
    whenModalOpens<SaliencyDialog>(fill);
}

void tick(QListWidget* list, const QString& data, bool on) {
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->data(Qt::UserRole).toString() == data)
            list->item(i)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

ProjectItem item(ItemKind kind, const QString& path, const QString& name) {
    return projectItem(kind, name, path);
}

// The newest view of a saliency spec.
QWidget* newestSaliencyView(MainWindow& w) {
    QWidget* found = nullptr;
    for (QWidget* v : w.viewArea()->views())
        if (w.viewArea()->specOf(v).type == QLatin1String("saliency")) found = v;
    return found;
}

// A part of the newest saliency view (its map view, grid, status line, curves).
template <class Part>
Part* newestSaliency(MainWindow& w, const char* name = nullptr) {
    QWidget* view = newestSaliencyView(w);
    return view ? view->findChild<Part*>(name ? QString::fromLatin1(name) : QString()) : nullptr;
}

}  // namespace

class TestSaliencyGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        SmallCnnOptions o;
        o.baseWidth = 8;
        const QString model = path("cnn.pt");
        makeSmallCnn(o).save(model.toStdString());
        for (int seed : {0, 1}) {
            o.seed = std::uint64_t(seed + 1);
            saveStateDict(path(QStringLiteral("seed%1.pt").arg(seed)).toStdString(),
                          makeSmallCnn(o).stateDict());
        }
        SyntheticDigitsOptions d;
        d.trainPerClass = 1;
        d.testPerClass = 2;
        writeDatasetNpz(path("digits_test.npz").toStdString(), makeSyntheticDigits(d).split.test);

        window_.setConfirmDiscard(false);
        Session* s = window_.session();
        s->addItem(item(ItemKind::Model, model, "cnn"));
        s->addItem(item(ItemKind::Dataset, path("digits_test.npz"), "digits (test)"));
        for (int seed : {0, 1}) {
            ProjectItem c = item(ItemKind::Checkpoint, path(QStringLiteral("seed%1.pt").arg(seed)),
                                 QStringLiteral("seed %1").arg(seed));
            c.extra[QStringLiteral("model")] = model;
            s->addItem(c);
        }
        Probe probe;
        probe.kind = Probe::Kind::Checkpoint;
        probe.checkpoint = "seed 0";
        s->setProbe(probe);
        window_.resize(1200, 800);
        window_.show();
    }

    void dialogStartsAJobWhoseMapTheViewShows() {
        whenDialogOpens([](SaliencyDialog& d) {
            QVERIFY(field<QCheckBox>(d, "followProbe")->isChecked());  // A is the probe
            field<QSpinBox>(d, "index")->setValue(5);
            // The layer list comes from the model: its last spatial layer ticked.
            QVERIFY(field<QListWidget>(d, "layers")->count() > 0);
            QCOMPARE(d.request().layers.size(), 1);
            QCOMPARE(d.request().methods, QStringList{"gradcampp"});
        });
        saliencyForItem(&window_, checkpointItem("seed 0"));
        auto* view = newestSaliency<widgets::SaliencyView>(window_);
        QVERIFY(view);
        QVERIFY(QTest::qWaitFor([&] { return !view->map().values.empty(); }, 60000));
        QCOMPARE(view->map().method, SaliencyMethod::GradCamPlusPlus);
        QCOMPARE(view->map().height, std::int64_t(28));
        QCOMPARE(view->map().width, std::int64_t(28));
        QVERIFY(*std::max_element(view->map().values.begin(), view->map().values.end()) > 0);
        QVERIFY(window_.jobs()->rowCount() >= 1);  // it ran in the jobs panel
        first_ = view->map().values;
    }

    void movingTheProbeRecomputesTheMap() {
        auto* view = newestSaliency<widgets::SaliencyView>(window_);
        QVERIFY(view && !first_.empty());
        Probe probe;
        probe.kind = Probe::Kind::Checkpoint;
        probe.checkpoint = "seed 1";
        window_.session()->setProbe(probe);
        // Other weights, another map.
        QVERIFY(QTest::qWaitFor([&] { return view->map().values != first_; }, 60000));
        auto* status = newestSaliency<QLabel>(window_, "saliencyStatus");
        QVERIFY(status);
        QVERIFY2(status->text().contains("seed 1"), qPrintable(status->text()));
    }

    // The LMC cursor released at t = 0.5 on a path between the seeds: the
    // view explains the network halfway, rebuilt from the path file.
    void aPathProbeRecomputesAtTheInterpolatedWeights() {
        auto* view = newestSaliency<widgets::SaliencyView>(window_);
        QVERIFY(view && !view->map().values.empty());
        LmcRecipe recipe;
        recipe.modelPath = path("cnn.pt").toStdString();
        recipe.checkpoints = {path("seed0.pt").toStdString(), path("seed1.pt").toStdString()};
        recipe.points = 3;
        recipe.outPath = path("seeds.path.h5").toStdString();
        PathJob lmc(recipe, loadDatasetFile(path("digits_test.npz").toStdString()));
        JobHandle handle(lmc.title());
        QCOMPARE(runJob(lmc, handle).state, JobState::Succeeded);
        window_.session()->addResultOnce(path("seeds.path.h5"));

        const std::vector<float> atSeed1 = view->map().values;
        Probe probe;
        probe.kind = Probe::Kind::Path;
        probe.result = "seeds.path.h5";
        probe.t = 0.5;
        window_.session()->setProbe(probe);
        QVERIFY(QTest::qWaitFor([&] { return view->map().values != atSeed1; }, 60000));
        auto* status = newestSaliency<QLabel>(window_, "saliencyStatus");
        QVERIFY2(status->text().contains("Grad-CAM++"), qPrintable(status->text()));
        QVERIFY2(status->text().contains("seeds.path.h5"), qPrintable(status->text()));
    }

    // Picking another class in the view's class picker explains that class.
    void theClassPickerRecomputesForTheChosenClass() {
        auto* view = newestSaliency<widgets::SaliencyView>(window_);
        QVERIFY(view && !view->map().values.empty());
        const std::int64_t other = view->map().targetClass == 0 ? 1 : 0;
        Q_EMIT view->classChosen(int(other));
        QVERIFY(QTest::qWaitFor([&] { return view->map().targetClass == other; }, 60000));
        QCOMPARE(view->currentClass(), other);
    }

    void twoCheckpointsAndTwoMethodsMakeAGridWithCurves() {
        whenDialogOpens([](SaliencyDialog& d) {
            field<QCheckBox>(d, "followProbe")->setChecked(false);
            auto* checkpoints = field<QListWidget>(d, "checkpoints");
            for (int i = 0; i < checkpoints->count(); ++i)
                checkpoints->item(i)->setCheckState(Qt::Checked);
            tick(field<QListWidget>(d, "methods"), "gradient", true);
            field<QCheckBox>(d, "deletionInsertion")->setChecked(true);
            field<QCheckBox>(d, "classSensitivity")->setChecked(true);
            QVERIFY(d.request().classSensitivity);
            QVERIFY(!d.request().followProbe);
            QCOMPARE(d.request().checkpoints.size(), 2);
        });
        saliencyForItem(&window_, checkpointItem("seed 0"));
        auto* grid = newestSaliency<widgets::SaliencyGrid>(window_);
        QVERIFY(grid);
        QVERIFY(QTest::qWaitFor([&] { return grid->content().maps.size() == 4; }, 60000));
        QCOMPARE(grid->content().rows(), 2);     // gradient, Grad-CAM++
        QCOMPARE(grid->content().columns(), 2);  // seed 0, seed 1
        for (const SaliencyMap& m : grid->content().maps)
            QCOMPARE(m.values.size(), std::size_t(28 * 28));
        QCOMPARE(grid->content().cell(0, 0)->method, SaliencyMethod::Gradient);
        QCOMPARE(grid->content().cell(1, 1)->method, SaliencyMethod::GradCamPlusPlus);
        auto* curves = grid->parentWidget()
                           ->parentWidget()
                           ->parentWidget()
                           ->findChild<widgets::DeletionCurveView*>();
        QVERIFY(curves);
        QCOMPARE(curves->curves().size(), std::size_t(4));
        for (const widgets::DeletionCurves& c : curves->curves())
            QVERIFY(c.result.insertion.auc > 0 && c.result.insertion.auc <= 1.0);
        // Class sensitivity: a row per map, similarities in [-1, 1].
        auto* sensitivity = newestSaliency<QTableWidget>(window_, "classSensitivity");
        QVERIFY(sensitivity);
        QCOMPARE(sensitivity->rowCount(), 4);
        for (int row = 0; row < 4; ++row)
            for (int column = 3; column < 6; ++column) {
                const double v = sensitivity->item(row, column)->text().toDouble();
                QVERIFY2(v >= -1.0 && v <= 1.0, qPrintable(sensitivity->item(row, column)->text()));
            }

        // A cell opens large in the view; the status line's link goes back.
        auto* view = newestSaliency<widgets::SaliencyView>(window_);
        auto* status = newestSaliency<QLabel>(window_, "saliencyStatus");
        QVERIFY(view && status);
        Q_EMIT grid->cellClicked(1, 1);
        QVERIFY(view->isVisibleTo(view->window()));
        QCOMPARE(view->map().method, SaliencyMethod::GradCamPlusPlus);
        QCOMPARE(view->map().values, grid->content().cell(1, 1)->values);
        QVERIFY2(status->text().contains(QStringLiteral("seed1")), qPrintable(status->text()));
        Q_EMIT status->linkActivated(QStringLiteral("grid"));
        QVERIFY(grid->isVisibleTo(grid->window()));
        QVERIFY(!view->isVisibleTo(view->window()));

        // Display settings chosen in the view are kept with the project.
        QVariantMap display = view->settings();
        display[QStringLiteral("alpha")] = 0.35;
        display[QStringLiteral("sign")] = QStringLiteral("absolute");
        view->restoreSettings(display);
        Q_EMIT view->settingsChanged();
    }

    void theViewIsSavedWithTheProject() {
        QVERIFY(window_.saveProject(path("p.basin")));
        const Project saved = Project::load(path("p.basin"));
        QVERIFY(QJsonDocument(saved.layout).toJson().contains("\"saliency\""));
        MainWindow reopened;
        reopened.setConfirmDiscard(false);
        QVERIFY(reopened.openProject(path("p.basin")));
        auto* grid = newestSaliency<widgets::SaliencyGrid>(reopened);
        QVERIFY(grid);
        QVERIFY(QTest::qWaitFor([&] { return grid->content().maps.size() == 4; }, 60000));
        auto* view = newestSaliency<widgets::SaliencyView>(reopened);
        QVERIFY(view);
        QCOMPARE(view->settings().value(QStringLiteral("alpha")).toDouble(), 0.35);
        QCOMPARE(view->settings().value(QStringLiteral("sign")).toString(),
                 QStringLiteral("absolute"));
    }

    // The demo project explains a test digit of its CNN with Grad-CAM++ and IG;
    // double-clicking another CNN checkpoint (the probe) recomputes them.
    void theDemoShowsGradCamPlusPlusAndIgOfADigit() {
        QTemporaryDir demoDir;
        DemoJob demo(demoDir.path(), quickDemoOptions());
        JobHandle handle(demo.title());
        QCOMPARE(runJob(demo, handle).state, JobState::Succeeded);
        const QString file = demoDir.filePath("demo.basin");
        demoProject(demo.manifest()).save(file);
        MainWindow w;
        w.setConfirmDiscard(false);
        QVERIFY(w.openProject(file));
        w.show();
        auto* grid = newestSaliency<widgets::SaliencyGrid>(w);
        QVERIFY(grid);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return grid->content().maps.size() == 2 && !grid->content().maps[1].values.empty();
            },
            60000));
        QCOMPARE(grid->content().cell(0, 0)->method, SaliencyMethod::GradCamPlusPlus);
        QCOMPARE(grid->content().cell(1, 0)->method, SaliencyMethod::IntegratedGradients);
        const std::vector<float> before = grid->content().maps[1].values;
        Probe probe;
        probe.kind = Probe::Kind::Checkpoint;
        for (const ProjectItem& c : w.session()->project().itemsOfKind(ItemKind::Checkpoint))
            if (c.name.startsWith("cnn_digits_seed1")) probe.checkpoint = c.name;
        QVERIFY(!probe.checkpoint.isEmpty());
        w.session()->setProbe(probe);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return grid->content().maps.size() == 2 && grid->content().maps[1].values != before;
            },
            60000));
    }

private:
    int checkpointItem(const QString& name) const {
        const auto& items = window_.session()->project().items;
        for (int i = 0; i < items.size(); ++i)
            if (items[i].kind == ItemKind::Checkpoint && items[i].name == name) return i;
        return -1;
    }
    QString path(const QString& name) const { return dir_.filePath(name); }

    QTemporaryDir dir_;
    MainWindow window_;
    std::vector<float> first_;
};

BASIN_GUI_TEST_MAIN(TestSaliencyGui)
#include "test_saliency_gui.moc"
