#pragma once
// Isolines (contour lines) of a Grid2D by marching squares: for each level,
// the polylines along which the bilinear interpolant of the grid equals the
// level. Cells touching a NaN (not computed) value are skipped, so lines stop
// at holes. Segments are joined into polylines so they draw and export as
// continuous paths (SVG/PDF), not thousands of two-point pieces.

#include <utility>
#include <vector>

#include "landscape/Grid2D.h"

namespace basin {

struct Isoline {
    double level = 0;
    // Each polyline is a list of (x, y) points in grid coordinates; a closed
    // loop repeats its first point at the end.
    std::vector<std::vector<std::pair<double, double>>> polylines;
};

std::vector<Isoline> computeIsolines(const Grid2D& grid, const std::vector<double>& levels);

// `count` levels evenly spaced strictly inside [lo, hi].
std::vector<double> evenLevels(double lo, double hi, int count);

}  // namespace basin
