#include "vtk/SurfaceScene.h"

#include <QPointer>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkContourFilter.h>
#include <vtkCoordinate.h>
#include <vtkCubeAxesActor.h>
#include <vtkDoubleArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGlyph3D.h>
#include <vtkLineSource.h>
#include <vtkLookupTable.h>
#include <vtkMapper.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSmartPointer.h>
#include <vtkSphereSource.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "vtk/VtkView.h"

namespace basin::widgets {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDegree = 3.14159265358979323846 / 180.0;
// Figure colours: near-black text, mid-grey axes, light-grey grid lines.
constexpr double kText[3] = {0.13, 0.13, 0.13};
constexpr double kAxes[3] = {0.35, 0.35, 0.35};
constexpr double kGridLines[3] = {0.82, 0.82, 0.82};
// The contour map's trajectory red (220, 50, 47); the probe white with a dark pin.
constexpr double kTrajectory[3] = {220 / 255.0, 50 / 255.0, 47 / 255.0};
constexpr double kProbe[3] = {1.0, 1.0, 1.0};
constexpr double kProbePin[3] = {0.10, 0.10, 0.10};
// Marker sizes as fractions of the larger horizontal extent.
constexpr double kProbeRadius = 0.022;
constexpr double kCheckpointRadius = 0.013;
constexpr double kLabelBackgroundOpacity = 0.75;

void styleText(vtkTextProperty* p, int size, bool bold = false) {
    p->SetFontFamilyToArial();
    p->SetFontSize(size);
    p->SetColor(kText[0], kText[1], kText[2]);
    p->SetBold(bold);
    p->SetItalic(false);
    p->SetShadow(false);
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `count`
// ticks over `span`, as plotting libraries choose them.
double niceStep(double span, int count) {
    const double raw = span / std::max(1, count);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0}) {
        if (raw <= m * magnitude) return m * magnitude;
    }
    return 10 * magnitude;
}

}  // namespace

struct SurfaceScene::Private {
    QPointer<VtkView> view;
    vtkSmartPointer<vtkRenderer> bareRenderer;  // scenes without a view hold theirs
    Grid2D grid;
    Options options;
    Grid2D shownGrid;                 // the values as shown (log, clipped)
    double shownLo = 0, shownHi = 1;  // range of the shown (maybe log) values
    double zScale = 1;                // world z per shown-value unit
    double bounds[6] = {0, 1, 0, 1, 0, 1};
    // The camera's modification time right after resetCamera(): while it is
    // unchanged the user has not moved the camera, and a resize re-frames.
    vtkMTimeType defaultCameraTime = 0;
    bool barBelow = false;  // narrow views put the scalar bar under the surface

    vtkNew<vtkPolyData> surface;
    vtkNew<vtkPolyDataNormals> normals;
    vtkNew<vtkPolyDataMapper> surfaceMapper;
    vtkNew<vtkActor> surfaceActor;
    vtkNew<vtkLookupTable> lut;
    vtkNew<vtkContourFilter> contours;
    vtkNew<vtkPolyDataMapper> contourMapper;
    vtkNew<vtkActor> contourActor;
    vtkNew<vtkScalarBarActor> scalarBar;
    vtkNew<vtkDoubleArray> barTicks;
    // The bar's own title is centred over it and gets clipped at the view's
    // edge in narrow views; this one is anchored to the top-right corner.
    vtkNew<vtkTextActor> barTitle;
    vtkNew<vtkCubeAxesActor> axes;

    // The probe: a sphere on the surface and a pin above it.
    bool hasProbe = false;
    double probeX = 0, probeY = 0;
    vtkNew<vtkSphereSource> probeSphere;
    vtkNew<vtkPolyDataMapper> probeMapper;
    vtkNew<vtkActor> probeActor;
    vtkNew<vtkLineSource> probePin;
    vtkNew<vtkPolyDataMapper> pinMapper;
    vtkNew<vtkActor> pinActor;
    // The trajectory: draped polylines, a sphere per checkpoint, labels.
    std::vector<Marker> trajectory;
    vtkNew<vtkPolyData> trajectoryLine;
    vtkNew<vtkPolyDataMapper> trajectoryMapper;
    vtkNew<vtkActor> trajectoryActor;
    vtkNew<vtkPolyData> checkpoints;
    vtkNew<vtkSphereSource> checkpointSphere;
    vtkNew<vtkGlyph3D> checkpointGlyphs;
    vtkNew<vtkPolyDataMapper> checkpointMapper;
    vtkNew<vtkActor> checkpointActor;
    std::vector<vtkSmartPointer<vtkTextActor>> labels;
    bool textVisible = true;

    double shown(double v) const {
        if (!std::isfinite(v)) return kNaN;
        if (std::isfinite(options.zMax)) v = std::min(v, options.zMax);
        return options.logScale ? std::log1p(std::max(v, 0.0)) : v;
    }
    // The view's renderer (nullptr once the view is gone), or the bare one.
    vtkRenderer* renderer() const { return view ? view->renderer() : bareRenderer.GetPointer(); }
    // The renderer's window size (nullptr before it has a window).
    const int* windowSize() const {
        vtkRenderer* ren = renderer();
        vtkRenderWindow* w = ren ? ren->GetRenderWindow() : nullptr;
        return w ? w->GetSize() : nullptr;
    }
    // Device pixels per point of the window (1 on a plain screen, 2 on HiDPI,
    // 300/72 for a 300 DPI figure): pixel sizes of the layout scale by it.
    double pixelScale() const {
        vtkRenderer* ren = renderer();
        vtkRenderWindow* w = ren ? ren->GetRenderWindow() : nullptr;
        return w ? std::max(1.0, w->GetDPI() / 72.0) : 1.0;
    }
    double horizontalExtent() const {
        return std::max(bounds[1] - bounds[0], bounds[3] - bounds[2]);
    }
};

SurfaceScene::SurfaceScene(VtkView* view, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>()) {
    d->view = view;
    setUp(view ? view->renderer() : nullptr);
    if (!view) return;
    // The framing depends on the view's aspect ratio, unknown until it is laid
    // out: re-frame on resize as long as the user has not moved the camera.
    connect(view, &VtkView::resized, this, [this] {
        if (!d->view) return;
        const bool framed = cameraIsDefault();
        placeScalarBar();
        applyLineWidths();
        if (framed) resetCamera();
    });
    connect(view, &VtkView::picked, this, &SurfaceScene::onViewPicked);
}

SurfaceScene::SurfaceScene(vtkRenderer* renderer, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>()) {
    d->bareRenderer = renderer;
    setUp(renderer);
}

void SurfaceScene::setUp(vtkRenderer* renderer) {
    d->normals->SetInputData(d->surface);
    d->normals->SplittingOff();  // smooth shading across the whole surface
    d->normals->ConsistencyOn();
    d->surfaceMapper->SetInputConnection(d->normals->GetOutputPort());
    d->surfaceMapper->SetLookupTable(d->lut);
    d->surfaceMapper->SetScalarModeToUsePointData();
    d->surfaceMapper->SetColorModeToMapScalars();
    d->surfaceMapper->InterpolateScalarsBeforeMappingOn();  // exact colours across cells
    d->surfaceActor->SetMapper(d->surfaceMapper);
    vtkProperty* p = d->surfaceActor->GetProperty();
    p->SetInterpolationToGouraud();
    p->SetAmbient(0.25);
    p->SetDiffuse(0.75);
    p->SetSpecular(0.10);
    p->SetSpecularPower(30);

    d->contours->SetInputData(d->surface);
    d->contourMapper->SetInputConnection(d->contours->GetOutputPort());
    d->contourMapper->ScalarVisibilityOff();
    d->contourActor->SetMapper(d->contourMapper);
    d->contourActor->GetProperty()->SetColor(0.1, 0.1, 0.1);
    d->contourActor->GetProperty()->SetLighting(false);
    // Draw lines lying on polygons in front of them (depth offset), the setting
    // ParaView uses; VTK's default leaves them z-fighting with the surface.
    vtkMapper::SetResolveCoincidentTopologyToPolygonOffset();
    d->contourActor->PickableOff();

    vtkScalarBarActor* bar = d->scalarBar;
    bar->SetLookupTable(d->lut);
    bar->SetLabelFormat("%.3g");
    bar->UseCustomLabelsOn();  // round numbers, not the range split in four
    bar->UnconstrainedFontSizeOn();
    styleText(bar->GetLabelTextProperty(), 13);
    bar->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    bar->SetBarRatio(0.25);
    bar->PickableOff();
    vtkTextActor* title = d->barTitle;
    title->SetTextScaleModeToNone();
    styleText(title->GetTextProperty(), 14, true);
    title->GetTextProperty()->SetVerticalJustificationToTop();
    title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    title->PickableOff();
    placeScalarBar();

    vtkCubeAxesActor* ax = d->axes;
    ax->SetFlyModeToOuterEdges();
    ax->SetGridLineLocation(vtkCubeAxesActor::VTK_GRID_LINES_FURTHEST);
    ax->DrawXGridlinesOn();
    ax->DrawYGridlinesOn();
    ax->DrawZGridlinesOn();
    ax->SetTickLocationToOutside();
    ax->XAxisMinorTickVisibilityOff();
    ax->YAxisMinorTickVisibilityOff();
    ax->ZAxisMinorTickVisibilityOff();
    ax->SetXLabelFormat("%.3g");
    ax->SetYLabelFormat("%.3g");
    ax->SetZLabelFormat("%.3g");
    ax->SetUse2DMode(1);  // screen-aligned labels: crisp and readable at any angle
    for (int i = 0; i < 3; ++i) {
        styleText(ax->GetTitleTextProperty(i), 15);
        styleText(ax->GetLabelTextProperty(i), 13);
    }
    for (vtkProperty* lines :
         {ax->GetXAxesLinesProperty(), ax->GetYAxesLinesProperty(), ax->GetZAxesLinesProperty()}) {
        lines->SetColor(kAxes[0], kAxes[1], kAxes[2]);
    }
    for (vtkProperty* lines : {ax->GetXAxesGridlinesProperty(), ax->GetYAxesGridlinesProperty(),
                               ax->GetZAxesGridlinesProperty()}) {
        lines->SetColor(kGridLines[0], kGridLines[1], kGridLines[2]);
    }
    ax->PickableOff();

    // The overlays: unlit lines, lit spheres; none of them is pickable, so a
    // click on a marker picks the surface under it.
    d->probeSphere->SetThetaResolution(24);
    d->probeSphere->SetPhiResolution(16);
    d->probeMapper->SetInputConnection(d->probeSphere->GetOutputPort());
    d->probeActor->SetMapper(d->probeMapper);
    d->probeActor->GetProperty()->SetColor(kProbe[0], kProbe[1], kProbe[2]);
    d->probeActor->GetProperty()->SetSpecular(0.3);
    d->pinMapper->SetInputConnection(d->probePin->GetOutputPort());
    d->pinActor->SetMapper(d->pinMapper);
    d->pinActor->GetProperty()->SetColor(kProbePin[0], kProbePin[1], kProbePin[2]);
    d->pinActor->GetProperty()->SetLighting(false);
    d->trajectoryMapper->SetInputData(d->trajectoryLine);
    d->trajectoryMapper->ScalarVisibilityOff();
    d->trajectoryActor->SetMapper(d->trajectoryMapper);
    d->trajectoryActor->GetProperty()->SetColor(kTrajectory[0], kTrajectory[1], kTrajectory[2]);
    d->trajectoryActor->GetProperty()->SetLighting(false);
    d->checkpointSphere->SetThetaResolution(16);
    d->checkpointSphere->SetPhiResolution(12);
    d->checkpointGlyphs->SetInputData(d->checkpoints);
    d->checkpointGlyphs->SetSourceConnection(d->checkpointSphere->GetOutputPort());
    d->checkpointGlyphs->SetScaleModeToDataScalingOff();
    d->checkpointMapper->SetInputConnection(d->checkpointGlyphs->GetOutputPort());
    d->checkpointMapper->ScalarVisibilityOff();
    d->checkpointActor->SetMapper(d->checkpointMapper);
    d->checkpointActor->GetProperty()->SetColor(kTrajectory[0], kTrajectory[1], kTrajectory[2]);
    d->checkpointActor->GetProperty()->SetSpecular(0.3);
    for (vtkActor* a : {d->probeActor.GetPointer(), d->pinActor.GetPointer(),
                        d->trajectoryActor.GetPointer(), d->checkpointActor.GetPointer()}) {
        a->PickableOff();
        a->VisibilityOff();
    }
    applyLineWidths();

    if (vtkRenderer* ren = renderer) {
        ren->SetBackground(1.0, 1.0, 1.0);
        ren->SetBackground2(0.90, 0.91, 0.93);
        ren->GradientBackgroundOn();
        ax->SetCamera(ren->GetActiveCamera());
        ren->AddActor(d->surfaceActor);
        ren->AddActor(d->contourActor);
        ren->AddActor(d->axes);
        ren->AddActor(d->trajectoryActor);
        ren->AddActor(d->checkpointActor);
        ren->AddActor(d->probeActor);
        ren->AddActor(d->pinActor);
        ren->AddViewProp(d->scalarBar);
        ren->AddViewProp(d->barTitle);
    }
    d->surfaceActor->VisibilityOff();
    d->contourActor->VisibilityOff();
    d->axes->VisibilityOff();
    d->scalarBar->VisibilityOff();
    d->barTitle->VisibilityOff();
}

SurfaceScene::~SurfaceScene() {
    vtkRenderer* ren = d->renderer();
    if (!ren) return;
    for (vtkProp* p :
         {static_cast<vtkProp*>(d->surfaceActor), static_cast<vtkProp*>(d->contourActor),
          static_cast<vtkProp*>(d->axes), static_cast<vtkProp*>(d->trajectoryActor),
          static_cast<vtkProp*>(d->checkpointActor), static_cast<vtkProp*>(d->probeActor),
          static_cast<vtkProp*>(d->pinActor), static_cast<vtkProp*>(d->scalarBar),
          static_cast<vtkProp*>(d->barTitle)}) {
        ren->RemoveViewProp(p);
    }
    for (const auto& label : d->labels)
        ren->RemoveViewProp(label);
    if (d->view) d->view->requestRender();
}

const Grid2D& SurfaceScene::grid() const {
    return d->grid;
}
const SurfaceScene::Options& SurfaceScene::options() const {
    return d->options;
}
vtkActor* SurfaceScene::surfaceActor() const {
    return d->surfaceActor;
}
vtkPolyData* SurfaceScene::surfacePolyData() const {
    return d->surface;
}
vtkPolyData* SurfaceScene::trajectoryPolyData() const {
    return d->trajectoryLine;
}
vtkPolyData* SurfaceScene::checkpointPolyData() const {
    return d->checkpoints;
}
vtkActor* SurfaceScene::probeActor() const {
    return d->probeActor;
}
vtkRenderer* SurfaceScene::renderer() const {
    return d->renderer();
}
bool SurfaceScene::hasProbe() const {
    return d->hasProbe;
}
double SurfaceScene::probeX() const {
    return d->probeX;
}
double SurfaceScene::probeY() const {
    return d->probeY;
}
const std::vector<SurfaceScene::Marker>& SurfaceScene::trajectory() const {
    return d->trajectory;
}

void SurfaceScene::render() {
    if (d->view) d->view->requestRender();
}

void SurfaceScene::setGrid(const Grid2D& grid, const Options& options, bool resetCam) {
    d->grid = grid;
    d->options = options;
    rebuild();
    rebuildOverlays();
    if (resetCam) resetCamera();
    render();
}

void SurfaceScene::setProbe(double x, double y) {
    d->hasProbe = true;
    d->probeX = x;
    d->probeY = y;
    rebuildOverlays();
    render();
}

void SurfaceScene::clearProbe() {
    d->hasProbe = false;
    rebuildOverlays();
    render();
}

void SurfaceScene::setTrajectory(const std::vector<Marker>& points) {
    d->trajectory = points;
    rebuildOverlays();
    render();
}

void SurfaceScene::rebuild() {
    const Grid2D& g = d->grid;
    const std::size_t nx = g.nx(), ny = g.ny();
    const bool valid = nx >= 2 && ny >= 2 && g.values.size() == nx * ny;

    // Range of the shown values over finite points.
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    if (valid) {
        for (double v : g.values) {
            const double s = d->shown(v);
            if (std::isfinite(s)) {
                lo = std::min(lo, s);
                hi = std::max(hi, s);
            }
        }
    }
    const bool any = valid && lo <= hi;
    d->surfaceActor->SetVisibility(any);
    d->contourActor->SetVisibility(any && d->options.contours);
    d->axes->SetVisibility(any && d->options.axes);
    d->scalarBar->SetVisibility(any && d->options.scalarBar);
    d->barTitle->SetVisibility(any && d->options.scalarBar);
    if (!any) {
        d->surface->Initialize();
        d->shownGrid = Grid2D();
        return;
    }
    d->shownGrid = g;
    for (double& v : d->shownGrid.values)
        v = d->shown(v);
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) hi = lo + 1;  // flat field
    d->shownLo = lo;
    d->shownHi = hi;
    const double extent = std::max(g.x.back() - g.x.front(), g.y.back() - g.y.front());
    d->zScale = d->options.heightAspect * (extent > 0 ? extent : 1.0) / (hi - lo);

    // Points in Grid2D order (x outer), so point id = ix * ny + iy.
    vtkNew<vtkPoints> points;
    points->SetDataTypeToDouble();
    points->SetNumberOfPoints(vtkIdType(nx * ny));
    vtkNew<vtkDoubleArray> scalars;
    scalars->SetName("value");
    scalars->SetNumberOfValues(vtkIdType(nx * ny));
    std::vector<bool> finite(nx * ny);
    for (std::size_t ix = 0; ix < nx; ++ix) {
        for (std::size_t iy = 0; iy < ny; ++iy) {
            const std::size_t id = ix * ny + iy;
            const double s = d->shown(g.values[id]);
            finite[id] = std::isfinite(s);
            const double z = finite[id] ? (s - lo) * d->zScale : 0.0;
            points->SetPoint(vtkIdType(id), g.x[ix], g.y[iy], z);
            scalars->SetValue(vtkIdType(id), finite[id] ? s : lo);
        }
    }
    // Quads whose four corners are computed; counter-clockwise seen from +z.
    vtkNew<vtkCellArray> quads;
    for (std::size_t ix = 0; ix + 1 < nx; ++ix) {
        for (std::size_t iy = 0; iy + 1 < ny; ++iy) {
            const vtkIdType a = vtkIdType(ix * ny + iy), b = vtkIdType((ix + 1) * ny + iy);
            const vtkIdType ids[4] = {a, b, b + 1, a + 1};
            if (finite[a] && finite[b] && finite[b + 1] && finite[a + 1]) {
                quads->InsertNextCell(4, ids);
            }
        }
    }
    d->surface->Initialize();
    d->surface->SetPoints(points);
    d->surface->SetPolys(quads);
    d->surface->GetPointData()->SetScalars(scalars);
    d->surface->Modified();

    const std::vector<Rgb> table = colormapTable(d->options.colormap, 256);
    d->lut->SetNumberOfTableValues(vtkIdType(table.size()));
    for (std::size_t i = 0; i < table.size(); ++i) {
        d->lut->SetTableValue(vtkIdType(i), table[i].r, table[i].g, table[i].b, 1.0);
    }
    d->lut->SetNanColor(0.5, 0.5, 0.5, 1.0);
    d->lut->SetTableRange(lo, hi);
    d->lut->Modified();
    d->surfaceMapper->SetScalarRange(lo, hi);

    const int count = std::max(1, d->options.contourCount);
    d->contours->SetNumberOfContours(count);
    for (int k = 0; k < count; ++k) {
        d->contours->SetValue(k, lo + (hi - lo) * (k + 1) / (count + 1));
    }

    const std::string name = g.name.empty() ? std::string("value") : g.name;
    std::string shownName = d->options.logScale ? "log(1 + " + name + ")" : name;
    if (std::isfinite(d->options.zMax)) {
        char clip[64];
        std::snprintf(clip, sizeof clip, "%.3g", d->options.zMax);
        shownName += std::string(d->options.logScale ? "\n" : " ") + "(clipped at " + clip + ")";
    }
    d->barTitle->SetInput(shownName.c_str());
    const double step = niceStep(hi - lo, 5);
    d->barTicks->Initialize();
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
        d->barTicks->InsertNextValue(std::abs(t) < 1e-9 * step ? 0.0 : t);
    }
    d->scalarBar->SetCustomLabels(d->barTicks);
    placeScalarBar();

    d->bounds[0] = g.x.front();
    d->bounds[1] = g.x.back();
    d->bounds[2] = g.y.front();
    d->bounds[3] = g.y.back();
    // The box's floor sits a little below the lowest value: grid lines on a
    // floor touching the minimum would z-fight with the surface.
    const double floor = 0.02 * (hi - lo);
    d->bounds[4] = -floor * d->zScale;
    d->bounds[5] = (hi - lo) * d->zScale;
    d->axes->SetBounds(d->bounds);
    d->axes->SetXAxisRange(d->bounds[0], d->bounds[1]);
    d->axes->SetYAxisRange(d->bounds[2], d->bounds[3]);
    d->axes->SetZAxisRange(lo - floor, hi);  // labels in value units, not world units
    d->axes->SetXTitle("x");
    d->axes->SetYTitle("y");
    d->axes->SetZTitle("");  // the scalar bar names the value
}

void SurfaceScene::rebuildOverlays() {
    vtkRenderer* ren = d->renderer();
    const bool onSurface = d->surfaceActor->GetVisibility();
    const double extent = d->horizontalExtent();
    const double height = d->bounds[5] - d->bounds[4];

    double p[3];
    const bool probe = onSurface && d->hasProbe && worldPosition(d->probeX, d->probeY, p);
    d->probeActor->SetVisibility(probe);
    d->pinActor->SetVisibility(probe);
    if (probe) {
        const double r = kProbeRadius * extent;
        d->probeSphere->SetCenter(p);
        d->probeSphere->SetRadius(r);
        d->probePin->SetPoint1(p[0], p[1], p[2] + r);
        d->probePin->SetPoint2(p[0], p[1], std::max(d->bounds[5], p[2] + r) + 0.1 * height);
    }

    // The trajectory's segments are sampled every half grid cell so the line
    // follows the surface's relief, and lifted by 0.5% of the height so it is
    // not buried in the facets between grid points. Samples off the surface
    // break the line.
    vtkNew<vtkPoints> points;
    points->SetDataTypeToDouble();
    vtkNew<vtkCellArray> lines;
    std::vector<vtkIdType> run;
    auto endRun = [&] {
        if (run.size() >= 2) lines->InsertNextCell(vtkIdType(run.size()), run.data());
        run.clear();
    };
    const std::vector<Marker>& path = d->trajectory;
    const double lift = 0.005 * height;
    if (onSurface && path.size() >= 2) {
        const Grid2D& g = d->grid;
        const double cell = std::min((g.x.back() - g.x.front()) / double(g.nx() - 1),
                                     (g.y.back() - g.y.front()) / double(g.ny() - 1));
        for (std::size_t i = 0; i + 1 < path.size(); ++i) {
            const Marker& from = path[i];
            const Marker& to = path[i + 1];
            const double length = std::hypot(to.a - from.a, to.b - from.b);
            const int steps =
                int(std::clamp(std::ceil(length / (0.5 * std::max(cell, 1e-12))), 1.0, 1000.0));
            for (int k = i == 0 ? 0 : 1; k <= steps; ++k) {
                const double t = double(k) / steps;
                double w[3];
                if (worldPosition(from.a + t * (to.a - from.a), from.b + t * (to.b - from.b), w)) {
                    run.push_back(points->InsertNextPoint(w[0], w[1], w[2] + lift));
                } else {
                    endRun();
                }
            }
        }
        endRun();
    }
    d->trajectoryLine->Initialize();
    d->trajectoryLine->SetPoints(points);
    d->trajectoryLine->SetLines(lines);
    d->trajectoryLine->Modified();
    d->trajectoryActor->SetVisibility(lines->GetNumberOfCells() > 0);

    // A sphere per checkpoint on the surface, and its label beside it: 2D text
    // pinned to the marker, a few pixels up and right, never hidden by hills.
    for (const auto& label : d->labels)
        if (ren) ren->RemoveViewProp(label);
    d->labels.clear();
    vtkNew<vtkPoints> centres;
    centres->SetDataTypeToDouble();
    const double pixel = d->pixelScale();
    const double radius = kCheckpointRadius * extent;
    for (const Marker& m : onSurface ? path : std::vector<Marker>{}) {
        double w[3];
        if (!worldPosition(m.a, m.b, w)) continue;
        centres->InsertNextPoint(w);
        if (m.label.isEmpty() || !ren) continue;
        vtkNew<vtkTextActor> label;
        label->SetInput(m.label.toUtf8().constData());
        label->SetTextScaleModeToNone();
        vtkTextProperty* tp = label->GetTextProperty();
        styleText(tp, 12, true);
        tp->SetJustificationToLeft();
        tp->SetVerticalJustificationToBottom();
        tp->SetBackgroundColor(1.0, 1.0, 1.0);
        tp->SetBackgroundOpacity(kLabelBackgroundOpacity);
        vtkNew<vtkCoordinate> anchor;
        anchor->SetCoordinateSystemToWorld();
        anchor->SetValue(w[0], w[1], w[2] + radius);
        label->GetPositionCoordinate()->SetCoordinateSystemToDisplay();
        label->GetPositionCoordinate()->SetReferenceCoordinate(anchor);
        label->GetPositionCoordinate()->SetValue(5 * pixel, 4 * pixel);
        label->PickableOff();
        ren->AddViewProp(label);
        d->labels.emplace_back(label.GetPointer());
    }
    applyTextOpacity();
    d->checkpoints->Initialize();
    d->checkpoints->SetPoints(centres);
    d->checkpoints->Modified();
    d->checkpointSphere->SetRadius(radius);
    d->checkpointActor->SetVisibility(centres->GetNumberOfPoints() > 0);
}

void SurfaceScene::setTextVisible(bool visible) {
    d->textVisible = visible;
    applyTextOpacity();
    render();
}

void SurfaceScene::applyTextOpacity() {
    const double o = d->textVisible ? 1.0 : 0.0;
    for (int i = 0; i < 3; ++i) {
        d->axes->GetTitleTextProperty(i)->SetOpacity(o);
        d->axes->GetLabelTextProperty(i)->SetOpacity(o);
    }
    d->scalarBar->GetLabelTextProperty()->SetOpacity(o);
    d->barTitle->GetTextProperty()->SetOpacity(o);
    for (const auto& label : d->labels) {
        label->GetTextProperty()->SetOpacity(o);
        label->GetTextProperty()->SetBackgroundOpacity(kLabelBackgroundOpacity * o);
    }
}

void SurfaceScene::applyLineWidths() {
    // Line widths are in pixels, text sizes in points at the window's DPI:
    // scale the lines with it (HiDPI screens, figures at 300 DPI).
    // Lines wider than a pixel are drawn as tubes (VTK's geometry shader):
    // a forward-compatible core profile, as the views have, rejects
    // glLineWidth > 1 even where the driver reports wide lines.
    const double scale = d->pixelScale();
    for (auto [actor, width] : {std::pair{d->contourActor.GetPointer(), 1.0},
                                std::pair{d->trajectoryActor.GetPointer(), 3.0},
                                std::pair{d->pinActor.GetPointer(), 2.0}}) {
        actor->GetProperty()->SetLineWidth(float(width * scale));
        actor->GetProperty()->SetRenderLinesAsTubes(width * scale > 1.0);
    }
}

void SurfaceScene::placeScalarBar() {
    // A vertical bar on the right in wide views; in narrow ones (a split pane)
    // it would cover the surface, so it lies under it.
    const int* size = d->windowSize();
    d->barBelow = size && size[1] > 0 && size[0] < 1.1 * size[1];
    vtkScalarBarActor* bar = d->scalarBar;
    const double pixel = d->pixelScale();
    d->axes->SetLabelOffset(12 * pixel);
    d->axes->SetTitleOffset(28 * pixel);
    bar->SetVerticalTitleSeparation(int(6 * pixel));
    // The title (one or two lines) must not run into the bar, whatever the DPI.
    const char* title = d->barTitle->GetInput();
    const int lines = 1 + int(std::count(title, title + (title ? std::strlen(title) : 0), '\n'));
    const double height = size && size[1] > 0 ? size[1] : 600;
    const double titleHeight = (lines * 14 * 1.25 + 6) * pixel / height;
    if (d->barBelow) {
        bar->SetOrientationToHorizontal();
        bar->GetPositionCoordinate()->SetValue(0.1, 0.02);
        bar->SetWidth(0.8);
        bar->SetHeight(0.11);
        bar->SetMaximumWidthInPixels(100000);
        bar->SetMaximumHeightInPixels(int(70 * pixel));
        d->barTitle->GetTextProperty()->SetJustificationToCentered();
        d->barTitle->GetTextProperty()->SetVerticalJustificationToBottom();
        const double barTop = 0.02 + std::min(0.11, 70 * pixel / height);
        d->barTitle->GetPositionCoordinate()->SetValue(0.5, barTop + 6 * pixel / height);
    } else {
        bar->SetOrientationToVertical();
        const double top = std::min(0.88, 0.925 - titleHeight);
        bar->GetPositionCoordinate()->SetValue(0.82, 0.12);
        bar->SetWidth(0.12);
        bar->SetHeight(top - 0.12);
        bar->SetMaximumWidthInPixels(int(140 * pixel));
        bar->SetMaximumHeightInPixels(100000);
        d->barTitle->GetTextProperty()->SetJustificationToRight();
        d->barTitle->GetTextProperty()->SetVerticalJustificationToTop();
        d->barTitle->GetPositionCoordinate()->SetValue(0.98, 0.925);
    }
}

void SurfaceScene::resetCamera() {
    vtkRenderer* ren = d->renderer();
    if (!ren || !d->surfaceActor->GetVisibility()) return;
    vtkCamera* cam = ren->GetActiveCamera();
    const double* b = d->bounds;
    const double c[3] = {(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2};
    // Seen from the (-x, -y) quadrant, 30° above the floor, x running to the
    // right, y into the picture. (From matplotlib's -60° instead, VTK 9.1's 2D
    // axis titles land inside the box.)
    const double az = -120 * kDegree, el = 30 * kDegree;
    const double dir[3] = {std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el)};
    cam->SetFocalPoint(c);
    cam->SetPosition(c[0] + dir[0], c[1] + dir[1], c[2] + dir[2]);
    cam->SetViewUp(0, 0, 1);
    cam->SetViewAngle(30);
    ren->ResetCamera(d->bounds);
    // ResetCamera frames the bounding sphere, which leaves a wide margin around
    // a box; zoom in, and shift the picture left to make room for the scalar bar.
    // In views narrower than tall the axis labels stick out at the sides:
    // leave them a margin.
    const int* size = d->windowSize();
    cam->Zoom(size && size[0] < size[1] ? 0.88 : 1.0);
    if (!d->options.scalarBar) {
        cam->SetWindowCenter(0, 0);
    } else if (d->barBelow) {
        cam->SetWindowCenter(0, -0.18);
    } else {
        cam->SetWindowCenter(0.22, 0);
    }
    ren->ResetCameraClippingRange();
    d->defaultCameraTime = cam->GetMTime();
}

bool SurfaceScene::cameraIsDefault() const {
    vtkRenderer* ren = d->renderer();
    return ren && ren->GetActiveCamera()->GetMTime() == d->defaultCameraTime;
}

double SurfaceScene::interpolate(double x, double y) const {
    return d->grid.interpolate(x, y);
}

bool SurfaceScene::worldPosition(double x, double y, double world[3]) const {
    // Interpolating the shown values follows the drawn surface (log and
    // clipped heights) more closely than showing the interpolated value.
    const double s = d->shownGrid.interpolate(x, y);
    if (!std::isfinite(s)) return false;
    world[0] = x;
    world[1] = y;
    world[2] = (s - d->shownLo) * d->zScale;
    return true;
}

void SurfaceScene::onViewPicked(double wx, double wy, double) {
    if (!d->view || d->view->lastPickedProp() != d->surfaceActor.GetPointer()) return;
    const double value = interpolate(wx, wy);
    if (std::isfinite(value)) Q_EMIT surfacePicked(wx, wy, value);
}

}  // namespace basin::widgets
