#pragma once
// Classic two-parameter test functions from the optimization literature, used
// as teaching demos (their minima, saddles and valleys are known in closed
// form) and as analytic cases for the landscape views.

#include <array>
#include <cstddef>
#include <string>

#include "landscape/Grid2D.h"

namespace basin {

enum class AnalyticLandscape {
    Himmelblau,    // four equal minima f = 0, a local maximum at (-0.27, -0.92)
    Rosenbrock,    // a curved narrow valley, minimum f = 0 at (1, 1)
    Rastrigin,     // many regular local minima, global minimum f = 0 at (0, 0)
    SixHumpCamel,  // six minima, two global f = -1.0316 at (±0.0898, ∓0.7126)
};

struct AnalyticLandscapeInfo {
    AnalyticLandscape kind;
    const char* name;  // command-line name, e.g. "himmelblau"
    const char* title;
    double xMin, xMax, yMin, yMax;  // the customary plotting domain
};

const std::array<AnalyticLandscapeInfo, 4>& analyticLandscapes();
const AnalyticLandscapeInfo& info(AnalyticLandscape kind);
// Looks a landscape up by its command-line name; throws std::invalid_argument
// listing the valid names.
AnalyticLandscape analyticLandscapeByName(const std::string& name);

double evaluate(AnalyticLandscape kind, double x, double y);
// Samples the function on an nx × ny grid over its customary domain.
Grid2D sampleAnalytic(AnalyticLandscape kind, std::size_t nx, std::size_t ny);

}  // namespace basin
