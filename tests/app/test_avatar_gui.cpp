// The avatar preview in the GUI (issue 7): a 3DGS PLY written here (EVA's
// part label and gradient among its properties) opens in an avatar view whose
// splat renderer draws it and whose statistics count its parts; a drag across
// the opacity histogram brushes exactly the splats in that range, emits
// their mask and the GL view highlights them; the procedural avatar's pose panel (its ImGui button
// and its API) re-skins the centres for the A-pose and the walk, and the project keeps the pose; a
// training run's iterations switch with the slider and compare per part (counts, added/removed by
// centre matching, spacing against brute force); View › Avatar preview and the demo project open
// the procedural avatar.

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonValue>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <random>

#include "BasinGuiTest.h"
#include "DialogDriver.h"
#include "JointSmplxModel.h"
#include "data/detail/TensorBuilders.h"
#include "gl/GlView.h"
#include "io/Numpy.h"
#include "jobs/JobHandle.h"
#include "jobs/JobsPanel.h"
#include "plot/QCustomPlot.h"
#include "project/Demo.h"
#include "splats/AvatarPosePanel.h"
#include "splats/GaussianPly.h"
#include "splats/IterationComparisonView.h"
#include "splats/SplatFramesJob.h"
#include "splats/SplatImageFile.h"
#include "splats/SplatLayer.h"
#include "splats/SplatRasterizer.h"
#include "splats/SplatStatsView.h"
#include "ui/Avatars.h"
#include "ui/MainWindow.h"
#include "ui/SmplxBindDialog.h"
#include "ui/SplatFramesDialog.h"
#include "ui/ViewArea.h"

using namespace basin;
using namespace basin::app;
using basin::widgets::AvatarPosePanel;
using basin::widgets::SplatStatsView;

namespace {

float logit(float p) {
    return std::log(p / (1 - p));
}

// The part of splat i of gridCloud: each layer of 100 is one part.
int partOf(std::size_t i) {
    return int((i / 100) % 3);
}

// `n` splats of degree 0 on a grid of 0.1 spacing starting at `origin` (10 ×
// 10 per layer, layers along z): part label (f_view_ind_0) partOf(i) and opacity 0.05 +
// 0.9·i/(n−1), a gradient xyz_gradient_prev_0 = i, scales 0.01–0.04.
GaussianCloud gridCloud(std::size_t n, float originX = 0) {
    GaussianCloud c;
    c.shDegree = 0;
    SplatQuantity part{"f_view_ind_0", {}}, gradient{"xyz_gradient_prev_0", {}};
    for (std::size_t i = 0; i < n; ++i) {
        c.positions.insert(c.positions.end(), {originX + 0.1f * float(i % 10),
                                               0.1f * float((i / 10) % 10), 0.1f * float(i / 100)});
        const float s = std::log(0.01f + 0.03f * float(i % 4) / 3);
        c.logScales.insert(c.logScales.end(), {s, s, s});
        c.rawRotations.insert(c.rawRotations.end(), {1, 0, 0, 0});
        c.opacityLogits.push_back(logit(0.05f + 0.9f * float(i) / float(n - 1)));
        c.sh.insert(c.sh.end(), {1.0f, 0.5f, 0.0f});
        part.values.push_back(float(partOf(i)));
        gradient.values.push_back(float(i));
    }
    c.quantities = {part, gradient};
    c.activate();
    return c;
}

QString writeCloud(const QString& path, const GaussianCloud& cloud) {
    QDir().mkpath(QFileInfo(path).path());
    writeGaussianPly(path.toStdString(), cloud);
    return path;
}

QImage frames(widgets::GlView* view, int n) {
    QImage image;
    for (int i = 0; i < n; ++i) {
        image = view->renderImage();
        QCoreApplication::processEvents();
    }
    return image;
}

int litPixels(const QImage& image) {
    int lit = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            lit += qGray(image.pixel(x, y)) > 20;
    return lit;
}

// Mean height (y) of the splats of one part.
double meanHeight(const RenderSplats& splats, const GaussianCloud& cloud, int part) {
    const SplatQuantity* q = cloud.quantity("part");
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < splats.size(); ++i)
        if (int(q->values[i]) == part) sum += splats.centres[3 * i + 1], ++n;
    return sum / double(n);
}

}  // namespace

class TestAvatarGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void plyOpensWithItsStatistics();
    void brushingEmitsTheRangesMask();
    void poseChangesTheSkinnedCentres();
    void smplxMotionPlaysOnTheRig();
    void seriesSliderSwitchesIterations();
    void spacingMatchesBruteForce();
    void smplxBindingRigsAFile();
    void framesExportTurntableAndAnimation();
    void cameraMotionAndPlayingAreKept();
    void badSourcesAreNamed();
    void menuOpensTheProceduralAvatar();
    void motionExpressionsAreKept();
};

void TestAvatarGui::plyOpensWithItsStatistics() {
    QTemporaryDir dir;
    const QString path = writeCloud(dir.filePath("cloud.ply"), gridCloud(300));
    AvatarView view(splatsSpec(path).settings);
    QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
    QCOMPARE(view.splatLayer()->splats().size(), std::size_t(300));
    QVERIFY(!view.posePanel());   // a file has no rig
    QVERIFY(!view.comparison());  // nor iterations
    view.resize(900, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(litPixels(frames(view.glView(), 3)) > 500);

    SplatStatsView* stats = view.stats();
    QCOMPARE(stats->splatCount(), std::size_t(300));
    QCOMPARE(stats->partCounts().size(), std::size_t(3));
    for (const auto& p : stats->partCounts())
        QCOMPARE(p.total, std::size_t(100));
    QCOMPARE(widgets::splatPartName(stats->partCounts()[1].label), QStringLiteral("hand"));
    QVERIFY(stats->valueNames().contains("xyz_gradient_prev_0"));
    // The histogram counts every splat; the scale is log10 of the largest axis.
    std::size_t total = 0;
    for (std::size_t c : stats->binCounts())
        total += c;
    QCOMPARE(total, std::size_t(300));
    QVERIFY(stats->setValue(SplatStatsView::kScale));
    QVERIFY(std::abs(stats->histogramLow() - std::log10(0.01)) < 1e-4);
    QVERIFY(std::abs(stats->histogramHigh() - std::log10(0.04)) < 1e-4);
    QVERIFY(!stats->setValue("no such value"));

    // A cloud without a part label is one unlabelled part.
    GaussianCloud plain = gridCloud(50);
    plain.quantities.clear();
    SplatStatsView plainStats;
    plainStats.setCloud(plain);
    QCOMPARE(plainStats.partCounts().size(), std::size_t(1));
    QCOMPARE(plainStats.partCounts()[0].total, std::size_t(50));
    QCOMPARE(widgets::splatPartName(plainStats.partCounts()[0].label),
             QStringLiteral("unlabelled"));
}

void TestAvatarGui::brushingEmitsTheRangesMask() {
    QTemporaryDir dir;
    const GaussianCloud cloud = gridCloud(300);
    AvatarView view(splatsSpec(writeCloud(dir.filePath("cloud.ply"), cloud)).settings);
    view.resize(1000, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    SplatStatsView* stats = view.stats();
    QVERIFY(stats->setValue(SplatStatsView::kOpacity));
    QSignalSpy spy(stats, &SplatStatsView::brushChanged);

    // Drag across the histogram from opacity 0.3 to 0.6.
    QCustomPlot* plot = stats->histogramPlot();
    plot->replot();
    const int y = plot->axisRect()->center().y();
    const QPoint from(int(std::lround(plot->xAxis->coordToPixel(0.3))), y);
    const QPoint to(int(std::lround(plot->xAxis->coordToPixel(0.6))), y);
    QTest::mousePress(plot, Qt::LeftButton, {}, from);
    QTest::mouseMove(plot, (from + to) / 2);
    QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
    QCOMPARE(spy.count(), 1);
    QVERIFY(stats->hasBrush());
    const double lo = stats->brushLow(), hi = stats->brushHigh();
    QVERIFY(std::abs(lo - 0.3) < 0.02 && std::abs(hi - 0.6) < 0.02);

    const auto mask = spy.at(0).at(0).value<std::vector<std::uint8_t>>();
    QCOMPARE(mask.size(), std::size_t(300));
    std::size_t brushed = 0;
    std::vector<std::size_t> perPart(3, 0);
    for (std::size_t i = 0; i < 300; ++i) {
        const bool inside = cloud.opacities[i] >= lo && cloud.opacities[i] <= hi;
        QCOMPARE(bool(mask[i]), inside);
        brushed += inside;
        perPart[std::size_t(partOf(i))] += inside;
    }
    QVERIFY(brushed > 80 && brushed < 120);  // a third of evenly spread opacities
    QCOMPARE(stats->brushedCount(), brushed);
    for (const auto& p : stats->partCounts())
        QCOMPARE(p.brushed, perPart[std::size_t(p.label)]);
    // The GL view highlights the brushed splats.
    QCOMPARE(view.splatLayer()->highlightMask(), mask);

    // A click clears the brush and the highlight.
    QTest::mouseClick(plot, Qt::LeftButton, {}, from);
    QCOMPARE(spy.count(), 2);
    QVERIFY(!stats->hasBrush());
    QVERIFY(spy.at(1).at(0).value<std::vector<std::uint8_t>>().empty());
    QVERIFY(view.splatLayer()->highlightMask().empty());
}

void TestAvatarGui::poseChangesTheSkinnedCentres() {
    AvatarView view(proceduralAvatarSpec(4000).settings);
    QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
    AvatarPosePanel* pose = view.posePanel();
    QVERIFY(pose);
    QCOMPARE(view.splatLayer()->splats().size(), std::size_t(4000));
    QCOMPARE(view.stats()->partCounts().size(), std::size_t(3));
    const GaussianCloud& rest = view.cloud();
    const double handRest = meanHeight(pose->posedSplats(), rest, 1);
    const double faceRest = meanHeight(pose->posedSplats(), rest, 2);
    // T-pose is the rest pose: the centres are the cloud's own.
    for (std::size_t i = 0; i < rest.positions.size(); ++i)
        QVERIFY(std::abs(pose->posedSplats().centres[i] - rest.positions[i]) < 1e-5f);

    // Wide enough for the Pose panel to start open (narrow views start with
    // it collapsed, clear of the avatar).
    view.resize(1500, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    widgets::GlView* gl = view.glView();
    // The avatar fills a good part of the view.
    const QImage shown = frames(gl, 3);
    QVERIFY2(litPixels(shown) > shown.width() * shown.height() / 50,
             qPrintable(QString::number(litPixels(shown))));
    // Press the panel's A-pose button.
    const QRectF button = gl->overlayItemRect("Pose/A-pose");
    QVERIFY(!button.isNull());
    QSignalSpy posed(pose, &AvatarPosePanel::posed);
    QTest::mousePress(gl, Qt::LeftButton, {}, button.center().toPoint());
    frames(gl, 2);
    QTest::mouseRelease(gl, Qt::LeftButton, {}, button.center().toPoint());
    frames(gl, 2);
    QCOMPARE(posed.count(), 1);
    // The arms come down: the hands drop by decimetres, the face stays.
    const double handA = meanHeight(pose->posedSplats(), rest, 1);
    QVERIFY2(handRest - handA > 0.2, qPrintable(QString::number(handRest - handA)));
    QVERIFY(std::abs(meanHeight(pose->posedSplats(), rest, 2) - faceRest) < 1e-3);
    // The layer draws the posed splats.
    QCOMPARE(view.splatLayer()->splats().centres, pose->posedSplats().centres);
    // The project keeps the pose: a view made from the saved settings shows it.
    QJsonObject saved = proceduralAvatarSpec(4000).settings;
    const QVariantMap kept = view.property(ViewArea::kSettingsProperty).toMap();
    QCOMPARE(kept.value("pose").toString(), QStringLiteral("a-pose"));
    for (auto it = kept.begin(); it != kept.end(); ++it)
        saved[it.key()] = QJsonValue::fromVariant(it.value());
    QCOMPARE(AvatarView(saved).posePanel()->posedSplats().centres, pose->posedSplats().centres);
    // So is a slider's rotation of one joint.
    const int elbow = pose->avatar()->skeleton.at("left_elbow");
    pose->setJointRotation(elbow, Eigen::Vector3d(0, -1.2, 0));
    const QVariantMap custom = pose->poseSettings();
    QCOMPARE(custom.value("pose").toString(), QStringLiteral("custom"));
    saved = proceduralAvatarSpec(4000).settings;
    for (auto it = custom.begin(); it != custom.end(); ++it)
        saved[it.key()] = QJsonValue::fromVariant(it.value());
    QCOMPARE(AvatarView(saved).posePanel()->posedSplats().centres, pose->posedSplats().centres);

    // A joint slider's rotation, then the walk: each re-skins.
    pose->applyPreset(AvatarPosePanel::Preset::TPose);
    QVERIFY(std::abs(meanHeight(pose->posedSplats(), rest, 1) - handRest) < 1e-4);
    pose->setWalking(true);
    QVERIFY(pose->walking());
    const std::vector<float> start = pose->posedSplats().centres;
    pose->advance(0.25);
    QVERIFY(std::abs(pose->walkTime() - 0.25) < 1e-9);
    QVERIFY(pose->posedSplats().centres != start);
    pose->setWalkTime(pose->walkCycle().period);  // periodic: back to the start
    for (std::size_t i = 0; i < start.size(); i += 97)
        QVERIFY(std::abs(pose->posedSplats().centres[i] - start[i]) < 1e-4f);
    // Playing frames move the walk on by themselves.
    const double t0 = pose->walkTime();
    frames(gl, 2);
    QTest::qWait(60);
    frames(gl, 2);
    QVERIFY(pose->walkTime() != t0);
    // Pausing keeps where the walk stopped in the project.
    pose->setWalking(false);
    const QVariantMap paused = view.property(ViewArea::kSettingsProperty).toMap();
    QCOMPARE(paused.value("pose").toString(), QStringLiteral("walk"));
    QCOMPARE(paused.value("walkTime").toDouble(), pose->walkTime());
}

// An SMPL-X motion (the shoulders lowered over three frames) plays on the
// procedural rig through the pose panel's controls; a bad file is named.
void TestAvatarGui::smplxMotionPlaysOnTheRig() {
    QTemporaryDir dir;
    const int frames = 3;
    std::vector<float> bodyPose(std::size_t(frames) * 63, 0.0f);
    for (int k = 0; k < frames; ++k) {
        bodyPose[std::size_t(k) * 63 + 15 * 3 + 2] = -0.4f * float(k);  // left shoulder
        bodyPose[std::size_t(k) * 63 + 16 * 3 + 2] = 0.4f * float(k);   // right shoulder
    }
    const QString motion = dir.filePath("motion.npz");
    writeNpz(motion.toStdString(), {{"body_pose", detail::float32Tensor({frames, 63}, bodyPose)},
                                    {"mocap_framerate", detail::float32Tensor({}, {10.0f})}});
    AvatarView view(proceduralAvatarSpec(4000).settings);
    AvatarPosePanel* pose = view.posePanel();
    QVERIFY(pose);
    const std::vector<float> rest = pose->posedSplats().centres;
    QVERIFY2(view.loadMotion(motion), qPrintable(view.error()));
    QCOMPARE(pose->motionFrameCount(), std::size_t(frames));
    QCOMPARE(pose->animationPeriod(), 0.3);       // 3 frames at 10 fps
    QCOMPARE(pose->posedSplats().centres, rest);  // frame 0: all zeros, the T-pose
    pose->setWalking(true);
    pose->advance(0.25);  // frame 2
    QVERIFY(pose->posedSplats().centres != rest);
    QCOMPARE(pose->poseSettings().value("pose").toString(), QStringLiteral("motion"));

    // Export: the posed splats from the view's camera by the CPU reference.
    const QString png = dir.filePath("pose.png");
    QVERIFY2(view.exportImage(png, QSize(160, 120)), qPrintable(view.error()));
    SplatRasterOptions options;
    options.shDegree = view.splatLayer()->shDegree();
    options.background = view.splatLayer()->background();
    const QImage expected = widgets::splatQImage(rasterizeSplats(
        view.splatLayer()->splats(), view.splatLayer()->orbit().camera(160, 120), options));
    QCOMPARE(QImage(png).convertToFormat(QImage::Format_RGB888), expected);
    QVERIFY(!view.exportImage(dir.filePath("zero.png"), QSize(0, 10)));
    QVERIFY2(view.error().contains("0x10"), qPrintable(view.error()));

    QVERIFY(!view.loadMotion(dir.filePath("none.npz")));
    QVERIFY2(view.error().contains("none.npz"), qPrintable(view.error()));
    AvatarView file(splatsSpec(dir.filePath("none.ply")).settings);
    QVERIFY(!file.loadMotion(motion));
    QVERIFY2(file.error().contains("no rigged avatar"), qPrintable(file.error()));
}

void TestAvatarGui::seriesSliderSwitchesIterations() {
    QTemporaryDir dir;
    // Iteration 100: 300 splats. Iteration 2000: its first 240 unchanged plus
    // 90 new ones of the body 5 m away.
    const GaussianCloud a = gridCloud(300);
    GaussianCloud b = gridCloud(240);
    const GaussianCloud extra = gridCloud(90, 5.0f);
    using Floats = std::vector<float> GaussianCloud::*;
    for (Floats v :
         {&GaussianCloud::positions, &GaussianCloud::logScales, &GaussianCloud::rawRotations,
          &GaussianCloud::opacityLogits, &GaussianCloud::sh})
        (b.*v).insert((b.*v).end(), (extra.*v).begin(), (extra.*v).end());
    for (std::size_t q = 0; q < b.quantities.size(); ++q)
        b.quantities[q].values.insert(b.quantities[q].values.end(),
                                      extra.quantities[q].values.begin(),
                                      extra.quantities[q].values.end());
    b.activate();
    writeCloud(dir.filePath("point_cloud/iteration_100/point_cloud.ply"), a);
    writeCloud(dir.filePath("point_cloud/iteration_2000/point_cloud.ply"), b);

    AvatarView view(splatsSpec(dir.path()).settings);
    QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
    QCOMPARE(view.series().entries.size(), std::size_t(2));
    QCOMPARE(view.iteration(), std::int64_t(2000));  // the last first
    QCOMPARE(view.splatLayer()->splats().size(), std::size_t(330));
    view.iterationSlider()->setValue(0);
    QCOMPARE(view.iteration(), std::int64_t(100));
    QCOMPARE(view.splatLayer()->splats().size(), std::size_t(300));
    QCOMPARE(view.stats()->splatCount(), std::size_t(300));
    view.stats()->setBrush(0.0, 0.5);
    QCOMPARE(view.splatLayer()->highlightMask().size(), std::size_t(300));
    view.iterationSlider()->setValue(1);
    QCOMPARE(view.stats()->splatCount(), std::size_t(330));
    // Another iteration's splats are other splats: the brush goes.
    QVERIFY(!view.stats()->hasBrush());
    QVERIFY(view.splatLayer()->highlightMask().empty());
    QCOMPARE(view.property(ViewArea::kSettingsProperty).toMap().value("iteration").toLongLong(),
             2000);

    // The comparison is computed when its tab shows, in the background.
    auto* tabs = view.findChild<QTabWidget*>();
    tabs->setCurrentWidget(view.comparison());
    QVERIFY(view.comparing());  // on a worker thread
    QTRY_VERIFY_WITH_TIMEOUT(!view.comparing(), 20000);
    const widgets::IterationComparison& c = view.comparison()->comparison();
    QCOMPARE(view.comparedIteration(), std::int64_t(100));
    QVERIFY(std::abs(c.tolerance - 0.05) < 1e-6);  // half the 0.1 grid spacing
    QCOMPARE(c.parts.size(), std::size_t(3));
    // Body (layer 0) gains the 90 new splats, the face (layer 2) loses 60.
    const std::size_t countB[3] = {190, 100, 40}, added[3] = {90, 0, 0}, removed[3] = {0, 0, 60};
    for (const auto& p : c.parts) {
        const auto k = std::size_t(p.label);
        QCOMPARE(p.countA, std::size_t(100));
        QCOMPARE(p.countB, countB[k]);
        QCOMPARE(p.added(), added[k]);
        QCOMPARE(p.removed(), removed[k]);
        QVERIFY(std::abs(p.medianSpacingA - 0.1) < 1e-6);
    }
    QVERIFY(view.comparison()->summary().contains("iteration 100 → iteration 2000"));

    // Both views export their figure with the numbers beside it.
    QString error;
    QVERIFY2(view.comparison()->exportFigure(dir.filePath("density.svg"), {800, 600}, &error),
             qPrintable(error));
    QFile densityCsv(dir.filePath("density.csv"));
    QVERIFY(densityCsv.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(densityCsv.readAll()).trimmed().split('\n');
    QCOMPARE(rows.size(), 7);  // header, 3 parts × 2 iterations
    QCOMPARE(rows[0], QStringLiteral("part,iteration,splats,unmatched,median_spacing"));
    const QStringList faceA =
        rows.filter(QStringLiteral("face,iteration 100,")).value(0).split(',');
    QCOMPARE(faceA.size(), 5);
    QCOMPARE(faceA[2], QStringLiteral("100"));
    QCOMPARE(faceA[3], QStringLiteral("60"));  // removed
    QVERIFY(std::abs(faceA[4].toDouble() - 0.1) < 1e-6);
    view.stats()->setBrush(0.0, 0.5);
    QVERIFY2(view.stats()->exportFigure(dir.filePath("histogram.png"), {600, 400}, &error),
             qPrintable(error));
    QVERIFY(QImage(dir.filePath("histogram.png")).width() >= 600);
    QFile histogramCsv(dir.filePath("histogram.csv"));
    QVERIFY(histogramCsv.open(QIODevice::ReadOnly));
    const QStringList bins = QString::fromUtf8(histogramCsv.readAll()).trimmed().split('\n');
    QCOMPARE(bins.size(), view.stats()->binCount() + 1);
    std::size_t total = 0, brushed = 0;
    for (int row = 1; row < bins.size(); ++row) {
        total += bins[row].section(',', 2, 2).toULongLong();
        brushed += bins[row].section(',', 3, 3).toULongLong();
    }
    QCOMPARE(total, std::size_t(330));
    QCOMPARE(brushed, view.stats()->brushedCount());
}

void TestAvatarGui::spacingMatchesBruteForce() {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-1, 1);
    GaussianCloud a = gridCloud(500), b = gridCloud(400);
    for (float& x : a.positions)
        x = u(rng);
    for (float& x : b.positions)
        x = 0.5f * u(rng);
    const auto c = widgets::compareIterations(a, b, 0.04);
    for (const auto& p : c.parts) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (partOf(i) == p.label) members.push_back(i);
        QCOMPARE(p.spacingA.size(), members.size());
        for (std::size_t k = 0; k < members.size(); ++k) {
            double best = 1e9;
            for (std::size_t m : members) {
                if (m == members[k]) continue;
                double d = 0;
                for (int j = 0; j < 3; ++j)
                    d += std::pow(a.positions[3 * m + j] - a.positions[3 * members[k] + j], 2);
                best = std::min(best, std::sqrt(d));
            }
            QVERIFY(std::abs(p.spacingA[k] - best) < 1e-5);
        }
        // Kept B splats: those with an A centre of the part within 0.04.
        std::size_t kept = 0;
        for (std::size_t i = 0; i < b.size(); ++i) {
            if (partOf(i) != p.label) continue;
            bool near = false;
            for (std::size_t m : members) {
                double d = 0;
                for (int j = 0; j < 3; ++j)
                    d += std::pow(a.positions[3 * m + j] - b.positions[3 * i + j], 2);
                near = near || std::sqrt(d) <= 0.04;
            }
            kept += near;
        }
        QCOMPARE(p.keptB, kept);
    }
}

namespace {

// `settings` with a view's kept settings merged in, as the project does.
QJsonObject withKept(QJsonObject settings, const QWidget& view) {
    const QVariantMap kept = view.property(ViewArea::kSettingsProperty).toMap();
    for (auto it = kept.begin(); it != kept.end(); ++it)
        settings[it.key()] = QJsonValue::fromVariant(it.value());
    return settings;
}

// An SMPL-X motion of `frames` frames lowering the shoulders, with
// `handValues` hand-pose values per frame (45 full, fewer PCA; 0: none).
QString writeShoulderMotion(const QString& path, int frames, int handValues = 0) {
    std::vector<float> bodyPose(std::size_t(frames) * 63, 0.0f);
    for (int k = 0; k < frames; ++k) {
        bodyPose[std::size_t(k) * 63 + 15 * 3 + 2] = -0.4f * float(k);
        bodyPose[std::size_t(k) * 63 + 16 * 3 + 2] = 0.4f * float(k);
    }
    std::vector<NamedTensor> arrays{{"body_pose", detail::float32Tensor({frames, 63}, bodyPose)},
                                    {"mocap_framerate", detail::float32Tensor({}, {10.0f})}};
    if (handValues > 0)
        for (const char* key : {"left_hand_pose", "right_hand_pose"})
            arrays.push_back(
                {key, detail::float32Tensor(
                          {frames, handValues},
                          std::vector<float>(std::size_t(frames * handValues), 0.3f))});
    writeNpz(path.toStdString(), arrays);
    return path;
}

JobStatus runHere(widgets::SplatFramesJob& job) {
    JobHandle handle(job.title());
    return runJob(job, handle);
}

}  // namespace

// A file's cloud (the procedural avatar's rest splats, saved as a PLY) bound
// to an SMPL-X model through the dialog: the pose panel appears and poses it
// like the procedural rig, the project keeps the binding, PCA hand poses of a
// motion are expanded with the model's components, and a bad model is named
// without losing the binding.
void TestAvatarGui::smplxBindingRigsAFile() {
    QTemporaryDir dir;
    const Avatar procedural = makeProceduralAvatar({3000});
    const QString ply = writeCloud(dir.filePath("avatar.ply"), procedural.cloud);
    const QString model =
        writeJointSmplxModel(dir.filePath("SMPLX_TEST.npz"), Eigen::Vector3d::Zero(), true);
    MainWindow window;
    window.setConfirmDiscard(false);
    auto* view = qobject_cast<AvatarView*>(window.viewArea()->addView(splatsSpec(ply)));
    QVERIFY(view);
    QVERIFY(!view->posePanel());
    auto* bind = view->findChild<QPushButton*>("avatarBindSmplx");
    QVERIFY(bind && !bind->isHidden());
    QVERIFY(view->findChild<QPushButton*>("avatarMotion")->isHidden());

    // The dialog refuses a missing model, then binds with the betas typed.
    whenModalOpens<SmplxBindDialog>([&](SmplxBindDialog& d) {
        field<QLineEdit>(d, "smplxModel")->setText(dir.filePath("none.npz"));
        QTimer::singleShot(0, [&d, model] {
            QVERIFY(d.isVisible());
            QVERIFY(field<QLabel>(d, "smplxProblem")->text().contains("none.npz"));
            field<QLineEdit>(d, "smplxModel")->setText(model);
            field<QLineEdit>(d, "smplxBetas")->setText("0");
            QDialog* base = &d;
            QTest::mouseClick(base->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok),
                              Qt::LeftButton);
        });
    });
    QTest::mouseClick(bind, Qt::LeftButton);
    QVERIFY2(view->posePanel(), qPrintable(view->error()));
    QVERIFY(view->smplxModel());
    QVERIFY(!view->findChild<QPushButton*>("avatarMotion")->isHidden());
    AvatarPosePanel* pose = view->posePanel();
    QVERIFY(pose->avatar()->cloud.quantity("bone"));
    // The rest pose is the file's cloud as it was.
    QCOMPARE(view->splatLayer()->splats().centres, RenderSplats::fromCloud(view->cloud()).centres);
    // The A-pose lowers the hands as on the procedural rig (every splat
    // follows the joint nearest to it).
    const double handRest = meanHeight(pose->posedSplats(), view->cloud(), 1);
    pose->applyPreset(AvatarPosePanel::Preset::APose);
    const double handA = meanHeight(pose->posedSplats(), view->cloud(), 1);
    QVERIFY2(handRest - handA > 0.2, qPrintable(QString::number(handRest - handA)));

    // The project keeps the binding and the pose.
    const QJsonObject kept = window.viewArea()->specOf(view).settings;
    QCOMPARE(kept.value("smplx").toString(), model);
    QCOMPARE(kept.value("betas").toArray().size(), 1);
    AvatarView restored(kept);
    QVERIFY2(restored.posePanel(), qPrintable(restored.error()));
    QCOMPARE(restored.posePanel()->posedSplats().centres, pose->posedSplats().centres);

    // PCA hands: 6 coefficients per hand need the model's components; the
    // procedural rig refuses them with the reason.
    const QString pca = writeShoulderMotion(dir.filePath("pca.npz"), 3, 6);
    QVERIFY2(view->loadMotion(pca), qPrintable(view->error()));
    QCOMPARE(pose->motionFrameCount(), std::size_t(3));
    AvatarView rig(proceduralAvatarSpec(2000).settings);
    QVERIFY(!rig.loadMotion(pca));
    QVERIFY2(rig.error().contains("PCA"), qPrintable(rig.error()));
    QVERIFY(!rig.bindSmplx(model, {}, false));  // the procedural avatar has its own rig
    QVERIFY(!rig.smplxModel());

    // A model that cannot be read is named; the binding stays.
    QVERIFY(!view->bindSmplx(dir.filePath("broken.npz"), {}, false));
    QVERIFY2(view->error().contains("broken.npz"), qPrintable(view->error()));
    QVERIFY(view->posePanel());
    QCOMPARE(view->smplxModel()->path(), model.toStdString());

    // Betas come from a parameter file too.
    const QString params = dir.filePath("params.npz");
    writeNpz(params.toStdString(),
             {{"body_pose", detail::float32Tensor({1, 63}, std::vector<float>(63, 0.0f))},
              {"betas", detail::float32Tensor({1, 3}, {0.5f, -1.0f, 2.0f})}});
    SmplxBindDialog dialog;
    QVERIFY(dialog.readBetasFrom(params));
    QCOMPARE(dialog.betas(), (std::vector<double>{0.5, -1.0, 2.0}));
    QVERIFY(!dialog.readBetasFrom(dir.filePath("none.npz")));
}

// Export frames: a turntable starts at the view's camera (its first frame is
// the exported image) and turns; an animation renders the walk's poses from a
// still camera; both do both; the dialog submits the job to the jobs panel.
void TestAvatarGui::framesExportTurntableAndAnimation() {
    QTemporaryDir dir;
    MainWindow window;
    window.setConfirmDiscard(false);
    auto* view = qobject_cast<AvatarView*>(window.viewArea()->addView(proceduralAvatarSpec(2000)));
    QVERIFY(view && view->posePanel());
    const QSize size(48, 64);

    widgets::SplatFramesJob turntable(
        view->framesRequest(FramesKind::Turntable, 4, size, dir.filePath("turn")));
    QCOMPARE(runHere(turntable).state, JobState::Succeeded);
    QCOMPARE(turntable.rendered(), std::size_t(4));
    QVERIFY(view->exportImage(dir.filePath("still.png"), size));
    const QImage first(turntable.frames().framePath(0));
    QCOMPARE(first, QImage(dir.filePath("still.png")));
    QVERIFY(QImage(turntable.frames().framePath(1)) != first);

    AvatarPosePanel* pose = view->posePanel();
    const widgets::SplatFrames walk =
        view->framesRequest(FramesKind::Animation, 3, size, dir.filePath("walk"));
    QCOMPARE(walk.cameras.size(), std::size_t(1));
    QCOMPARE(walk.poses.size(), std::size_t(3));
    widgets::SplatFramesJob animation(walk);
    QCOMPARE(runHere(animation).state, JobState::Succeeded);
    // Frame 1 is the walk a third of a period on, from the view's camera.
    SplatRasterOptions options;
    options.shDegree = view->splatLayer()->shDegree();
    options.background = view->splatLayer()->background();
    const Avatar& avatar = *pose->avatar();
    const QImage expected = widgets::splatQImage(rasterizeSplats(
        avatar.posed(avatar.restSplats(),
                     walkPose(avatar.skeleton, pose->walkCycle().period / 3, pose->walkCycle())),
        view->splatLayer()->orbit().camera(size.width(), size.height()), options));
    QCOMPARE(QImage(walk.framePath(1)).convertToFormat(QImage::Format_RGB888), expected);
    QVERIFY(QImage(walk.framePath(0)) != QImage(walk.framePath(1)));
    const widgets::SplatFrames both =
        view->framesRequest(FramesKind::Both, 5, size, dir.filePath("both"));
    QCOMPARE(both.cameras.size(), std::size_t(5));
    QCOMPARE(both.poses.size(), std::size_t(5));

    // A file without a rig has no animation.
    const QString ply = writeCloud(dir.filePath("grid.ply"), gridCloud(300));
    AvatarView file(splatsSpec(ply).settings);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             file.framesRequest(FramesKind::Animation, 3, size, dir.path()));

    // The button: the dialog's choices become a job in the jobs panel.
    const QString folder = dir.filePath("dialog");
    whenModalOpens<SplatFramesDialog>([&](SplatFramesDialog& d) {
        auto* kind = field<QComboBox>(d, "framesKind");
        QCOMPARE(kind->count(), 3);
        kind->setCurrentIndex(1);  // the animation
        field<QSpinBox>(d, "framesCount")->setValue(2);
        field<QLineEdit>(d, "framesSize")->setText("32x24");
        field<QLineEdit>(d, "framesFolder")->setText(folder);
    });
    QTest::mouseClick(view->findChild<QPushButton*>("avatarExportFrames"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(QDir(folder).entryList({"frame_*.png"}).size(), 2, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(window.jobs()->activeCount() == 0, 20000);
    QCOMPARE(QImage(QDir(folder).filePath("frame_0001.png")).size(), QSize(32, 24));
    QVERIFY(!view->exportFrames(FramesKind::Turntable, 0, size, folder));
    QVERIFY(!view->error().isEmpty());
}

// The project keeps the camera, the motion playing and whether it plays.
void TestAvatarGui::cameraMotionAndPlayingAreKept() {
    QTemporaryDir dir;
    AvatarView view(proceduralAvatarSpec(2000).settings);
    widgets::OrbitCamera orbit = view.splatLayer()->orbit();
    orbit.azimuthDegrees = 63;
    orbit.elevationDegrees = -12;
    orbit.distance = 3.25f;
    orbit.target = {0.1f, 0.9f, -0.2f};
    view.splatLayer()->setOrbit(orbit);
    QTRY_VERIFY(view.property(ViewArea::kSettingsProperty).toMap().contains("camera"));
    QTRY_COMPARE(view.property(ViewArea::kSettingsProperty)
                     .toMap()
                     .value("camera")
                     .toMap()
                     .value("azimuth")
                     .toDouble(),
                 63.0);

    AvatarPosePanel* pose = view.posePanel();
    const QString motion = writeShoulderMotion(dir.filePath("motion.npz"), 4);
    QVERIFY2(view.loadMotion(motion), qPrintable(view.error()));
    pose->setWalkTime(0.25);
    pose->setWalking(true);
    const QJsonObject kept = withKept(proceduralAvatarSpec(2000).settings, view);
    QCOMPARE(kept.value("motion").toString(), motion);
    QCOMPARE(kept.value("playing").toBool(), true);

    AvatarView restored(kept);
    const widgets::OrbitCamera& back = restored.splatLayer()->orbit();
    QCOMPARE(back.azimuthDegrees, 63.0f);
    QCOMPARE(back.elevationDegrees, -12.0f);
    QCOMPARE(back.distance, 3.25f);
    QCOMPARE(back.target, orbit.target);
    QVERIFY(restored.posePanel()->hasMotion());
    QVERIFY(restored.posePanel()->walking());
    QCOMPARE(restored.motionPath(), motion);
    QCOMPARE(restored.posePanel()->posedSplats().centres, pose->posedSplats().centres);

    // The walk cycle again: the motion is no longer kept; a paused walk is.
    pose->setMotion({}, 30);
    pose->setWalking(false);
    const QJsonObject walk = withKept(kept, view);
    QCOMPARE(walk.value("motion").toString(), QString());
    QCOMPARE(walk.value("playing").toBool(), false);
    // A motion whose file is gone comes back as the pose it showed.
    QJsonObject gone = kept;
    gone["motion"] = dir.filePath("gone.npz");
    AvatarView lost(gone);
    QVERIFY(lost.error().contains("gone.npz"));
    QCOMPARE(lost.posePanel()->poseSettings().value("pose").toString(), QStringLiteral("custom"));
    QCOMPARE(lost.posePanel()->posedSplats().centres,
             AvatarView(kept).posePanel()->posedSplats().centres);
}

void TestAvatarGui::badSourcesAreNamed() {
    QTemporaryDir dir;
    const QString missing = dir.filePath("missing.ply");
    AvatarView noFile(splatsSpec(missing).settings);
    QVERIFY2(noFile.error().contains("missing.ply"), qPrintable(noFile.error()));
    QCOMPARE(noFile.splatLayer()->splats().size(), std::size_t(0));
    QFile bad(dir.filePath("bad.ply"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(
        "ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\n"
        "end_header\n");
    bad.close();
    AvatarView truncated(splatsSpec(bad.fileName()).settings);
    QVERIFY2(truncated.error().contains("bad.ply"), qPrintable(truncated.error()));
    AvatarView emptyRun(splatsSpec(dir.path()).settings);
    QVERIFY2(emptyRun.error().contains("point_cloud"), qPrintable(emptyRun.error()));
    QVERIFY(!emptyRun.comparison());
}

void TestAvatarGui::menuOpensTheProceduralAvatar() {
    MainWindow window;
    window.setConfirmDiscard(false);
    QAction* preview = nullptr;
    QAction* openSplats = nullptr;
    for (QAction* a : window.menuBar()->findChildren<QAction*>()) {
        if (a->text() == QStringLiteral("&Avatar preview")) preview = a;
        if (a->text() == QStringLiteral("Open &splats…")) openSplats = a;
    }
    QVERIFY(preview && openSplats);
    preview->trigger();
    auto* view = qobject_cast<AvatarView*>(window.viewArea()->currentView());
    QVERIFY(view);
    QVERIFY(view->posePanel());
    QCOMPARE(view->splatLayer()->splats().size(), std::size_t(80000));
    QCOMPARE(window.viewArea()->specOf(view).settings.value("source").toString(),
             QStringLiteral("procedural"));

    // The demo project shows it beside the teaching landscapes.
    const QJsonObject layout = demoProject(DemoManifest{}).layout;
    const QJsonArray panes = layout["root"].toObject()["children"].toArray();
    bool inDemo = false;
    for (const QJsonValue& pane : panes)
        for (const QJsonValue& v : pane.toObject()["views"].toArray())
            inDemo = inDemo || (v.toObject()["type"].toString() == "avatar" &&
                                v.toObject()["settings"].toObject()["source"] == "procedural");
    QVERIFY(inDemo);
}

// A motion's expressions reach an avatar with expression blend shapes, are
// kept with the pose's settings (restored as a custom pose without the
// motion) and decide the frames' fingerprint.
void TestAvatarGui::motionExpressionsAreKept() {
    Avatar rig = makeProceduralAvatar({2000});
    // The first 10 splats follow one expression blend shape, 0.1 up per unit.
    std::vector<int> vertexOfSplat(rig.cloud.size(), 1);
    std::fill(vertexOfSplat.begin(), vertexOfSplat.begin() + 10, 0);
    Eigen::MatrixXf expression = Eigen::MatrixXf::Zero(6, 1);
    expression(1, 0) = 0.1f;
    rig.blendShapes = std::make_shared<const SplatBlendShapes>(SplatBlendShapes::fromModel(
        vertexOfSplat, {}, expression, Eigen::MatrixXd::Zero(rig.skeleton.size(), 2)));
    const auto avatar = std::make_shared<const Avatar>(rig);
    AvatarPosePanel pose;
    pose.setAvatar(avatar, {}, nullptr);
    std::vector<SkeletonPose> frames(2, tPose(rig.skeleton));
    frames[1].expression = {2.0};
    pose.setMotion(frames, 10);
    const std::vector<float> rest = pose.posedSplats().centres;
    pose.setWalkTime(0.15);  // frame 1
    const std::vector<float> smiling = pose.posedSplats().centres;
    QVERIFY(std::abs(smiling[1] - rest[1] - 0.2f) < 1e-6f);
    QCOMPARE(smiling[3 * 10 + 1], rest[3 * 10 + 1]);

    const QVariantMap settings =
        QJsonObject::fromVariantMap(pose.poseSettings()).toVariantMap();  // as a project keeps it
    QCOMPARE(settings.value("expression").toList(), QVariantList{2.0});
    AvatarPosePanel restored;
    restored.setAvatar(avatar, {}, nullptr);
    restored.restorePose(settings);
    QCOMPARE(restored.posedSplats().centres, smiling);
    QCOMPARE(restored.pose().expression, std::vector<double>{2.0});

    widgets::SplatFrames request;
    request.avatar = avatar;
    request.poses = frames;
    const std::string withExpression = request.fingerprint();
    request.poses[1].expression.clear();
    QVERIFY(request.fingerprint() != withExpression);
}

BASIN_GUI_TEST_MAIN(TestAvatarGui)
#include "test_avatar_gui.moc"
