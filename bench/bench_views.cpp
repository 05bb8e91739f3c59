// bench_views: frame times of Basin's two views at 800×600, on whatever GL the
// platform gives (Mesa llvmpipe under Xvfb on a headless machine; the
// benchmark starts a private Xvfb itself when there is no display).
//
// Cases: VtkView + SurfaceScene (Himmelblau 101×101 and 401×401, default
// figure styling: surface, scalar bar, axes box) and GlView + HeatmapLayer
// (Himmelblau 201×201 and 1001×1001, isolines on/off, ImGui overlay on/off).
//
// Per case, a fresh top-level view:
//  - time to first frame: from constructing the view (grid already sampled)
//    through setGrid, show, waiting for the window to be exposed, to the first
//    picture read back with renderImage();
//  - then --warmup (5) frames, then --frames (100) measured frames. Each frame
//    first moves the camera a little (VTK: azimuth, a full turn over the run;
//    heatmap: pan along a small circle at zoom 1.25), so every frame is new
//    work as during interaction; the move itself is not timed. Timed "end to
//    end": requestRender()/update() + renderImage() (QOpenGLWidget's
//    grabFramebuffer: paintGL into the widget's framebuffer, glReadPixels,
//    QImage). Reported separately: the view's own lastFrameMs() (CPU time of
//    its paintGL). llvmpipe rasterises when the pixels are needed, so much of
//    the drawing shows in end to end rather than in paintGL time.
// Medians and nearest-rank 90th percentiles. Pictures are checked for content
// (and the first and last measured frames must differ): a blank or frozen view
// is an error exit, not a fast figure.

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QWindow>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <vtkCamera.h>
#include <vtkRenderer.h>

#include "BenchStats.h"
#include "display/GuiEnvironment.h"
#include "gl/GlView.h"
#include "gl/HeatmapLayer.h"
#include "landscape/AnalyticLandscape.h"
#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

namespace {

using basin::AnalyticLandscape;
using basin::bench::Clock;
using basin::bench::median;
using basin::bench::msSince;
using basin::bench::percentile;
using basin::widgets::GlView;
using basin::widgets::HeatmapLayer;
using basin::widgets::SurfaceScene;
using basin::widgets::VtkView;

constexpr int kWidth = 800, kHeight = 600;

struct Settings {
    int frames = 100;
    int warmup = 5;
};

struct Result {
    std::string label;
    double firstFrameMs = 0;
    std::vector<double> endToEndMs;
    std::vector<double> paintMs;
};

// Fraction of clearly coloured pixels (colormapped surface or map, not the
// grey background or text).
double colouredFraction(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    qint64 coloured = 0;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const QColor c(line[x]);
            if (c.hsvSaturation() > 80 && c.value() > 40) ++coloured;
        }
    }
    return rgb.isNull() ? 0.0 : double(coloured) / (qint64(rgb.width()) * rgb.height());
}

void requirePicture(const QImage& image, const std::string& label, const char* which) {
    const double f = colouredFraction(image);
    if (image.isNull() || f < 0.05) {
        throw std::runtime_error(label + ": " + which + " frame shows no map/surface (" +
                                 std::to_string(100 * f) + "% coloured pixels)");
    }
}

void waitExposed(QWidget* w, const std::string& label) {
    QElapsedTimer timer;
    timer.start();
    while (!w->windowHandle() || !w->windowHandle()->isExposed()) {
        if (timer.elapsed() > 10000) throw std::runtime_error(label + ": window never exposed");
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
}

// What a scene change does to ask for a frame.
void requestFrame(VtkView* view) {
    view->requestRender();
}
void requestFrame(GlView* view) {
    view->update();
}

// Runs warm-up + measured frames; `step(i)` moves the camera before frame i
// (untimed), `frame()` is the timed part and returns the picture.
template <class View, class Step>
void measureFrames(View* view, const Settings& s, Result& r, Step&& step, bool checks = true) {
    QImage firstMeasured, last;
    for (int i = 0; i < s.warmup + s.frames; ++i) {
        step(i);
        const auto start = Clock::now();
        requestFrame(view);
        const QImage image = view->renderImage();
        const double ms = msSince(start);
        if (i < s.warmup) continue;
        r.endToEndMs.push_back(ms);
        r.paintMs.push_back(view->lastFrameMs());
        if (i == s.warmup) firstMeasured = image;
        last = image;
    }
    if (checks) requirePicture(last, r.label, "last");
    if (checks && s.frames > 1 && firstMeasured == last) {
        throw std::runtime_error(r.label + ": the picture did not change between frames");
    }
    QCoreApplication::processEvents();
}

std::string glDescription(QOpenGLWidget* view) {
    view->makeCurrent();
    QOpenGLFunctions* f = view->context()->functions();
    const auto str = [&](GLenum e) {
        const auto* s = reinterpret_cast<const char*>(f->glGetString(e));
        return std::string(s ? s : "?");
    };
    std::string d = str(GL_RENDERER) + ", OpenGL " + str(GL_VERSION);
    view->doneCurrent();
    return d;
}

Result benchVtk(int n, const Settings& s, std::string* glInfo) {
    Result r;
    r.label = "VTK surface " + std::to_string(n) + "x" + std::to_string(n);
    const basin::Grid2D grid = basin::sampleAnalytic(AnalyticLandscape::Himmelblau, n, n);

    const auto start = Clock::now();
    auto view = std::make_unique<VtkView>();
    view->setFixedSize(kWidth, kHeight);
    auto scene = std::make_unique<SurfaceScene>(view.get());
    scene->setGrid(grid);
    view->show();
    waitExposed(view.get(), r.label);
    const QImage first = view->renderImage();
    r.firstFrameMs = msSince(start);
    requirePicture(first, r.label, "first");
    if (glInfo && glInfo->empty()) *glInfo = glDescription(view.get());

    vtkRenderer* renderer = view->renderer();
    const double degreesPerFrame = 360.0 / (s.warmup + s.frames);
    measureFrames(view.get(), s, r, [&](int) {
        renderer->GetActiveCamera()->Azimuth(degreesPerFrame);
        renderer->ResetCameraClippingRange();  // as VTK's interactor styles do
    });
    if (view->glErrorCount() != 0) throw std::runtime_error(r.label + ": OpenGL errors");
    scene.reset();
    view.reset();
    QCoreApplication::processEvents();
    return r;
}

Result benchHeatmap(int n, bool isolines, bool overlay, const Settings& s, std::string* glInfo) {
    Result r;
    r.label = "GL heatmap " + std::to_string(n) + "x" + std::to_string(n) + " iso " +
              (isolines ? "on " : "off") + " overlay " + (overlay ? "on " : "off");
    basin::Grid2D grid = basin::sampleAnalytic(AnalyticLandscape::Himmelblau, n, n);

    const auto start = Clock::now();
    auto view = std::make_unique<GlView>();
    view->setFixedSize(kWidth, kHeight);
    HeatmapLayer* layer = view->addLayer(std::make_unique<HeatmapLayer>());
    layer->setGrid(std::move(grid));
    layer->setIsolinesVisible(isolines);
    view->setOverlayVisible(overlay);
    view->show();
    waitExposed(view.get(), r.label);
    const QImage first = view->renderImage();
    r.firstFrameMs = msSince(start);
    requirePicture(first, r.label, "first");
    if (!view->errors().isEmpty()) {
        throw std::runtime_error(r.label + ": " + view->errors().join("; ").toStdString());
    }
    if (glInfo && glInfo->empty()) *glInfo = glDescription(view.get());

    // Pan along a circle of 4% of the grid's width around the centre, zoomed
    // in a little so the map fills the view.
    const QPointF centre = layer->viewCenter();
    const double radius = 0.04 * (layer->grid().x.back() - layer->grid().x.front());
    const int total = s.warmup + s.frames;
    measureFrames(view.get(), s, r, [&](int i) {
        const double a = 2 * M_PI * i / total;
        layer->setView(centre + QPointF(radius * std::cos(a), radius * std::sin(a)), 1.25);
    });
    view.reset();
    QCoreApplication::processEvents();
    return r;
}

// An empty GlView (no layer, no overlay): what clearing, paintGL's fixed cost
// and the readback cost alone, the floor under the heatmap figures.
Result benchEmptyGl(const Settings& s) {
    Result r;
    r.label = "GL view, empty (readback baseline)";
    const auto start = Clock::now();
    auto view = std::make_unique<GlView>();
    view->setFixedSize(kWidth, kHeight);
    view->setOverlayVisible(false);
    view->show();
    waitExposed(view.get(), r.label);
    const QImage first = view->renderImage();
    r.firstFrameMs = msSince(start);
    if (first.size() != QSize(kWidth, kHeight) * view->devicePixelRatioF()) {
        throw std::runtime_error(r.label + ": no picture");
    }
    measureFrames(
        view.get(), s, r, [](int) {}, false);
    view.reset();
    QCoreApplication::processEvents();
    return r;
}

void printTable(const std::vector<Result>& results) {
    std::printf("\n%-40s %11s | %-24s | %-17s\n", "view (800x600, Himmelblau)", "first frame",
                "end to end (ms)  renderImage", "paintGL CPU (ms)");
    std::printf("%-40s %11s | %7s %7s %8s | %8s %8s\n", "", "ms", "median", "p90", "fps", "median",
                "p90");
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Result& r = results[i];
        const double med = median(r.endToEndMs);
        std::printf("%-40s %11.1f | %7.2f %7.2f %8.1f | %8.2f %8.2f\n", r.label.c_str(),
                    r.firstFrameMs, med, percentile(r.endToEndMs, 90), 1000.0 / med,
                    median(r.paintMs), percentile(r.paintMs, 90));
    }
}

int run(int argc, char** argv, const Settings& s, bool vtk, bool gl) {
    const bool hadDisplay = basin::widgets::displayAvailable();
    QString error;
    if (!basin::widgets::ensureDisplay(&error)) {
        std::fprintf(stderr, "bench_views: %s\n", qPrintable(error));
        return 1;
    }
    QApplication app(argc, argv);
    std::printf("bench_views: %d measured frames after %d warm-up frames per case\n", s.frames,
                s.warmup);
    std::printf("display: %s (%s), Qt platform %s\n", qgetenv("DISPLAY").constData(),
                hadDisplay ? "existing" : "private Xvfb started by the benchmark",
                qPrintable(QGuiApplication::platformName()));
    std::fflush(stdout);

    std::vector<Result> results;
    std::string glInfo;
    const auto progress = [&](const Result& r) {
        std::fprintf(stderr, "  done: %s\n", r.label.c_str());
        results.push_back(r);
    };
    if (vtk) {
        for (int n : {101, 401})
            progress(benchVtk(n, s, &glInfo));
    }
    if (gl) {
        progress(benchEmptyGl(s));
        for (int n : {201, 1001}) {
            for (bool isolines : {false, true}) {
                for (bool overlay : {false, true})
                    progress(benchHeatmap(n, isolines, overlay, s, &glInfo));
            }
        }
    }
    std::printf("GL: %s\n", glInfo.c_str());
    printTable(results);
    std::printf(
        "\nfirst frame: construction to first picture (includes showing the window; the first\n"
        "case of the process also pays one-off GL/VTK/ImGui set-up). end to end: update() +\n"
        "renderImage() (paintGL + glReadPixels + QImage). paintGL CPU: the view's "
        "lastFrameMs().\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    bool vtk = true, gl = true;
    for (int i = 1; i < argc; ++i) {
        if (basin::bench::intOption(argc, argv, i, "--frames", 2, s.frames)) continue;
        if (basin::bench::intOption(argc, argv, i, "--warmup", 0, s.warmup)) continue;
        if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc &&
            (std::strcmp(argv[i + 1], "vtk") == 0 || std::strcmp(argv[i + 1], "gl") == 0)) {
            vtk = std::strcmp(argv[++i], "vtk") == 0;
            gl = !vtk;
            continue;
        }
        std::printf(
            "usage: %s [--frames N (default 100)] [--warmup N (default 5)] [--only vtk|gl]\n"
            "Frame times of the VTK surface view and the GL heatmap view at 800x600.\n",
            argv[0]);
        return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
    basin::widgets::prepareGuiEnvironment();
    try {
        return run(argc, argv, s, vtk, gl);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_views: %s\n", e.what());
        return 1;
    }
}
