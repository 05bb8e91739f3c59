#pragma once
// The kinds of view Basin can open in the view area, created from a ViewSpec
// (type + settings) so that projects can store and restore them.
//
//   surface3d  a Grid2D as a 3D surface (VTK); settings: landscape, resolution,
//              logScale, contours. A click sets the probe to that (a, b).
//   map2d      a Grid2D as a heat map with isolines (OpenGL + ImGui panel);
//              settings: landscape, resolution, logScale, isolines.
//   contour2d  a Grid2D as a contour map (QCustomPlot, exports PNG/SVG/PDF);
//              follows the probe and moves it on click.
//   checkpoint a checkpoint's tensors (CheckpointBrowser); settings: path,
//              compare (a second checkpoint), root (which dict holds weights).
//   landscape-contour, landscape-surface  a surface file (HDF5) as a contour
//              map or a 3D surface (ui/Landscape.h); settings: path, metric.
//   lmc-path, lmc-barriers, lmc-layerwise  linear mode connectivity: path
//              files as loss against t, a barrier table, a layer-wise heatmap
//              (ui/Connectivity.h); settings: paths (or path).
//   evaluation loss/accuracy at checkpoints (EvaluationView); settings: title,
//              results (the numbers themselves, so the project keeps them).
//   saliency   saliency maps of an image (ui/Saliency.h), recomputed when the
//              probe moves; settings: the request (model, weights, image,
//              methods, layers, target, parameters).
//   avatar     Gaussian splats with linked statistics (ui/Avatars.h): the
//              procedural avatar with its pose panel, a .ply/.splat file or a
//              training run by iteration; settings: source, splats, iteration,
//              compare, pose, histogram, brush.
//   dataset    a dataset's samples: an image grid with counts per class, or a
//              scatter of its features (ui/DatasetView.h); settings: path,
//              classFilter, page.

#include <QList>

#include "ui/ViewArea.h"

namespace basin::app {

class Session;

// Returns nullptr (and the view area reports it) for an unknown type or an
// unknown landscape name.
QWidget* createView(const ViewSpec& spec, Session* session);

// The analytic landscapes as surfaces and maps, for View > New view.
QList<ViewSpec> builtinViewSpecs();
ViewSpec analyticSurfaceSpec(const QString& landscape);
ViewSpec analyticMapSpec(const QString& landscape);
ViewSpec analyticContourSpec(const QString& landscape);
ViewSpec checkpointSpec(const QString& path, const QString& compareWith = {});

}  // namespace basin::app
