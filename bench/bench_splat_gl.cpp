// bench_splat_gl: frames per second of the GL Gaussian-splat renderer
// (widgets/splats/SplatLayer in a GlView with its ImGui panel) at 1280×720,
// for 100k and 1M splats of SH degree 3, on whatever GL the platform gives
// (Mesa llvmpipe under Xvfb on a headless machine; the benchmark starts a
// private Xvfb itself when there is no display).
//
// The cloud: random splats in [-1, 1]³ with scales ∝ n^(-1/3) (so both
// counts cover the picture alike), random rotations and opacities, degree-3
// SH. Per count, a fresh top-level view:
//  - first frame: setCloud, show, and the first picture read back (includes
//    the upload of the per-splat buffers and the first sort);
//  - then --warmup (1) frames and --frames (5) measured frames, each turning
//    the orbit by 1° (more than the re-sort threshold, so the worker sorts
//    during the run as when the user drags). Timed end to end: renderImage()
//    (paintGL + glReadPixels; llvmpipe rasterises when the pixels are
//    needed). Reported: the median and 90th percentile frame time, fps from
//    the median, paintGL's CPU time, and the worker's sort time.
// A blank or frozen picture is an error exit, not a fast figure.

#include <QApplication>
#include <QImage>
#include <QTest>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include "BenchStats.h"
#include "display/GuiEnvironment.h"
#include "gl/GlView.h"
#include "splats/GaussianCloud.h"
#include "splats/SphericalHarmonics.h"
#include "splats/SplatLayer.h"

namespace {

using basin::bench::Clock;
using basin::bench::msSince;

struct Settings {
    int warmup = 1;
    int frames = 5;
};

basin::GaussianCloud randomCloud(std::size_t n) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f), u01(0.0f, 1.0f);
    const float base = 0.6f * std::pow(float(n), -1.0f / 3.0f);
    basin::GaussianCloud c;
    c.shDegree = 3;
    c.positions.reserve(3 * n);
    c.logScales.reserve(3 * n);
    c.rawRotations.reserve(4 * n);
    c.opacityLogits.reserve(n);
    c.sh.reserve(48 * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (int a = 0; a < 3; ++a) {
            c.positions.push_back(unit(rng));
            c.logScales.push_back(std::log(base * (0.5f + 1.5f * u01(rng))));
        }
        for (int a = 0; a < 4; ++a)
            c.rawRotations.push_back(unit(rng));
        c.opacityLogits.push_back(4.0f * unit(rng));
        for (int a = 0; a < 3; ++a)
            c.sh.push_back((0.1f + 0.8f * u01(rng) - 0.5f) / basin::sh::C0);
        for (int k = 1; k < 16; ++k)
            for (int a = 0; a < 3; ++a)
                c.sh.push_back(0.1f * unit(rng));
    }
    c.activate();
    return c;
}

double coveredFraction(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    qint64 covered = 0;
    for (int y = 0; y < rgb.height(); y += 2)
        for (int x = 0; x < rgb.width(); x += 2)
            if (qGray(rgb.pixel(x, y)) > 8) ++covered;
    return double(covered) / (double(rgb.width() / 2) * (rgb.height() / 2));
}

void runCase(std::size_t n, const Settings& s) {
    const basin::GaussianCloud cloud = randomCloud(n);
    QWidget window;
    auto* view = new basin::widgets::GlView(&window);
    view->setFixedSize(1280, 720);
    window.resize(1280, 720);
    auto* layer = view->addLayer(std::make_unique<basin::widgets::SplatLayer>());

    const auto start = Clock::now();
    layer->setCloud(cloud);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) throw std::runtime_error("window not exposed");
    QImage image = view->renderImage();
    const double firstMs = msSince(start);
    if (!view->errors().isEmpty()) throw std::runtime_error(qPrintable(view->errors().join("; ")));

    auto turn = [&] {
        basin::widgets::OrbitCamera orbit = layer->orbit();
        orbit.azimuthDegrees += 1.0f;
        layer->setOrbit(orbit);
    };
    for (int i = 0; i < s.warmup; ++i) {
        turn();
        image = view->renderImage();
        QCoreApplication::processEvents();
    }
    std::vector<double> frameMs, paintMs;
    QImage first;
    for (int i = 0; i < s.frames; ++i) {
        turn();
        const auto t = Clock::now();
        image = view->renderImage();
        frameMs.push_back(msSince(t));
        paintMs.push_back(view->lastFrameMs());
        if (i == 0) first = image;
        QCoreApplication::processEvents();
    }
    const double covered = coveredFraction(image);
    if (covered < 0.05) throw std::runtime_error("the picture is blank");
    if (image == first) throw std::runtime_error("the picture did not change while turning");
    const double median = basin::bench::median(frameMs);
    std::printf(
        "%8zu splats (SH degree 3) 1280x720: first frame %7.0f ms | frame median %7.1f ms, "
        "p90 %7.1f ms -> %5.2f fps | paintGL CPU %6.1f ms | sort %5.1f ms (worker) | "
        "%2.0f%% covered\n",
        n, firstMs, median, basin::bench::percentile(frameMs, 90), 1000.0 / median,
        basin::bench::median(paintMs), layer->lastSortMs(), 100 * covered);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    std::vector<std::size_t> counts{100000, 1000000};
    for (int i = 1; i < argc; ++i) {
        int count = 0;
        if (basin::bench::intOption(argc, argv, i, "--frames", 2, s.frames)) continue;
        if (basin::bench::intOption(argc, argv, i, "--warmup", 0, s.warmup)) continue;
        if (basin::bench::intOption(argc, argv, i, "--splats", 1, count)) {
            counts = {std::size_t(count)};
            continue;
        }
        std::printf(
            "usage: %s [--frames N (default 5)] [--warmup N (default 1)] [--splats N (default "
            "100000 and 1000000)]\n"
            "Frames per second of the GL splat renderer at 1280x720.\n",
            argv[0]);
        return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
    basin::widgets::prepareGuiEnvironment();
    QString error;
    if (!basin::widgets::ensureDisplay(&error)) {
        std::fprintf(stderr, "bench_splat_gl: %s\n", qPrintable(error));
        return 1;
    }
    QApplication app(argc, argv);
    try {
        for (const std::size_t n : counts)
            runCase(n, s);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_splat_gl: %s\n", e.what());
        return 1;
    }
    return 0;
}
