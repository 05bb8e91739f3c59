#pragma once
// Gaussian avatars in the GUI (issue 7): an "avatar" view shows a splat cloud
// — the built-in procedural avatar, a 3DGS .ply or .splat file, or a training
// run's point_cloud/iteration_N checkpoints browsable by iteration — in the
// GL splat renderer (SplatLayer) beside its linked statistics: the splats per
// part and a histogram whose brushed range is highlighted in 3D
// (SplatStatsView), and for a run the comparison of the shown iteration with
// another (IterationComparisonView). The procedural avatar also gets the pose
// panel (AvatarPosePanel), which re-skins it as the sliders, presets and walk
// cycle change the pose; so does a file's cloud once bound to the user's
// SMPL-X body model (Bind to SMPL-X…). A rigged avatar plays SMPL-X motions
// (Play SMPL-X motion…); Export image… and Export frames… (turntables and
// animations, a job in the jobs panel) render with the CPU reference.
//
// File › Open splats… and Open training run… open a file or run; View ›
// Avatar preview opens the procedural avatar. The view's settings keep the
// source, the iterations shown, the SMPL-X binding, the motion, the pose (and
// whether it plays), the camera and the statistics' histogram and brush, so
// projects restore the view as it was.

#include <QSize>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <memory>

#include "splats/Avatar.h"
#include "splats/CheckpointSeries.h"
#include "splats/GaussianCloud.h"
#include "splats/SmplxModel.h"
#include "ui/SplatFramesDialog.h"
#include "ui/ViewArea.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTimer;

namespace basin {
class JobHandle;
}

namespace basin::widgets {
class AvatarPosePanel;
class GlView;
class IterationComparisonView;
class SplatLayer;
class SplatStatsView;
struct SplatFrames;
}  // namespace basin::widgets

namespace basin::app {

class MainWindow;
class Session;

// settings: source = "procedural" (with splats, the count), a .ply/.splat
// file or a training run's folder; for a run, iteration (shown) and compare
// (the iteration compared with; default the first); for a file bound to
// SMPL-X, smplx (the model), betas and handMean; motion (an SMPL-X parameter
// file or folder playing, or empty); the pose (AvatarPosePanel::poseSettings);
// camera {target [x, y, z], azimuth, elevation, distance, fov}; histogram and
// brush.
ViewSpec proceduralAvatarSpec(int splatCount = 80000);
ViewSpec splatsSpec(const QString& path);
// nullptr for other view types.
QWidget* createAvatarView(const ViewSpec& spec, Session* session);

// File › Open splats… (a .ply or .splat file), File › Open training run… (a
// folder) and View › Avatar preview.
void openSplatsFile(MainWindow* window);
void openTrainingRun(MainWindow* window);
void openAvatarPreview(MainWindow* window);

class AvatarView : public QWidget {
    Q_OBJECT
public:
    // Loads what `settings` name; a problem shows in error() and the view.
    explicit AvatarView(const QJsonObject& settings, QWidget* parent = nullptr);
    ~AvatarView() override;

    widgets::GlView* glView() const { return glView_; }
    widgets::SplatLayer* splatLayer() const { return layer_; }
    // Null unless the view shows a rigged avatar (the procedural one, or a
    // file's cloud bound to SMPL-X).
    widgets::AvatarPosePanel* posePanel() const { return avatar_ ? posePanel_ : nullptr; }
    widgets::SplatStatsView* stats() const { return stats_; }
    // Null unless the view shows a training run.
    widgets::IterationComparisonView* comparison() const { return comparison_; }
    QSlider* iterationSlider() const { return iterationSlider_; }

    const GaussianCloud& cloud() const { return cloud_; }
    const CheckpointSeries& series() const { return series_; }
    // The run's iteration shown, and the one compared with (-1: none).
    std::int64_t iteration() const;
    std::int64_t comparedIteration() const;
    // Shows the run's entry `index` (the slider does the same).
    void showIteration(int index);
    void compareWith(int index);
    // True while a worker thread compares the iterations.
    bool comparing() const { return comparing_; }
    // Binds the file's cloud (rest pose, as trained) to an SMPL-X body model
    // at shape `betas`: each splat takes its nearest vertex's skinning
    // weights, and the pose panel poses it. `handMean` adds the model's mean
    // hand pose to motions. False, with error(), for a view that shows no
    // file or a model that cannot be read; the previous binding stays then.
    bool bindSmplx(const QString& modelPath, const std::vector<double>& betas, bool handMean);
    // The model the file's cloud is bound to, or null.
    const SmplxModel* smplxModel() const { return smplx_.get(); }

    // Plays an SMPL-X parameter file (.pkl/.npz, a whole sequence) or a
    // folder of per-frame files on a rigged avatar's pose panel (the
    // procedural avatar uses the SMPL-X joints). PCA hand poses are expanded
    // with the bound SMPL-X model's hand components. False, with error(),
    // when the view has no rig or the motion cannot be read.
    bool loadMotion(const QString& path);
    // The motion playing (its file or folder), or empty.
    const QString& motionPath() const { return motionPath_; }

    // The view as the CPU reference rasterizer draws it from the view's
    // camera at `size` pixels (the splats as shown: pose, SH degree,
    // background), written as a PNG; false with error() on failure.
    bool exportImage(const QString& path, QSize size);
    // The frames Export frames… renders: a turntable about the view's camera
    // target (starting from the view's camera), an animation (one period of
    // the walk or motion from the current time, the camera still) or both.
    // Throws std::invalid_argument for an animation on a view that has none,
    // a count below 1 or an empty folder.
    widgets::SplatFrames framesRequest(FramesKind kind, int count, QSize size,
                                       const QString& folder) const;
    // Submits framesRequest(…) to the main window's jobs panel; null, with
    // error(), when the request does not fit or the view is in no window.
    std::shared_ptr<JobHandle> exportFrames(FramesKind kind, int count, QSize size,
                                            const QString& folder);

    // The last problem loading a file, or empty.
    const QString& error() const { return error_; }

private:
    void loadProcedural(int splatCount);
    bool loadFile(const QString& path);
    // Hands the rigged avatar to the pose panel and the statistics.
    void rig(std::shared_ptr<const Avatar> avatar);
    void showError(const QString& error);
    void restoreCamera(const QJsonObject& camera);
    // The buttons that apply to what the view shows.
    void updateButtons();
    void showCloud(bool frame);
    void updateComparison();
    void saveSettings();

    GaussianCloud cloud_;
    std::shared_ptr<const Avatar> avatar_;
    QString source_;
    std::shared_ptr<const SmplxModel> smplx_;
    std::vector<double> betas_;
    bool handMean_ = false;
    QString motionPath_;
    CheckpointSeries series_;
    int shown_ = -1, compared_ = -1;
    GaussianCloud comparedCloud_;
    bool comparisonStale_ = true;
    bool comparing_ = false;
    int comparisonGeneration_ = 0;
    QString error_;

    widgets::GlView* glView_ = nullptr;
    widgets::SplatLayer* layer_ = nullptr;
    widgets::AvatarPosePanel* posePanel_ = nullptr;  // the layer; rigged or not
    widgets::SplatStatsView* stats_ = nullptr;
    widgets::IterationComparisonView* comparison_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QSlider* iterationSlider_ = nullptr;
    QComboBox* compareBox_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* bindButton_ = nullptr;
    QPushButton* motionButton_ = nullptr;
    QTimer* cameraSave_ = nullptr;
};

}  // namespace basin::app
