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
// `zMax` clips as the loss-landscape tool's plot_2D/plot_surface --zmax and
// --vmax do: values above it are shown as zMax — height, colour and scalar
// bar — so one diverged corner does not flatten the basin into a plane.
//
// Two overlays follow the surface through every setGrid() (progressive
// refinement replaces the grid many times): the probe, a white sphere on the
// surface with a dark pin rising to the top of the box so it stays visible
// behind hills; and the training trajectory, a red polyline draped on the
// surface (sampled finer than the grid, lifted a hair above it) with a red
// sphere and a label at each checkpoint — the same colours as the contour
// map. Parts of either that fall outside the grid or on points not computed
// yet are left out.
//
// A click on the surface emits surfacePicked(x, y, value) in grid coordinates,
// the value interpolated bilinearly from the grid (the raw value, also with
// logScale and zMax).
//
// A scene can also live on a bare renderer (no VtkView): that is how
// exportSurfaceFigure (SurfaceFigure.h) draws the same picture offscreen.

#include <QObject>
#include <limits>
#include <memory>
#include <vector>

#include "landscape/ContourMapView.h"
#include "landscape/Grid2D.h"
#include "util/Colormap.h"

class vtkActor;
class vtkCamera;
class vtkPolyData;
class vtkRenderer;

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
        // Values above are shown as zMax (in the value's units, before
        // logScale); NaN = no clipping.
        double zMax = std::numeric_limits<double>::quiet_NaN();
    };
    // A point (a, b) on the plane with an optional label: a checkpoint of the
    // trajectory. The contour map's type, so one list feeds both views.
    using Marker = ContourMapView::Marker;

    // Adds its props to view->renderer(); the view must outlive the scene.
    explicit SurfaceScene(VtkView* view, QObject* parent = nullptr);
    // A scene on a renderer without a view (offscreen figures): no picking,
    // no re-framing on resize. The renderer's window, once it has one, sizes
    // the layout; the renderer must outlive the scene.
    explicit SurfaceScene(vtkRenderer* renderer, QObject* parent = nullptr);
    ~SurfaceScene() override;

    // Replaces the shown grid. With resetCamera the view is framed with the
    // default camera; otherwise the user's camera is kept.
    void setGrid(const Grid2D& grid, const Options& options, bool resetCamera = true);
    void setGrid(const Grid2D& grid) { setGrid(grid, Options{}); }
    const Grid2D& grid() const;
    const Options& options() const;

    // Default camera: azimuth -120°, elevation 30°, the whole box in view.
    void resetCamera();
    // Whether the camera is still the default one (the user has not moved it).
    bool cameraIsDefault() const;

    // The probe's marker at (x, y); hidden while (x, y) is off the surface.
    void setProbe(double x, double y);
    void clearProbe();
    bool hasProbe() const;
    double probeX() const;
    double probeY() const;
    // The trajectory through the plane, checkpoints in order (empty: none).
    void setTrajectory(const std::vector<Marker>& points);
    const std::vector<Marker>& trajectory() const;

    // World position of grid point (x, y) on the surface (for placing markers
    // and for tests). Returns false when (x, y) is outside the grid or NaN.
    bool worldPosition(double x, double y, double world[3]) const;
    // Value of the grid at (x, y), bilinearly interpolated; NaN outside.
    double interpolate(double x, double y) const;

    // The shown geometry, for tests and export: the surface (world
    // coordinates, scalars = shown values), the trajectory's polylines, its
    // checkpoint markers (one point each, at the marker's centre), and the
    // probe's sphere (hidden when there is no probe on the surface).
    vtkActor* surfaceActor() const;
    vtkPolyData* surfacePolyData() const;
    vtkPolyData* trajectoryPolyData() const;
    vtkPolyData* checkpointPolyData() const;
    vtkActor* probeActor() const;
    // The renderer the scene draws into (its camera is the scene's camera).
    vtkRenderer* renderer() const;
    // Draws every text (labels, titles) fully transparent, keeping the layout:
    // the raster layer of a vector figure, under GL2PS's vector text.
    void setTextVisible(bool visible);

Q_SIGNALS:
    void surfacePicked(double x, double y, double value);

private:
    struct Private;
    std::unique_ptr<Private> d;

    void setUp(vtkRenderer* renderer);
    void onViewPicked(double wx, double wy, double wz);
    void rebuild();
    void rebuildOverlays();
    void applyLineWidths();
    void applyTextOpacity();
    void placeScalarBar();
    void render();
};

}  // namespace basin::widgets
