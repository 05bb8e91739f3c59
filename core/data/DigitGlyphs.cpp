#include "data/DigitGlyphs.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace basin {
namespace {

constexpr double kDegree = 3.14159265358979323846 / 180.0;

// An elliptical arc (x, y) = (cx + rx cos a, cy + ry sin a) from angle a0 to a1
// in degrees; with y downwards, increasing angles turn clockwise on screen
// (0 = right, 90 = bottom, 270 = top).
Polyline arc(double cx, double cy, double rx, double ry, double a0, double a1) {
    const int steps = std::max(4, int(std::ceil(std::abs(a1 - a0) / 10.0)));
    Polyline line;
    for (int i = 0; i <= steps; ++i) {
        const double a = (a0 + (a1 - a0) * i / steps) * kDegree;
        line.push_back({cx + rx * std::cos(a), cy + ry * std::sin(a)});
    }
    return line;
}

// Quadratic Bézier B(t) = (1-t)^2 p0 + 2(1-t)t p1 + t^2 p2.
Polyline bezier(Point2 p0, Point2 p1, Point2 p2, int steps = 12) {
    Polyline line;
    for (int i = 0; i <= steps; ++i) {
        const double t = double(i) / steps, s = 1.0 - t;
        line.push_back({s * s * p0.x + 2 * s * t * p1.x + t * t * p2.x,
                        s * s * p0.y + 2 * s * t * p1.y + t * t * p2.y});
    }
    return line;
}

// One stroke that draws `head`, then `tail`.
Polyline join(Polyline head, const Polyline& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

std::vector<std::vector<Polyline>> buildGlyphs() {
    std::vector<std::vector<Polyline>> g(10);
    // 0: an upright ellipse.
    g[0] = {arc(0.5, 0.5, 0.27, 0.45, 0, 360)};
    // 1: a stem with a short flag at the top.
    g[1] = {{{0.34, 0.22}, {0.54, 0.05}, {0.54, 0.95}}};
    // 2: a hook over the top, a diagonal to the bottom left, a base line.
    g[2] = {join(arc(0.5, 0.29, 0.27, 0.24, 200, 400), Polyline{{0.2, 0.95}, {0.8, 0.95}})};
    // 3: two bowls open to the left, meeting at the middle.
    g[3] = {join(arc(0.5, 0.28, 0.25, 0.23, 210, 450), arc(0.5, 0.72, 0.28, 0.23, 270, 505))};
    // 4: a diagonal from the top of the stem to the left, a crossbar, the stem.
    g[4] = {{{0.64, 0.05}, {0.18, 0.66}, {0.84, 0.66}}, {{0.64, 0.05}, {0.64, 0.95}}};
    // 5: a top bar, a short downstroke, then a bowl open to the left.
    g[5] = {join(Polyline{{0.78, 0.05}, {0.32, 0.05}, {0.28, 0.46}},
                 arc(0.5, 0.67, 0.28, 0.27, 225, 505))};
    // 6: a curved stem from the top right into a closed loop at the bottom.
    g[6] = {bezier({0.72, 0.06}, {0.28, 0.18}, {0.24, 0.7}), arc(0.5, 0.7, 0.26, 0.25, 0, 360)};
    // 7: a top bar and a long diagonal.
    g[7] = {{{0.2, 0.05}, {0.8, 0.05}, {0.42, 0.95}}};
    // 8: a small loop on a larger one.
    g[8] = {arc(0.5, 0.27, 0.22, 0.22, 0, 360), arc(0.5, 0.71, 0.27, 0.24, 0, 360)};
    // 9: a loop at the top and a stem curving down from its right side.
    g[9] = {arc(0.5, 0.3, 0.26, 0.25, 0, 360), bezier({0.76, 0.3}, {0.76, 0.78}, {0.42, 0.95})};
    return g;
}

// Squared distance from p to the segment [a, b].
double squaredDistanceToSegment(Point2 p, Point2 a, Point2 b) {
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double length2 = dx * dx + dy * dy;
    double t = length2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = p.x - (a.x + t * dx), ey = p.y - (a.y + t * dy);
    return ex * ex + ey * ey;
}

}  // namespace

const std::vector<Polyline>& digitStrokes(int digit) {
    static const std::vector<std::vector<Polyline>> glyphs = buildGlyphs();
    if (digit < 0 || digit > 9)
        throw std::out_of_range("digitStrokes: " + std::to_string(digit) + " is not a digit 0..9");
    return glyphs[std::size_t(digit)];
}

void rasterizeStrokes(const std::vector<Polyline>& strokes, const Affine2& toPixels, double width,
                      float* image, int imageWidth, int imageHeight) {
    const double half = 0.5 * width;
    const double reach = half + 0.5;  // beyond this distance coverage is zero
    for (const Polyline& stroke : strokes) {
        if (stroke.empty()) continue;
        Point2 previous = toPixels(stroke.front());
        for (std::size_t k = (stroke.size() > 1 ? 1 : 0); k < stroke.size(); ++k) {
            const Point2 current = toPixels(stroke[k]);
            const int x0 = std::max(0, int(std::floor(std::min(previous.x, current.x) - reach)));
            const int x1 =
                std::min(imageWidth - 1, int(std::ceil(std::max(previous.x, current.x) + reach)));
            const int y0 = std::max(0, int(std::floor(std::min(previous.y, current.y) - reach)));
            const int y1 =
                std::min(imageHeight - 1, int(std::ceil(std::max(previous.y, current.y) + reach)));
            for (int y = y0; y <= y1; ++y) {
                for (int x = x0; x <= x1; ++x) {
                    const double d2 =
                        squaredDistanceToSegment({x + 0.5, y + 0.5}, previous, current);
                    if (d2 >= reach * reach) continue;
                    const auto coverage = float(std::min(1.0, reach - std::sqrt(d2)));
                    float& pixel = image[std::size_t(y) * std::size_t(imageWidth) + std::size_t(x)];
                    pixel = std::max(pixel, coverage);
                }
            }
            previous = current;
        }
    }
}

}  // namespace basin
