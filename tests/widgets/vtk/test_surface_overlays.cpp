// SurfaceScene's clipping (zMax), probe marker and trajectory, and the 3D
// figure export (SurfaceFigure.h) under Xvfb + Mesa: geometry checked against
// the grid, the exported PNG's size, DPI and content, SVG and PDF files that
// parse, and the CSV beside them. The overlay picture is compared with a
// baseline and written to the test output folder.

#include <QFile>
#include <QPainter>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <memory>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkDataArray.h>
#include <vtkIdList.h>
#include <vtkMapper.h>
#include <vtkNew.h>
#include <vtkOutputWindow.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkStringOutputWindow.h>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "SurfaceViewFixture.h"
#include "landscape/AnalyticLandscape.h"
#include "vtk/SurfaceFigure.h"
#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

using basin::AnalyticLandscape;
using basin::Grid2D;
using basin::test::colouredFraction;
using basin::widgets::SurfaceScene;
using basin::widgets::VtkView;

namespace {

constexpr int kWidth = 800, kHeight = 600;

Grid2D himmelblau(std::size_t n = 101) {
    return basin::sampleAnalytic(AnalyticLandscape::Himmelblau, n, n);
}

// A path through Himmelblau's plane ending in its minimum (3, 2), labelled
// like the contour map's test.
std::vector<SurfaceScene::Marker> trajectory() {
    return {{-4, -4, "epoch 0"}, {-1, 0, ""}, {2, 1.5, ""}, {3, 2, "epoch 3"}};
}

double zOf(vtkPolyData* poly, vtkIdType id) {
    return poly->GetPoint(id)[2];
}

// Pixels of the trajectory's red (220, 50, 47), shaded or not.
int redPixels(const QImage& image) {
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c(image.pixel(x, y));
            if (c.red() > 150 && c.green() < 90 && c.blue() < 90) ++n;
        }
    }
    return n;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestSurfaceOverlays : public QObject {
    Q_OBJECT

    vtkNew<vtkStringOutputWindow> vtkOutput_;

    static basin::test::SurfaceViewFixture shown(const Grid2D& grid,
                                                 const SurfaceScene::Options& options = {}) {
        return basin::test::showSurface(grid, options, QSize(kWidth, kHeight));
    }

    static SurfaceScene::Options figureOptions() {
        SurfaceScene::Options options;
        options.logScale = true;
        options.contours = true;
        options.zMax = 200;
        return options;
    }

private Q_SLOTS:
    void initTestCase() { vtkOutputWindow::SetInstance(vtkOutput_); }

    void cleanup() {
        const std::string out = vtkOutput_->GetOutput();
        QVERIFY2(out.find("ERROR") == std::string::npos && out.find("rror:") == std::string::npos,
                 out.c_str());
    }

    void zMaxClipsHeightAndColour() {
        const Grid2D grid = himmelblau();
        SurfaceScene::Options options;
        options.zMax = 100;
        SurfaceScene scene(static_cast<VtkView*>(nullptr));
        scene.setGrid(grid, options);
        vtkPolyData* poly = scene.surfacePolyData();
        QCOMPARE(poly->GetNumberOfPoints(), vtkIdType(grid.values.size()));
        double range[2];
        poly->GetPointData()->GetScalars()->GetRange(range);
        QCOMPARE(range[1], 100.0);  // the colour range ends at zMax

        const double lo = grid.finiteRange().first;
        double top = 0;
        for (vtkIdType i = 0; i < poly->GetNumberOfPoints(); ++i)
            top = std::max(top, zOf(poly, i));
        int clipped = 0;
        for (std::size_t i = 0; i < grid.values.size(); ++i) {
            const double v = grid.values[i], z = zOf(poly, vtkIdType(i));
            // Heights are linear in the clipped value: z = (min(v, zMax) − lo)·scale.
            const double expected = top * (std::min(v, 100.0) - lo) / (100.0 - lo);
            QVERIFY2(
                std::abs(z - expected) < 1e-9 * top,
                qPrintable(QString("point %1: z %2, expected %3").arg(i).arg(z).arg(expected)));
            if (v >= 100) ++clipped;
        }
        QVERIFY(clipped > 1000);  // most of Himmelblau's square is above 100
        // Points far above zMax stand exactly as high as zMax.
        double corner[3], atClip[3];
        QVERIFY(scene.worldPosition(-5, -5, corner));  // f = 890
        QCOMPARE(corner[2], top);

        // With log scale the clipped value is log(1 + zMax).
        options.logScale = true;
        scene.setGrid(grid, options);
        scene.surfacePolyData()->GetPointData()->GetScalars()->GetRange(range);
        QVERIFY(std::abs(range[1] - std::log1p(100.0)) < 1e-12);
        QVERIFY(scene.worldPosition(-5, -5, corner));
        QVERIFY(scene.worldPosition(5, 5, atClip));  // f = 890 too
        QCOMPARE(corner[2], atClip[2]);

        // NaN = off: the full range comes back.
        scene.setGrid(grid, SurfaceScene::Options{});
        scene.surfacePolyData()->GetPointData()->GetScalars()->GetRange(range);
        QCOMPARE(range[1], grid.finiteRange().second);
    }

    void probeMarkerSitsOnSurfaceThroughRefinement() {
        auto f = shown(himmelblau(21));
        SurfaceScene& scene = *f.scene;
        QVERIFY(!scene.probeActor()->GetVisibility());
        scene.setProbe(3.0, 2.0);
        for (std::size_t n : {21u, 51u, 101u}) {  // progressive refinement replaces the grid
            scene.setGrid(himmelblau(n), figureOptions(), false);
            QVERIFY(scene.hasProbe());
            QVERIFY(scene.probeActor()->GetVisibility());
            double world[3], bounds[6];
            QVERIFY(scene.worldPosition(3.0, 2.0, world));
            scene.probeActor()->GetMapper()->Update();
            scene.probeActor()->GetBounds(bounds);
            const double centre[3] = {(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2,
                                      (bounds[4] + bounds[5]) / 2};
            for (int k = 0; k < 3; ++k)
                QVERIFY2(
                    std::abs(centre[k] - world[k]) < 0.02,
                    qPrintable(QString("axis %1: %2 vs %3").arg(k).arg(centre[k]).arg(world[k])));
            QVERIFY(bounds[1] - bounds[0] > 0.1);  // big enough to see on a 10-unit plane
        }
        const QImage image = f.view->renderImage();
        QVERIFY(colouredFraction(image) > 0.1);

        scene.setProbe(100, 0);  // off the plane: nothing to draw
        QVERIFY(!scene.probeActor()->GetVisibility());
        scene.setProbe(0, 0);
        QVERIFY(scene.probeActor()->GetVisibility());
        scene.clearProbe();
        QVERIFY(!scene.hasProbe());
        QVERIFY(!scene.probeActor()->GetVisibility());
    }

    void trajectoryIsDrapedOnSurface() {
        SurfaceScene scene(static_cast<VtkView*>(nullptr));
        const auto path = trajectory();
        scene.setTrajectory(path);
        for (std::size_t n : {51u, 101u}) {
            const Grid2D grid = himmelblau(n);
            scene.setGrid(grid, figureOptions());
            vtkPolyData* line = scene.trajectoryPolyData();
            QCOMPARE(line->GetNumberOfLines(), vtkIdType(1));

            // Each segment sampled every half grid cell, the shared ends once.
            const double halfCell = 0.5 * (grid.x.back() - grid.x.front()) / double(n - 1);
            vtkIdType expected = 1;
            for (std::size_t i = 0; i + 1 < path.size(); ++i) {
                const double length =
                    std::hypot(path[i + 1].a - path[i].a, path[i + 1].b - path[i].b);
                expected += vtkIdType(std::ceil(length / halfCell));
            }
            QCOMPARE(line->GetNumberOfPoints(), expected);

            // Every point lies on the surface, lifted by the same hair, and
            // the line passes through every checkpoint in order.
            double first[3], last[3];
            QVERIFY(scene.worldPosition(path.front().a, path.front().b, first));
            QVERIFY(scene.worldPosition(path.back().a, path.back().b, last));
            double bounds[6];
            scene.surfacePolyData()->GetBounds(bounds);
            const double lift = line->GetPoint(0)[2] - first[2];
            QVERIFY(lift > 0 && lift < 0.01 * (bounds[5] - bounds[4]));
            std::size_t next = 0;
            for (vtkIdType i = 0; i < line->GetNumberOfPoints(); ++i) {
                const double* p = line->GetPoint(i);
                double on[3];
                QVERIFY(scene.worldPosition(p[0], p[1], on));
                QVERIFY(std::abs(p[2] - on[2] - lift) < 1e-9);
                if (next < path.size() &&
                    std::hypot(p[0] - path[next].a, p[1] - path[next].b) < 1e-9)
                    ++next;
            }
            QCOMPARE(next, path.size());
            QCOMPARE(line->GetPoint(line->GetNumberOfPoints() - 1)[0], last[0]);

            // A sphere per checkpoint, centred on the surface.
            vtkPolyData* markers = scene.checkpointPolyData();
            QCOMPARE(markers->GetNumberOfPoints(), vtkIdType(path.size()));
            for (std::size_t i = 0; i < path.size(); ++i) {
                double w[3];
                QVERIFY(scene.worldPosition(path[i].a, path[i].b, w));
                const double* m = markers->GetPoint(vtkIdType(i));
                QVERIFY(std::hypot(m[0] - w[0], m[1] - w[1], m[2] - w[2]) < 1e-9);
            }
        }

        // A path leaving the plane and coming back is drawn in two pieces;
        // the checkpoint off the plane has no marker.
        scene.setTrajectory({{-4, -4, "a"}, {9, 0, "off"}, {3, 2, "b"}});
        QCOMPARE(scene.trajectoryPolyData()->GetNumberOfLines(), vtkIdType(2));
        QCOMPARE(scene.checkpointPolyData()->GetNumberOfPoints(), vtkIdType(2));
        scene.setTrajectory({});
        QCOMPARE(scene.trajectoryPolyData()->GetNumberOfPoints(), vtkIdType(0));
        QCOMPARE(scene.checkpointPolyData()->GetNumberOfPoints(), vtkIdType(0));
    }

    void overlaysMatchBaseline() {
        auto f = shown(himmelblau(), figureOptions());
        f.scene->setTrajectory(trajectory());
        f.scene->setProbe(-2.805, 3.131);  // another of Himmelblau's minima
        const QImage image = f.view->renderImage();
        image.save(basin::test::testOutputDir() + "/vtk_surface_overlays.png");
        QVERIFY(colouredFraction(image) > 0.15);
        QVERIFY2(redPixels(image) > 300, qPrintable(QString::number(redPixels(image))));
        QCOMPARE(f.view->glErrorCount(), 0);
        if (f.view->devicePixelRatioF() != 1.0) QSKIP("baselines are for device pixel ratio 1");
        BASIN_COMPARE_IMAGE(image, "vtk_surface_overlays", 0.95);
    }

    void figureFollowsViewCamera() {
        auto f = shown(himmelblau(), figureOptions());
        f.scene->setTrajectory(trajectory());
        f.scene->setProbe(3, 2);
        const QSize size(kWidth, kHeight);
        // Default camera: the figure at the view's size and 72 DPI is the view.
        QImage view = f.view->renderImage();
        QImage figure = basin::widgets::renderSurfaceFigure(*f.scene, size, 72);
        double ssim =
            basin::test::structuralSimilarity(view, figure.convertToFormat(view.format()));
        QVERIFY2(ssim > 0.85, qPrintable(QString("default camera: SSIM %1").arg(ssim)));
        // A camera the user moved is kept.
        f.view->renderer()->GetActiveCamera()->Azimuth(70);
        f.view->renderer()->GetActiveCamera()->Elevation(20);
        f.view->renderer()->ResetCameraClippingRange();
        view = f.view->renderImage();
        figure = basin::widgets::renderSurfaceFigure(*f.scene, size, 72);
        figure.save(basin::test::testOutputDir() + "/vtk_surface_figure_rotated.png");
        ssim = basin::test::structuralSimilarity(view, figure.convertToFormat(view.format()));
        QVERIFY2(ssim > 0.85, qPrintable(QString("rotated camera: SSIM %1").arg(ssim)));
        // The view still renders after the offscreen window came and went.
        QVERIFY(colouredFraction(f.view->renderImage()) > 0.1);
        QCOMPARE(f.view->glErrorCount(), 0);
    }

    void exportsPngWithDpiAndCsv() {
        QTemporaryDir dir;
        auto f = shown(himmelblau(41), figureOptions());
        f.scene->setTrajectory(trajectory());
        f.scene->setProbe(3, 2);
        const QString png = dir.filePath("landscape.png");
        QString error;
        QVERIFY2(basin::widgets::exportSurfaceFigure(*f.scene, png, QSize(1500, 1000), 200, &error),
                 qPrintable(error));
        QImage image(png);
        QCOMPARE(image.size(), QSize(1500, 1000));
        QCOMPARE(image.dotsPerMeterX(), int(std::lround(200 / 0.0254)));
        QCOMPARE(image.dotsPerMeterY(), int(std::lround(200 / 0.0254)));
        QVERIFY(colouredFraction(image) > 0.15);
        QVERIFY(redPixels(image) > 500);
        image.save(basin::test::testOutputDir() + "/vtk_surface_figure_200dpi.png");

        // The CSV beside it holds the grid's values (x outer), raw, not clipped.
        const QList<QByteArray> lines =
            readAll(dir.filePath("landscape.csv")).trimmed().split('\n');
        const Grid2D& grid = f.scene->grid();
        QCOMPARE(lines.size(), qsizetype(1 + grid.values.size()));
        QVERIFY(lines[0].startsWith("x,y,"));
        for (std::size_t i : {std::size_t(0), std::size_t(17), grid.values.size() - 1}) {
            const QList<QByteArray> cells = lines[qsizetype(1 + i)].split(',');
            QCOMPARE(cells.size(), qsizetype(3));
            QCOMPARE(cells[0].toDouble(), grid.x[i / grid.ny()]);
            QCOMPARE(cells[1].toDouble(), grid.y[i % grid.ny()]);
            QVERIFY(std::abs(cells[2].toDouble() - grid.values[i]) < 1e-8 * (1 + grid.values[i]));
        }
    }

    void exportsSvgAndPdf() {
        QTemporaryDir dir;
        auto f = shown(himmelblau(41), figureOptions());
        f.scene->setTrajectory(trajectory());
        f.scene->setProbe(3, 2);
        QString error;
        const QString svg = dir.filePath("landscape.svg");
        QVERIFY2(basin::widgets::exportSurfaceFigure(*f.scene, svg, QSize(800, 600), 72, &error),
                 qPrintable(error));
        const QByteArray svgText = readAll(svg);
        QFile::remove(basin::test::testOutputDir() + "/vtk_surface_figure.svg");
        QFile::copy(svg, basin::test::testOutputDir() + "/vtk_surface_figure.svg");
        QVERIFY2(svgText.size() > 20000, qPrintable(QString::number(svgText.size())));
        QVERIFY(svgText.contains("<svg"));
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        // Drawn back with Qt's SVG renderer, the figure shows the surface.
        QImage drawn(800, 600, QImage::Format_RGB32);
        drawn.fill(Qt::white);
        {
            QPainter painter(&drawn);
            renderer.render(&painter);
        }
        drawn.save(basin::test::testOutputDir() + "/vtk_surface_figure_svg.png");
        QVERIFY2(colouredFraction(drawn) > 0.1,
                 qPrintable(QString::number(colouredFraction(drawn))));
        QVERIFY(QFile::exists(dir.filePath("landscape.csv")));

        const QString pdf = dir.filePath("landscape.pdf");
        QVERIFY2(basin::widgets::exportSurfaceFigure(*f.scene, pdf, QSize(800, 600), 72, &error),
                 qPrintable(error));
        const QByteArray pdfBytes = readAll(pdf);
        QVERIFY2(pdfBytes.size() > 20000, qPrintable(QString::number(pdfBytes.size())));
        QVERIFY(pdfBytes.startsWith("%PDF-"));
        QVERIFY(pdfBytes.trimmed().endsWith("%%EOF"));
        // No temporary files left beside the figures.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 3);
        QCOMPARE(f.view->glErrorCount(), 0);
    }

    void exportWithoutSurfaceFails() {
        SurfaceScene scene(static_cast<VtkView*>(nullptr));
        QTemporaryDir dir;
        QString error;
        QVERIFY(!basin::widgets::exportSurfaceFigure(scene, dir.filePath("x.png"), QSize(100, 100),
                                                     72, &error));
        QVERIFY(!error.isEmpty());
    }
};

BASIN_GUI_TEST_MAIN(TestSurfaceOverlays)

#include "test_surface_overlays.moc"
