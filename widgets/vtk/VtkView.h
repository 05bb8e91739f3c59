#pragma once
// VtkView: a VTK render window living inside a Qt 6 QOpenGLWidget.
//
// Debian's VTK 9.1 ships its Qt module (QVTKOpenGLNativeWidget) for Qt 5 only,
// so Basin hosts VTK itself. How it works:
//  - VTK draws with a vtkGenericOpenGLRenderWindow that owns no context: it
//    asks us to make Qt's context current (WindowMakeCurrentEvent) and whether
//    it is current (WindowIsCurrentEvent). We answer with the context and its
//    surface directly, never QOpenGLWidget::makeCurrent(): that re-binds Qt's
//    framebuffer behind VTK's back and gives black frames with
//    GL_INVALID_FRAMEBUFFER_OPERATION.
//  - All rendering happens in paintGL(): VTK renders into its own offscreen
//    framebuffer (no blit at Frame()), then we blit that into Qt's FBO and set
//    alpha to 1 (VTK leaves alpha 0 in the background, which makes grabs and
//    compositing transparent).
//  - Interaction: Qt events are translated into a vtkRenderWindowInteractor
//    driving vtkInteractorStyleTrackballCamera: left drag rotates, middle or
//    shift+left drag pans, wheel or right drag zooms. The interactor never
//    renders by itself; it schedules a repaint. Event coordinates and the
//    render size are in device pixels (devicePixelRatio) so HiDPI is sharp.
//  - A left click without drag picks (vtkCellPicker) and emits picked().
//  - Moving the view between docks, tabs or windows can destroy Qt's context
//    (e.g. floating a QDockWidget without shared contexts): VTK's graphics
//    resources are released when the context is about to be destroyed and
//    re-created in the next initializeGL().
//
// Usage:
//     auto* view = new basin::widgets::VtkView(parent);
//     view->renderer()->AddActor(actor);
//     view->requestRender();   // after changing the scene

#include <QImage>
#include <QOpenGLWidget>
#include <QPoint>
#include <memory>

class vtkGenericOpenGLRenderWindow;
class vtkRenderer;
class vtkRenderWindowInteractor;
class vtkProp3D;
class vtkObject;

namespace basin::widgets {

class VtkView : public QOpenGLWidget {
    Q_OBJECT

public:
    explicit VtkView(QWidget* parent = nullptr);
    ~VtkView() override;

    // The one renderer filling the view. Add props here, then requestRender().
    vtkRenderer* renderer() const;
    vtkGenericOpenGLRenderWindow* renderWindow() const;
    vtkRenderWindowInteractor* interactor() const;

    // Schedules a repaint (VTK renders in the next paintGL()).
    void requestRender();

    // Renders now and returns the picture (device pixels, alpha forced opaque).
    QImage renderImage();

    // Picks at a widget position (logical pixels, Qt's top-left origin).
    // Returns true and the world position when a pickable prop is hit.
    bool pickAt(const QPoint& widgetPos, double world[3]);
    // The prop hit by the last successful pick (nullptr when none).
    vtkProp3D* lastPickedProp() const;

    // OpenGL errors seen after VTK's frames since construction (diagnostics and tests).
    int glErrorCount() const;
    // Times the view's GL context was (re)initialised: 1 normally, more after a
    // move that recreated the context.
    int contextInitCount() const;
    // Wall time of the last VTK render + blit, in milliseconds.
    double lastFrameMs() const;

Q_SIGNALS:
    // A left click without drag hit a pickable prop at this world position.
    void picked(double worldX, double worldY, double worldZ);
    // The view's size changed (scenes re-frame their default camera).
    void resized();

protected:
    void initializeGL() override;
    void paintGL() override;
    void resizeGL(int w, int h) override;

    bool event(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Private;
    std::unique_ptr<Private> d;

    void releaseGraphics();
    void onInteractorRender(vtkObject*, unsigned long, void*);
    void updateRenderSize();
    void blitToQtFramebuffer();
};

}  // namespace basin::widgets
