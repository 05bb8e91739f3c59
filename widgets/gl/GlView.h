#pragma once
// An OpenGL 3.3 core view with a Dear ImGui overlay: the host for Basin's GL
// content (the landscape heatmap today, the Gaussian-splat renderer later).
//
// The view owns the GL context, the ImGui overlay (ImGuiBridge) and input
// routing; what is drawn lives in GlLayers (GlLayer.h), drawn in the order they
// were added, each with its own ImGui window.
//
// Input routing (Dear ImGui's rule): ImGui always sees the input; the layers
// get a mouse gesture only when it starts outside every ImGui window
// (ImGuiBridge::isOverUi), and keys only while ImGui does not want the keyboard.
// A gesture keeps its owner until the last button is released, so a pan that
// crosses the panel keeps panning and a slider drag that leaves the panel keeps
// sliding.
//
// Context loss: moving the view to another window (a floating dock) may give
// it a new GL context. Every GL object is released on
// QOpenGLContext::aboutToBeDestroyed and created again in initializeGL, so the
// picture survives.

#include <QElapsedTimer>
#include <QImage>
#include <QOpenGLWidget>
#include <QRectF>
#include <QStringList>
#include <memory>
#include <vector>

#include "gl/GlLayer.h"
#include "gl/ImGuiBridge.h"

namespace basin::widgets {

class GlView : public QOpenGLWidget, private GlLayerHost {
    Q_OBJECT
public:
    explicit GlView(QWidget* parent = nullptr);
    ~GlView() override;

    // Adds a layer drawn above the previous ones; the view owns it. Its GL
    // objects are created on the next frame.
    template <class Layer>
    Layer* addLayer(std::unique_ptr<Layer> layer) {
        Layer* raw = layer.get();
        addLayerImpl(std::move(layer));
        return raw;
    }
    // Releases the layer's GL objects and deletes it.
    void removeLayer(GlLayer* layer);
    int layerCount() const { return int(m_layers.size()); }

    // The ImGui overlay: shown by default; hide it for clean figure exports.
    void setOverlayVisible(bool visible);
    bool overlayVisible() const { return m_overlayVisible; }

    // Renders a frame now and returns it (opaque, device pixels).
    QImage renderImage();

    // Rectangle (widget pixels) of an ImGui item or window recorded by a layer
    // during the last frame ("Map", "Map/Isolines"); null when absent.
    QRectF overlayItemRect(const QString& name) const { return m_imgui.itemRect(name); }
    // True when a press at `pos` would go to the overlay rather than the layers.
    bool isOverOverlay(QPointF pos) const { return m_imgui.isOverUi(pos); }

    // Every current problem, one sentence each: layers that failed to
    // initialize (with the shader file name), the ImGui renderer.
    QStringList errors() const;

    // CPU time of the last paintGL (layers + overlay), in milliseconds, and an
    // exponential average over recent frames.
    double lastFrameMs() const override { return m_lastFrameMs; }
    double averageFrameMs() const { return m_averageFrameMs; }
    // How many times GL resources were created (1, +1 per context change).
    int glInitializationCount() const { return m_glInitCount; }

    ImGuiBridge& imgui() override { return m_imgui; }

Q_SIGNALS:
    // A new problem appeared (see errors()).
    void errorOccurred(const QString& message);
    void frameRendered();

protected:
    void initializeGL() override;
    void paintGL() override;

    bool event(QEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    void focusInEvent(QFocusEvent* e) override;
    void focusOutEvent(QFocusEvent* e) override;
    void leaveEvent(QEvent* e) override;
    bool focusNextPrevChild(bool next) override;

private:
    struct LayerSlot {
        std::unique_ptr<GlLayer> layer;
        bool initialized = false;
        bool failed = false;
    };
    enum class MouseOwner { None, Overlay, Layer, Nobody };

    // GlLayerHost
    QSize viewSize() const override { return size(); }
    qreal viewDevicePixelRatio() const override { return devicePixelRatioF(); }
    void requestUpdate() override { update(); }

    void addLayerImpl(std::unique_ptr<GlLayer> layer);
    void releaseGl();
    void drawOverlay();
    void reportNewErrors();
    // Input needs frames: press and release must each be seen by a frame, and
    // a layer's state changed by an ImGui control shows on the next one.
    void requestInputFrames();
    void updateCursor();

    ImGuiBridge m_imgui;
    std::vector<LayerSlot> m_layers;
    QMetaObject::Connection m_contextConnection;
    MouseOwner m_mouseOwner = MouseOwner::None;
    GlLayer* m_grabber = nullptr;
    QStringList m_reportedErrors;
    double m_lastFrameMs = 0, m_averageFrameMs = 0;
    int m_glInitCount = 0;
    int m_extraFrames = 0;
    bool m_glReady = false;
    bool m_overlayVisible = true;
};

}  // namespace basin::widgets
