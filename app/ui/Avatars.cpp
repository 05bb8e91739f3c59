#include "ui/Avatars.h"

#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <exception>

#include "gl/GlView.h"
#include "jobs/JobsPanel.h"
#include "splats/AvatarPosePanel.h"
#include "splats/GaussianPly.h"
#include "splats/IterationComparisonView.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SmplxSequence.h"
#include "splats/SplatFile.h"
#include "splats/SplatFramesJob.h"
#include "splats/SplatImageFile.h"
#include "splats/SplatLayer.h"
#include "splats/SplatLoadReport.h"
#include "splats/SplatRasterizer.h"
#include "splats/SplatSelection.h"
#include "splats/SplatStatsView.h"
#include "ui/MainWindow.h"
#include "ui/SmplxBindDialog.h"

namespace basin::app {
namespace {

const QString kAvatar = QStringLiteral("avatar");
const QString kProcedural = QStringLiteral("procedural");

QString iterationName(std::int64_t iteration) {
    return QObject::tr("iteration %1").arg(iteration);
}

}  // namespace

ViewSpec proceduralAvatarSpec(int splatCount) {
    return {kAvatar, QObject::tr("Procedural avatar"),
            QJsonObject{{"source", kProcedural}, {"splats", splatCount}}};
}

ViewSpec splatsSpec(const QString& path) {
    const QFileInfo info(path);
    // A run's folder is named by the run; point_cloud/ by its parent.
    QString title = info.isDir() ? info.fileName() : info.completeBaseName();
    if (info.isDir() && title == QLatin1String("point_cloud")) title = info.dir().dirName();
    return {kAvatar, title, QJsonObject{{"source", path}}};
}

QWidget* createAvatarView(const ViewSpec& spec, Session*) {
    if (spec.type != kAvatar) return nullptr;
    return new AvatarView(spec.settings);
}

void openSplatsFile(MainWindow* window) {
    const QString path =
        QFileDialog::getOpenFileName(window, QObject::tr("Open splats"), {},
                                     QObject::tr("Gaussian splats (*.ply *.splat);;All files (*)"));
    if (path.isEmpty()) return;
    window->viewArea()->addView(splatsSpec(path));
}

void openTrainingRun(MainWindow* window) {
    const QString path = QFileDialog::getExistingDirectory(
        window, QObject::tr("Open a 3DGS training run (the folder holding point_cloud/)"));
    if (path.isEmpty()) return;
    window->viewArea()->addView(splatsSpec(path));
}

void openAvatarPreview(MainWindow* window) {
    window->viewArea()->addView(proceduralAvatarSpec());
}

AvatarView::AvatarView(const QJsonObject& settings, QWidget* parent)
    : QWidget(parent),
      source_(settings.value("source").toString()),
      glView_(new widgets::GlView),
      stats_(new widgets::SplatStatsView),
      tabs_(new QTabWidget),
      iterationSlider_(new QSlider(Qt::Horizontal)),
      compareBox_(new QComboBox),
      status_(new QLabel),
      cameraSave_(new QTimer(this)) {
    glView_->setObjectName(QStringLiteral("avatarGlView"));
    iterationSlider_->setObjectName(QStringLiteral("avatarIteration"));
    compareBox_->setObjectName(QStringLiteral("avatarCompare"));
    status_->setObjectName(QStringLiteral("avatarStatus"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    const bool isRun = source_ != kProcedural && QFileInfo(source_).isDir();
    // The pose panel goes first: it poses before the splats are drawn. A
    // file's cloud gets one too (it shows once the cloud is bound to SMPL-X).
    if (!isRun) posePanel_ = glView_->addLayer(std::make_unique<widgets::AvatarPosePanel>());
    layer_ = glView_->addLayer(std::make_unique<widgets::SplatLayer>());
    // Brushing a histogram highlights its splats in 3D.
    connect(stats_, &widgets::SplatStatsView::brushChanged, this,
            [this](const std::vector<std::uint8_t>& mask) { layer_->setHighlightMask(mask); });

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(glView_, 1);
    auto* seriesBar = new QHBoxLayout;
    seriesBar->addWidget(new QLabel(tr("Iteration")));
    seriesBar->addWidget(iterationSlider_, 1);
    seriesBar->addWidget(new QLabel(tr("compared with")));
    seriesBar->addWidget(compareBox_);
    leftLayout->addLayout(seriesBar);

    auto* buttons = new QHBoxLayout;
    bindButton_ = new QPushButton(tr("Bind to SMPL-X…"));
    bindButton_->setObjectName(QStringLiteral("avatarBindSmplx"));
    bindButton_->setToolTip(tr("Rig this cloud with your SMPL-X body model to pose it"));
    connect(bindButton_, &QPushButton::clicked, this, [this] {
        SmplxBindDialog dialog(this);
        if (smplx_) dialog.setModelPath(QString::fromStdString(smplx_->path()));
        dialog.setBetas(betas_);
        dialog.setHandMean(handMean_);
        if (dialog.exec() == QDialog::Accepted)
            bindSmplx(dialog.modelPath(), dialog.betas(), dialog.handMean());
    });
    // SMPL-X motions play on the rig (File dialog; the pose panel plays them).
    motionButton_ = new QPushButton(tr("Play SMPL-X motion…"));
    motionButton_->setObjectName(QStringLiteral("avatarMotion"));
    connect(motionButton_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("SMPL-X motion"), QString(),
            tr("SMPL-X parameters (*.pkl *.pickle *.npz);;All files (*)"));
        if (!path.isEmpty() && loadMotion(path)) posePanel_->setWalking(true);
    });
    auto* image = new QPushButton(tr("Export image…"));
    image->setObjectName(QStringLiteral("avatarExportImage"));
    connect(image, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export image"), QStringLiteral("splats.png"), tr("PNG images (*.png)"));
        if (path.isEmpty()) return;
        bool ok = false;
        const QString size =
            QInputDialog::getText(this, tr("Export image"), tr("Size in pixels (WxH):"),
                                  QLineEdit::Normal, QStringLiteral("1920x1080"), &ok);
        if (!ok) return;
        const QSize pixels = parsePixelSize(size);
        if (!pixels.isValid())
            showError(tr("'%1' is not WIDTHxHEIGHT with sides of 1 to 16384 pixels").arg(size));
        else
            exportImage(path, pixels);
    });
    auto* framesButton = new QPushButton(tr("Export frames…"));
    framesButton->setObjectName(QStringLiteral("avatarExportFrames"));
    framesButton->setToolTip(tr("A turntable or the animation as numbered PNG frames"));
    connect(framesButton, &QPushButton::clicked, this, [this] {
        const bool animated = posePanel() != nullptr;
        const int animationFrames = !animated ? 0
                                    : posePanel_->hasMotion()
                                        ? int(posePanel_->motionFrameCount())
                                        : int(std::lround(posePanel_->animationPeriod() * 30.0));
        SplatFramesDialog dialog(animated, animationFrames, this);
        if (dialog.exec() == QDialog::Accepted)
            exportFrames(dialog.kind(), dialog.frameCount(), dialog.frameSize(), dialog.folder());
    });
    for (QPushButton* b : {bindButton_, motionButton_, image, framesButton})
        buttons->addWidget(b);
    buttons->addStretch(1);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(status_);

    tabs_->addTab(stats_, tr("Statistics"));
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(tabs_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    // Room for the histograms' tick labels from the start: 64% / 36%.
    split->setSizes({640, 360});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    if (source_ == kProcedural) {
        loadProcedural(settings.value("splats").toInt(80000));
    } else if (isRun) {
        try {
            series_ = listCheckpointSeries(source_.toStdString());
            if (series_.entries.empty())
                error_ = tr("%1 holds no point_cloud/iteration_N/point_cloud.ply.").arg(source_);
        } catch (const std::exception& e) {
            error_ = QString::fromStdString(e.what());
        }
    } else if (loadFile(source_)) {
        showCloud(true);
        const QString model = settings.value("smplx").toString();
        if (!model.isEmpty()) {
            std::vector<double> betas;
            for (const QJsonValue& b : settings.value("betas").toArray())
                betas.push_back(b.toDouble());
            bindSmplx(model, betas, settings.value("handMean").toBool());
        }
    }
    if (avatar_) {
        const QString motion = settings.value("motion").toString();
        if (!motion.isEmpty()) loadMotion(motion);
        posePanel_->restorePose(settings.toVariantMap());
    }
    if (posePanel_) {
        // A pose the user settles on is kept with the project, and whether
        // it plays (not every frame of a playing walk).
        connect(posePanel_, &widgets::AvatarPosePanel::posed, this, [this] {
            if (!posePanel_->walking()) saveSettings();
        });
        connect(posePanel_, &widgets::AvatarPosePanel::playingChanged, this,
                [this] { saveSettings(); });
    }

    // The histogram and brush a project kept; later changes are kept too.
    if (stats_->setValue(settings.value("histogram").toString())) {
        const QJsonArray brush = settings.value("brush").toArray();
        if (brush.size() == 2) stats_->setBrush(brush[0].toDouble(), brush[1].toDouble());
    }
    connect(stats_, &widgets::SplatStatsView::valueChanged, this, [this] { saveSettings(); });
    connect(stats_, &widgets::SplatStatsView::brushChanged, this, [this] { saveSettings(); });

    // The camera a project kept; else framed once the view has its size
    // (framing a hidden view of a few pixels would leave the cloud too close).
    const QJsonObject camera = settings.value("camera").toObject();
    if (!camera.isEmpty()) {
        restoreCamera(camera);
    } else {
        auto frameOnce = std::make_shared<QMetaObject::Connection>();
        *frameOnce = connect(glView_, &widgets::GlView::frameRendered, this, [this, frameOnce] {
            QObject::disconnect(*frameOnce);
            layer_->frameCloud();
            cameraSave_->stop();  // framing on opening changes nothing to keep
        });
    }
    // Camera moves are kept a moment after they stop (not every drag step).
    cameraSave_->setSingleShot(true);
    cameraSave_->setInterval(300);
    connect(cameraSave_, &QTimer::timeout, this, [this] { saveSettings(); });
    connect(layer_, &widgets::SplatLayer::cameraChanged, cameraSave_, qOverload<>(&QTimer::start));

    const bool isSeries = !series_.entries.empty();
    for (int i = 0; i < seriesBar->count(); ++i)
        if (QWidget* w = seriesBar->itemAt(i)->widget()) w->setVisible(isSeries);
    if (isSeries) {
        const int n = int(series_.entries.size());
        iterationSlider_->setRange(0, n - 1);
        iterationSlider_->setPageStep(1);
        iterationSlider_->setTickPosition(QSlider::TicksBelow);
        for (const CheckpointSeriesEntry& e : series_.entries)
            compareBox_->addItem(iterationName(e.iteration));
        auto indexOf = [this](const QJsonValue& iteration, int fallback) {
            for (std::size_t i = 0; i < series_.entries.size(); ++i)
                if (series_.entries[i].iteration == iteration.toInteger(-1)) return int(i);
            return fallback;
        };
        comparison_ = new widgets::IterationComparisonView;
        tabs_->addTab(comparison_, tr("Iterations"));
        compared_ = indexOf(settings.value("compare"), 0);
        compareBox_->setCurrentIndex(compared_);
        showIteration(indexOf(settings.value("iteration"), n - 1));
        connect(iterationSlider_, &QSlider::valueChanged, this, &AvatarView::showIteration);
        connect(compareBox_, &QComboBox::currentIndexChanged, this, &AvatarView::compareWith);
        connect(tabs_, &QTabWidget::currentChanged, this, [this] { updateComparison(); });
    }
    updateButtons();
    if (!error_.isEmpty()) status_->setText(error_);
    status_->setVisible(!status_->text().isEmpty());
}

AvatarView::~AvatarView() = default;

void AvatarView::loadProcedural(int splatCount) {
    try {
        ProceduralAvatarOptions options;
        options.splatCount = std::size_t(std::max(splatCount, 1000));
        auto avatar = std::make_shared<Avatar>(makeProceduralAvatar(options));
        cloud_ = avatar->cloud;
        rig(std::move(avatar));
    } catch (const std::exception& e) {
        error_ = tr("The procedural avatar cannot be made: %1").arg(e.what());
        return;
    }
    layer_->frameCloud();
}

void AvatarView::rig(std::shared_ptr<const Avatar> avatar) {
    avatar_ = std::move(avatar);
    posePanel_->setAvatar(avatar_, avatar_->cloud.quantities, layer_);
    // The Pose panel is what an avatar is driven by: the Splats panel makes
    // room for it (one click opens it again).
    layer_->setPanelCollapsed(true);
    stats_->setCloud(avatar_->cloud);
    updateButtons();
}

bool AvatarView::bindSmplx(const QString& modelPath, const std::vector<double>& betas,
                           bool handMean) {
    if (!posePanel_ || source_ == kProcedural || cloud_.size() == 0) {
        showError(tr("this view shows no splat file to bind to SMPL-X"));
        return false;
    }
    try {
        auto model = std::make_shared<const SmplxModel>(SmplxModel::load(modelPath.toStdString()));
        // Bound at rest: the pose panel starts in the T-pose (SMPL-X's rest).
        auto avatar = std::make_shared<const Avatar>(makeSmplxAvatar(cloud_, *model, betas));
        smplx_ = std::move(model);
        betas_ = betas;
        handMean_ = handMean;
        motionPath_.clear();
        rig(std::move(avatar));
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    error_.clear();
    status_->setText(tr("Bound to %1: %2 splats on %3 joints")
                         .arg(QFileInfo(modelPath).fileName())
                         .arg(avatar_->cloud.size())
                         .arg(avatar_->skeleton.size()));
    status_->setVisible(true);
    saveSettings();
    return true;
}

void AvatarView::showError(const QString& error) {
    error_ = error;
    status_->setText(error_);
    status_->setVisible(true);
}

void AvatarView::updateButtons() {
    const bool isFile = posePanel_ && source_ != kProcedural;
    bindButton_->setVisible(isFile);
    bindButton_->setEnabled(cloud_.size() > 0);
    bindButton_->setText(smplx_ ? tr("SMPL-X binding…") : tr("Bind to SMPL-X…"));
    motionButton_->setVisible(avatar_ != nullptr);
}

void AvatarView::restoreCamera(const QJsonObject& camera) {
    widgets::OrbitCamera orbit = layer_->orbit();
    const QJsonArray target = camera.value("target").toArray();
    if (target.size() == 3)
        for (int k = 0; k < 3; ++k)
            orbit.target[std::size_t(k)] = float(target[k].toDouble());
    orbit.azimuthDegrees = float(camera.value("azimuth").toDouble(orbit.azimuthDegrees));
    orbit.elevationDegrees = float(camera.value("elevation").toDouble(orbit.elevationDegrees));
    const double distance = camera.value("distance").toDouble(orbit.distance);
    if (distance > 0 && std::isfinite(distance)) orbit.distance = float(distance);
    const double fov = camera.value("fov").toDouble(orbit.fovYDegrees);
    if (fov > 1 && fov < 170) orbit.fovYDegrees = float(fov);
    layer_->setOrbit(orbit);
}

bool AvatarView::loadFile(const QString& path) {
    SplatLoadReport report;
    try {
        const std::string file = path.toStdString();
        cloud_ = path.endsWith(QLatin1String(".splat"), Qt::CaseInsensitive)
                     ? readSplatFile(file, &report)
                     : readGaussianPly(file, &report);
        if (cloud_.opacities.size() != cloud_.size()) cloud_.activate();
    } catch (const std::exception& e) {
        cloud_ = GaussianCloud{};
        error_ = QString::fromStdString(e.what());
        status_->setText(error_);
        return false;
    }
    error_.clear();
    status_->setText(report.dropped() > 0 || !report.skippedElements.empty()
                         ? QString::fromStdString(report.summary())
                         : QString());
    return true;
}

void AvatarView::showCloud(bool frame) {
    layer_->setCloud(cloud_, frame);
    stats_->setCloud(cloud_);
}

std::int64_t AvatarView::iteration() const {
    return shown_ >= 0 ? series_.entries[std::size_t(shown_)].iteration : -1;
}

std::int64_t AvatarView::comparedIteration() const {
    return compared_ >= 0 && !series_.entries.empty()
               ? series_.entries[std::size_t(compared_)].iteration
               : -1;
}

void AvatarView::showIteration(int index) {
    if (index < 0 || index >= int(series_.entries.size()) || index == shown_) return;
    const bool first = shown_ < 0;
    shown_ = index;
    {
        const QSignalBlocker block(iterationSlider_);
        iterationSlider_->setValue(index);
    }
    iterationSlider_->setToolTip(iterationName(iteration()));
    if (loadFile(QString::fromStdString(series_.entries[std::size_t(index)].plyPath)))
        showCloud(first);
    else
        showCloud(false);  // an empty cloud: nothing stale stays on screen
    status_->setText(status_->text().isEmpty()
                         ? iterationName(iteration())
                         : iterationName(iteration()) + QStringLiteral(": ") + status_->text());
    status_->setVisible(true);
    comparisonStale_ = true;
    updateComparison();
    saveSettings();
}

void AvatarView::compareWith(int index) {
    if (index < 0 || index >= int(series_.entries.size())) return;
    compared_ = index;
    {
        const QSignalBlocker block(compareBox_);
        compareBox_->setCurrentIndex(index);
    }
    comparedCloud_ = GaussianCloud{};
    comparisonStale_ = true;
    updateComparison();
    saveSettings();
}

namespace {

// What the comparison reads of a cloud: centres and the part label (a
// million degree-3 splats would copy 250 MB otherwise).
std::shared_ptr<const GaussianCloud> centresAndParts(const GaussianCloud& cloud) {
    auto light = std::make_shared<GaussianCloud>();
    light->positions = cloud.positions;
    light->opacityLogits.assign(cloud.size(), 0.0f);  // size() counts these
    if (const SplatQuantity* part = widgets::partQuantity(cloud.quantities, cloud.size()))
        light->quantities.push_back(*part);
    return light;
}

}  // namespace

// Nearest-neighbour matching takes seconds on a million splats: only the
// visible comparison is computed, on a worker thread; a result that arrives
// after the iterations changed again is dropped.
void AvatarView::updateComparison() {
    if (!comparison_ || !comparisonStale_ || tabs_->currentWidget() != comparison_) return;
    if (compared_ < 0) return;
    try {
        if (comparedCloud_.size() == 0)
            comparedCloud_ =
                readGaussianPly(series_.entries[std::size_t(compared_)].plyPath, nullptr);
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
        return;
    }
    comparisonStale_ = false;
    comparing_ = true;
    const int generation = ++comparisonGeneration_;
    const QString nameA = iterationName(comparedIteration()), nameB = iterationName(iteration());
    comparison_->setEnabled(false);
    comparison_->setToolTip(tr("Comparing %1 with %2…").arg(nameB, nameA));
    QPointer<AvatarView> self(this);
    auto a = centresAndParts(comparedCloud_), b = centresAndParts(cloud_);
    // The global pool is waited for when the application quits, so qApp
    // outlives the hand-over.
    QThreadPool::globalInstance()->start([self, a, b, generation, nameA, nameB] {
        auto result =
            std::make_shared<widgets::IterationComparison>(widgets::compareIterations(*a, *b));
        QMetaObject::invokeMethod(
            qApp,
            [self, result, generation, nameA, nameB] {
                if (!self || generation != self->comparisonGeneration_) return;
                self->comparing_ = false;
                self->comparison_->setEnabled(true);
                self->comparison_->setToolTip({});
                self->comparison_->setComparison(nameA, nameB, std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

bool AvatarView::exportImage(const QString& path, QSize size) {
    if (!isPixelSize(size)) {
        showError(tr("an image size must be 1 to 16384 pixels a side, not %1x%2")
                      .arg(size.width())
                      .arg(size.height()));
        return false;
    }
    SplatRasterOptions options;
    options.shDegree = layer_->shDegree();
    options.background = layer_->background();
    try {
        widgets::writeSplatPng(
            rasterizeSplats(layer_->splats(), layer_->orbit().camera(size.width(), size.height()),
                            options),
            path);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    error_.clear();
    return true;
}

bool AvatarView::loadMotion(const QString& path) {
    if (!posePanel()) {
        showError(tr("this view shows no rigged avatar to play a motion on"));
        return false;
    }
    try {
        const SmplxSequence sequence = QFileInfo(path).isDir()
                                           ? readSmplxSequenceFolder(path.toStdString())
                                           : readSmplxSequence({path.toStdString()});
        std::vector<SkeletonPose> frames;
        frames.reserve(sequence.frames.size());
        for (const SmplxParameters& p : sequence.frames)
            frames.push_back(smplx_ ? smplx_->withFullHandPoses(p, handMean_).skeletonPose()
                                    : p.skeletonPose());
        if (frames.empty()) throw std::runtime_error(path.toStdString() + " holds no frames");
        posePanel_->setMotion(std::move(frames), sequence.fps);
        motionPath_ = path;
        status_->setText(tr("%1: %2 frames at %3 fps")
                             .arg(QFileInfo(path).fileName())
                             .arg(sequence.frames.size())
                             .arg(sequence.fps));
        status_->setVisible(true);
        error_.clear();
        saveSettings();
        return true;
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
}

widgets::SplatFrames AvatarView::framesRequest(FramesKind kind, int count, QSize size,
                                               const QString& folder) const {
    if (count < 1) throw std::invalid_argument("a frame sequence needs at least one frame");
    if (!isPixelSize(size)) throw std::invalid_argument("frames must be 1 to 16384 pixels a side");
    widgets::SplatFrames frames;
    frames.folder = folder;
    frames.options.shDegree = layer_->shDegree();
    frames.options.background = layer_->background();
    const widgets::OrbitCamera& orbit = layer_->orbit();
    frames.cameras = kind == FramesKind::Animation
                         ? std::vector<SplatCamera>{orbit.camera(size.width(), size.height())}
                         : widgets::turntableCameras(orbit, count, size.width(), size.height());
    if (kind == FramesKind::Turntable) {
        frames.splats = std::make_shared<const RenderSplats>(layer_->splats());
    } else {
        const widgets::AvatarPosePanel* pose = posePanel();
        if (!pose) throw std::invalid_argument("this view shows no rigged avatar to animate");
        // One period from the time shown: a motion frame by frame when the
        // count is its length.
        frames.avatar = avatar_;
        const double period = pose->animationPeriod();
        for (int k = 0; k < count; ++k)
            frames.poses.push_back(pose->animatedPose(pose->walkTime() + period * k / count));
    }
    frames.validate();
    return frames;
}

std::shared_ptr<JobHandle> AvatarView::exportFrames(FramesKind kind, int count, QSize size,
                                                    const QString& folder) {
    auto* window = qobject_cast<MainWindow*>(this->window());
    if (!window) {
        showError(tr("the view is in no window with a jobs panel"));
        return nullptr;
    }
    std::shared_ptr<widgets::SplatFramesJob> job;
    try {
        job = std::make_shared<widgets::SplatFramesJob>(framesRequest(kind, count, size, folder));
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return nullptr;
    }
    QPointer<AvatarView> self(this);
    return window->jobs()->submit(job, [self, job, folder](const JobStatus& status) {
        if (!self) return;
        if (status.state == JobState::Succeeded)
            self->status_->setText(tr("%1 frames in %2 (%3 rendered, %4 kept)")
                                       .arg(job->frames().frameCount())
                                       .arg(folder)
                                       .arg(job->rendered())
                                       .arg(job->kept()));
        else if (status.state == JobState::Failed)
            self->showError(QString::fromStdString(status.error));
        self->status_->setVisible(true);
    });
}

void AvatarView::saveSettings() {
    QVariantMap settings;
    if (!series_.entries.empty()) {
        settings[QStringLiteral("iteration")] = qlonglong(iteration());
        settings[QStringLiteral("compare")] = qlonglong(comparedIteration());
    }
    if (posePanel_ && source_ != kProcedural) {
        settings[QStringLiteral("smplx")] =
            smplx_ ? QString::fromStdString(smplx_->path()) : QString();
        QVariantList betas;
        for (double b : betas_)
            betas << b;
        settings[QStringLiteral("betas")] = betas;
        settings[QStringLiteral("handMean")] = handMean_;
    }
    if (posePanel()) {
        settings[QStringLiteral("motion")] = posePanel_->hasMotion() ? motionPath_ : QString();
        settings.insert(posePanel_->poseSettings());
    }
    const widgets::OrbitCamera& orbit = layer_->orbit();
    settings[QStringLiteral("camera")] = QVariantMap{
        {QStringLiteral("target"), QVariantList{orbit.target[0], orbit.target[1], orbit.target[2]}},
        {QStringLiteral("azimuth"), orbit.azimuthDegrees},
        {QStringLiteral("elevation"), orbit.elevationDegrees},
        {QStringLiteral("distance"), orbit.distance},
        {QStringLiteral("fov"), orbit.fovYDegrees}};
    settings[QStringLiteral("histogram")] = stats_->value();
    settings[QStringLiteral("brush")] =
        stats_->hasBrush() ? QVariantList{stats_->brushLow(), stats_->brushHigh()} : QVariantList{};
    if (property(ViewArea::kSettingsProperty).toMap() != settings)
        setProperty(ViewArea::kSettingsProperty, settings);
}

}  // namespace basin::app
