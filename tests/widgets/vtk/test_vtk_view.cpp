// VtkView and SurfaceScene under Xvfb + Mesa: baseline pictures, the Qt→VTK
// event bridge (rotate, pan, zoom, pick), several views in one window, and
// views surviving moves between tabs, windows and floating docks.
//
// Built twice: as test_vtk_view (the application's set-up, shared GL contexts)
// and as test_vtk_view_unshared (Qt::AA_ShareOpenGLContexts off), where moving
// a view to another window destroys its GL context, so the release and
// re-initialisation of VTK's graphics resources is exercised. ctest also runs
// test_vtk_view at QT_SCALE_FACTOR=2 (test_vtk_view_hidpi): event coordinates,
// picking and render sizes in device pixels.

#include <QDockWidget>
#include <QHBoxLayout>
#include <QMainWindow>
#include <QSignalSpy>
#include <QTabWidget>
#include <QWheelEvent>
#include <QtTest>
#include <cmath>
#include <memory>

#include <vtkCamera.h>
#include <vtkNew.h>
#include <vtkOutputWindow.h>
#include <vtkRenderer.h>
#include <vtkStringOutputWindow.h>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "SurfaceViewFixture.h"
#include "landscape/AnalyticLandscape.h"
#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

using basin::AnalyticLandscape;
using basin::test::colouredFraction;
using basin::widgets::SurfaceScene;
using basin::widgets::VtkView;

namespace {

constexpr int kWidth = 640, kHeight = 480;

// Fraction of pixels that are not background (the white to light-grey
// gradient): coloured or dark. Works for diverging maps with a pale middle.
double contentFraction(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    qint64 content = 0;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const QColor c(line[x]);
            if (c.hsvSaturation() > 40 || c.value() < 200) ++content;
        }
    }
    return double(content) / (qint64(rgb.width()) * rgb.height());
}

double cameraDistance(vtkRenderer* ren) {
    return ren->GetActiveCamera()->GetDistance();
}

// Widget position (logical pixels) of a world point.
QPoint toWidget(VtkView* view, const double world[3]) {
    vtkRenderer* ren = view->renderer();
    ren->SetWorldPoint(world[0], world[1], world[2], 1.0);
    ren->WorldToDisplay();
    double display[3];
    ren->GetDisplayPoint(display);
    const qreal dpr = view->devicePixelRatioF();
    const double deviceHeight = view->height() * dpr;
    return QPoint(int(std::lround(display[0] / dpr)),
                  int(std::lround((deviceHeight - 1 - display[1]) / dpr)));
}

void sendWheel(QWidget* w, const QPoint& pos, int delta) {
    const QPointF p(pos);
    QWheelEvent e(p, w->mapToGlobal(p), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

void drag(QWidget* w, Qt::MouseButton button, Qt::KeyboardModifiers mods, QPoint from, QPoint to) {
    QTest::mousePress(w, button, mods, from);
    for (int i = 1; i <= 8; ++i)
        QTest::mouseMove(w, from + (to - from) * i / 8);
    QTest::mouseRelease(w, button, mods, to);
}

}  // namespace

class TestVtkView : public QObject {
    Q_OBJECT

    vtkNew<vtkStringOutputWindow> vtkOutput_;

    // A shown, fixed-size view with Himmelblau on it.
    using Fixture = basin::test::SurfaceViewFixture;
    Fixture himmelblau(const SurfaceScene::Options& options = {}) {
        return basin::test::showSurface(
            basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 101, 101), options,
            QSize(kWidth, kHeight));
    }

    void checkNoVtkErrors() {
        const std::string out = vtkOutput_->GetOutput();
        QVERIFY2(out.find("ERROR") == std::string::npos && out.find("rror:") == std::string::npos,
                 out.c_str());
    }

private Q_SLOTS:
    void initTestCase() {
        vtkOutputWindow::SetInstance(vtkOutput_);
#ifdef BASIN_VTK_TEST_UNSHARED
        QVERIFY(!QCoreApplication::testAttribute(Qt::AA_ShareOpenGLContexts));
#endif
    }

    void cleanup() {
        checkNoVtkErrors();
    }

    void himmelblauSurfaceMatchesBaseline() {
        auto f = himmelblau();
        const QImage image = f.view->renderImage();
        QCOMPARE(image.size(), QSize(kWidth, kHeight) * f.view->devicePixelRatioF());
        QVERIFY(colouredFraction(image) > 0.15);
        QCOMPARE(f.view->glErrorCount(), 0);
        if (f.view->devicePixelRatioF() != 1.0) QSKIP("baselines are for device pixel ratio 1");
        BASIN_COMPARE_IMAGE(image, "vtk_himmelblau_surface", 0.95);
    }

    void logScaleWithContoursMatchesBaseline() {
        SurfaceScene::Options options;
        options.logScale = true;
        options.contours = true;
        auto f = himmelblau(options);
        const QImage image = f.view->renderImage();
        QCOMPARE(f.view->glErrorCount(), 0);
        if (f.view->devicePixelRatioF() != 1.0) QSKIP("baselines are for device pixel ratio 1");
        BASIN_COMPARE_IMAGE(image, "vtk_himmelblau_log_contours", 0.95);
    }

    void leftDragRotatesCamera() {
        auto f = himmelblau();
        QSignalSpy picks(f.view.get(), &VtkView::picked);
        const QImage before = f.view->renderImage();
        double position[3];
        f.view->renderer()->GetActiveCamera()->GetPosition(position);

        drag(f.view.get(), Qt::LeftButton, {}, QPoint(320, 240), QPoint(420, 280));

        double after[3];
        f.view->renderer()->GetActiveCamera()->GetPosition(after);
        const double moved =
            std::hypot(after[0] - position[0], after[1] - position[1], after[2] - position[2]);
        QVERIFY2(moved > 1.0, qPrintable(QString("camera moved by %1").arg(moved)));
        const QImage rotated = f.view->renderImage();
        QVERIFY(basin::test::structuralSimilarity(before, rotated) < 0.9);
        QCOMPARE(picks.count(), 0);  // a drag is not a click
    }

    void shiftLeftAndMiddleDragPan() {
        auto f = himmelblau();
        vtkCamera* cam = f.view->renderer()->GetActiveCamera();
        double focal[3], now[3];
        for (auto [button, mods] :
             {std::pair{Qt::LeftButton, Qt::KeyboardModifiers(Qt::ShiftModifier)},
              std::pair{Qt::MiddleButton, Qt::KeyboardModifiers()}}) {
            const double distance = cam->GetDistance();
            cam->GetFocalPoint(focal);
            drag(f.view.get(), button, mods, QPoint(300, 200), QPoint(360, 260));
            cam->GetFocalPoint(now);
            QVERIFY(std::hypot(now[0] - focal[0], now[1] - focal[1], now[2] - focal[2]) > 0.5);
            QVERIFY(std::abs(cam->GetDistance() - distance) < 1e-6 * distance);  // pan, not zoom
        }
    }

    void wheelAndRightDragZoom() {
        auto f = himmelblau();
        vtkRenderer* ren = f.view->renderer();
        const double d0 = cameraDistance(ren);
        sendWheel(f.view.get(), QPoint(320, 240), 120);
        const double d1 = cameraDistance(ren);
        QVERIFY2(d1 < d0 * 0.98, qPrintable(QString("%1 -> %2").arg(d0).arg(d1)));
        sendWheel(f.view.get(), QPoint(320, 240), -120);
        sendWheel(f.view.get(), QPoint(320, 240), -120);
        const double d2 = cameraDistance(ren);
        QVERIFY(d2 > d1 * 1.02);
        // Right drag downwards zooms out in VTK's trackball style (dolly by dy).
        drag(f.view.get(), Qt::RightButton, {}, QPoint(320, 200), QPoint(320, 300));
        QVERIFY(std::abs(cameraDistance(ren) - d2) > 0.02 * d2);
        const QImage image = f.view->renderImage();
        QVERIFY(colouredFraction(image) > 0.02);
    }

    void clickPicksGridCoordinatesAtCentre() {
        auto f = himmelblau();
        // Look straight down at the grid's centre: the view's centre is (0, 0).
        vtkCamera* cam = f.view->renderer()->GetActiveCamera();
        cam->SetWindowCenter(0, 0);
        cam->SetFocalPoint(0, 0, 0);
        cam->SetPosition(0, 0, 40);
        cam->SetViewUp(0, 1, 0);
        f.view->renderer()->ResetCameraClippingRange();
        f.view->renderImage();

        QSignalSpy picks(f.view.get(), &VtkView::picked);
        QSignalSpy surfacePicks(f.scene.get(), &SurfaceScene::surfacePicked);
        // The device centre maps to widget (w/2, h/2) up to half a pixel.
        QTest::mouseClick(f.view.get(), Qt::LeftButton, {}, QPoint(kWidth / 2, kHeight / 2));
        QCOMPARE(picks.count(), 1);
        QCOMPARE(surfacePicks.count(), 1);
        const auto args = surfacePicks.takeFirst();
        const double x = args[0].toDouble(), y = args[1].toDouble(), v = args[2].toDouble();
        // 640×480 pixels over a ~10 unit wide view: a pixel is ~0.03 units.
        QVERIFY2(std::abs(x) < 0.1 && std::abs(y) < 0.1,
                 qPrintable(QString("picked (%1, %2)").arg(x).arg(y)));
        const double expected = basin::evaluate(AnalyticLandscape::Himmelblau, x, y);
        QVERIFY2(std::abs(v - expected) < 0.01 * expected,
                 qPrintable(QString("value %1, expected %2").arg(v).arg(expected)));
        QVERIFY(std::abs(v - 170.0) < 3.0);  // f(0, 0) = 11² + 7²
    }

    void clickPicksMinimumInDefaultView() {
        auto f = himmelblau();
        f.view->renderImage();
        double world[3];
        QVERIFY(f.scene->worldPosition(3.0, 2.0, world));  // a minimum, f = 0
        const QPoint pos = toWidget(f.view.get(), world);
        QSignalSpy surfacePicks(f.scene.get(), &SurfaceScene::surfacePicked);
        QTest::mouseClick(f.view.get(), Qt::LeftButton, {}, pos);
        QCOMPARE(surfacePicks.count(), 1);
        const auto args = surfacePicks.takeFirst();
        QVERIFY2(
            std::hypot(args[0].toDouble() - 3.0, args[1].toDouble() - 2.0) < 0.2,
            qPrintable(QString("picked (%1, %2)").arg(args[0].toDouble()).arg(args[1].toDouble())));
        QVERIFY(args[2].toDouble() < 5.0);

        // The background picks nothing.
        QSignalSpy picks(f.view.get(), &VtkView::picked);
        QTest::mouseClick(f.view.get(), Qt::LeftButton, {}, QPoint(5, 5));
        QCOMPARE(picks.count(), 0);
    }

    void twoViewsSideBySide() {
        QWidget window;
        auto* layout = new QHBoxLayout(&window);
        auto* left = new VtkView;
        auto* right = new VtkView;
        for (auto* v : {left, right}) {
            v->setFixedSize(400, 300);
            layout->addWidget(v);
        }
        SurfaceScene a(left), b(right);
        a.setGrid(basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 61, 61));
        SurfaceScene::Options coolwarm;
        coolwarm.colormap = basin::Colormap::Coolwarm;
        b.setGrid(basin::sampleAnalytic(AnalyticLandscape::SixHumpCamel, 61, 61), coolwarm);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        const QImage li = left->renderImage(), ri = right->renderImage();
        li.save(basin::test::testOutputDir() + "/vtk_two_views_left.png");
        ri.save(basin::test::testOutputDir() + "/vtk_two_views_right.png");
        QVERIFY(colouredFraction(li) > 0.1);
        QVERIFY2(contentFraction(ri) > 0.1, qPrintable(QString::number(contentFraction(ri))));
        QVERIFY(basin::test::structuralSimilarity(li, ri) < 0.9);
        QCOMPARE(left->glErrorCount(), 0);
        QCOMPARE(right->glErrorCount(), 0);

        // Interacting with one leaves the other alone.
        double before[3], after[3];
        right->renderer()->GetActiveCamera()->GetPosition(before);
        drag(left, Qt::LeftButton, {}, QPoint(200, 150), QPoint(260, 150));
        right->renderer()->GetActiveCamera()->GetPosition(after);
        QCOMPARE(after[0], before[0]);
        QVERIFY(basin::test::structuralSimilarity(ri, right->renderImage()) > 0.99);

        // The window's own grab composes both GL views (not black, not transparent).
        const QImage grab = window.grab().toImage();
        grab.save(basin::test::testOutputDir() + "/vtk_two_views_window_grab.png");
        QVERIFY(colouredFraction(grab) > 0.05);
        QCOMPARE(qAlpha(grab.pixel(grab.width() / 4, grab.height() / 2)), 255);
    }

    void survivesMoveBetweenTabWidgets() {
        QTabWidget first, second;
        auto* view = new VtkView;
        SurfaceScene scene(view);
        scene.setGrid(basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 101, 101));
        first.addTab(view, "landscape");
        first.resize(kWidth, kHeight);
        second.resize(kWidth, kHeight);
        first.show();
        second.move(first.x() + 50, first.y() + 50);
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&first));
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        view->setFixedSize(kWidth - 40, kHeight - 60);
        const QImage before = view->renderImage();
        QVERIFY(colouredFraction(before) > 0.1);

        first.removeTab(0);
        second.addTab(view, "moved");
        second.setCurrentWidget(view);
        QTRY_VERIFY(view->isVisible());
        QTest::qWait(50);
        const QImage after = view->renderImage();
        const double ssim = basin::test::structuralSimilarity(before, after);
        QVERIFY2(ssim > 0.98, qPrintable(QString("SSIM %1").arg(ssim)));
        QCOMPARE(view->glErrorCount(), 0);
#ifdef BASIN_VTK_TEST_UNSHARED
        QVERIFY2(view->contextInitCount() >= 2, "expected a new GL context in the new window");
#endif
        // Still interactive after the move.
        QSignalSpy picks(view, &VtkView::picked);
        double world[3];
        QVERIFY(scene.worldPosition(0.0, 0.0, world));
        QTest::mouseClick(view, Qt::LeftButton, {}, toWidget(view, world));
        QCOMPARE(picks.count(), 1);
    }

    void survivesFloatingDock() {
        QMainWindow main;
        main.setCentralWidget(new QWidget);
        auto* dock = new QDockWidget("Landscape 3D", &main);
        auto* view = new VtkView;
        view->setFixedSize(kWidth - 40, kHeight - 60);
        dock->setWidget(view);
        main.addDockWidget(Qt::LeftDockWidgetArea, dock);
        SurfaceScene scene(view);
        scene.setGrid(basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 101, 101));
        main.resize(kWidth + 200, kHeight + 100);
        main.show();
        QVERIFY(QTest::qWaitForWindowExposed(&main));
        const QImage docked = view->renderImage();
        QVERIFY(colouredFraction(docked) > 0.1);

        // The main window's grab shows the surface too (QWidget::grab composes GL views).
        const QImage grab = main.grab().toImage();
        QVERIFY(colouredFraction(grab) > 0.05);

        dock->setFloating(true);
        QTRY_VERIFY(dock->isWindow() && dock->isVisible());
        QVERIFY(QTest::qWaitForWindowExposed(dock));
        QTest::qWait(50);
        const QImage floating = view->renderImage();
        double ssim = basin::test::structuralSimilarity(docked, floating);
        QVERIFY2(ssim > 0.98, qPrintable(QString("floating SSIM %1").arg(ssim)));
        const QImage floatingGrab = dock->grab().toImage();
        QVERIFY(colouredFraction(floatingGrab) > 0.1);

        dock->setFloating(false);
        QTRY_VERIFY(!dock->isWindow());
        QTest::qWait(50);
        const QImage redocked = view->renderImage();
        ssim = basin::test::structuralSimilarity(docked, redocked);
        QVERIFY2(ssim > 0.98, qPrintable(QString("re-docked SSIM %1").arg(ssim)));
        QCOMPARE(view->glErrorCount(), 0);
#ifdef BASIN_VTK_TEST_UNSHARED
        QVERIFY(view->contextInitCount() >= 3);
#endif
    }

    void gridWithHolesRenders() {
        auto grid = basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 41, 41);
        for (std::size_t i = 0; i < 10; ++i)
            grid.value(i, i) = std::nan("");  // not computed
        VtkView view;
        view.setFixedSize(320, 240);
        SurfaceScene scene(&view);
        scene.setGrid(grid);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(colouredFraction(view.renderImage()) > 0.05);
        QVERIFY(std::isnan(scene.interpolate(grid.x[3], grid.y[3])));
        QVERIFY(std::isnan(scene.interpolate(100, 0)));
        QCOMPARE(view.glErrorCount(), 0);
    }

    void frameTime() {
        VtkView view;
        view.setFixedSize(800, 600);
        SurfaceScene scene(&view);
        scene.setGrid(basin::sampleAnalytic(AnalyticLandscape::Himmelblau, 101, 101));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.renderImage();
        double total = 0;
        constexpr int kFrames = 10;
        for (int i = 0; i < kFrames; ++i) {
            view.renderer()->GetActiveCamera()->Azimuth(2);
            view.repaint();
            total += view.lastFrameMs();
        }
        qInfo("VTK frame (render + blit) at 800x600: %.1f ms", total / kFrames);
        QVERIFY(total / kFrames < 1000);
    }
};

#ifdef BASIN_VTK_TEST_UNSHARED
int main(int argc, char** argv) {
    basin::widgets::prepareGuiEnvironment();
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts, false);
    QString displayError;
    if (!basin::widgets::ensureDisplay(&displayError)) {
        std::fprintf(stderr, "%s\n", qPrintable(displayError));
        return 1;
    }
    QApplication app(argc, argv);
    TestVtkView test;
    return QTest::qExec(&test, argc, argv);
}
#else
BASIN_GUI_TEST_MAIN(TestVtkView)
#endif

#include "test_vtk_view.moc"
