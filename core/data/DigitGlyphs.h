#pragma once
// The ten digit glyphs of the synthetic digit dataset, as pen strokes, and an
// anti-aliased stroke rasteriser. Glyphs are Basin's own: polylines (straight
// strokes, elliptical arcs and quadratic Bézier curves flattened into short
// segments) in a unit box with x to the right and y downwards, the digit
// spanning y in [0.05, 0.95] and x in about [0.2, 0.8].

#include <array>
#include <vector>

namespace basin {

struct Point2 {
    double x = 0.0, y = 0.0;
};
using Polyline = std::vector<Point2>;

// The strokes of `digit` (0..9) in the unit box; throws std::out_of_range otherwise.
const std::vector<Polyline>& digitStrokes(int digit);

// An affine map p -> A p + b of the plane.
struct Affine2 {
    std::array<double, 4> a{1, 0, 0, 1};  // row-major 2x2
    std::array<double, 2> b{0, 0};
    Point2 operator()(Point2 p) const {
        return {a[0] * p.x + a[1] * p.y + b[0], a[2] * p.x + a[3] * p.y + b[1]};
    }
};

// Draws each polyline's points mapped by `toPixels` (into pixel coordinates,
// pixel (i, j) covering [i, i+1) x [j, j+1)) as a stroke of `width` pixels
// with round joins and caps into a row-major width x height image, keeping the
// maximum of the existing value and the stroke's coverage.
//
// Coverage of a pixel whose centre lies at distance d from the stroke's centre
// line is clamp(width/2 + 1/2 - d, 0, 1): a one-pixel linear ramp, the
// box-filtered edge of a straight stroke. Only pixels within each segment's
// bounding box are visited, so the cost grows with ink, not with image size.
void rasterizeStrokes(const std::vector<Polyline>& strokes, const Affine2& toPixels, double width,
                      float* image, int imageWidth, int imageHeight);

}  // namespace basin
