#pragma once
// Gaussian avatars in the GUI (issue 7): an "avatar" view shows a splat cloud
// — the built-in procedural avatar, a 3DGS .ply or .splat file, or a training
// run's point_cloud/iteration_N checkpoints browsable by iteration — in the
// GL splat renderer (SplatLayer) beside its linked statistics: the splats per
// part and a histogram whose brushed range is highlighted in 3D
// (SplatStatsView), and for a run the comparison of the shown iteration with
// another (IterationComparisonView). The procedural avatar also gets the pose
// panel (AvatarPosePanel), which re-skins it as the sliders, presets and walk
// cycle change the pose.
//
// File › Open splats… and Open training run… open a file or run; View ›
// Avatar preview opens the procedural avatar. The view's settings keep the
// source and the iterations shown, so projects restore it.

#include <QSize>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <memory>

#include "splats/Avatar.h"
#include "splats/CheckpointSeries.h"
#include "splats/GaussianCloud.h"
#include "ui/ViewArea.h"

class QComboBox;
class QLabel;
class QSlider;
class QTabWidget;

namespace basin::widgets {
class AvatarPosePanel;
class GlView;
class IterationComparisonView;
class SplatLayer;
class SplatStatsView;
}  // namespace basin::widgets

namespace basin::app {

class MainWindow;
class Session;

// settings: source = "procedural" (with splats, the count), a .ply/.splat
// file or a training run's folder; for a run, iteration (shown) and compare
// (the iteration compared with; default the first).
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
    // Null unless the view shows a rigged avatar (the procedural one).
    widgets::AvatarPosePanel* posePanel() const { return posePanel_; }
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
    // Plays an SMPL-X parameter file (.pkl/.npz, a whole sequence) or a
    // folder of per-frame files on a rigged avatar's pose panel (the
    // procedural avatar uses the SMPL-X joints). False, with error(), when
    // the view has no rig or the motion cannot be read.
    bool loadMotion(const QString& path);

    // The view as the CPU reference rasterizer draws it from the view's
    // camera at `size` pixels (the splats as shown: pose, SH degree,
    // background), written as a PNG; false with error() on failure.
    bool exportImage(const QString& path, QSize size);

    // The last problem loading a file, or empty.
    const QString& error() const { return error_; }

private:
    void loadProcedural(int splatCount);
    bool loadFile(const QString& path);
    void showCloud(bool frame);
    void updateComparison();
    void saveSettings();

    GaussianCloud cloud_;
    std::shared_ptr<const Avatar> avatar_;
    CheckpointSeries series_;
    int shown_ = -1, compared_ = -1;
    GaussianCloud comparedCloud_;
    bool comparisonStale_ = true;
    bool comparing_ = false;
    int comparisonGeneration_ = 0;
    QString error_;

    widgets::GlView* glView_ = nullptr;
    widgets::SplatLayer* layer_ = nullptr;
    widgets::AvatarPosePanel* posePanel_ = nullptr;
    widgets::SplatStatsView* stats_ = nullptr;
    widgets::IterationComparisonView* comparison_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QSlider* iterationSlider_ = nullptr;
    QComboBox* compareBox_ = nullptr;
    QLabel* status_ = nullptr;
};

}  // namespace basin::app
