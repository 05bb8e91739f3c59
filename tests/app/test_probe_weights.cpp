// The weights at the probe in the main window: with the probe on a landscape
// of the project, the inspector shows the surface's values there and the
// Probe menu's actions (also buttons under the inspector) are enabled;
// evaluating gives the surface's own loss at a grid point on each dataset;
// saving adds a checkpoint item linked to the model, which the checkpoint
// evaluation then runs on; a probe on an analytic landscape has no weights.

#include <QAction>
#include <QDockWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "ProjectItems.h"
#include "data/GeneratedDatasets.h"
#include "eval/EvaluationView.h"
#include "io/Numpy.h"
#include "jobs/JobHandle.h"
#include "jobs/JobsPanel.h"
#include "landscape/LandscapeJob.h"
#include "model/StateDictFile.h"
#include "project/Session.h"
#include "ui/Evaluation.h"
#include "ui/InspectorPanel.h"
#include "ui/MainWindow.h"
#include "ui/ProbeWeights.h"
#include "ui/ViewArea.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::app;

namespace {

// Runs a job to the end on this thread; its error, if any, as the message.
JobStatus runToEnd(Job& job) {
    JobHandle handle(job.title());
    return runJob(job, handle);
}

ProjectItem item(ItemKind kind, const QString& path, QJsonObject extra = {}) {
    return projectItem(kind, QFileInfo(path).completeBaseName(), path, std::move(extra));
}

// The inspector's value for `key` (empty when it has no such row).
QString inspectorValue(MainWindow& w, const QString& key) {
    QTreeWidget* tree = w.inspector()->tree();
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(0) == key) return tree->topLevelItem(i)->text(1);
    }
    return {};
}

QAction* findAction(QMainWindow& w, const QString& text) {
    for (QAction* a : w.findChildren<QAction*>()) {
        if (a->text() == text) return a;
    }
    return nullptr;
}

bool near(double got, double want) {
    return std::abs(got - want) <= 1e-4 * (1 + std::abs(want));
}

}  // namespace

class TestProbeWeights : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void evaluateAndSaveTheWeightsAtTheProbe() {
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        writeNpz((d + "/spirals_train.npz").toStdString(),
                 {{"x", data.train.inputs}, {"y", data.train.targets}});
        writeNpz((d + "/spirals_test.npz").toStdString(),
                 {{"x", data.test.inputs}, {"y", data.test.targets}});
        MlpOptions o;
        o.hidden = {16, 16};
        makeMlp(o).save((d + "/mlp.pt").toStdString());
        o.seed = 7;
        saveStateDict((d + "/centre.pt").toStdString(), makeMlp(o).stateDict());
        LandscapeRecipe recipe;
        recipe.modelPath = (d + "/mlp.pt").toStdString();
        recipe.checkpoint = (d + "/centre.pt").toStdString();
        recipe.x = parseGridRange("-1:1:5");
        recipe.y = parseGridRange("-1:1:5");
        recipe.surfacePath = (d + "/plane.h5").toStdString();
        {
            LandscapeJob job(recipe, data.train, data.test);
            QCOMPARE(runToEnd(job).state, JobState::Succeeded);
        }
        const Surface surface = readSurface(recipe.surfacePath);

        Project project;
        project.items << item(ItemKind::Model, d + "/mlp.pt")
                      << item(ItemKind::Checkpoint, d + "/centre.pt", {{"model", d + "/mlp.pt"}})
                      << item(ItemKind::Dataset, d + "/spirals_train.npz")
                      << item(ItemKind::Dataset, d + "/spirals_test.npz")
                      << item(ItemKind::Result, d + "/plane.h5");
        project.save(d + "/probe.basin");
        MainWindow w;
        w.setConfirmDiscard(false);
        QVERIFY(w.openProject(d + "/probe.basin"));
        w.resize(1300, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));

        QAction* evaluate = findAction(w, "&Evaluate the weights at the probe");
        QAction* save = findAction(w, "&Save the weights at the probe as a checkpoint…");
        QVERIFY(evaluate && save);
        QVERIFY(!evaluate->isEnabled() && !save->isEnabled());  // no probe yet
        auto* buttons = w.inspector()->findChild<QWidget*>("probeButtons");
        QVERIFY(buttons && buttons->isHidden());

        // (a, b) = (0.5, −0.5): grid point (3, 1).
        w.session()->setProbe(Probe{Probe::Kind::Plane, {}, 0.5, -0.5, "plane.h5"});
        QVERIFY(evaluate->isEnabled() && save->isEnabled());
        QVERIFY(!buttons->isHidden());
        QCOMPARE(buttons->findChildren<QToolButton*>().size(), 2);
        const std::size_t k = 3 * 5 + 1;
        const double trainLoss = surface.metric(SurfaceMetric::TrainLoss)[k];
        QCOMPARE(inspectorValue(w, "surface train loss"), QString::number(trainLoss, 'g', 5));
        QVERIFY(inspectorValue(w, "surface data")
                    .contains(QString::fromStdString(surface.metadata.dataset)));
        QVERIFY(inspectorValue(w, "surface test accuracy").contains("%"));
        QCOMPARE(inspectorValue(w, "Result"), QStringLiteral("plane.h5"));

        // Evaluate: the surface's own numbers, on each dataset of the project.
        evaluate->trigger();
        QVERIFY(QTest::qWaitFor(
            [&] { return !inspectorValue(w, "loss on spirals_train").isEmpty(); }, 120000));
        const QString evaluated = inspectorValue(w, "loss on spirals_train");
        QVERIFY2(near(evaluated.toDouble(), trainLoss), qPrintable(evaluated));
        const QString onTest = inspectorValue(w, "loss on spirals_test");
        QVERIFY2(near(onTest.toDouble(), surface.metric(SurfaceMetric::TestLoss)[k]),
                 qPrintable(onTest));
        QVERIFY2(inspectorValue(w, "accuracy on spirals_test").contains("samples)"),
                 qPrintable(inspectorValue(w, "accuracy on spirals_test")));
        QVERIFY(inspectorValue(w, "Weights").contains("θ₀ + a·d_x + b·d_y of plane.h5"));

        QDir(basin::test::testOutputDir()).mkpath(".");
        QVERIFY(w.findChild<QDockWidget*>("inspectorDock")
                    ->grab()
                    .save(basin::test::testOutputDir() + "/inspector_plane_probe.png"));
        QVERIFY(w.grab().save(basin::test::testOutputDir() + "/window_plane_probe.png"));

        // Save: a checkpoint item linked to the model.
        const QString saved = suggestedProbeWeightsPath(w.session()->project());
        QCOMPARE(saved, d + "/plane_a0.5_b-0.5.pt");
        startSavingProbeWeights(&w, saved);
        auto savedIndex = [&] {
            const auto& items = w.session()->project().items;
            for (int i = 0; i < items.size(); ++i)
                if (items[i].kind == ItemKind::Checkpoint && items[i].path == saved) return i;
            return -1;
        };
        QVERIFY(QTest::qWaitFor([&] { return savedIndex() >= 0; }, 120000));
        const ProjectItem checkpoint = w.session()->project().items[savedIndex()];
        QCOMPARE(checkpoint.name, QStringLiteral("plane_a0.5_b-0.5"));
        QCOMPARE(checkpoint.extra.value("model").toString(), d + "/mlp.pt");
        QVERIFY(checkpoint.extra.value("weights").toString().contains("(0.5, -0.5)"));
        QCOMPARE(w.session()->project().itemsOfKind(ItemKind::Model).size(), 1);

        // A checkpoint like any other: its evaluation is the surface's value.
        startEvaluation(&w, d + "/mlp.pt", d + "/spirals_train.npz", {saved});
        widgets::EvaluationView* view = nullptr;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (QWidget* v : w.viewArea()->views())
                    if (auto* e = qobject_cast<widgets::EvaluationView*>(v)) view = e;
                return view != nullptr;
            },
            120000));
        QCOMPARE(view->results().size(), std::size_t(1));
        QVERIFY2(view->results()[0].error.empty(), view->results()[0].error.c_str());
        QVERIFY(std::abs(view->results()[0].result.loss - trainLoss) < 1e-5);

        // A probe on a landscape the project has no file of: no weights.
        w.session()->setProbe(Probe{Probe::Kind::Plane, {}, 1.0, 2.0, "Himmelblau"});
        QVERIFY(!evaluate->isEnabled() && !save->isEnabled());
        QVERIFY(inspectorValue(w, "Weights").contains("Himmelblau"));
        QVERIFY(inspectorValue(w, "loss on spirals_train").isEmpty());
    }
};

BASIN_GUI_TEST_MAIN(TestProbeWeights)
#include "test_probe_weights.moc"
