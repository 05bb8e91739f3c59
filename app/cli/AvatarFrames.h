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
#include <memory>
#include <optional>
#include <vector>

#include "splats/Avatar.h"
#include "splats/SmplxModel.h"

namespace basin::app {

// Declares --avatar, --smplx, --betas, --pose, --motion, --frames and
// --hand-mean.
void declareAvatarOptions(QCommandLineParser& parser);

// The avatar the options ask for; nullopt when they ask for none. `cloud` is
// the splat file read from the positional argument (for --smplx). Throws
// std::invalid_argument for options that do not fit together, and
// std::runtime_error naming a file that cannot be read.
// `smplxModel`, when given, receives the --smplx model (null for the procedural
// avatar), for posesFromOptions.
std::optional<Avatar> avatarFromOptions(const QCommandLineParser& parser,
                                        const std::optional<GaussianCloud>& cloud,
                                        std::shared_ptr<const SmplxModel>* smplxModel = nullptr);

// The poses to render, in order: one for a preset (the T-pose by default),
// one per frame of a motion, whose hand poses `smplx` (the --smplx model, or
// null) expands. Throws std::invalid_argument for PCA hand poses without
// --smplx, or ones the model cannot expand.
std::vector<SkeletonPose> posesFromOptions(const QCommandLineParser& parser,
                                           const Skeleton& skeleton,
                                           const SmplxModel* smplx = nullptr);

}  // namespace basin::app
