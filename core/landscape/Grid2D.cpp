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
