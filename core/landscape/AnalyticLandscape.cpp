#include "landscape/AnalyticLandscape.h"

#include <cmath>
#include <stdexcept>

namespace basin {

const std::array<AnalyticLandscapeInfo, 4>& analyticLandscapes() {
    static const std::array<AnalyticLandscapeInfo, 4> table = {{
        {AnalyticLandscape::Himmelblau, "himmelblau", "Himmelblau", -5, 5, -5, 5},
        {AnalyticLandscape::Rosenbrock, "rosenbrock", "Rosenbrock", -2, 2, -1, 3},
        {AnalyticLandscape::Rastrigin, "rastrigin", "Rastrigin", -5.12, 5.12, -5.12, 5.12},
        {AnalyticLandscape::SixHumpCamel, "six-hump-camel", "Six-hump camel", -2, 2, -1, 1},
    }};
    return table;
}

const AnalyticLandscapeInfo& info(AnalyticLandscape kind) {
    for (const auto& i : analyticLandscapes()) {
        if (i.kind == kind) return i;
    }
    throw std::invalid_argument("unknown analytic landscape");
}

AnalyticLandscape analyticLandscapeByName(const std::string& name) {
    std::string known;
    for (const auto& i : analyticLandscapes()) {
        if (name == i.name) return i.kind;
        known += known.empty() ? "" : ", ";
        known += i.name;
    }
    throw std::invalid_argument("unknown analytic landscape '" + name + "' (known: " + known + ")");
}

double evaluate(AnalyticLandscape kind, double x, double y) {
    constexpr double kPi = 3.14159265358979323846;
    switch (kind) {
        case AnalyticLandscape::Himmelblau: {
            const double a = x * x + y - 11, b = x + y * y - 7;
            return a * a + b * b;
        }
        case AnalyticLandscape::Rosenbrock: {
            const double a = 1 - x, b = y - x * x;
            return a * a + 100 * b * b;
        }
        case AnalyticLandscape::Rastrigin:
            return 20 + x * x - 10 * std::cos(2 * kPi * x) + y * y - 10 * std::cos(2 * kPi * y);
        case AnalyticLandscape::SixHumpCamel: {
            const double x2 = x * x;
            return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y * y) * y * y;
        }
    }
    return std::nan("");
}

Grid2D sampleAnalytic(AnalyticLandscape kind, std::size_t nx, std::size_t ny) {
    const auto& d = info(kind);
    Grid2D g(linspace(d.xMin, d.xMax, nx), linspace(d.yMin, d.yMax, ny), d.name);
    for (std::size_t i = 0; i < nx; ++i) {
        for (std::size_t j = 0; j < ny; ++j)
            g.value(i, j) = evaluate(kind, g.x[i], g.y[j]);
    }
    return g;
}

}  // namespace basin
