#pragma once
// A scalar field sampled on a rectilinear (x, y) grid: a loss surface, an
// accuracy map, an analytic test function. Values are stored with x as the
// outer index (value(ix, iy) = values[ix * ny + iy]). (The loss-landscape
// tool's files declare [len(x), len(y)] but fill them in numpy.meshgrid
// order; landscape/Surface.h converts.) NaN marks a point not computed yet.

#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace basin {

struct Grid2D {
    std::vector<double> x;       // ascending coordinates along the first axis
    std::vector<double> y;       // ascending coordinates along the second axis
    std::vector<double> values;  // x.size() * y.size(), x outer
    std::string name;            // what the values are ("train_loss")

    Grid2D() = default;
    Grid2D(std::vector<double> xs, std::vector<double> ys, std::string valueName = {});

    std::size_t nx() const { return x.size(); }
    std::size_t ny() const { return y.size(); }
    double& value(std::size_t ix, std::size_t iy) { return values[ix * y.size() + iy]; }
    double value(std::size_t ix, std::size_t iy) const { return values[ix * y.size() + iy]; }
    // Smallest and largest finite value; (NaN, NaN) when there is none.
    std::pair<double, double> finiteRange() const;
    // Bilinear interpolation at (px, py); NaN outside the grid or next to a
    // value that is not computed.
    double interpolate(double px, double py) const;
};

// n evenly spaced values from lo to hi inclusive (n >= 2), or {lo} for n == 1.
std::vector<double> linspace(double lo, double hi, std::size_t n);

}  // namespace basin
