#pragma once
// What the VTK view tests share: a shown, fixed-size view with a surface
// scene on it, and the fraction of a picture the surface's colours cover.

#include <QColor>
#include <QImage>
#include <QtTest>
#include <memory>

#include "landscape/Grid2D.h"
#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

namespace basin::test {

struct SurfaceViewFixture {
    std::unique_ptr<widgets::VtkView> view;
    std::unique_ptr<widgets::SurfaceScene> scene;  // destroyed first (its props are in the view)
};

inline SurfaceViewFixture showSurface(const Grid2D& grid,
                                      const widgets::SurfaceScene::Options& options, QSize size) {
    SurfaceViewFixture f;
    f.view = std::make_unique<widgets::VtkView>();
    f.view->setFixedSize(size);
    f.scene = std::make_unique<widgets::SurfaceScene>(f.view.get());
    f.scene->setGrid(grid, options);
    f.view->show();
    if (!QTest::qWaitForWindowExposed(f.view.get())) qWarning("view not exposed");
    return f;
}

// Fraction of pixels that are clearly coloured (not the grey-white background,
// not black): the surface's viridis colours.
inline double colouredFraction(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    qint64 coloured = 0;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const QColor c(line[x]);
            if (c.hsvSaturation() > 80 && c.value() > 40) ++coloured;
        }
    }
    return double(coloured) / (qint64(rgb.width()) * rgb.height());
}

}  // namespace basin::test
