#pragma once
// SurfaceScene: a Grid2D (a loss surface, an analytic landscape) shown as a 3D
// surface in a VtkView, styled for a figure: height and colour follow the
// value (viridis by default), a scalar bar titled with the grid's name, a
// labelled box of axes with grid lines on the back walls, optional contour
// lines, a light neutral background and a camera at 30° elevation.
//
// The surface lives in the grid's own (x, y) coordinates; heights are scaled
// so that the value range spans `heightAspect` of the larger horizontal extent,
// whatever the units of the values. Landscapes spanning decades (a loss from
// 1e-3 to 1e2) read better with `logScale`, which maps v to log(1 + v) for
// height, colour and the scalar bar.
//
// Points with NaN values ("not computed yet") leave holes: cells touching them
// are not drawn.
//
// A click on the surface emits surfacePicked(x, y, value) in grid coordinates,
// the value interpolated bilinearly from the grid (the raw value, also with
// logScale).

#include <QObject>
#include <memory>

#include "landscape/Grid2D.h"
#include "util/Colormap.h"

class vtkActor;

namespace basin::widgets {

class VtkView;

class SurfaceScene : public QObject {
    Q_OBJECT

public:
    struct Options {
        Colormap colormap = Colormap::Viridis;
        bool logScale = false;      // show log(1 + v) instead of v (v >= 0 data)
        bool contours = false;      // iso-value lines on the surface
        int contourCount = 12;      // lines evenly spaced in the shown value
        double heightAspect = 0.6;  // value range height / larger of x, y extents
        bool scalarBar = true;
        bool axes = true;
    };

    // Adds its props to view->renderer(); the view must outlive the scene.
    explicit SurfaceScene(VtkView* view, QObject* parent = nullptr);
    ~SurfaceScene() override;

    // Replaces the shown grid. With resetCamera the view is framed with the
    // default camera; otherwise the user's camera is kept.
    void setGrid(const Grid2D& grid, const Options& options, bool resetCamera = true);
    void setGrid(const Grid2D& grid) { setGrid(grid, Options{}); }
    const Grid2D& grid() const;
    const Options& options() const;

    // Default camera: azimuth -120°, elevation 30°, the whole box in view.
    void resetCamera();

    // World position of grid point (x, y) on the surface (for placing markers
    // and for tests). Returns false when (x, y) is outside the grid or NaN.
    bool worldPosition(double x, double y, double world[3]) const;
    // Value of the grid at (x, y), bilinearly interpolated; NaN outside.
    double interpolate(double x, double y) const;

    vtkActor* surfaceActor() const;

Q_SIGNALS:
    void surfacePicked(double x, double y, double value);

private:
    struct Private;
    std::unique_ptr<Private> d;

    void onViewPicked(double wx, double wy, double wz);
    void rebuild();
    void placeScalarBar();
};

}  // namespace basin::widgets
