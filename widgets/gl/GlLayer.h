#pragma once
// The content of a GlView, one layer per kind of thing drawn: the heatmap of a
// landscape, later the Gaussian-splat renderer and overlays. The view (the
// host) owns the GL context, the ImGui overlay and input routing; a layer owns
// its GL objects, its ImGui controls and what it does with the mouse.
//
// Life cycle, all with the view's GL context current:
//   initialize() after the context is created — again after release() when the
//   view moves to another window and gets a new context; paint() every frame;
//   release() before the context goes away (delete every GL object here).
// A layer that fails to initialize (a shader does not compile) reports it
// through errorString() and paints nothing; the view shows the error.

#include <QPointF>
#include <QSize>
#include <QString>

class QOpenGLExtraFunctions;
class QMouseEvent;
class QWheelEvent;
class QKeyEvent;

namespace basin::widgets {

class ImGuiBridge;

// What a layer needs from its view.
class GlLayerHost {
public:
    virtual ~GlLayerHost() = default;
    virtual QSize viewSize() const = 0;  // logical (widget) pixels
    virtual qreal viewDevicePixelRatio() const = 0;
    // Schedules a repaint (data or settings changed).
    virtual void requestUpdate() = 0;
    // The overlay, to record item rectangles (ImGuiBridge::recordLastItem).
    virtual ImGuiBridge& imgui() = 0;
    // CPU time of the last frame in milliseconds, for the panels' readout.
    virtual double lastFrameMs() const = 0;
};

// One frame's geometry.
struct GlFrame {
    QSize logicalSize;      // widget pixels: mouse coordinates, ImGui coordinates
    QSize framebufferSize;  // device pixels: glViewport
    qreal devicePixelRatio = 1;
};

class GlLayer {
public:
    virtual ~GlLayer() = default;

    // Set by GlView::addLayer; null while the layer has no view.
    void setHost(GlLayerHost* host) { m_host = host; }
    GlLayerHost* host() const { return m_host; }

    virtual bool initialize(QOpenGLExtraFunctions& gl) = 0;
    virtual void paint(QOpenGLExtraFunctions& gl, const GlFrame& frame) = 0;
    virtual void release(QOpenGLExtraFunctions& gl) = 0;
    // Empty when the layer works; otherwise a sentence naming what failed.
    virtual QString errorString() const { return {}; }

    // The layer's ImGui controls, inside the view's ImGui frame (the layer
    // opens its own window). Runs after paint() of the same frame.
    virtual void drawImGui() {}

    // Input ImGui did not take (see GlView). Return true when consumed; a
    // consumed press makes this layer receive the moves and the release.
    virtual bool mousePress(QMouseEvent*) { return false; }
    virtual bool mouseMove(QMouseEvent*) { return false; }
    virtual bool mouseRelease(QMouseEvent*) { return false; }
    virtual bool wheel(QWheelEvent*) { return false; }
    virtual bool keyPress(QKeyEvent*) { return false; }
    // The pointer left the view or moved over the ImGui overlay.
    virtual void hoverLeft() {}

private:
    GlLayerHost* m_host = nullptr;
};

}  // namespace basin::widgets
