// The "Loss landscape" dialog and the GUI path it starts: defaults taken from
// the project, range validation, the recipe of every direction kind, and
// landscapes computed from the dialog ending in their views (a slice view
// for a 1D line between checkpoints; the contour map with the trajectory,
// metric choice and slices for a PCA plane).

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
#include <QTemporaryDir>
#include <QTimer>
#include <cmath>
#include <functional>

#include "BasinGuiTest.h"
#include "DialogDriver.h"
#include "ImageCompare.h"
#include "ProjectItems.h"
#include "jobs/JobHandle.h"
#include "landscape/ContourMapView.h"
#include "landscape/SliceView.h"
#include "plot/QCustomPlot.h"
#include "project/Demo.h"
#include "project/Session.h"
#include "ui/Landscape.h"
#include "ui/LandscapeDialog.h"
#include "ui/MainWindow.h"
#include "ui/ViewArea.h"

using namespace basin;
using namespace basin::app;

namespace {

// Two models, three datasets, two runs of four checkpoints each (files need
// not exist for the dialog).
Project sampleProject(const QString& dir) {
    Project p;
    p.items << projectItem(ItemKind::Model, "cnn", dir + "/cnn.pt")
            << projectItem(ItemKind::Model, "mlp", dir + "/mlp.pt")
            << projectItem(ItemKind::Dataset, "digits_test", dir + "/digits_test.npz")
            << projectItem(ItemKind::Dataset, "spirals_train", dir + "/spirals_train.npz")
            << projectItem(ItemKind::Dataset, "spirals_test", dir + "/spirals_test.npz");
    for (const QString run : {"mlp_seed0", "mlp_seed1"}) {
        for (int e = 0; e < 4; ++e) {
            const QString name = QStringLiteral("%1_epoch_%2").arg(run).arg(e);
            p.items << projectItem(ItemKind::Checkpoint, name, dir + "/" + name + ".pt",
                                   {{"run", run}, {"model", dir + "/mlp.pt"}});
        }
    }
    return p;
}

int indexOf(const Project& p, const QString& name) {
    for (int i = 0; i < p.items.size(); ++i) {
        if (p.items[i].name == name) return i;
    }
    return -1;
}

QPushButton* okButton(QDialog& d) {
    return d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
}

bool waitUntil(const std::function<bool()>& done, int ms = 120000) {
    return QTest::qWaitFor(done, ms);
}

// Fills the dialog that computeLandscapeForItem opens, then presses OK.
void whenDialogOpens(const std::function<void(LandscapeDialog&)>& fill) {
    whenModalOpens<LandscapeDialog>(fill);
}

bool isResult(MainWindow& w, const QString& path) {
    for (const ProjectItem& i : w.session()->project().itemsOfKind(ItemKind::Result)) {
        if (i.path == path) return true;
    }
    return false;
}

// Picks the entry whose file (the item's data) ends with `suffix`.
void choosePath(QComboBox* box, const char* suffix) {
    for (int i = 0; i < box->count(); ++i) {
        if (box->itemData(i).toString().endsWith(QLatin1String(suffix))) box->setCurrentIndex(i);
    }
}

template <class View>
View* viewOf(MainWindow& w, const QString& path) {
    for (QWidget* v : w.viewArea()->views()) {
        if (w.viewArea()->specOf(v).settings.value("path").toString() == path) {
            if (auto* view = qobject_cast<View*>(v)) return view;
        }
    }
    return nullptr;
}

}  // namespace

class TestLandscapeDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsComeFromTheProject() {
        QTemporaryDir dir;
        const Project p = sampleProject(dir.path());
        LandscapeDialog d(p, indexOf(p, "mlp_seed0_epoch_2"));
        QCOMPARE(d.windowTitle(), QStringLiteral("Loss landscape"));
        // The checkpoint's model; the training split and the matching test split.
        QCOMPARE(field<QComboBox>(d, "model")->currentText(), QStringLiteral("mlp"));
        QCOMPARE(d.trainDataPath(), dir.path() + "/spirals_train.npz");
        QCOMPARE(d.testDataPath(), dir.path() + "/spirals_test.npz");
        QVERIFY(d.isValid());
        QVERIFY(okButton(d)->isEnabled());
        const LandscapeRecipe r = d.recipe();
        QCOMPARE(r.modelPath, (dir.path() + "/mlp.pt").toStdString());
        QCOMPARE(r.checkpoint, (dir.path() + "/mlp_seed0_epoch_2.pt").toStdString());
        QCOMPARE(r.directions, DirectionKind::Random);
        QCOMPARE(r.random.normalization, Normalization::Filter);
        QVERIFY(!r.random.keepOneDimensional);  // Li et al.'s default
        QVERIFY(!r.includeBuffers);
        QVERIFY(r.random.twoDimensional);
        QCOMPARE(r.x.toString(), std::string("-1:1:21"));
        QVERIFY(r.y && r.y->toString() == "-1:1:21");
        QVERIFY(!r.options.reestimateBatchNorm);
        // Next to the checkpoint, named by kind.
        QCOMPARE(QString::fromStdString(r.surfacePath),
                 dir.path() + "/mlp_seed0_epoch_2.random-landscape.h5");
        QVERIFY(field<QLabel>(d, "metricsNote")->text().contains("test"));
        // Random directions place no checkpoints: a fit range is refused.
        field<QLineEdit>(d, "xRange")->setText("fit:21");
        QVERIFY(!okButton(d)->isEnabled());
        field<QLineEdit>(d, "xRange")->setText("-1:1:21");
        QVERIFY(okButton(d)->isEnabled());

        // An existing surface is never overwritten by default.
        QFile existing(dir.path() + "/mlp_seed0_epoch_2.random-landscape.h5");
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.close();
        LandscapeDialog again(p, indexOf(p, "mlp_seed0_epoch_2"));
        QCOMPARE(QString::fromStdString(again.recipe().surfacePath),
                 dir.path() + "/mlp_seed0_epoch_2.random-landscape-2.h5");

        // What it looks like.
        d.resize(d.sizeHint());
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QVERIFY(d.grab().save(basin::test::testOutputDir() + "/landscape_dialog.png"));
        field<QComboBox>(d, "directionKind")->setCurrentIndex(3);
        QTest::qWait(30);
        QVERIFY(d.grab().save(basin::test::testOutputDir() + "/landscape_dialog_pca.png"));
    }

    void invalidRangesAreNamedAndDisableOk() {
        QTemporaryDir dir;
        const Project p = sampleProject(dir.path());
        LandscapeDialog d(p, indexOf(p, "mlp_seed0_epoch_0"));
        auto* x = field<QLineEdit>(d, "xRange");
        auto* xError = field<QLabel>(d, "xRangeError");
        QVERIFY(xError->isHidden());
        x->setText("1:0:5");
        QVERIFY(!xError->isHidden());
        QVERIFY2(xError->text().contains("x"), qPrintable(xError->text()));
        QVERIFY(!okButton(d)->isEnabled());
        QVERIFY(!d.isValid());
        x->setText("-2:2:41");
        QVERIFY(xError->isHidden());
        QVERIFY(okButton(d)->isEnabled());
        QCOMPARE(d.recipe().x.num, std::size_t(41));

        auto* y = field<QLineEdit>(d, "yRange");
        y->setText("-1:1");
        QVERIFY(!field<QLabel>(d, "yRangeError")->isHidden());
        QVERIFY(!okButton(d)->isEnabled());
        // A 1D slice has no y: its range does not matter.
        field<QComboBox>(d, "dimensions")->setCurrentIndex(0);
        QVERIFY(field<QLabel>(d, "yRangeError")->isHidden());
        QVERIFY(!y->isEnabled());
        QVERIFY(okButton(d)->isEnabled());
        QVERIFY(!d.recipe().y);
        QVERIFY(!d.recipe().random.twoDimensional);

        field<QLineEdit>(d, "output")->setText("");
        QVERIFY(!okButton(d)->isEnabled());
        QVERIFY(!field<QLabel>(d, "problem")->isHidden());
    }

    void everyDirectionKindMakesItsRecipe() {
        QTemporaryDir dir;
        const Project p = sampleProject(dir.path());
        const auto path = [&](const char* name) {
            return (dir.path() + "/" + name + ".pt").toStdString();
        };
        LandscapeDialog d(p, indexOf(p, "mlp_seed0_epoch_1"));
        auto* kind = field<QComboBox>(d, "directionKind");

        // Random, with every option changed.
        field<QComboBox>(d, "normalization")->setCurrentIndex(1);
        field<QCheckBox>(d, "keepOneDimensional")->setChecked(true);
        field<QCheckBox>(d, "includeBuffers")->setChecked(true);
        field<QSpinBox>(d, "seed")->setValue(7);
        field<QCheckBox>(d, "reestimateBatchNorm")->setChecked(true);
        LandscapeRecipe r = d.recipe();
        QCOMPARE(r.random.normalization, Normalization::Layer);
        QVERIFY(r.random.keepOneDimensional && r.includeBuffers);
        QCOMPARE(r.random.seed, std::uint64_t(7));
        QVERIFY(r.options.reestimateBatchNorm);

        // The line to the next checkpoint: 1D, past both ends.
        kind->setCurrentIndex(1);
        r = d.recipe();
        QCOMPARE(r.directions, DirectionKind::CheckpointLine);
        QVERIFY(!r.y);
        QVERIFY(!field<QComboBox>(d, "dimensions")->isEnabled());
        QCOMPARE(r.checkpoint, path("mlp_seed0_epoch_1"));
        QCOMPARE(r.checkpoints, std::vector<std::string>{path("mlp_seed0_epoch_2")});
        QCOMPARE(r.x.toString(), std::string("-0.5:1.5:41"));
        QVERIFY(QString::fromStdString(r.surfacePath).endsWith("epoch_1.line-1d-landscape.h5"));
        field<QComboBox>(d, "lineEnd")->setCurrentText("mlp_seed0_epoch_1");
        QVERIFY(!okButton(d)->isEnabled());  // A to A is no line
        field<QComboBox>(d, "lineEnd")->setCurrentText("mlp_seed1_epoch_3");
        QVERIFY(okButton(d)->isEnabled());
        QCOMPARE(d.recipe().checkpoints, std::vector<std::string>{path("mlp_seed1_epoch_3")});

        // The plane through the centre, B and C: 2D.
        kind->setCurrentIndex(2);
        r = d.recipe();
        QCOMPARE(r.directions, DirectionKind::CheckpointPlane);
        QVERIFY(r.y.has_value());
        // Its ranges cover the checkpoints wherever the directions put them.
        QVERIFY(r.x.fit && r.y->fit);
        QCOMPARE(r.x.toString(), std::string("fit:21:0.25"));
        QCOMPARE(r.checkpoints,
                 (std::vector<std::string>{path("mlp_seed0_epoch_2"), path("mlp_seed0_epoch_3")}));
        field<QComboBox>(d, "planeC")->setCurrentText("mlp_seed0_epoch_2");
        QVERIFY(!okButton(d)->isEnabled());  // B = C
        field<QComboBox>(d, "planeC")->setCurrentText("mlp_seed1_epoch_0");
        QVERIFY(okButton(d)->isEnabled());

        // PCA: the run's checkpoints up to the centre are ticked; ticking a
        // later one makes it the centre.
        kind->setCurrentIndex(3);
        QVERIFY(!okButton(d)->isEnabled());  // epochs 0 and 1: too short
        auto* trajectory = field<QListWidget>(d, "trajectory");
        trajectory->item(2)->setCheckState(Qt::Checked);
        trajectory->item(3)->setCheckState(Qt::Checked);
        QVERIFY(okButton(d)->isEnabled());
        r = d.recipe();
        QCOMPARE(r.directions, DirectionKind::TrajectoryPca);
        QCOMPARE(r.checkpoints,
                 (std::vector<std::string>{path("mlp_seed0_epoch_0"), path("mlp_seed0_epoch_1"),
                                           path("mlp_seed0_epoch_2"), path("mlp_seed0_epoch_3")}));
        QCOMPARE(r.checkpoint, path("mlp_seed0_epoch_3"));
        QVERIFY(field<QLabel>(d, "trajectoryCentre")->text().contains("mlp_seed0_epoch_3"));
        QVERIFY(QString::fromStdString(r.surfacePath).endsWith("epoch_3.pca-landscape.h5"));
        // Reordering: the selected checkpoint moves earlier.
        trajectory->setCurrentRow(3);
        QTest::mouseClick(field<QPushButton>(d, "trajectoryUp"), Qt::LeftButton);
        QCOMPARE(d.recipe().checkpoint, path("mlp_seed0_epoch_2"));

        // Hessian eigenvectors: bottom for b only in 2D.
        kind->setCurrentIndex(4);
        field<QSpinBox>(d, "hessianSamples")->setValue(300);
        field<QCheckBox>(d, "hessianBottom")->setChecked(true);
        r = d.recipe();
        QCOMPARE(r.directions, DirectionKind::HessianEigenvectors);
        QCOMPARE(r.hessian.samples, std::int64_t(300));
        QVERIFY(r.hessian.bottom && r.hessian.twoDimensional && r.y);
        field<QComboBox>(d, "dimensions")->setCurrentIndex(0);
        r = d.recipe();
        QVERIFY(!r.hessian.bottom && !r.hessian.twoDimensional && !r.y);
        QVERIFY(!field<QCheckBox>(d, "hessianBottom")->isEnabled());
    }

    // From the checkpoint's action to the views, on the quick demo's MLP.
    void landscapesFromTheDialogEndInTheirViews() {
        QTemporaryDir dir;
        DemoOptions options = quickDemoOptions();
        options.cnnEpochs = 1;
        options.seeds = {0};
        DemoJob demo(dir.path(), options);
        JobHandle handle(demo.title());
        QCOMPARE(runJob(demo, handle).state, JobState::Succeeded);
        const QString projectFile = dir.path() + "/landscapes.basin";
        Project project = demoProject(demo.manifest());
        project.layout = {};
        project.save(projectFile);

        MainWindow w;
        w.setConfirmDiscard(false);
        QVERIFY(w.openProject(projectFile));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const Project& p = w.session()->project();
        int last = -1, previous = -1;
        QStringList mlpCheckpoints;
        for (int i = 0; i < p.items.size(); ++i) {
            if (p.items[i].kind == ItemKind::Checkpoint &&
                p.items[i].name.startsWith("mlp_spirals")) {
                previous = last;
                last = i;
                mlpCheckpoints << p.items[i].name;
            }
        }
        QVERIFY2(mlpCheckpoints.size() >= 3, qPrintable(mlpCheckpoints.join(' ')));

        // The line from the last epoch to the one before, 1D with test data.
        whenDialogOpens([&](LandscapeDialog& d) {
            field<QComboBox>(d, "directionKind")->setCurrentIndex(1);
            field<QComboBox>(d, "lineEnd")->setCurrentText(p.items[previous].name);
            field<QLineEdit>(d, "xRange")->setText("-0.5:1.5:21");
            choosePath(field<QComboBox>(d, "trainData"), "spirals_train.npz");
            choosePath(field<QComboBox>(d, "testData"), "spirals_test.npz");
        });
        computeLandscapeForItem(&w, last);
        QString line;
        for (QWidget* v : w.viewArea()->views()) {
            if (w.viewArea()->specOf(v).type == "landscape-slice")
                line = w.viewArea()->specOf(v).settings.value("path").toString();
        }
        QVERIFY2(line.endsWith(".line-1d-landscape.h5"), qPrintable(line));
        QVERIFY(waitUntil([&] { return isResult(w, line); }));
        auto* slice = viewOf<widgets::SliceView>(w, line);
        QVERIFY(slice);
        QCOMPARE(slice->slice().nx(), std::size_t(21));
        QCOMPARE(slice->slice().missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        QCOMPARE(slice->plot()->graphCount(), 4);  // train and test, loss and accuracy
        QCOMPARE(slice->markerCount(), 2);         // a = 0 and a = 1: the checkpoints
        // The surface at a = 1 is the other checkpoint: its loss differs from a = 0's.
        const Surface& s = slice->slice();
        QVERIFY(s.metric(SurfaceMetric::TrainLoss)[5] != s.metric(SurfaceMetric::TrainLoss)[15]);
        // A click moves the probe onto the line.
        QTest::mouseClick(slice->plot(), Qt::LeftButton, {},
                          slice->pixelOf(1.0, slice->plot()->yAxis->range().center()).toPoint());
        const Probe probe = w.session()->project().probe;
        QCOMPARE(probe.kind, Probe::Kind::Plane);
        QCOMPARE(probe.result, QFileInfo(line).fileName());
        QVERIFY(std::abs(probe.a - 1.0) < 0.02);
        QTest::qWait(50);
        QVERIFY(slice->grab().save(basin::test::testOutputDir() + "/landscape_line_view.png"));

        // The PCA plane of the run: the contour map shows the trajectory and
        // offers every metric; a slice through the probe opens from it.
        whenDialogOpens([&](LandscapeDialog& d) {
            field<QComboBox>(d, "directionKind")->setCurrentIndex(3);
            field<QLineEdit>(d, "xRange")->setText("-1:1:9");
            field<QLineEdit>(d, "yRange")->setText("-1:1:9");
            choosePath(field<QComboBox>(d, "testData"), "spirals_test.npz");
        });
        computeLandscapeForItem(&w, last);
        QString plane;
        for (QWidget* v : w.viewArea()->views()) {
            const QString path = w.viewArea()->specOf(v).settings.value("path").toString();
            if (path.endsWith(".pca-landscape.h5")) plane = path;
        }
        QVERIFY(!plane.isEmpty());
        QVERIFY(waitUntil([&] { return isResult(w, plane); }));
        auto* contour = viewOf<widgets::ContourMapView>(w, plane);
        QVERIFY(contour);
        QCOMPARE(contour->grid().nx(), std::size_t(9));
        const std::vector<ProjectedPoint> trajectory = trajectoryOf(plane);
        QCOMPARE(int(trajectory.size()), mlpCheckpoints.size());
        QCOMPARE(QString::fromStdString(trajectory.back().label),
                 QFileInfo(p.items[last].path).completeBaseName());
        QCOMPARE(contour->plot()->itemCount(), int(trajectory.size()));  // the labels
        auto* metric = contour->findChild<QComboBox*>("contourMetric");
        QVERIFY(metric && !metric->isHidden());
        QCOMPARE(metric->count(), 4);
        metric->setCurrentIndex(2);
        Q_EMIT metric->activated(2);
        QCOMPARE(contour->grid().name, std::string("test_loss"));
        // The choice is kept in the view's spec, so the project remembers it.
        QCOMPARE(w.viewArea()->specOf(contour).settings.value("metric").toString(),
                 QStringLiteral("test_loss"));
        QVERIFY(contour->grab().save(basin::test::testOutputDir() + "/landscape_pca_contour.png"));
        w.session()->setProbe(Probe{Probe::Kind::Plane, {}, 0.5, 0.5, QFileInfo(plane).fileName()});
        Q_EMIT contour->sliceRequested(true, 0.5);
        widgets::SliceView* along = nullptr;
        for (QWidget* v : w.viewArea()->views()) {
            if (w.viewArea()->specOf(v).type == "landscape-slice" &&
                w.viewArea()->specOf(v).settings.value("path").toString() == plane)
                along = qobject_cast<widgets::SliceView*>(v);
        }
        QVERIFY(along);
        QCOMPARE(along->slice().nx(), std::size_t(9));
        QCOMPARE(along->line(), 0.5);
        QCOMPARE(along->plot()->graphCount(), 4);
        QVERIFY(along->grab().save(basin::test::testOutputDir() + "/landscape_pca_slice.png"));
    }
};

BASIN_GUI_TEST_MAIN(TestLandscapeDialog)
#include "test_landscape_dialog.moc"
