#include "gl/GlView.h"

#include <QFocusEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QWheelEvent>
#include <QtDebug>
#include <algorithm>

#include "imgui.h"

namespace basin::widgets {

GlView::GlView(QWidget* parent) : QOpenGLWidget(parent) {
    setMouseTracking(true);  // hover readouts and ImGui highlights
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(64, 64);
}

GlView::~GlView() {
    // ~QOpenGLWidget destroys the context after this body: release now, and
    // make sure aboutToBeDestroyed no longer calls into a half-destroyed view.
    releaseGl();
    QObject::disconnect(m_contextConnection);
}

void GlView::addLayerImpl(std::unique_ptr<GlLayer> layer) {
    layer->setHost(this);
    m_layers.push_back(LayerSlot{std::move(layer), false, false});
    update();
}

void GlView::removeLayer(GlLayer* layer) {
    const auto it = std::find_if(m_layers.begin(), m_layers.end(),
                                 [layer](const LayerSlot& s) { return s.layer.get() == layer; });
    if (it == m_layers.end()) return;
    if (it->initialized && context()) {
        makeCurrent();
        it->layer->release(*context()->extraFunctions());
        doneCurrent();
    }
    if (m_grabber == layer) {
        m_grabber = nullptr;
        m_mouseOwner = MouseOwner::Nobody;
    }
    m_layers.erase(it);
    update();
}

void GlView::setOverlayVisible(bool visible) {
    m_overlayVisible = visible;
    update();
}

QImage GlView::renderImage() {
    // grabFramebuffer() runs paintGL into the widget's framebuffer and reads
    // it back; the clear colour's alpha is 1, so the image is opaque.
    return grabFramebuffer();
}

QStringList GlView::errors() const {
    QStringList out;
    if (!m_imgui.errorString().isEmpty()) out << m_imgui.errorString();
    for (const LayerSlot& slot : m_layers) {
        const QString e = slot.layer->errorString();
        if (!e.isEmpty()) out << e;
    }
    return out;
}

void GlView::initializeGL() {
    // A new context (first show, or after moving to another window): connect
    // its destruction to our release, and create everything afresh.
    QObject::disconnect(m_contextConnection);
    m_contextConnection = connect(context(), &QOpenGLContext::aboutToBeDestroyed, this,
                                  &GlView::releaseGl, Qt::DirectConnection);
    m_imgui.initializeRenderer();
    for (LayerSlot& slot : m_layers)
        slot.initialized = slot.failed = false;
    m_glReady = true;
    ++m_glInitCount;
    // ImGui hides auto-sized windows on their first frame while it measures
    // them: draw a second one.
    m_extraFrames = std::max(m_extraFrames, 2);
    reportNewErrors();
}

void GlView::releaseGl() {
    if (!m_glReady) return;
    makeCurrent();
    QOpenGLExtraFunctions* gl = context()->extraFunctions();
    for (LayerSlot& slot : m_layers) {
        if (slot.initialized) slot.layer->release(*gl);
        slot.initialized = slot.failed = false;
    }
    m_imgui.shutdownRenderer();
    doneCurrent();
    m_glReady = false;
}

void GlView::paintGL() {
    QElapsedTimer timer;
    timer.start();
    QOpenGLExtraFunctions* gl = context()->extraFunctions();
    const qreal dpr = devicePixelRatioF();
    const GlFrame frame{size(), QSize(qRound(width() * dpr), qRound(height() * dpr)), dpr};

    gl->glViewport(0, 0, frame.framebufferSize.width(), frame.framebufferSize.height());
    gl->glClearColor(0.13f, 0.14f, 0.16f, 1.0f);  // alpha 1: grabs are opaque
    gl->glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT | GL_STENCIL_BUFFER_BIT);

    bool newFailure = false;
    for (LayerSlot& slot : m_layers) {
        if (!slot.initialized && !slot.failed) {
            slot.initialized = slot.layer->initialize(*gl);
            slot.failed = !slot.initialized;
            newFailure = newFailure || slot.failed;
        }
        if (slot.initialized) slot.layer->paint(*gl, frame);
    }

    if (m_overlayVisible) {
        m_imgui.beginFrame(QSizeF(size()), dpr);
        drawOverlay();
        m_imgui.endFrameAndRender();
    }

    m_lastFrameMs = double(timer.nsecsElapsed()) * 1e-6;
    m_averageFrameMs =
        m_averageFrameMs > 0 ? 0.9 * m_averageFrameMs + 0.1 * m_lastFrameMs : m_lastFrameMs;
    if (newFailure) reportNewErrors();
    updateCursor();

    if (m_imgui.hasPendingInput() || m_extraFrames > 0) {
        m_extraFrames = std::max(0, m_extraFrames - 1);
        update();
    }
    Q_EMIT frameRendered();
}

void GlView::drawOverlay() {
    ImGuiBridge::ContextScope scope(m_imgui);
    for (LayerSlot& slot : m_layers)
        slot.layer->drawImGui();
    const QStringList problems = errors();
    if (problems.isEmpty()) return;
    // Errors are shown in the view itself: a user looking at an empty map
    // learns why without opening a terminal.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x - 10, display.y - 10), ImGuiCond_Always, ImVec2(1, 1));
    ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(display.x * 0.8f, display.y));
    ImGui::Begin(
        "Errors", nullptr,
        ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove);
    m_imgui.recordWindow(QStringLiteral("Errors"));
    ImGui::PushTextWrapPos(display.x * 0.75f);
    for (const QString& p : problems) {
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", p.toUtf8().constData());
    }
    ImGui::PopTextWrapPos();
    ImGui::End();
}

void GlView::reportNewErrors() {
    for (const QString& e : errors()) {
        if (m_reportedErrors.contains(e)) continue;
        m_reportedErrors << e;
        qWarning().noquote() << "GlView:" << e;
        Q_EMIT errorOccurred(e);
    }
}

void GlView::requestInputFrames() {
    m_extraFrames = std::max(m_extraFrames, 2);
    update();
}

void GlView::updateCursor() {
    if (m_mouseOwner == MouseOwner::Layer) {
        setCursor(Qt::ClosedHandCursor);
    } else if (m_imgui.wantCaptureMouse()) {
        setCursor(m_imgui.cursorShape());
    } else {
        unsetCursor();
    }
}

bool GlView::event(QEvent* e) {
    // While an ImGui text field has the keyboard, its keys must not trigger
    // the application's shortcuts.
    if (e->type() == QEvent::ShortcutOverride && m_imgui.wantCaptureKeyboard()) {
        e->accept();
        return true;
    }
    return QOpenGLWidget::event(e);
}

bool GlView::focusNextPrevChild(bool next) {
    if (m_imgui.wantCaptureKeyboard()) return false;  // Tab moves between ImGui fields
    return QOpenGLWidget::focusNextPrevChild(next);
}

void GlView::mousePressEvent(QMouseEvent* e) {
    m_imgui.queueMouseButton(e->position(), e->button(), true, e->modifiers());
    requestInputFrames();
    e->accept();
    if (m_mouseOwner == MouseOwner::Layer) {
        m_grabber->mousePress(e);
        return;
    }
    if (m_mouseOwner != MouseOwner::None) return;  // a gesture is already owned
    if (m_imgui.isOverUi(e->position())) {
        m_mouseOwner = MouseOwner::Overlay;
        for (LayerSlot& slot : m_layers)
            slot.layer->hoverLeft();
        return;
    }
    m_mouseOwner = MouseOwner::Nobody;
    for (auto it = m_layers.rbegin(); it != m_layers.rend(); ++it) {
        if (it->layer->mousePress(e)) {
            m_mouseOwner = MouseOwner::Layer;
            m_grabber = it->layer.get();
            break;
        }
    }
}

void GlView::mouseDoubleClickEvent(QMouseEvent* e) {
    // ImGui detects double clicks itself from press timing; Qt's double-click
    // event replaces the second press.
    mousePressEvent(e);
}

void GlView::mouseMoveEvent(QMouseEvent* e) {
    m_imgui.queueMouseMove(e->position(), e->modifiers());
    requestInputFrames();
    switch (m_mouseOwner) {
        case MouseOwner::Layer:
            m_grabber->mouseMove(e);
            break;
        case MouseOwner::None:
            if (m_imgui.isOverUi(e->position())) {
                for (LayerSlot& slot : m_layers)
                    slot.layer->hoverLeft();
                break;
            }
            for (auto it = m_layers.rbegin(); it != m_layers.rend(); ++it) {
                if (it->layer->mouseMove(e)) break;
            }
            break;
        case MouseOwner::Overlay:
        case MouseOwner::Nobody:
            break;
    }
    e->accept();
}

void GlView::mouseReleaseEvent(QMouseEvent* e) {
    m_imgui.queueMouseButton(e->position(), e->button(), false, e->modifiers());
    requestInputFrames();
    if (m_mouseOwner == MouseOwner::Layer) m_grabber->mouseRelease(e);
    if (e->buttons() == Qt::NoButton) {
        m_mouseOwner = MouseOwner::None;
        m_grabber = nullptr;
    }
    e->accept();
}

void GlView::wheelEvent(QWheelEvent* e) {
    const QPointF delta = QPointF(e->angleDelta()) / 120.0;
    m_imgui.queueMouseWheel(e->position(), float(delta.y()), float(delta.x()), e->modifiers());
    requestInputFrames();
    e->accept();
    if (m_mouseOwner == MouseOwner::Overlay || m_imgui.isOverUi(e->position())) return;
    for (auto it = m_layers.rbegin(); it != m_layers.rend(); ++it) {
        if (it->layer->wheel(e)) break;
    }
}

void GlView::keyPressEvent(QKeyEvent* e) {
    const bool imguiHasKeyboard = m_imgui.wantCaptureKeyboard();
    m_imgui.queueKey(e->key(), true, e->modifiers());
    if (!e->modifiers().testFlag(Qt::ControlModifier)) m_imgui.queueText(e->text());
    requestInputFrames();
    if (imguiHasKeyboard) {
        e->accept();
        return;
    }
    for (auto it = m_layers.rbegin(); it != m_layers.rend(); ++it) {
        if (it->layer->keyPress(e)) {
            e->accept();
            return;
        }
    }
    QOpenGLWidget::keyPressEvent(e);  // unhandled: let the parent see it
}

void GlView::keyReleaseEvent(QKeyEvent* e) {
    m_imgui.queueKey(e->key(), false, e->modifiers());
    requestInputFrames();
    QOpenGLWidget::keyReleaseEvent(e);
}

void GlView::focusInEvent(QFocusEvent* e) {
    m_imgui.queueFocus(true);
    requestInputFrames();
    QOpenGLWidget::focusInEvent(e);
}

void GlView::focusOutEvent(QFocusEvent* e) {
    m_imgui.queueFocus(false);
    requestInputFrames();
    QOpenGLWidget::focusOutEvent(e);
}

void GlView::leaveEvent(QEvent* e) {
    m_imgui.queueMouseLeave();
    for (LayerSlot& slot : m_layers)
        slot.layer->hoverLeft();
    requestInputFrames();
    QOpenGLWidget::leaveEvent(e);
}

}  // namespace basin::widgets
