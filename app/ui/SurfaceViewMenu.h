#pragma once
// The 3D surface view's menu: a button in the view's top-left corner (the
// right mouse button stays zoom) with log scale, contour lines, z max…, reset
// camera, Export figure… (PNG at a chosen size and DPI, SVG or PDF, with the
// grid as CSV beside it) and, for a landscape file, Export for ParaView
// (.vts)…. Choices apply at once and stay through later grids (progressive
// refinement calls setGrid with the scene's options).

#include <QString>

#include "landscape/Surface.h"

namespace basin::app {

class SurfaceView;

// `surfacePath` empty: no .vts export (an analytic landscape); otherwise the
// file is read again at export time, so a running job's latest points go out.
void addSurfaceViewMenu(SurfaceView* view, const QString& surfacePath = {},
                        SurfaceMetric metric = SurfaceMetric::TrainLoss);

}  // namespace basin::app
