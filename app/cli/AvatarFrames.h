#pragma once
// What `basin render-splats` poses before it renders, when asked for an
// avatar: the built-in procedural avatar (--avatar) or a trained rest-pose
// cloud bound to a user's SMPL-X body model (FILE --smplx SMPLX.npz), and the
// poses to draw — a preset (--pose t|a|walk:SECONDS) or every frame of an
// SMPL-X parameter sequence (--motion FILE|FOLDER, at most --frames), whose
// PCA hand poses the --smplx model's hand components expand (--hand-mean adds
// its mean hand pose).

#include <QCommandLineParser>
#include <QStringList>
#include <optional>
#include <vector>

#include "splats/Avatar.h"

namespace basin::app {

// Declares --avatar, --smplx, --betas, --pose, --motion, --frames and
// --hand-mean.
void declareAvatarOptions(QCommandLineParser& parser);

// The avatar the options ask for; nullopt when they ask for none. `cloud` is
// the splat file read from the positional argument (for --smplx). Throws
// std::invalid_argument for options that do not fit together, and
// std::runtime_error naming a file that cannot be read.
std::optional<Avatar> avatarFromOptions(const QCommandLineParser& parser,
                                        const std::optional<GaussianCloud>& cloud);

// The poses to render, in order: one for a preset (the T-pose by default),
// one per frame of a motion. Throws std::invalid_argument for PCA hand poses
// without --smplx, or ones the --smplx model cannot expand.
std::vector<SkeletonPose> posesFromOptions(const QCommandLineParser& parser,
                                           const Skeleton& skeleton);

}  // namespace basin::app
