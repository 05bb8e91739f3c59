#pragma once
// Exports a landscape surface to VTK's XML structured-grid format (.vts) for
// ParaView and VisIt: the (a, b) grid with the height z = the chosen metric,
// and every metric the surface holds as a point array (NaN where a point is
// not computed). 1-D surfaces become a one-row grid.

#include <QString>

#include "landscape/Surface.h"

namespace basin::widgets {

// Returns false with a sentence in `error` when the file cannot be written.
bool writeSurfaceVts(const Surface& surface, SurfaceMetric height, const QString& path,
                     QString* error = nullptr);

}  // namespace basin::widgets
