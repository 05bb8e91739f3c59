#include "connectivity/CurvePlane.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <tuple>

#include "connectivity/PathJob.h"
#include "landscape/DirectionsFile.h"
#include "landscape/LandscapeJob.h"

namespace basin {

Directions curvePlane(const Curve& curve, const WeightVector& layout, std::size_t samples) {
    if (samples < 2) throw std::invalid_argument("a curve on a plane needs at least two points");
    auto onLayout = [&](const WeightVector& v) {
        return WeightVector::fromStateDict(v.toStateDict(), layout);
    };
    std::vector<WeightVector> bends;
    for (std::size_t i = 0; i < curve.bendCount(); ++i)
        bends.push_back(onLayout(curve.bend(i)));
    const Curve c(curve.kind(), onLayout(curve.a()), onLayout(curve.b()), std::move(bends));
    const std::size_t middle = c.middleBend();
    const std::string bendLabel = "bend " + std::to_string(middle + 1);
    Directions d =
        checkpointPlane(c.a(), c.b(), c.bend(middle), {curve.labelA, curve.labelB, bendLabel});

    // Labels at the ends and at a chain's bends: t = j/(k + 1) on the grid of t.
    const std::size_t segments = c.bendCount() + 1;
    std::size_t n = samples;
    if (c.kind() == CurveKind::PolygonalChain) n = (n - 1 + segments - 1) / segments * segments + 1;
    d.points.clear();
    WeightVector theta = WeightVector::zerosLike(c.a());
    for (std::size_t i = 0; i < n; ++i) {
        const double t = double(i) / double(n - 1);
        c.weightsAt(t, theta);
        theta -= c.a();
        std::string label;
        if (i == 0)
            label = curve.labelA;
        else if (i + 1 == n)
            label = curve.labelB;
        else if (c.kind() == CurveKind::PolygonalChain && (i * segments) % (n - 1) == 0)
            label = "bend " + std::to_string(i * segments / (n - 1));
        d.points.push_back({label, theta.dot(d.x.vector), theta.dot(d.y->vector)});
    }
    return d;
}

std::pair<GridRange, GridRange> curvePlaneGrid(const Directions& plane, std::size_t num,
                                               double margin) {
    if (plane.points.empty()) throw std::invalid_argument("the plane has no points to cover");
    double a0 = plane.points[0].a, a1 = a0, b0 = plane.points[0].b, b1 = b0;
    for (const ProjectedPoint& p : plane.points) {
        a0 = std::min(a0, p.a);
        a1 = std::max(a1, p.a);
        b0 = std::min(b0, p.b);
        b1 = std::max(b1, p.b);
    }
    const double extent = std::max(a1 - a0, b1 - b0);
    const double m = margin * extent;
    return {GridRange{a0 - m, a1 + m, num}, GridRange{b0 - m, b1 + m, num}};
}

LandscapeRecipe curvePlaneRecipe(const Curve& curve, const Model& model,
                                 const std::string& modelPath, const std::string& surfacePath,
                                 std::size_t points, const PathOptions& options,
                                 const std::string& weightRoot) {
    LandscapeRecipe plane;
    plane.modelPath = modelPath;
    plane.checkpoint = curve.labelA;
    plane.weightRoot = weightRoot;
    plane.directions = DirectionKind::Loaded;
    plane.directionsFile = surfacePath + ".directions.h5";
    plane.surfacePath = surfacePath;
    plane.options.eval = options.eval;
    plane.options.reestimateBatchNorm = options.reestimateBatchNorm;
    const Directions d = curvePlane(curve, WeightVector::fromModel(model, false));
    if (!std::filesystem::exists(plane.directionsFile)) saveDirections(d, plane.directionsFile);
    std::tie(plane.x, plane.y) = curvePlaneGrid(d, points);
    return plane;
}

}  // namespace basin
