#include "landscape/Grid2D.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace basin {

Grid2D::Grid2D(std::vector<double> xs, std::vector<double> ys, std::string valueName)
    : x(std::move(xs)),
      y(std::move(ys)),
      values(x.size() * y.size(), std::numeric_limits<double>::quiet_NaN()),
      name(std::move(valueName)) {}

std::pair<double, double> Grid2D::finiteRange() const {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (lo > hi) return {std::nan(""), std::nan("")};
    return {lo, hi};
}

namespace {

// The cell [xs[i], xs[i+1]] holding v and the fraction t of the way across.
bool bracket(const std::vector<double>& xs, double v, std::size_t* i, double* t) {
    if (xs.size() < 2 || !(v >= xs.front() && v <= xs.back())) return false;
    auto it = std::upper_bound(xs.begin(), xs.end(), v);
    const std::size_t hi = std::min<std::size_t>(std::size_t(it - xs.begin()), xs.size() - 1);
    *i = hi - 1;
    const double span = xs[hi] - xs[*i];
    *t = span > 0 ? (v - xs[*i]) / span : 0.0;
    return true;
}

}  // namespace

double Grid2D::interpolate(double px, double py) const {
    std::size_t ix, iy;
    double tx, ty;
    if (values.size() != nx() * ny() || !bracket(x, px, &ix, &tx) || !bracket(y, py, &iy, &ty)) {
        return std::nan("");
    }
    const double v00 = value(ix, iy), v10 = value(ix + 1, iy);
    const double v01 = value(ix, iy + 1), v11 = value(ix + 1, iy + 1);
    return (1 - tx) * ((1 - ty) * v00 + ty * v01) + tx * ((1 - ty) * v10 + ty * v11);
}

std::vector<double> linspace(double lo, double hi, std::size_t n) {
    if (n == 0) throw std::invalid_argument("linspace needs at least one point");
    if (n == 1) return {lo};
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = lo + (hi - lo) * double(i) / double(n - 1);
    v.back() = hi;
    return v;
}

}  // namespace basin
