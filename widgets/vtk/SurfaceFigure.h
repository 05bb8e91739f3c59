#pragma once
// Figures of a 3D surface, as the 3D view's "Export figure…" writes them.
//
// The scene is drawn again in its own offscreen VTK window at the figure's
// size — the same grid, options, probe and trajectory, and the view's camera
// (or, while the user has not moved it, the default framing for the figure's
// aspect ratio) — so the export neither disturbs the view on screen nor needs
// it to be visible. By the file's extension:
//  - .png: `size` in pixels at `dpi`. Text sizes are in points and line widths
//    scale with them, so a 300 DPI figure has the proportions of the view on
//    a 72 DPI screen scaled up; the DPI is stored in the PNG (pHYs). Drawn
//    with 8× multisampling.
//  - .svg, .pdf: `size` in points (the page). Text — axis labels and titles,
//    the scalar bar's labels, checkpoint labels — is vector paths, written by
//    VTK's GL2PS exporter. On VTK's OpenGL2 backend GL2PS cannot turn 3D
//    geometry into vectors (it rasterizes it at one pixel per point, and
//    Debian's gl2ps, built without libpng, then drops it from SVG), so the
//    surface, lines and markers are a raster layer at `dpi` under the text,
//    embedded as PNG. The PDF is that SVG drawn by Qt onto a PDF page.
// Next to the figure the grid's values go to a CSV of the same name (the
// contour map's format: x, y, value per grid point, empty = not computed).
//
// Needs an X display (VTK's offscreen windows on Linux use GLX), as the
// views do; the command line starts Xvfb when there is none.

#include <QImage>
#include <QSize>
#include <QString>

namespace basin::widgets {

class SurfaceScene;

// The figure as an image, `size` pixels at `dpi` (also stored in the image).
// A null image when the scene has no surface.
QImage renderSurfaceFigure(const SurfaceScene& scene, QSize size, double dpi);

// Writes the figure (by extension: png, svg, pdf; anything else is PNG) and
// the CSV beside it. Returns false with a sentence in `error` otherwise.
bool exportSurfaceFigure(const SurfaceScene& scene, const QString& path, QSize size, double dpi,
                         QString* error = nullptr);

}  // namespace basin::widgets
