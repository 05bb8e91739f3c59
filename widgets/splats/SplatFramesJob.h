#pragma once
// A numbered sequence of frames rendered by the CPU reference rasterizer and
// written as frame_0000.png, frame_0001.png, … into a folder: a turntable
// (one camera per frame orbiting the target), an animation (an avatar posed
// frame by frame in front of a still camera), or both at once. The avatar
// view's Export frames… and `basin render-splats --turntable/--motion` run
// it — in the jobs panel or with a terminal progress bar.
//
// Resumable: the folder's frames.txt records a fingerprint of what is
// rendered (splats, poses, cameras, options). A rerun with the same request
// keeps the frames already written and renders the rest; any other request
// renders every frame again, so no stale frame is kept.

#include <QString>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "jobs/Job.h"
#include "splats/Avatar.h"
#include "splats/OrbitCamera.h"
#include "splats/RenderSplats.h"
#include "splats/SplatCamera.h"
#include "splats/SplatRasterizer.h"

namespace basin::widgets {

struct SplatFrames {
    // What is drawn: `splats` as they are, or — with an avatar — its rest
    // splats (avatar->restSplats()) skinned to each frame's pose.
    std::shared_ptr<const RenderSplats> splats;
    std::shared_ptr<const Avatar> avatar;
    std::vector<SkeletonPose> poses;   // with an avatar: one per frame, or one for all
    std::vector<SplatCamera> cameras;  // one per frame, or one for all
    SplatRasterOptions options;
    QString folder;

    // max(poses, cameras): the frames written.
    std::size_t frameCount() const;
    // frame_0000.png … in the folder.
    QString framePath(std::size_t frame) const;
    // Throws std::invalid_argument naming what does not fit: no splats or
    // cameras, a pose or camera list of another length than the frames and
    // not 1, poses without an avatar, an empty folder name.
    void validate() const;
    // Hex SHA-256 of everything that decides the pictures.
    std::string fingerprint() const;
};

// `frames` cameras one full turn about orbit's target, starting where the
// orbit looks from, at width × height pixels.
std::vector<SplatCamera> turntableCameras(const OrbitCamera& orbit, int frames, int width,
                                          int height);

class SplatFramesJob : public Job {
public:
    explicit SplatFramesJob(SplatFrames frames) : frames_(std::move(frames)) {}

    std::string title() const override;
    void run(JobContext& context) override;
    // A rerun keeps the frames written (frames.txt matches) and renders the rest.
    bool resumable() const override { return true; }

    const SplatFrames& frames() const { return frames_; }
    // After run(): frames rendered now, and frames kept from an earlier run.
    std::size_t rendered() const { return rendered_; }
    std::size_t kept() const { return kept_; }
    // Mean rasterization time of the frames rendered now (ms).
    double meanRenderMs() const { return rendered_ > 0 ? renderMs_ / double(rendered_) : 0.0; }

private:
    SplatFrames frames_;
    std::size_t rendered_ = 0, kept_ = 0;
    double renderMs_ = 0;
};

}  // namespace basin::widgets
