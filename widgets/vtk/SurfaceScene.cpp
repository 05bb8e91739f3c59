#include "vtk/SurfaceScene.h"

#include <QPointer>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkContourFilter.h>
#include <vtkCubeAxesActor.h>
#include <vtkDoubleArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
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
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "vtk/VtkView.h"

namespace basin::widgets {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDegree = 3.14159265358979323846 / 180.0;
// Figure colours: near-black text, mid-grey axes, light-grey grid lines.
constexpr double kText[3] = {0.13, 0.13, 0.13};
constexpr double kAxes[3] = {0.35, 0.35, 0.35};
constexpr double kGridLines[3] = {0.82, 0.82, 0.82};

void styleText(vtkTextProperty* p, int size, bool bold = false) {
    p->SetFontFamilyToArial();
    p->SetFontSize(size);
    p->SetColor(kText[0], kText[1], kText[2]);
    p->SetBold(bold);
    p->SetItalic(false);
    p->SetShadow(false);
}

// Index i with xs[i] <= v <= xs[i + 1] and the fraction t of the way; false outside.
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
    Grid2D grid;
    Options options;
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

    double shown(double v) const {
        if (!std::isfinite(v)) return kNaN;
        return options.logScale ? std::log1p(std::max(v, 0.0)) : v;
    }
};

SurfaceScene::SurfaceScene(VtkView* view, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>()) {
    d->view = view;
    // The framing depends on the view's aspect ratio, unknown until it is laid
    // out: re-frame on resize as long as the user has not moved the camera.
    connect(view, &VtkView::resized, this, [this] {
        if (!d->view) return;
        const bool framed =
            d->view->renderer()->GetActiveCamera()->GetMTime() == d->defaultCameraTime;
        placeScalarBar();
        if (framed) resetCamera();
    });

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
    d->contourActor->GetProperty()->SetLineWidth(1.0);
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
    bar->SetVerticalTitleSeparation(6);
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
    ax->SetLabelOffset(12);
    ax->SetTitleOffset(28);
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

    if (view) {
        vtkRenderer* ren = view->renderer();
        ren->SetBackground(1.0, 1.0, 1.0);
        ren->SetBackground2(0.90, 0.91, 0.93);
        ren->GradientBackgroundOn();
        ax->SetCamera(ren->GetActiveCamera());
        ren->AddActor(d->surfaceActor);
        ren->AddActor(d->contourActor);
        ren->AddActor(d->axes);
        ren->AddViewProp(d->scalarBar);
        ren->AddViewProp(d->barTitle);
        connect(view, &VtkView::picked, this, &SurfaceScene::onViewPicked);
    }
    d->surfaceActor->VisibilityOff();
    d->contourActor->VisibilityOff();
    d->axes->VisibilityOff();
    d->scalarBar->VisibilityOff();
    d->barTitle->VisibilityOff();
}

SurfaceScene::~SurfaceScene() {
    if (!d->view) return;
    vtkRenderer* ren = d->view->renderer();
    ren->RemoveActor(d->surfaceActor);
    ren->RemoveActor(d->contourActor);
    ren->RemoveActor(d->axes);
    ren->RemoveViewProp(d->scalarBar);
    ren->RemoveViewProp(d->barTitle);
    d->view->requestRender();
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

void SurfaceScene::setGrid(const Grid2D& grid, const Options& options, bool resetCam) {
    d->grid = grid;
    d->options = options;
    rebuild();
    if (resetCam) resetCamera();
    if (d->view) d->view->requestRender();
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
        return;
    }
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
    const std::string shownName = d->options.logScale ? "log(1 + " + name + ")" : name;
    d->barTitle->SetInput(shownName.c_str());
    const double step = niceStep(hi - lo, 5);
    d->barTicks->Initialize();
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
        d->barTicks->InsertNextValue(std::abs(t) < 1e-9 * step ? 0.0 : t);
    }
    d->scalarBar->SetCustomLabels(d->barTicks);

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

void SurfaceScene::placeScalarBar() {
    // A vertical bar on the right in wide views; in narrow ones (a split pane)
    // it would cover the surface, so it lies under it.
    const int* size = d->view ? d->view->renderWindow()->GetSize() : nullptr;
    d->barBelow = size && size[1] > 0 && size[0] < 1.1 * size[1];
    vtkScalarBarActor* bar = d->scalarBar;
    if (d->barBelow) {
        bar->SetOrientationToHorizontal();
        bar->GetPositionCoordinate()->SetValue(0.1, 0.02);
        bar->SetWidth(0.8);
        bar->SetHeight(0.11);
        bar->SetMaximumWidthInPixels(100000);
        bar->SetMaximumHeightInPixels(70);
        d->barTitle->GetTextProperty()->SetJustificationToCentered();
        d->barTitle->GetPositionCoordinate()->SetValue(0.5, 0.175);
    } else {
        bar->SetOrientationToVertical();
        bar->GetPositionCoordinate()->SetValue(0.82, 0.12);
        bar->SetWidth(0.12);
        bar->SetHeight(0.76);
        bar->SetMaximumWidthInPixels(140);
        bar->SetMaximumHeightInPixels(100000);
        d->barTitle->GetTextProperty()->SetJustificationToRight();
        d->barTitle->GetPositionCoordinate()->SetValue(0.98, 0.925);
    }
}

void SurfaceScene::resetCamera() {
    if (!d->view || !d->surfaceActor->GetVisibility()) return;
    vtkRenderer* ren = d->view->renderer();
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
    const int* size = d->view->renderWindow()->GetSize();
    cam->Zoom(size[0] < size[1] ? 0.88 : 1.0);
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

double SurfaceScene::interpolate(double x, double y) const {
    return d->grid.interpolate(x, y);
}

bool SurfaceScene::worldPosition(double x, double y, double world[3]) const {
    const double s = d->shown(interpolate(x, y));
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
