#include "splats/SplatFramesJob.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <chrono>
#include <stdexcept>

#include "splats/SplatImageFile.h"
#include "util/AtomicFile.h"
#include "util/Sha256.h"

namespace basin::widgets {
namespace {

const char* const kManifest = "frames.txt";

template <typename T>
void hashVector(Sha256& hash, const std::vector<T>& values) {
    const std::uint64_t n = values.size();
    hash.update(&n, sizeof n);
    if (n > 0) hash.update(values.data(), n * sizeof(T));
}

// What frames.txt holds: the fingerprint and the frame count.
QByteArray manifestText(const SplatFrames& frames) {
    return QByteArray("basin-splat-frames 1\nfingerprint ") +
           QByteArray::fromStdString(frames.fingerprint()) + "\nframes " +
           QByteArray::number(qulonglong(frames.frameCount())) + "\n";
}

void hashSplats(Sha256& hash, const RenderSplats& splats) {
    hashVector(hash, splats.centres);
    hashVector(hash, splats.covariances);
    hashVector(hash, splats.opacities);
    hashVector(hash, splats.sh);
    hash.update(&splats.shDegree, sizeof splats.shDegree);
}

}  // namespace

std::size_t SplatFrames::frameCount() const {
    return std::max(poses.size(), cameras.size());
}

QString SplatFrames::framePath(std::size_t frame) const {
    return QDir(folder).filePath(
        QStringLiteral("frame_%1.png").arg(qulonglong(frame), 4, 10, QLatin1Char('0')));
}

void SplatFrames::validate() const {
    if (!splats && (!avatar || poses.empty()))
        throw std::invalid_argument("no splats to render frames of");
    if (splats) splats->validate();
    if (cameras.empty()) throw std::invalid_argument("no camera to render frames from");
    const std::size_t n = frameCount();
    if (cameras.size() != 1 && cameras.size() != n)
        throw std::invalid_argument(std::to_string(cameras.size()) + " cameras for " +
                                    std::to_string(n) + " frames (give one or one per frame)");
    if (!poses.empty() && !avatar)
        throw std::invalid_argument("poses given without an avatar to pose");
    if (poses.size() > 1 && poses.size() != n)
        throw std::invalid_argument(std::to_string(poses.size()) + " poses for " +
                                    std::to_string(n) + " frames (give one or one per frame)");
    for (const SkeletonPose& pose : poses)
        avatar->skeleton.checkPose(pose);
    if (folder.isEmpty()) throw std::invalid_argument("no folder to write the frames into");
}

std::string SplatFrames::fingerprint() const {
    Sha256 hash;
    if (splats) hashSplats(hash, *splats);
    if (avatar) {
        // The activated values its rest splats are made from (run() makes
        // them; converting here too would copy the cloud once more).
        const GaussianCloud& cloud = avatar->cloud;
        for (const std::vector<float>* v :
             {&cloud.positions, &cloud.scales, &cloud.rotations, &cloud.opacities, &cloud.sh})
            hashVector(hash, *v);
        hash.update(&cloud.shDegree, sizeof cloud.shDegree);
        hashVector(hash, avatar->weights.bones);
        hashVector(hash, avatar->weights.weights);
        for (int j = 0; j < avatar->skeleton.size(); ++j) {
            const Joint& joint = avatar->skeleton.joint(j);
            hash.update(joint.offset.data(), sizeof(double) * 3);
            hash.update(joint.restRotation.data(), sizeof(double) * 9);
            hash.update(&joint.parent, sizeof joint.parent);
        }
        // Blend shapes change the posed splats; an avatar without them
        // hashes as before.
        if (const SplatBlendShapes* b = avatar->blendShapes.get()) {
            hashVector(hash, b->vertexOfSlot);
            hashVector(hash, b->slotOfSplat);
            hashVector(hash, b->bindExpression);
            for (const Eigen::MatrixXf* m : {&b->poseDirections, &b->expressionDirections}) {
                const Eigen::Index size[2] = {m->rows(), m->cols()};
                hash.update(size, sizeof size);
                hash.update(m->data(), sizeof(float) * std::size_t(m->size()));
            }
        }
    }
    for (const SkeletonPose& pose : poses) {
        for (const Eigen::Vector3d& r : pose.rotations)
            hash.update(r.data(), sizeof(double) * 3);
        hash.update(pose.translation.data(), sizeof(double) * 3);
        // Only when there is one, so that requests without expressions keep
        // their fingerprints (and the frames already written).
        if (!pose.expression.empty()) hashVector(hash, pose.expression);
    }
    for (const SplatCamera& c : cameras) {
        hash.update(c.position.data(), sizeof(float) * 3);
        hash.update(c.target.data(), sizeof(float) * 3);
        hash.update(c.up.data(), sizeof(float) * 3);
        hash.update(&c.fovYDegrees, sizeof c.fovYDegrees);
        hash.update(&c.width, sizeof c.width);
        hash.update(&c.height, sizeof c.height);
    }
    hash.update(options.background.data(), sizeof(float) * 3);
    hash.update(&options.shDegree, sizeof options.shDegree);
    hash.update(&options.nearPlane, sizeof options.nearPlane);
    const std::uint64_t n = frameCount();
    hash.update(&n, sizeof n);
    return hash.hexDigest();
}

std::vector<SplatCamera> turntableCameras(const OrbitCamera& orbit, int frames, int width,
                                          int height) {
    if (frames < 1) throw std::invalid_argument("a turntable needs at least one frame");
    std::vector<SplatCamera> cameras;
    cameras.reserve(std::size_t(frames));
    OrbitCamera turned = orbit;
    for (int k = 0; k < frames; ++k) {
        turned.azimuthDegrees = orbit.azimuthDegrees + 360.0f * float(k) / float(frames);
        cameras.push_back(turned.camera(width, height));
    }
    return cameras;
}

std::string SplatFramesJob::title() const {
    return "Render " + std::to_string(frames_.frameCount()) + " frames into " +
           QFileInfo(frames_.folder).fileName().toStdString();
}

void SplatFramesJob::run(JobContext& context) {
    frames_.validate();
    rendered_ = kept_ = 0;
    renderMs_ = 0;
    if (!QDir().mkpath(frames_.folder))
        throw std::runtime_error("cannot create the folder " + frames_.folder.toStdString());
    // The same request as the folder's last one keeps the frames written.
    const QByteArray manifest = manifestText(frames_);
    const QString manifestPath = QDir(frames_.folder).filePath(QLatin1String(kManifest));
    QFile previous(manifestPath);
    const bool resume = previous.open(QIODevice::ReadOnly) && previous.readAll() == manifest;
    if (!resume) {
        AtomicFile out(manifestPath.toStdString());
        out.write(manifest.constData(), std::size_t(manifest.size()));
        out.commit();
    }

    const std::size_t n = frames_.frameCount();
    const RenderSplats rest =
        frames_.avatar && !frames_.poses.empty() ? frames_.avatar->restSplats() : RenderSplats{};
    for (std::size_t k = 0; k < n; ++k) {
        context.throwIfCancelled();
        const QString path = frames_.framePath(k);
        context.report(double(k) / double(n),
                       "frame " + std::to_string(k + 1) + " of " + std::to_string(n));
        if (resume && QFileInfo::exists(path)) {
            ++kept_;
            continue;
        }
        const auto start = std::chrono::steady_clock::now();
        const SplatCamera& camera = frames_.cameras[frames_.cameras.size() == 1 ? 0 : k];
        const SplatImage image =
            frames_.poses.empty()
                ? rasterizeSplats(*frames_.splats, camera, frames_.options)
                : rasterizeSplats(
                      frames_.avatar->posed(rest, frames_.poses[frames_.poses.size() == 1 ? 0 : k]),
                      camera, frames_.options);
        renderMs_ +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        writeSplatPng(image, path);
        ++rendered_;
    }
    context.report(1.0, std::to_string(n) + " frames in " + frames_.folder.toStdString());
}

}  // namespace basin::widgets
