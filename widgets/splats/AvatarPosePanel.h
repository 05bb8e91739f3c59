#pragma once
// The pose controls of an avatar in the splat view: a GlLayer that draws
// nothing but its "Pose" ImGui window — the presets T-pose and A-pose, the
// procedural walk cycle with play/pause and a time slider, and one collapsing
// section per joint group (core/splats/AvatarPose.h: body, each hand, jaw and
// eyes) with each joint's axis-angle rotation in degrees. Every change
// re-skins the rest cloud (linear blend skinning, Avatar::posed) and hands
// the posed splats to the SplatLayer without moving its camera.
//
// Add it to the GlView before the SplatLayer: while the walk plays, paint()
// advances the walk by the frame's time and poses before the splats draw.
// Everything the panel does is also reachable without a frame (tests, the
// application's menus).

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QVariantMap>
#include <memory>
#include <vector>

#include "gl/GlLayer.h"
#include "splats/Avatar.h"
#include "splats/AvatarPose.h"

namespace basin::widgets {

class SplatLayer;

class AvatarPosePanel : public QObject, public GlLayer {
    Q_OBJECT
public:
    enum class Preset { TPose, APose };

    explicit AvatarPosePanel(QObject* parent = nullptr);

    // The avatar to pose, its splats' extra values (the part label, …) and
    // the layer drawing it (not owned; null: the panel only poses). Starts
    // in the T-pose, paused, without a motion.
    void setAvatar(std::shared_ptr<const Avatar> avatar, std::vector<SplatQuantity> quantities,
                   SplatLayer* layer);
    const Avatar* avatar() const { return avatar_.get(); }

    // Stops the walk and poses the preset.
    void applyPreset(Preset preset);
    // One joint's local rotation (axis-angle, radians); stops the walk.
    void setJointRotation(int joint, const Eigen::Vector3d& axisAngle);
    const SkeletonPose& pose() const { return pose_; }
    const std::vector<JointGroup>& jointGroups() const { return groups_; }

    // The walk cycle: play/pause, and the time within it (seconds).
    void setWalking(bool playing);
    bool walking() const { return walking_; }
    void setWalkTime(double seconds);
    double walkTime() const { return walkTime_; }
    const WalkCycle& walkCycle() const { return cycle_; }
    // Moves a playing walk `seconds` forward and poses it.
    void advance(double seconds);

    // An SMPL-X motion (one pose per frame, at `fps`) played instead of the
    // walk cycle by the same play/pause and time controls; an empty one
    // brings the walk back. Throws std::invalid_argument when a pose does not
    // fit the avatar's skeleton.
    void setMotion(std::vector<SkeletonPose> frames, double fps);
    bool hasMotion() const { return !motion_.empty(); }
    std::size_t motionFrameCount() const { return motion_.size(); }
    // The length of what plays: the walk cycle's period or the motion's.
    double animationPeriod() const;
    // The walk's or the motion's pose at `seconds` into it (looping).
    SkeletonPose animatedPose(double seconds) const;

    // The splats of the current pose, as handed to the layer.
    const RenderSplats& posedSplats() const { return posed_; }

    // The pose as settings a project keeps: {"pose": "t-pose" | "a-pose" |
    // "walk" | "motion" | "custom", "walkTime": seconds into the walk or
    // motion, "playing": whether it plays, "rotations": {joint name:
    // [x, y, z] radians} (custom and motion, non-zero joints only),
    // "expression": [coefficients] (custom and motion, when the pose has
    // them: SMPL-X motions carry expressions)};
    // restoring them poses and plays what was playing. A motion is restored
    // at its time when one is loaded (setMotion first), else as the custom
    // pose of its frame. Unknown joints are skipped.
    QVariantMap poseSettings() const;
    void restorePose(const QVariantMap& settings);

    // GlLayer
    bool initialize(QOpenGLExtraFunctions& gl) override;
    void paint(QOpenGLExtraFunctions& gl, const GlFrame& frame) override;
    void release(QOpenGLExtraFunctions& gl) override;
    void drawImGui() override;

Q_SIGNALS:
    // The posed splats changed.
    void posed();
    // The walk or motion started or stopped playing.
    void playingChanged(bool playing);

private:
    void repose();
    void restoreRotations(const QVariantMap& rotations, const QVariantList& expression);
    // Pauses a playing walk or motion (playingChanged).
    void stopPlaying();

    std::shared_ptr<const Avatar> avatar_;
    std::vector<SplatQuantity> quantities_;
    SplatLayer* layer_ = nullptr;
    RenderSplats rest_, posed_;
    SkeletonPose pose_;
    std::vector<JointGroup> groups_;
    WalkCycle cycle_;
    QString poseName_ = QStringLiteral("t-pose");
    bool walking_ = false;
    bool openPanel_ = false;    // open the ImGui window at the next frame
    bool autoCollapse_ = true;  // collapsed in narrow views until the user decides
    double walkTime_ = 0;
    std::vector<SkeletonPose> motion_;
    double motionFps_ = 30;
    QElapsedTimer frameClock_;
};

}  // namespace basin::widgets
