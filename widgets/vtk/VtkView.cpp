#include "vtk/VtkView.h"

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QPointer>
#include <QWheelEvent>
#include <QtDebug>

#include <vtkCellPicker.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkProp3D.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <cmath>
#include <string>

namespace basin::widgets {
namespace {

// A press and release closer than this (logical pixels) is a click, not a drag.
constexpr int kClickSlop = 3;

// X11 keysym names for the keys VTK's interactor styles know about.
const char* keySym(int qtKey) {
    switch (qtKey) {
        case Qt::Key_Left:
            return "Left";
        case Qt::Key_Right:
            return "Right";
        case Qt::Key_Up:
            return "Up";
        case Qt::Key_Down:
            return "Down";
        case Qt::Key_Escape:
            return "Escape";
        case Qt::Key_Return:
            return "Return";
        case Qt::Key_Space:
            return "space";
        case Qt::Key_Shift:
            return "Shift_L";
        case Qt::Key_Control:
            return "Control_L";
        case Qt::Key_Alt:
            return "Alt_L";
        case Qt::Key_Plus:
            return "plus";
        case Qt::Key_Minus:
            return "minus";
        default:
            return nullptr;
    }
}

}  // namespace

struct VtkView::Private {
    vtkNew<vtkGenericOpenGLRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkGenericRenderWindowInteractor> interactor;
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    vtkNew<vtkCellPicker> picker;
    vtkSmartPointer<vtkProp3D> lastPicked;
    std::vector<unsigned long> windowObservers;
    unsigned long renderObserver = 0;

    QPointer<QOpenGLContext> context;
    QSurface* surface = nullptr;
    QMetaObject::Connection contextConnection;

    QPoint pressPos;
    bool leftPressed = false;
    int glErrors = 0;
    int contextInits = 0;
    double lastFrameMs = 0;

    // VTK asks for its context: make Qt's context current on its own surface,
    // without QOpenGLWidget::makeCurrent() (which would re-bind Qt's FBO).
    void onWindowEvent(vtkObject*, unsigned long eventId, void* callData) {
        switch (eventId) {
            case vtkCommand::WindowMakeCurrentEvent:
                if (context && surface && QOpenGLContext::currentContext() != context) {
                    context->makeCurrent(surface);
                }
                break;
            case vtkCommand::WindowIsCurrentEvent:
                *static_cast<bool*>(callData) =
                    context && QOpenGLContext::currentContext() == context;
                break;
            default:
                break;
        }
    }
};

VtkView::VtkView(QWidget* parent) : QOpenGLWidget(parent), d(std::make_unique<Private>()) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(64, 64);

    auto* window = d->window.GetPointer();
    window->SetMultiSamples(0);  // MSAA is ~5x slower on llvmpipe
    window->SetReadyForRendering(false);
    window->SetFrameBlitModeToNoBlit();  // we blit into Qt's FBO ourselves
    window->AddRenderer(d->renderer);
    for (auto id : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent}) {
        d->windowObservers.push_back(window->AddObserver(id, d.get(), &Private::onWindowEvent));
    }

    // The interactor never renders on its own (a render outside paintGL()
    // would draw into whatever FBO happens to be bound); it asks for a repaint.
    d->interactor->SetRenderWindow(window);
    d->interactor->SetInteractorStyle(d->style);
    d->interactor->EnableRenderOff();
    d->renderObserver =
        d->interactor->AddObserver(vtkCommand::RenderEvent, this, &VtkView::onInteractorRender);
    d->interactor->Initialize();

    d->picker->SetTolerance(0.0005);
    d->renderer->SetBackground(1, 1, 1);
}

VtkView::~VtkView() {
    // QOpenGLWidget's destructor destroys the context after our members are
    // gone: release VTK's resources now, while everything is alive.
    releaseGraphics();
    QObject::disconnect(d->contextConnection);
    d->interactor->RemoveObserver(d->renderObserver);
    for (auto id : d->windowObservers)
        d->window->RemoveObserver(id);
}

vtkRenderer* VtkView::renderer() const {
    return d->renderer;
}
vtkGenericOpenGLRenderWindow* VtkView::renderWindow() const {
    return d->window;
}
vtkRenderWindowInteractor* VtkView::interactor() const {
    return d->interactor;
}
vtkProp3D* VtkView::lastPickedProp() const {
    return d->lastPicked;
}
int VtkView::glErrorCount() const {
    return d->glErrors;
}
int VtkView::contextInitCount() const {
    return d->contextInits;
}
double VtkView::lastFrameMs() const {
    return d->lastFrameMs;
}

void VtkView::requestRender() {
    update();
}

void VtkView::onInteractorRender(vtkObject*, unsigned long, void*) {
    update();
}

QImage VtkView::renderImage() {
    QImage image = grabFramebuffer();
    // Blitting already sets alpha to 1; dropping the channel keeps a stray
    // transparent pixel from turning black in a premultiplied format.
    return image.convertToFormat(QImage::Format_RGB32);
}

void VtkView::initializeGL() {
    QOpenGLContext* ctx = context();
    d->context = ctx;
    d->surface = ctx->surface();
    QObject::disconnect(d->contextConnection);
    d->contextConnection = connect(ctx, &QOpenGLContext::aboutToBeDestroyed, this,
                                   &VtkView::releaseGraphics, Qt::DirectConnection);

    auto* window = d->window.GetPointer();
    window->SetOwnContext(0);
    window->OpenGLInitContext();
    window->SetReadyForRendering(true);
    ++d->contextInits;
    updateRenderSize();
}

void VtkView::releaseGraphics() {
    if (!d->context || !d->window->GetReadyForRendering()) return;
    makeCurrent();
    d->window->ReleaseGraphicsResources(d->window);
    d->window->SetReadyForRendering(false);
    doneCurrent();
    d->context = nullptr;
    d->surface = nullptr;
}

void VtkView::updateRenderSize() {
    const qreal dpr = devicePixelRatioF();
    const QSize deviceSize = size() * dpr;
    d->interactor->UpdateSize(deviceSize.width(), deviceSize.height());
    d->window->SetSize(deviceSize.width(), deviceSize.height());
    // VTK sizes text in points at its DPI: scale it with the device pixels.
    d->window->SetDPI(int(std::lround(72 * dpr)));
}

void VtkView::resizeGL(int, int) {
    updateRenderSize();
    Q_EMIT resized();
}

void VtkView::paintGL() {
    if (!d->context || !d->window->GetReadyForRendering()) return;
    QElapsedTimer timer;
    timer.start();
    updateRenderSize();
    d->window->Render();
    blitToQtFramebuffer();

    QOpenGLFunctions* f = context()->functions();
    for (GLenum err = f->glGetError(); err != GL_NO_ERROR; err = f->glGetError()) {
        if (d->glErrors++ == 0) qWarning("VtkView: OpenGL error 0x%x after rendering", err);
    }
    d->lastFrameMs = double(timer.nsecsElapsed()) / 1e6;
}

void VtkView::blitToQtFramebuffer() {
    QOpenGLExtraFunctions* f = context()->extraFunctions();
    const QSize target = size() * devicePixelRatioF();
    const GLuint fbo = defaultFramebufferObject();

    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, fbo);
    const GLenum attachment = GL_COLOR_ATTACHMENT0;
    f->glDrawBuffers(1, &attachment);
    f->glDisable(GL_SCISSOR_TEST);
    int* source = d->window->GetRenderFramebuffer()->GetLastSize();
    d->window->BlitDisplayFramebuffer(0, 0, 0, source[0], source[1], 0, 0, target.width(),
                                      target.height(), GL_COLOR_BUFFER_BIT, GL_NEAREST);

    // VTK leaves alpha 0 where only the background was drawn.
    f->glViewport(0, 0, target.width(), target.height());
    f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    f->glClearColor(0, 0, 0, 1);
    f->glClear(GL_COLOR_BUFFER_BIT);
    f->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    f->glBindFramebuffer(GL_FRAMEBUFFER, fbo);
}

bool VtkView::pickAt(const QPoint& widgetPos, double world[3]) {
    const qreal dpr = devicePixelRatioF();
    const int deviceHeight = int(std::lround(height() * dpr));
    const double x = widgetPos.x() * dpr;
    const double y = deviceHeight - 1 - widgetPos.y() * dpr;  // VTK: origin bottom-left
    d->lastPicked = nullptr;
    if (!d->picker->Pick(x, y, 0, d->renderer)) return false;
    d->picker->GetPickPosition(world);
    d->lastPicked = d->picker->GetProp3D();
    return true;
}

// ---- Qt → VTK event bridge ----------------------------------------------

namespace {

struct EventInfo {
    int x, y;  // device pixels, Qt's top-left origin (VTK flips)
    bool ctrl, shift;
};

EventInfo eventInfo(const QWidget* w, const QPointF& pos, Qt::KeyboardModifiers mods) {
    const qreal dpr = w->devicePixelRatioF();
    return {int(std::lround(pos.x() * dpr)), int(std::lround(pos.y() * dpr)),
            mods.testFlag(Qt::ControlModifier), mods.testFlag(Qt::ShiftModifier)};
}

void setEventInfo(vtkRenderWindowInteractor* iren, const EventInfo& e, int repeat = 0) {
    iren->SetEventInformationFlipY(e.x, e.y, e.ctrl, e.shift, 0, repeat);
}

unsigned long pressEvent(Qt::MouseButton b) {
    switch (b) {
        case Qt::LeftButton:
            return vtkCommand::LeftButtonPressEvent;
        case Qt::MiddleButton:
            return vtkCommand::MiddleButtonPressEvent;
        case Qt::RightButton:
            return vtkCommand::RightButtonPressEvent;
        default:
            return vtkCommand::NoEvent;
    }
}

unsigned long releaseEvent(Qt::MouseButton b) {
    switch (b) {
        case Qt::LeftButton:
            return vtkCommand::LeftButtonReleaseEvent;
        case Qt::MiddleButton:
            return vtkCommand::MiddleButtonReleaseEvent;
        case Qt::RightButton:
            return vtkCommand::RightButtonReleaseEvent;
        default:
            return vtkCommand::NoEvent;
    }
}

}  // namespace

bool VtkView::event(QEvent* e) {
    // Keep the interactor's idea of the size in step even before the first paint.
    if (e->type() == QEvent::Resize) {
        updateRenderSize();
    }
    return QOpenGLWidget::event(e);
}

void VtkView::mousePressEvent(QMouseEvent* event) {
    const unsigned long id = pressEvent(event->button());
    if (id == vtkCommand::NoEvent) return;
    if (event->button() == Qt::LeftButton) {
        d->pressPos = event->position().toPoint();
        d->leftPressed = true;
    }
    setEventInfo(d->interactor, eventInfo(this, event->position(), event->modifiers()));
    d->interactor->InvokeEvent(id, nullptr);
    event->accept();
}

void VtkView::mouseDoubleClickEvent(QMouseEvent* event) {
    const unsigned long id = pressEvent(event->button());
    if (id == vtkCommand::NoEvent) return;
    setEventInfo(d->interactor, eventInfo(this, event->position(), event->modifiers()), 1);
    d->interactor->InvokeEvent(id, nullptr);
    event->accept();
}

void VtkView::mouseMoveEvent(QMouseEvent* event) {
    setEventInfo(d->interactor, eventInfo(this, event->position(), event->modifiers()));
    d->interactor->InvokeEvent(vtkCommand::MouseMoveEvent, nullptr);
    event->accept();
}

void VtkView::mouseReleaseEvent(QMouseEvent* event) {
    const unsigned long id = releaseEvent(event->button());
    if (id == vtkCommand::NoEvent) return;
    setEventInfo(d->interactor, eventInfo(this, event->position(), event->modifiers()));
    d->interactor->InvokeEvent(id, nullptr);
    event->accept();

    if (event->button() == Qt::LeftButton && d->leftPressed) {
        d->leftPressed = false;
        const QPoint pos = event->position().toPoint();
        if ((pos - d->pressPos).manhattanLength() <= kClickSlop) {
            double world[3];
            if (pickAt(pos, world)) Q_EMIT picked(world[0], world[1], world[2]);
        }
    }
}

void VtkView::wheelEvent(QWheelEvent* event) {
    const int delta = event->angleDelta().y();
    if (delta == 0) return;
    setEventInfo(d->interactor, eventInfo(this, event->position(), event->modifiers()));
    d->interactor->InvokeEvent(
        delta > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent,
        nullptr);
    event->accept();
}

void VtkView::keyPressEvent(QKeyEvent* event) {
    const QString text = event->text();
    const char code = text.size() == 1 && text[0].unicode() < 128 ? char(text[0].unicode()) : 0;
    const std::string sym = keySym(event->key()) ? keySym(event->key()) : std::string(1, code);
    const bool ctrl = event->modifiers().testFlag(Qt::ControlModifier);
    const bool shift = event->modifiers().testFlag(Qt::ShiftModifier);
    d->interactor->SetKeyEventInformation(ctrl, shift, code, event->isAutoRepeat() ? 1 : 0,
                                          sym.c_str());
    d->interactor->InvokeEvent(vtkCommand::KeyPressEvent, nullptr);
    // Only the style's harmless one-letter commands: r reset camera,
    // w wireframe, s surface. Others quit the app ('e', 'q'), toggle stereo
    // ('3') or need timers ('f') that this bridge does not provide.
    if (code == 'r' || code == 'w' || code == 's') {
        d->interactor->InvokeEvent(vtkCommand::CharEvent, nullptr);
        event->accept();
        return;
    }
    QOpenGLWidget::keyPressEvent(event);
}

void VtkView::keyReleaseEvent(QKeyEvent* event) {
    const QString text = event->text();
    const char code = text.size() == 1 && text[0].unicode() < 128 ? char(text[0].unicode()) : 0;
    const std::string sym = keySym(event->key()) ? keySym(event->key()) : std::string(1, code);
    d->interactor->SetKeyEventInformation(event->modifiers().testFlag(Qt::ControlModifier),
                                          event->modifiers().testFlag(Qt::ShiftModifier), code, 0,
                                          sym.c_str());
    d->interactor->InvokeEvent(vtkCommand::KeyReleaseEvent, nullptr);
    QOpenGLWidget::keyReleaseEvent(event);
}

void VtkView::enterEvent(QEnterEvent* event) {
    setEventInfo(d->interactor, eventInfo(this, event->position(), event->modifiers()));
    d->interactor->InvokeEvent(vtkCommand::EnterEvent, nullptr);
    QOpenGLWidget::enterEvent(event);
}

void VtkView::leaveEvent(QEvent* event) {
    d->interactor->InvokeEvent(vtkCommand::LeaveEvent, nullptr);
    QOpenGLWidget::leaveEvent(event);
}

}  // namespace basin::widgets
