#pragma once
// Small helpers the line plots share (SliceView, PathPlotView): values not
// computed yet, the sample nearest a coordinate, and an axis range that fits
// the finite values.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "plot/QCustomPlot.h"

namespace basin::widgets {

// −1 (not computed, as result files mark it) becomes NaN, which QCustomPlot
// draws as a gap.
inline double shownValue(double v) {
    return v < 0 ? std::numeric_limits<double>::quiet_NaN() : v;
}

// Whether any value has been computed (is finite and not −1).
inline bool anyComputed(const std::vector<double>& values) {
    return std::any_of(values.begin(), values.end(),
                       [](double v) { return std::isfinite(shownValue(v)); });
}

// Index of the entry of `xs` nearest `v` (0 for an empty vector).
inline std::size_t nearestIndex(const std::vector<double>& xs, double v) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < xs.size(); ++i)
        if (std::abs(xs[i] - v) < std::abs(xs[best] - v)) best = i;
    return best;
}

// The range of the finite values, padded by `fraction` of their span on
// each side; a flat curve gets ±0.5, no finite value [0, 1].
inline QCPRange paddedRange(const std::vector<double>& values, double fraction) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (!std::isfinite(lo)) return QCPRange(0, 1);
    const double pad = hi > lo ? fraction * (hi - lo) : 0.5;
    return QCPRange(lo - pad, hi + pad);
}

}  // namespace basin::widgets
