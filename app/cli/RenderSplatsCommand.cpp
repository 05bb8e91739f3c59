// `basin render-splats`: a 3D Gaussian Splatting file (PLY or .splat)
// rendered by the CPU reference rasterizer to a PNG, or to a turntable of
// frames around the cloud — the headless exporter, no display needed.

#include <QDir>
#include <QRegularExpression>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "cli/AvatarFrames.h"
#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "splats/GaussianPly.h"
#include "splats/RenderSplats.h"
#include "splats/SplatFile.h"
#include "splats/SplatFramesJob.h"
#include "splats/SplatImageFile.h"
#include "splats/SplatRasterizer.h"

namespace basin::app {
namespace {

std::invalid_argument usage(const QString& what) {
    return std::invalid_argument(what.toStdString());
}

// `orbit:AZ,EL,DIST` (degrees, degrees, scene units; DIST may be left out
// to frame the cloud) or `auto` (azimuth 0, elevation 15, framed).
struct CameraSpec {
    float azimuth = 0.0f, elevation = 15.0f;
    float distance = 0.0f;  // 0: framing distance
};

CameraSpec parseCamera(const QString& text) {
    const QString bad = QStringLiteral(
                            "--camera '%1' is not orbit:AZ,EL,DIST (azimuth and elevation in "
                            "degrees, distance in the scene's units, e.g. orbit:30,15,4), "
                            "orbit:AZ,EL (framed) or auto")
                            .arg(text);
    CameraSpec spec;
    if (text == QStringLiteral("auto")) return spec;
    if (!text.startsWith(QStringLiteral("orbit:"))) throw usage(bad);
    const QStringList parts = text.mid(6).split(QLatin1Char(','));
    if (parts.size() != 2 && parts.size() != 3) throw usage(bad);
    float values[3] = {0, 0, 0};
    for (int i = 0; i < parts.size(); ++i) {
        bool ok = false;
        values[i] = parts[i].trimmed().toFloat(&ok);
        if (!ok || !std::isfinite(values[i])) throw usage(bad);
    }
    if (std::abs(values[1]) > 90.0f)
        throw usage(QStringLiteral("--camera '%1': the elevation must be between -90 and 90 "
                                   "degrees")
                        .arg(text));
    if (parts.size() == 3 && !(values[2] > 0.0f))
        throw usage(QStringLiteral("--camera '%1': the distance must be positive").arg(text));
    spec.azimuth = values[0];
    spec.elevation = values[1];
    spec.distance = parts.size() == 3 ? values[2] : 0.0f;
    return spec;
}

void parseSize(const QString& text, int* width, int* height) {
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("^(\\d{1,5})[xX](\\d{1,5})$")).match(text);
    if (!m.hasMatch())
        throw usage(
            QStringLiteral("--size '%1' is not WIDTHxHEIGHT in pixels, e.g. 512x512").arg(text));
    *width = m.captured(1).toInt();
    *height = m.captured(2).toInt();
    if (*width < 1 || *height < 1 || *width > 16384 || *height > 16384)
        throw usage(
            QStringLiteral("--size %1: each side must be between 1 and 16384 pixels").arg(text));
}

std::array<float, 3> parseBackground(const QString& text) {
    const QStringList parts = text.split(QLatin1Char(','));
    const QString bad =
        QStringLiteral("--background '%1' is not R,G,B with values from 0 to 1, e.g. 1,1,1")
            .arg(text);
    if (parts.size() != 3) throw usage(bad);
    std::array<float, 3> rgb{};
    for (int i = 0; i < 3; ++i) {
        bool ok = false;
        rgb[i] = parts[i].trimmed().toFloat(&ok);
        if (!ok || !(rgb[i] >= 0.0f && rgb[i] <= 1.0f)) throw usage(bad);
    }
    return rgb;
}

SplatVec3 parseUp(const QString& text) {
    static const QRegularExpression axis(QStringLiteral("^([+-]?)([xyz])$"));
    const QRegularExpressionMatch m = axis.match(text.trimmed().toLower());
    if (!m.hasMatch())
        throw usage(QStringLiteral("--up '%1' is not a coordinate axis: +y (the default), -y, "
                                   "+z, -z, +x or -x")
                        .arg(text));
    SplatVec3 up{0.0f, 0.0f, 0.0f};
    up[m.captured(2).at(0).unicode() - 'x'] = m.captured(1) == QStringLiteral("-") ? -1.0f : 1.0f;
    return up;
}

int parseInt(const QCommandLineParser& p, const char* name, int lo, int hi) {
    bool ok = false;
    const int v = p.value(QLatin1String(name)).toInt(&ok);
    if (!ok || v < lo || v > hi)
        throw usage(QStringLiteral("--%1 '%2' must be an integer from %3 to %4")
                        .arg(QLatin1String(name), p.value(QLatin1String(name)))
                        .arg(lo)
                        .arg(hi));
    return v;
}

GaussianCloud readCloud(const QString& file, SplatLoadReport* report) {
    const std::string path = file.toStdString();
    if (file.endsWith(QStringLiteral(".splat"), Qt::CaseInsensitive))
        return readSplatFile(path, report);
    if (file.endsWith(QStringLiteral(".ply"), Qt::CaseInsensitive))
        return readGaussianPly(path, report);
    throw usage(QStringLiteral("'%1' is neither a 3DGS PLY (.ply) nor a .splat file").arg(file));
}

int runRenderSplats(const QCommandLineParser& p) {
    const QStringList files = p.positionalArguments();
    const bool procedural = p.isSet(QStringLiteral("avatar"));
    if (files.size() != (procedural ? 0 : 1) || !p.isSet(QStringLiteral("out"))) {
        std::fprintf(stderr,
                     "basin render-splats: give one .ply or .splat file (or --avatar) and --out "
                     "(see --help)\n");
        return 2;
    }
    const QString out = p.value(QStringLiteral("out"));
    CameraSpec spec;
    int width = 512, height = 512, frames = 0;
    float fov = 50.0f;
    SplatRasterOptions options;
    SplatVec3 up{0.0f, 1.0f, 0.0f};
    try {
        spec = parseCamera(p.value(QStringLiteral("camera")));
        parseSize(p.value(QStringLiteral("size")), &width, &height);
        bool ok = false;
        fov = p.value(QStringLiteral("fov")).toFloat(&ok);
        if (!ok || !(fov > 1.0f && fov < 170.0f))
            throw usage(QStringLiteral("--fov '%1' must be a vertical field of view in degrees "
                                       "between 1 and 170")
                            .arg(p.value(QStringLiteral("fov"))));
        if (p.isSet(QStringLiteral("sh-degree"))) options.shDegree = parseInt(p, "sh-degree", 0, 3);
        options.background = parseBackground(p.value(QStringLiteral("background")));
        up = parseUp(p.value(QStringLiteral("up")));
        if (p.isSet(QStringLiteral("turntable"))) frames = parseInt(p, "turntable", 1, 3600);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "basin render-splats: %s\n", e.what());
        return 2;
    }

    SplatLoadReport report;
    std::optional<GaussianCloud> file;
    std::optional<Avatar> avatar;
    std::vector<SkeletonPose> poses;
    try {
        if (!procedural) file = readCloud(files[0], &report);
        std::shared_ptr<const SmplxModel> smplx;
        avatar = avatarFromOptions(p, file, &smplx);
        if (avatar) poses = posesFromOptions(p, avatar->skeleton, smplx.get());
        if (poses.size() > 1 && frames > 0)
            throw usage(QStringLiteral("--motion and --turntable exclude each other"));
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "basin render-splats: %s\n", e.what());
        return 2;
    }
    if (report.dropped() > 0)
        std::printf("%s: %s\n", qPrintable(files[0]), report.summary().c_str());
    const GaussianCloud& cloud = avatar ? avatar->cloud : *file;
    if (cloud.size() == 0)
        throw std::runtime_error((procedural ? std::string("the avatar") : files[0].toStdString()) +
                                 " holds no splats to render");
    // An avatar is drawn in its pose; the camera is framed on the rest pose
    // and stays put through a motion.
    const RenderSplats rest = RenderSplats::fromCloud(cloud);
    const RenderSplats splats = poses.empty() ? rest : avatar->posed(rest, poses.front());
    const std::array<float, 6> bounds = cloud.bounds();
    const SplatVec3 centre{0.5f * (bounds[0] + bounds[3]), 0.5f * (bounds[1] + bounds[4]),
                           0.5f * (bounds[2] + bounds[5])};
    const float distance = spec.distance > 0.0f
                               ? spec.distance
                               : SplatCamera::framingDistance(bounds, fov, width, height);

    auto camera = [&](float azimuth) {
        return SplatCamera::orbit(centre, azimuth, spec.elevation, distance, fov, width, height,
                                  up);
    };
    if (poses.size() <= 1 && frames == 0) {
        const auto start = std::chrono::steady_clock::now();
        widgets::writeSplatPng(rasterizeSplats(splats, camera(spec.azimuth), options), out);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        std::printf("%zu splats (SH degree %d) rendered at %dx%d in %.0f ms: %s\n", splats.size(),
                    std::min(splats.shDegree, options.shDegree), width, height, ms,
                    qPrintable(out));
        return 0;
    }
    // A motion (one frame per pose, the camera still) or a turntable (one
    // frame per camera), rendered as a resumable job.
    widgets::SplatFrames request;
    request.options = options;
    request.folder = out;
    if (poses.size() > 1) {
        request.avatar = std::make_shared<const Avatar>(std::move(*avatar));
        request.poses = std::move(poses);
        request.cameras = {camera(spec.azimuth)};
    } else {
        request.splats = std::make_shared<const RenderSplats>(splats);
        for (int k = 0; k < frames; ++k)
            request.cameras.push_back(
                camera(spec.azimuth + 360.0f * static_cast<float>(k) / static_cast<float>(frames)));
    }
    widgets::SplatFramesJob job(std::move(request));
    const JobStatus status = runJobInTerminal(job);
    if (status.state == JobState::Cancelled) {
        std::fprintf(stderr,
                     "basin render-splats: stopped; run the same command again to resume\n");
        return 1;
    }
    if (status.state != JobState::Succeeded) return 1;
    std::printf(
        "%zu splats (SH degree %d), %zu %s frames at %dx%d (%zu rendered, %.0f ms "
        "each; %zu kept from an earlier run): %s\n",
        splats.size(), std::min(splats.shDegree, options.shDegree), job.frames().frameCount(),
        frames > 0 ? "turntable" : "motion", width, height, job.rendered(), job.meanRenderMs(),
        job.kept(), qPrintable(out));
    return 0;
}

}  // namespace

Subcommand renderSplatsSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("render-splats");
    s.summary = QStringLiteral("a 3D Gaussian Splatting file rendered to PNG (CPU reference)");
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Renders a 3D Gaussian Splatting cloud (a PLY as the reference implementation writes "
            "it, or a .splat file) with Basin's CPU reference rasterizer — EWA splatting with "
            "the 0.3 low-pass dilation, SH colour by view direction, front-to-back alpha "
            "compositing — to a PNG, or with --turntable N to frames frame_0000.png … in the "
            "folder --out, the camera circling the cloud. The camera orbits the centre of the "
            "cloud's bounds about the scene's up axis (--up, +y by default); no display is "
            "needed. --avatar renders Basin's procedural avatar, --smplx binds FILE's rest-pose "
            "splats to an SMPL-X body model; an avatar is posed by --pose, or animated by an "
            "SMPL-X --motion into frames frame_0000.png … of the folder --out (PCA hand poses "
            "expanded by the --smplx model's hand components; --hand-mean adds its mean "
            "hand pose)."));
        p.addPositionalArgument(QStringLiteral("file"),
                                QStringLiteral("The splat file (.ply or .splat)."),
                                QStringLiteral("FILE.ply|FILE.splat"));
        addOption(
            p, "camera",
            "orbit:AZ,EL,DIST — azimuth about the up axis (0 looks from +z), elevation (degrees) "
            "and distance from the cloud's centre; orbit:AZ,EL frames the cloud; auto is "
            "orbit:0,15 framed.",
            "SPEC", "auto");
        addOption(p, "up",
                  "The scene's up axis, which the orbit turns about: +y, -y (common in COLMAP "
                  "reconstructions), +z, -z, +x or -x. Azimuth 0 looks from +z (from -y when "
                  "up is ±z).",
                  "AXIS", "+y");
        addOption(p, "fov", "Vertical field of view in degrees.", "DEGREES", "50");
        addOption(p, "size", "Image size in pixels.", "WxH", "512x512");
        addOption(p, "sh-degree", "Highest SH degree evaluated (default: the file's).", "D");
        addOption(p, "background", "Background colour, each channel 0 to 1.", "R,G,B", "0,0,0");
        addOption(p, "turntable",
                  "Render N frames around the cloud (azimuth steps of 360/N from the camera's) "
                  "into the folder --out.",
                  "N");
        addOption(p, "out", "The PNG to write, or the folder for --turntable or --motion.", "PATH");
        declareAvatarOptions(p);
    };
    s.run = &runRenderSplats;
    return s;
}

}  // namespace basin::app
