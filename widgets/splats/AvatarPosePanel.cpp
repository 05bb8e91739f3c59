#include "splats/AvatarPosePanel.h"

#include <QString>
#include <algorithm>
#include <cmath>

#include "gl/ImGuiBridge.h"
#include "imgui.h"
#include "splats/SplatLayer.h"

namespace basin::widgets {
namespace {

constexpr double kDegrees = 180.0 / 3.14159265358979323846;
// A frame longer than this (a stall, the first frame) moves the walk no
// further, so it never jumps.
constexpr double kLongestFrameSeconds = 0.1;
// Views narrower than this (pixels) start with the panel collapsed: open, it
// and the Splats panel would leave no room for the avatar.
constexpr int kNarrowView = 760;

}  // namespace

AvatarPosePanel::AvatarPosePanel(QObject* parent) : QObject(parent) {}

void AvatarPosePanel::setAvatar(std::shared_ptr<const Avatar> avatar,
                                std::vector<SplatQuantity> quantities, SplatLayer* layer) {
    avatar_ = std::move(avatar);
    quantities_ = std::move(quantities);
    layer_ = layer;
    walking_ = false;
    walkTime_ = 0;
    motion_.clear();  // made for the previous avatar
    poseName_ = QStringLiteral("t-pose");
    if (!avatar_) {
        rest_ = posed_ = RenderSplats{};
        groups_.clear();
        pose_ = SkeletonPose{};
        return;
    }
    rest_ = avatar_->restSplats();
    groups_ = basin::jointGroups(avatar_->skeleton);
    pose_ = tPose(avatar_->skeleton);
    repose();
}

void AvatarPosePanel::applyPreset(Preset preset) {
    if (!avatar_) return;
    stopPlaying();
    pose_ = preset == Preset::APose ? aPose(avatar_->skeleton) : tPose(avatar_->skeleton);
    poseName_ = preset == Preset::APose ? QStringLiteral("a-pose") : QStringLiteral("t-pose");
    repose();
}

void AvatarPosePanel::setJointRotation(int joint, const Eigen::Vector3d& axisAngle) {
    if (!avatar_ || joint < 0 || joint >= int(pose_.rotations.size())) return;
    stopPlaying();
    pose_.rotations[std::size_t(joint)] = axisAngle;
    poseName_ = QStringLiteral("custom");
    repose();
}

void AvatarPosePanel::setWalking(bool playing) {
    if (!avatar_) return;
    const bool changed = walking_ != playing;
    walking_ = playing;
    frameClock_.invalidate();
    // Paused too, the walk's pose is posed again so that listeners (the
    // project's settings) see where it stopped.
    poseName_ = motion_.empty() ? QStringLiteral("walk") : QStringLiteral("motion");
    pose_ = animatedPose(walkTime_);
    repose();
    if (changed) Q_EMIT playingChanged(playing);
}

void AvatarPosePanel::setWalkTime(double seconds) {
    if (!avatar_) return;
    walkTime_ = std::fmod(std::max(0.0, seconds), animationPeriod());
    poseName_ = motion_.empty() ? QStringLiteral("walk") : QStringLiteral("motion");
    pose_ = animatedPose(walkTime_);
    repose();
}

void AvatarPosePanel::setMotion(std::vector<SkeletonPose> frames, double fps) {
    if (!avatar_) return;
    for (const SkeletonPose& p : frames)
        avatar_->skeleton.checkPose(p);
    motion_ = std::move(frames);
    motionFps_ = fps > 0 ? fps : 30;
    openPanel_ = !motion_.empty();  // its play controls
    stopPlaying();
    setWalkTime(0);
}

double AvatarPosePanel::animationPeriod() const {
    return motion_.empty() ? cycle_.period : double(motion_.size()) / motionFps_;
}

SkeletonPose AvatarPosePanel::animatedPose(double seconds) const {
    if (motion_.empty()) return walkPose(avatar_->skeleton, seconds, cycle_);
    const auto frame = std::size_t(std::max(0.0, seconds) * motionFps_) % motion_.size();
    return motion_[frame];
}

void AvatarPosePanel::advance(double seconds) {
    if (walking_) setWalkTime(walkTime_ + seconds);
}

void AvatarPosePanel::repose() {
    posed_ = avatar_->posed(rest_, pose_);
    if (layer_) layer_->setSplats(posed_, quantities_, false);
    if (host()) host()->requestUpdate();
    Q_EMIT posed();
}

void AvatarPosePanel::stopPlaying() {
    if (!walking_) return;
    walking_ = false;
    Q_EMIT playingChanged(false);
}

QVariantMap AvatarPosePanel::poseSettings() const {
    QVariantMap settings{{QStringLiteral("pose"), poseName_}};
    // Every key is always written: a project merges the settings it is given.
    settings[QStringLiteral("walkTime")] = walkTime_;
    settings[QStringLiteral("playing")] = walking_;
    // A motion's frame is kept as rotations too: it is restored as a custom
    // pose when the motion file is gone.
    if ((poseName_ == QLatin1String("custom") || poseName_ == QLatin1String("motion")) && avatar_) {
        QVariantMap rotations;
        for (std::size_t j = 0; j < pose_.rotations.size(); ++j) {
            const Eigen::Vector3d& r = pose_.rotations[j];
            if (!r.isZero())
                rotations[QString::fromStdString(avatar_->skeleton.joint(int(j)).name)] =
                    QVariantList{r.x(), r.y(), r.z()};
        }
        settings[QStringLiteral("rotations")] = rotations;
        if (!pose_.expression.empty()) {
            QVariantList expression;
            for (double e : pose_.expression)
                expression.append(e);
            settings[QStringLiteral("expression")] = expression;
        }
    }
    return settings;
}

void AvatarPosePanel::restoreRotations(const QVariantMap& rotations,
                                       const QVariantList& expression) {
    stopPlaying();
    pose_ = tPose(avatar_->skeleton);
    for (auto it = rotations.begin(); it != rotations.end(); ++it) {
        const int j = avatar_->skeleton.find(it.key().toStdString());
        const QVariantList v = it.value().toList();
        if (j >= 0 && v.size() == 3)
            pose_.rotations[std::size_t(j)] =
                Eigen::Vector3d(v[0].toDouble(), v[1].toDouble(), v[2].toDouble());
    }
    // A coefficient that is not a finite number ends the expression there.
    for (const QVariant& v : expression) {
        bool ok = false;
        const double e = v.toDouble(&ok);
        if (!ok || !std::isfinite(e)) break;
        pose_.expression.push_back(e);
    }
    poseName_ = QStringLiteral("custom");
    repose();
}

void AvatarPosePanel::restorePose(const QVariantMap& settings) {
    if (!avatar_) return;
    const QString name = settings.value(QStringLiteral("pose")).toString();
    if (name == QLatin1String("walk") || (name == QLatin1String("motion") && !motion_.empty())) {
        if (name == QLatin1String("walk")) motion_.clear();
        stopPlaying();
        setWalkTime(settings.value(QStringLiteral("walkTime")).toDouble());
        if (settings.value(QStringLiteral("playing")).toBool()) setWalking(true);
    } else if (name == QLatin1String("custom") || name == QLatin1String("motion")) {
        restoreRotations(settings.value(QStringLiteral("rotations")).toMap(),
                         settings.value(QStringLiteral("expression")).toList());
    } else {
        applyPreset(name == QLatin1String("a-pose") ? Preset::APose : Preset::TPose);
    }
}

bool AvatarPosePanel::initialize(QOpenGLExtraFunctions&) {
    return true;
}

void AvatarPosePanel::paint(QOpenGLExtraFunctions&, const GlFrame&) {
    if (!walking_) {
        frameClock_.invalidate();
        return;
    }
    const double elapsed = frameClock_.isValid() ? frameClock_.restart() / 1000.0 : 0.0;
    if (!frameClock_.isValid()) frameClock_.start();
    advance(std::min(elapsed, kLongestFrameSeconds));
}

void AvatarPosePanel::release(QOpenGLExtraFunctions&) {}

void AvatarPosePanel::drawImGui() {
    if (!avatar_) return;
    ImGuiBridge& ui = host()->imgui();
    const QSize view = host()->viewSize();
    // Kept in the top right corner, clear of the Splats panel on the left
    // (260 pixels wide); a view too narrow for both side by side has it one
    // title bar lower, so the two titles never overlap.
    const float top = view.width() < 280 + 260 + 30 ? 40.0f : 10.0f;
    ImGui::SetNextWindowPos(ImVec2(float(view.width()) - 10.0f, top), ImGuiCond_Always,
                            ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(280, 0), ImVec2(280, float(view.height()) - 20));
    // In a narrow view the open panel would cover the avatar: it starts
    // collapsed there (its title bar opens it), and opens when a motion loads.
    // Until the user opens or collapses it, it follows the view's width (the
    // first frames may come before the view has its final size).
    if (openPanel_) {
        autoCollapse_ = false;
        openPanel_ = false;
        ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
    }
    const bool narrow = view.width() < kNarrowView;
    if (autoCollapse_) ImGui::SetNextWindowCollapsed(narrow, ImGuiCond_Always);
    const bool open = ImGui::Begin("Pose", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
    if (autoCollapse_ && ImGui::IsWindowCollapsed() != narrow) autoCollapse_ = false;
    ui.recordWindow(QStringLiteral("Pose"));
    if (!open) {
        ImGui::End();
        return;
    }
    if (ImGui::Button("T-pose")) applyPreset(Preset::TPose);
    ui.recordLastItem(QStringLiteral("Pose/T-pose"));
    ImGui::SameLine();
    if (ImGui::Button("A-pose")) applyPreset(Preset::APose);
    ui.recordLastItem(QStringLiteral("Pose/A-pose"));
    ImGui::SameLine();
    const bool motion = !motion_.empty();
    if (ImGui::Button(walking_ ? (motion ? "Pause motion" : "Pause walk")
                               : (motion ? "Play motion" : "Play walk")))
        setWalking(!walking_);
    ui.recordLastItem(QStringLiteral("Pose/Walk"));
    if (motion) {
        ImGui::SameLine();
        if (ImGui::Button("Walk cycle")) {
            motion_.clear();
            setWalking(false);
        }
        ImGui::Text("SMPL-X motion: %zu frames at %.0f fps", motion_.size(), motionFps_);
    }

    ImGui::PushItemWidth(170);
    float t = float(walkTime_);
    if (ImGui::SliderFloat(motion ? "motion time" : "walk time", &t, 0.0f, float(animationPeriod()),
                           "%.2f s")) {
        stopPlaying();
        setWalkTime(t);
    }
    ui.recordLastItem(QStringLiteral("Pose/Walk time"));

    // One section per joint group; a joint's rotation as x, y, z degrees.
    for (const JointGroup& group : groups_) {
        if (!ImGui::CollapsingHeader(group.name.c_str())) continue;
        for (int j : group.joints) {
            Eigen::Vector3d r = pose_.rotations[std::size_t(j)] * kDegrees;
            float v[3] = {float(r.x()), float(r.y()), float(r.z())};
            if (ImGui::SliderFloat3(avatar_->skeleton.joint(j).name.c_str(), v, -180.0f, 180.0f,
                                    "%.0f"))
                setJointRotation(j, Eigen::Vector3d(v[0], v[1], v[2]) / kDegrees);
        }
    }
    ImGui::PopItemWidth();
    ImGui::Separator();
    ImGui::Text("%zu splats skinned, %d joints", posed_.size(), avatar_->skeleton.size());
    ImGui::End();
}

}  // namespace basin::widgets
