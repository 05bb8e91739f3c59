#include "cli/AvatarFrames.h"

#include <QFileInfo>
#include <algorithm>
#include <stdexcept>

#include "cli/Subcommand.h"
#include "splats/AvatarPose.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SmplxSequence.h"

namespace basin::app {
namespace {

std::invalid_argument usage(const QString& what) {
    return std::invalid_argument(what.toStdString());
}

std::vector<double> parseBetas(const QString& text) {
    std::vector<double> betas;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        betas.push_back(part.trimmed().toDouble(&ok));
        if (!ok)
            throw usage(
                QStringLiteral("--betas '%1' must be numbers separated by commas").arg(text));
    }
    return betas;
}

}  // namespace

void declareAvatarOptions(QCommandLineParser& p) {
    auto add = [&p](const char* name, const char* help, const char* value = nullptr,
                    const char* def = nullptr) { addOption(p, name, help, value, def); };
    add("avatar", "Render Basin's procedural avatar (no FILE).");
    add("smplx", "Bind FILE's rest-pose splats to this SMPL-X body model (.npz, yours).",
        "SMPLX.npz");
    add("betas", "SMPL-X shape coefficients the splats were trained at.", "B0,B1,...");
    add("pose", "Avatar pose: t, a or walk:SECONDS (default t).", "POSE");
    add("motion",
        "SMPL-X parameter file (.pkl/.npz) or folder of per-frame files: one frame rendered "
        "per pose into the folder --out.",
        "PATH");
    add("frames", "At most this many frames of --motion.", "N");
    add("hand-mean",
        "With --smplx and --motion: add the model's mean hand pose to the motion's hand poses, "
        "as the smplx package does with flat_hand_mean=False (its default). PCA hand poses are "
        "expanded by the model's hand components either way.");
}

std::optional<Avatar> avatarFromOptions(const QCommandLineParser& p,
                                        const std::optional<GaussianCloud>& cloud,
                                        std::shared_ptr<const SmplxModel>* smplxModel) {
    const bool procedural = p.isSet(QStringLiteral("avatar"));
    const bool smplx = p.isSet(QStringLiteral("smplx"));
    if (procedural && smplx) throw usage(QStringLiteral("--avatar and --smplx exclude each other"));
    if (!procedural && !smplx) {
        for (const char* o : {"pose", "motion", "betas", "frames", "hand-mean"})
            if (p.isSet(QLatin1String(o)))
                throw usage(QStringLiteral("--%1 needs an avatar: --avatar, or FILE with --smplx")
                                .arg(QLatin1String(o)));
        return std::nullopt;
    }
    if (procedural && p.isSet(QStringLiteral("hand-mean")))
        throw usage(QStringLiteral(
            "--hand-mean needs an SMPL-X body model's mean hand pose: FILE with --smplx"));
    if (procedural) return makeProceduralAvatar();
    if (!cloud) throw usage(QStringLiteral("--smplx needs the splat FILE to bind"));
    auto model = std::make_shared<const SmplxModel>(
        SmplxModel::load(p.value(QStringLiteral("smplx")).toStdString()));
    if (smplxModel) *smplxModel = model;
    return makeSmplxAvatar(*cloud, *model, parseBetas(p.value(QStringLiteral("betas"))));
}

std::vector<SkeletonPose> posesFromOptions(const QCommandLineParser& p, const Skeleton& skeleton,
                                           const SmplxModel* smplx) {
    if (p.isSet(QStringLiteral("motion"))) {
        if (p.isSet(QStringLiteral("pose")))
            throw usage(QStringLiteral("--pose and --motion exclude each other"));
        const QString path = p.value(QStringLiteral("motion"));
        SmplxSequence sequence = QFileInfo(path).isDir()
                                     ? readSmplxSequenceFolder(path.toStdString())
                                     : readSmplxSequence({path.toStdString()});
        // With an SMPL-X model, hand poses become 45 axis-angle values (PCA
        // coefficients through its hand components, plus its mean hand with
        // --hand-mean). Without one (the procedural avatar) PCA hands fail in
        // skeletonPose.
        const bool handMean = p.isSet(QStringLiteral("hand-mean"));
        const bool pca = std::any_of(sequence.frames.begin(), sequence.frames.end(),
                                     [](const SmplxParameters& f) { return f.hasPcaHandPoses(); });
        if (smplx && (pca || handMean)) sequence = expandHandPoses(sequence, *smplx, handMean);
        std::size_t count = sequence.frames.size();
        if (p.isSet(QStringLiteral("frames"))) {
            bool ok = false;
            const int n = p.value(QStringLiteral("frames")).toInt(&ok);
            if (!ok || n < 1) throw usage(QStringLiteral("--frames must be a positive integer"));
            count = std::min(count, std::size_t(n));
        }
        std::vector<SkeletonPose> poses;
        for (std::size_t k = 0; k < count; ++k) {
            SkeletonPose pose;
            try {
                pose = sequence.frames[k].skeletonPose();
            } catch (const std::invalid_argument& e) {
                throw std::invalid_argument(sequence.files[k] + ": " + e.what());
            }
            skeleton.checkPose(pose);
            poses.push_back(pose);
        }
        if (poses.empty()) throw std::runtime_error(path.toStdString() + " holds no frames");
        return poses;
    }
    if (p.isSet(QStringLiteral("hand-mean")))
        throw usage(QStringLiteral("--hand-mean applies to the hand poses of --motion"));
    const QString pose = p.value(QStringLiteral("pose"));
    if (pose.isEmpty() || pose == QLatin1String("t")) return {tPose(skeleton)};
    if (pose == QLatin1String("a")) return {aPose(skeleton)};
    if (pose.startsWith(QLatin1String("walk:"))) {
        bool ok = false;
        const double t = pose.mid(5).toDouble(&ok);
        if (ok) return {walkPose(skeleton, t)};
    }
    throw usage(QStringLiteral("--pose '%1' must be t, a or walk:SECONDS").arg(pose));
}

}  // namespace basin::app
