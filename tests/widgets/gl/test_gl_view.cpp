// GlView + ImGui overlay + HeatmapLayer under Xvfb/llvmpipe: the rendered
// picture against baselines, clicks on the ImGui panel, input routing between
// the panel and the map, shader loading errors, and surviving a move to
// another window (with and without a new GL context).

#include <QElapsedTimer>
#include <QFile>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "gl/GlView.h"
#include "gl/HeatmapLayer.h"
#include "gl/ImGuiBridge.h"
#include "imgui.h"
#include "landscape/AnalyticLandscape.h"
#include "util/Colormap.h"

using basin::AnalyticLandscape;
using basin::widgets::GlView;
using basin::widgets::HeatmapLayer;
using basin::widgets::ImGuiBridge;

namespace {

constexpr QSize kViewSize(640, 480);

// A top-level window holding one fixed-size GlView with a Himmelblau heatmap.
struct MapWindow {
    std::unique_ptr<QWidget> window = std::make_unique<QWidget>();
    GlView* view = nullptr;
    HeatmapLayer* layer = nullptr;

    MapWindow() {
        auto* layout = new QVBoxLayout(window.get());
        layout->setContentsMargins(0, 0, 0, 0);
        view = new GlView(window.get());
        view->setFixedSize(kViewSize);
        layout->addWidget(view);
        layer = view->addLayer(std::make_unique<HeatmapLayer>());
        layer->setGrid(basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 201, 201));
    }

    bool show() {
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return false;
        frames(3);
        return true;
    }

    // Renders n frames (ImGui needs frames to see input) and returns the last.
    QImage frames(int n) {
        QImage image;
        for (int i = 0; i < n; ++i) {
            image = view->renderImage();
            QCoreApplication::processEvents();
        }
        return image;
    }
};

void sendMouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button,
               Qt::MouseButtons buttons) {
    QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

// A left-button drag in `steps` moves, a frame between events as on screen.
void drag(MapWindow& m, QPointF from, QPointF to, int steps = 5) {
    sendMouse(m.view, QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton);
    sendMouse(m.view, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    m.frames(1);
    for (int i = 1; i <= steps; ++i) {
        const QPointF p = from + (to - from) * (double(i) / steps);
        sendMouse(m.view, QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton);
        m.frames(1);
    }
    sendMouse(m.view, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    m.frames(2);
}

// The pixel under a widget point (the image is in device pixels).
QRgb pixelAt(const QImage& image, QPointF widgetPos) {
    return image.pixel((widgetPos * image.devicePixelRatio()).toPoint());
}

void wheel(QWidget* w, QPointF pos, int angle) {
    QWheelEvent e(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, angle), Qt::NoButton,
                  Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

// Fraction of pixels that differ by more than a few levels in any channel.
double changedFraction(const QImage& a, const QImage& b) {
    const QImage ra = a.convertToFormat(QImage::Format_RGB32);
    const QImage rb = b.convertToFormat(QImage::Format_RGB32);
    if (ra.size() != rb.size()) return 1;
    qint64 changed = 0;
    for (int y = 0; y < ra.height(); ++y) {
        for (int x = 0; x < ra.width(); ++x) {
            const QRgb p = ra.pixel(x, y), q = rb.pixel(x, y);
            if (std::abs(qRed(p) - qRed(q)) + std::abs(qGreen(p) - qGreen(q)) +
                    std::abs(qBlue(p) - qBlue(q)) >
                12) {
                ++changed;
            }
        }
    }
    return double(changed) / (double(ra.width()) * ra.height());
}

}  // namespace

class TestGlView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bridgeShowsAQueuedClickOverTwoFrames();
    void bridgeTypesIntoATextField();
    void shadersAreCompiledIntoTheBinary();
    void himmelblauHeatmapMatchesBaseline();
    void irregularGridRendersLikeAnEvenOne();
    void isolinesCheckboxRespondsToAClick();
    void colormapComboPopupSelects();
    void nanIsGreyAndLogScaleShowsTheMinima();
    void dragOverPanelDoesNotPan();
    void dragOutsidePanelPans();
    void wheelOutsidePanelZoomsAboutThePointer();
    void resetViewButtonRestoresTheFit();
    void hoverReadoutFollowsThePointer();
    void missingShaderIsReportedWithItsName();
    void brokenShaderIsReportedWithItsName();
    void twoViewsKeepTheirOwnImGuiState();
    void reparentingKeepsThePicture();
    void newGlContextKeepsThePicture();
    void frameTime();
};

namespace {

// One ImGui frame without GL (the bridge builds its fonts itself when no
// renderer is initialized): a fixed window "T" at the origin with `body`.
template <class Body>
void bridgeFrame(ImGuiBridge& bridge, Body&& body) {
    bridge.beginFrame(QSizeF(400, 300), 1.0);
    {
        ImGuiBridge::ContextScope scope(bridge);
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(300, 200));
        ImGui::Begin("T");
        body();
        ImGui::End();
    }
    bridge.endFrameAndRender();
}

}  // namespace

void TestGlView::bridgeShowsAQueuedClickOverTwoFrames() {
    ImGuiBridge bridge;
    bool checked = false;
    const auto body = [&] {
        ImGui::Checkbox("check", &checked);
        bridge.recordLastItem("check");
    };
    bridgeFrame(bridge, body);
    const QRectF box = bridge.itemRect("check");
    QVERIFY(!box.isNull());
    QVERIFY(bridge.isOverUi(box.center()));
    QVERIFY(!bridge.isOverUi(QPointF(350, 250)));

    // Press and release before any frame, as QTest::mouseClick or a fast tap
    // delivers them: ImGui 1.86 would see neither without the queue.
    bridge.queueMouseButton(box.center(), Qt::LeftButton, true, Qt::NoModifier);
    bridge.queueMouseButton(box.center(), Qt::LeftButton, false, Qt::NoModifier);
    bridgeFrame(bridge, body);  // sees the press
    QVERIFY(!checked);
    QVERIFY(bridge.hasPendingInput());
    QVERIFY(bridge.wantCaptureMouse());
    bridgeFrame(bridge, body);  // sees the release: a click
    QVERIFY(checked);
    QVERIFY(!bridge.hasPendingInput());
}

void TestGlView::bridgeTypesIntoATextField() {
    ImGuiBridge bridge;
    char text[32] = "";
    const auto body = [&] {
        ImGui::InputText("name", text, sizeof text);
        bridge.recordLastItem("name");
    };
    bridgeFrame(bridge, body);
    const QPointF field = bridge.itemRect("name").center();
    bridge.queueMouseButton(field, Qt::LeftButton, true, Qt::NoModifier);
    bridge.queueMouseButton(field, Qt::LeftButton, false, Qt::NoModifier);
    bridge.queueText(QStringLiteral("ab\u00e9"));
    bridge.queueKey(Qt::Key_Backspace, true, Qt::NoModifier);
    bridge.queueKey(Qt::Key_Backspace, false, Qt::NoModifier);
    bridge.queueText(QStringLiteral("c"));
    for (int i = 0; i < 8 && (bridge.hasPendingInput() || i < 2); ++i)
        bridgeFrame(bridge, body);
    QCOMPARE(QString::fromUtf8(text), QStringLiteral("abc"));
    QVERIFY(bridge.wantCaptureKeyboard());
    // Escape leaves the field: the keyboard goes back to the view.
    bridge.queueKey(Qt::Key_Escape, true, Qt::NoModifier);
    bridge.queueKey(Qt::Key_Escape, false, Qt::NoModifier);
    for (int i = 0; i < 3; ++i)
        bridgeFrame(bridge, body);
    QVERIFY(!bridge.wantCaptureKeyboard());
}

void TestGlView::shadersAreCompiledIntoTheBinary() {
    for (const char* name : {":/shaders/heatmap.vert", ":/shaders/heatmap.frag"}) {
        QFile f(QString::fromLatin1(name));
        QVERIFY2(f.open(QIODevice::ReadOnly), name);
        QVERIFY(f.readAll().startsWith("#version 330 core"));
    }
}

void TestGlView::himmelblauHeatmapMatchesBaseline() {
    MapWindow m;
    QVERIFY(m.show());
    const QImage image = m.frames(2);
    QCOMPARE(image.size(), kViewSize * m.view->devicePixelRatioF());
    QVERIFY2(m.view->errors().isEmpty(), qPrintable(m.view->errors().join('\n')));
    // The panel is up (ImGui needs two frames for an auto-sized window).
    QVERIFY(!m.view->overlayItemRect("Map").isNull());
    QVERIFY(!m.view->overlayItemRect("Map/Isolines").isNull());
    // Opaque: the clear colour and every layer write alpha 1.
    QCOMPARE(qAlpha(pixelAt(image, QPointF(630, 470))), 255);
    BASIN_COMPARE_IMAGE(image, "gl_himmelblau_heatmap", 0.95);
}

namespace {

// Himmelblau sampled at n × n nodes spaced like lo + (hi − lo)(s + s²)/2 for
// s evenly spaced in [0, 1]: the spacing grows threefold from one end to the
// other, and the middle node sits 1/8 of the range off centre. With `evenCoords`
// the same values are laid out on evenly spaced coordinates instead, which is
// what the shader would show if it took the grid for evenly spaced.
basin::Grid2D unevenHimmelblau(std::size_t n, bool evenCoords) {
    const auto& domain = basin::info(AnalyticLandscape::Himmelblau);
    const auto warped = [n](double lo, double hi) {
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double s = double(i) / double(n - 1);
            v[i] = lo + (hi - lo) * 0.5 * (s + s * s);
        }
        v.back() = hi;
        return v;
    };
    const std::vector<double> xs = warped(domain.xMin, domain.xMax);
    const std::vector<double> ys = warped(domain.yMin, domain.yMax);
    basin::Grid2D grid(evenCoords ? basin::linspace(domain.xMin, domain.xMax, n) : xs,
                       evenCoords ? basin::linspace(domain.yMin, domain.yMax, n) : ys);
    for (std::size_t ix = 0; ix < n; ++ix) {
        for (std::size_t iy = 0; iy < n; ++iy)
            grid.value(ix, iy) = basin::evaluate(AnalyticLandscape::Himmelblau, xs[ix], ys[iy]);
    }
    return grid;
}

// The colour the shader gives a value: viridis looked up with linear filtering
// in the 256-entry RGBA8 table.
QRgb viridisAt(double t) {
    static const std::vector<basin::Rgb> table =
        basin::colormapTable(basin::Colormap::Viridis, 256);
    const double f = std::clamp(t, 0.0, 1.0) * 255.0;
    const int i = std::min(int(f), 254);
    const double w = f - i;
    const auto channel = [&](float basin::Rgb::*c) {
        const double a = std::lround(table[i].*c * 255), b = std::lround(table[i + 1].*c * 255);
        return int(std::lround((1 - w) * a + w * b));
    };
    return qRgb(channel(&basin::Rgb::r), channel(&basin::Rgb::g), channel(&basin::Rgb::b));
}

}  // namespace

void TestGlView::irregularGridRendersLikeAnEvenOne() {
    // Evenly spaced axes are indexed directly in the shader, any other spacing
    // is binary-searched: an irregular grid must still show the function where
    // it is, so it looks like the even grid and its pixels have the colours of
    // HeatmapLayer::valueAt.
    constexpr std::size_t kNodes = 301;
    MapWindow m;
    m.layer->setGrid(basin::sampleAnalytic(AnalyticLandscape::Himmelblau, kNodes, kNodes));
    QVERIFY(m.show());
    const QImage even = m.frames(2);

    m.layer->setGrid(unevenHimmelblau(kNodes, true));
    const QImage misplaced = m.frames(3);
    m.layer->setGrid(unevenHimmelblau(kNodes, false));
    const QImage uneven = m.frames(3);
    QVERIFY2(m.view->errors().isEmpty(), qPrintable(m.view->errors().join('\n')));
    uneven.save(basin::test::testOutputDir() + "/gl_uneven_grid.png");  // for a look

    const double ssim = basin::test::structuralSimilarity(even, uneven);
    const double ssimMisplaced = basin::test::structuralSimilarity(even, misplaced);
    qInfo("SSIM with the even grid: uneven %.4f, uneven values on even coordinates %.4f", ssim,
          ssimMisplaced);
    QVERIFY2(ssim >= 0.98, qPrintable(QString::number(ssim)));
    // The threshold tells a misplaced field from the right one.
    QVERIFY2(ssimMisplaced < 0.98, qPrintable(QString::number(ssimMisplaced)));

    // Pixel colours against the CPU's bilinear value, right of the panel.
    const auto [lo, hi] = m.layer->grid().finiteRange();
    const auto pixelsOff = [&, lo = lo, hi = hi](const QImage& image, int* checked) {
        int off = 0;
        *checked = 0;
        for (int px = 300; px < 620; px += 16) {
            for (int py = 20; py < 460; py += 16) {
                const QPointF at(px + 0.5, py + 0.5);
                const double v = m.layer->valueAt(m.layer->dataAt(at));
                if (std::isnan(v)) continue;
                const QRgb expected = viridisAt((v - lo) / (hi - lo));
                const QRgb actual = pixelAt(image, at);
                ++*checked;
                const int distance = std::abs(qRed(actual) - qRed(expected)) +
                                     std::abs(qGreen(actual) - qGreen(expected)) +
                                     std::abs(qBlue(actual) - qBlue(expected));
                if (distance > 12) ++off;
            }
        }
        return off;
    };
    int checked = 0;
    const int off = pixelsOff(uneven, &checked);
    const int offMisplaced = pixelsOff(misplaced, &checked);
    qInfo("of %d pixels, %d (misplaced: %d) differ from valueAt's colour by more than 12 levels",
          checked, off, offMisplaced);
    QVERIFY(checked > 200);
    QVERIFY2(off <= checked / 50, qPrintable(QStringLiteral("%1 of %2").arg(off).arg(checked)));
    QVERIFY2(offMisplaced > checked / 4, qPrintable(QString::number(offMisplaced)));
}

void TestGlView::isolinesCheckboxRespondsToAClick() {
    MapWindow m;
    QVERIFY(m.show());
    const QImage before = m.frames(2);
    const QRectF box = m.view->overlayItemRect("Map/Isolines");
    QVERIFY(!box.isNull());
    QVERIFY(m.view->overlayItemRect("Map").contains(box));
    QVERIFY(!m.layer->isolinesVisible());
    QSignalSpy changed(m.layer, &HeatmapLayer::settingsChanged);

    // Press and release arrive before any frame: the bridge's queue must show
    // ImGui the press and the release on successive frames, and the view must
    // schedule those frames itself (no renderImage() here).
    QTest::mouseClick(m.view, Qt::LeftButton, Qt::NoModifier,
                      QPoint(int(box.left()) + 8, int(box.center().y())));
    QTRY_VERIFY(m.layer->isolinesVisible());
    QCOMPARE(changed.count(), 1);

    const QImage after = m.frames(3);
    QVERIFY2(changedFraction(before, after) > 0.02,
             qPrintable(QString::number(changedFraction(before, after))));
    BASIN_COMPARE_IMAGE(after, "gl_himmelblau_isolines", 0.95);

    // A second click turns them off again.
    QTest::mouseClick(m.view, Qt::LeftButton, Qt::NoModifier,
                      QPoint(int(box.left()) + 8, int(box.center().y())));
    QTRY_VERIFY(!m.layer->isolinesVisible());
}

void TestGlView::colormapComboPopupSelects() {
    MapWindow m;
    QVERIFY(m.show());
    const QRectF combo = m.view->overlayItemRect("Map/Colormap");
    QVERIFY(!combo.isNull());
    QTest::mouseClick(m.view, Qt::LeftButton, Qt::NoModifier,
                      QPoint(int(combo.left()) + 20, int(combo.center().y())));
    QTRY_VERIFY(!m.view->overlayItemRect("Map/Colormap/coolwarm").isNull());
    const QRectF item = m.view->overlayItemRect("Map/Colormap/coolwarm");
    // While the popup is open every click is ImGui's (it closes the popup).
    QVERIFY(m.view->isOverOverlay(QPointF(600, 450)));
    QTest::mouseClick(m.view, Qt::LeftButton, Qt::NoModifier, item.center().toPoint());
    QTRY_COMPARE(m.layer->colormap(), basin::Colormap::Coolwarm);
    QTRY_VERIFY(m.view->overlayItemRect("Map/Colormap/coolwarm").isNull());  // closed
    QVERIFY(!m.view->isOverOverlay(QPointF(600, 450)));
    // Coolwarm's high end is red.
    const QImage image = m.frames(2);
    const QRgb hot = pixelAt(image, m.layer->widgetAt(QPointF(4.9, 4.9)));
    QVERIFY2(qRed(hot) > 150 && qBlue(hot) < 100, qPrintable(QString::number(hot, 16)));
}

void TestGlView::nanIsGreyAndLogScaleShowsTheMinima() {
    MapWindow m;
    basin::Grid2D grid = basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 201, 201);
    grid.name = "train_loss";
    // A block "not computed yet" around (3, -3).
    for (size_t ix = 0; ix < grid.nx(); ++ix) {
        for (size_t iy = 0; iy < grid.ny(); ++iy) {
            if (std::abs(grid.x[ix] - 3) < 1 && std::abs(grid.y[iy] + 3) < 1) {
                grid.value(ix, iy) = std::nan("");
            }
        }
    }
    m.layer->setGrid(grid);
    m.layer->setLogScale(true);
    m.layer->setIsolinesVisible(true);
    m.layer->setIsolineCount(12);
    m.layer->setColormap(basin::Colormap::Coolwarm);
    QVERIFY(m.show());
    const QImage image = m.frames(2);
    const QRgb missing = pixelAt(image, m.layer->widgetAt(QPointF(3, -3)));
    QCOMPARE(qRed(missing), 128);
    QCOMPARE(qGreen(missing), 128);
    QCOMPARE(qBlue(missing), 128);
    QVERIFY(std::isnan(m.layer->valueAt(QPointF(3, -3))));
    BASIN_COMPARE_IMAGE(image, "gl_nan_log_coolwarm", 0.95);
}

void TestGlView::dragOverPanelDoesNotPan() {
    MapWindow m;
    QVERIFY(m.show());
    const QRectF panel = m.view->overlayItemRect("Map");
    const QRectF readout = m.view->overlayItemRect("Map/Readout");
    QVERIFY(panel.contains(readout.center()));
    const QPointF center = m.layer->viewCenter();
    QSignalSpy viewChanged(m.layer, &HeatmapLayer::viewChanged);
    // Starts on the panel's body, ends over the map: the gesture belongs to ImGui.
    drag(m, readout.center(), readout.center() + QPointF(250, 200));
    QCOMPARE(viewChanged.count(), 0);
    QCOMPARE(m.layer->viewCenter(), center);
    // Only the title bar moves a panel.
    QCOMPARE(m.view->overlayItemRect("Map"), panel);
}

void TestGlView::dragOutsidePanelPans() {
    MapWindow m;
    QVERIFY(m.show());
    const QPointF from(520, 380), to(440, 300);
    QVERIFY(!m.view->isOverOverlay(from));
    const QPointF grabbed = m.layer->dataAt(from);
    const QPointF center = m.layer->viewCenter();
    const QImage before = m.frames(1);
    drag(m, from, to);
    QVERIFY(m.layer->viewCenter() != center);
    // The data point under the pointer moved with it.
    const QPointF now = m.layer->dataAt(to);
    QVERIFY2(std::abs(now.x() - grabbed.x()) < 1e-9 && std::abs(now.y() - grabbed.y()) < 1e-9,
             qPrintable(QStringLiteral("%1,%2 vs %3,%4")
                            .arg(now.x())
                            .arg(now.y())
                            .arg(grabbed.x())
                            .arg(grabbed.y())));
    QVERIFY(changedFraction(before, m.frames(1)) > 0.2);
}

void TestGlView::wheelOutsidePanelZoomsAboutThePointer() {
    MapWindow m;
    QVERIFY(m.show());
    const QPointF at(480, 330);
    QVERIFY(!m.view->isOverOverlay(at));
    const QPointF anchor = m.layer->dataAt(at);
    wheel(m.view, at, 240);  // two notches in
    m.frames(2);
    QVERIFY(std::abs(m.layer->viewZoom() - 1.25 * 1.25) < 1e-9);
    const QPointF still = m.layer->dataAt(at);
    QVERIFY(std::abs(still.x() - anchor.x()) < 1e-9 && std::abs(still.y() - anchor.y()) < 1e-9);

    // The same wheel over the panel is ImGui's, not the map's.
    const QPointF overPanel = m.view->overlayItemRect("Map/Readout").center();
    wheel(m.view, overPanel, 240);
    m.frames(2);
    QVERIFY(std::abs(m.layer->viewZoom() - 1.25 * 1.25) < 1e-9);

    wheel(m.view, at, -240);
    m.frames(2);
    QVERIFY(std::abs(m.layer->viewZoom() - 1.0) < 1e-9);
}

void TestGlView::resetViewButtonRestoresTheFit() {
    MapWindow m;
    QVERIFY(m.show());
    const QImage fitted = m.frames(1);
    const QPointF center = m.layer->viewCenter();
    wheel(m.view, QPointF(500, 400), 360);
    drag(m, QPointF(500, 400), QPointF(560, 440));
    QVERIFY(m.layer->viewZoom() > 1.5);
    const QRectF button = m.view->overlayItemRect("Map/Reset view");
    QVERIFY(!button.isNull());
    QTest::mouseClick(m.view, Qt::LeftButton, Qt::NoModifier, button.center().toPoint());
    QTRY_COMPARE(m.layer->viewZoom(), 1.0);
    QCOMPARE(m.layer->viewCenter(), center);
    // Same picture as before (up to the panel's changing readout).
    QVERIFY(basin::test::structuralSimilarity(fitted, m.frames(2)) > 0.97);
}

void TestGlView::hoverReadoutFollowsThePointer() {
    MapWindow m;
    QVERIFY(m.show());
    QSignalSpy hovered(m.layer, &HeatmapLayer::hovered);
    const QPointF at(470, 300);
    sendMouse(m.view, QEvent::MouseMove, at, Qt::NoButton, Qt::NoButton);
    m.frames(2);
    QVERIFY(m.layer->hasHover());
    QCOMPARE(hovered.count(), 1);
    m.frames(1).save(basin::test::testOutputDir() + "/gl_hover.png");  // for a look
    const QPointF d = hovered.at(0).at(0).toPointF();
    const double value = hovered.at(0).at(1).toDouble();
    // Bilinear on a 201×201 grid is within a fraction of the analytic value.
    const double exact = basin::evaluate(AnalyticLandscape::Himmelblau, d.x(), d.y());
    QVERIFY2(std::abs(value - exact) < 0.5,
             qPrintable(QStringLiteral("%1 vs %2").arg(value).arg(exact)));

    // Over the panel the map has no hover.
    sendMouse(m.view, QEvent::MouseMove, m.view->overlayItemRect("Map/Readout").center(),
              Qt::NoButton, Qt::NoButton);
    m.frames(2);
    QVERIFY(!m.layer->hasHover());
}

void TestGlView::missingShaderIsReportedWithItsName() {
    MapWindow m;
    m.layer->setShaderPaths(":/shaders/heatmap.vert", ":/shaders/no_such_shader.frag");
    QSignalSpy errors(m.view, &GlView::errorOccurred);
    QVERIFY(m.show());
    const QImage image = m.frames(2);
    QVERIFY(!image.isNull());
    QCOMPARE(errors.count(), 1);
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.contains(":/shaders/no_such_shader.frag"), qPrintable(message));
    QVERIFY(m.view->errors().contains(message));
    // The error is shown in the view, and the panel still works.
    QVERIFY(!m.view->overlayItemRect("Errors").isNull());
    QVERIFY(!m.view->overlayItemRect("Map").isNull());
}

void TestGlView::brokenShaderIsReportedWithItsName() {
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.frag");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#version 330 core\nout vec4 c;\nvoid main() { c = undefined_thing; }\n");
    f.close();
    MapWindow m;
    m.layer->setShaderPaths(":/shaders/heatmap.vert", path);
    QVERIFY(m.show());
    m.frames(2);
    const QString message = m.view->errors().join('\n');
    QVERIFY2(message.contains(path) && message.contains("does not compile"), qPrintable(message));
}

void TestGlView::twoViewsKeepTheirOwnImGuiState() {
    // ImGui's current context is process-global: each view must draw and take
    // input with its own.
    MapWindow a, b;
    QVERIFY(a.show());
    QVERIFY(b.show());
    const QRectF box = a.view->overlayItemRect("Map/Isolines");
    QCOMPARE(b.view->overlayItemRect("Map/Isolines"), box);
    QTest::mouseClick(a.view, Qt::LeftButton, Qt::NoModifier,
                      QPoint(int(box.left()) + 8, int(box.center().y())));
    QTRY_VERIFY(a.layer->isolinesVisible());
    b.frames(3);
    a.frames(3);
    QVERIFY(!b.layer->isolinesVisible());
    QVERIFY(changedFraction(a.frames(1), b.frames(1)) > 0.02);
}

void TestGlView::reparentingKeepsThePicture() {
    MapWindow m;
    QVERIFY(m.show());
    const QImage original = m.frames(2);

    // Into another window (a dock moving between main windows).
    QWidget other;
    auto* layout = new QVBoxLayout(&other);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m.view);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    m.window->hide();
    const QImage moved = m.frames(3);
    QVERIFY2(m.view->errors().isEmpty(), qPrintable(m.view->errors().join('\n')));
    QVERIFY(basin::test::structuralSimilarity(original, moved) > 0.98);

    // Floating on its own (a floating dock).
    m.view->setParent(nullptr);
    m.view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m.view));
    const QImage floating = m.frames(3);
    QVERIFY(basin::test::structuralSimilarity(original, floating) > 0.98);
    m.view->setParent(m.window.get());  // owned again, deleted with the window
}

void TestGlView::newGlContextKeepsThePicture() {
    // Without context sharing, a QOpenGLWidget moved to another window gets a
    // new context: every GL object must be released and created again.
    MapWindow m;
    QVERIFY(m.show());
    const QImage original = m.frames(2);
    const int inits = m.view->glInitializationCount();
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts, false);
    QWidget other;
    auto* layout = new QVBoxLayout(&other);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m.view);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    const QImage moved = m.frames(3);
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts, true);
    QVERIFY2(m.view->glInitializationCount() > inits,
             "the view kept its context; this test did not exercise re-initialization");
    QVERIFY2(m.view->errors().isEmpty(), qPrintable(m.view->errors().join('\n')));
    QVERIFY(basin::test::structuralSimilarity(original, moved) > 0.98);
    m.view->setParent(m.window.get());
}

void TestGlView::frameTime() {
    MapWindow m;
    m.layer->setIsolinesVisible(true);
    QVERIFY(m.show());
    constexpr int kFrames = 20;
    QElapsedTimer timer;
    timer.start();
    m.frames(kFrames);
    const double perGrab = double(timer.elapsed()) / kFrames;
    qInfo(
        "640x480 heatmap + isolines + ImGui: paintGL %.2f ms (average), "
        "grab (paint + readback) %.2f ms",
        m.view->averageFrameMs(), perGrab);
    QVERIFY(m.view->averageFrameMs() > 0);
    QVERIFY(m.view->averageFrameMs() < 1000);

    // Idle means idle: the extra frames that input needs stop by themselves.
    QSignalSpy rendered(m.view, &GlView::frameRendered);
    QTest::qWait(400);
    QVERIFY2(rendered.count() <= 3, qPrintable(QString::number(rendered.count())));
}

BASIN_GUI_TEST_MAIN(TestGlView)
#include "test_gl_view.moc"
