#include "landscape/PlanePoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "landscape/DirectionsFile.h"
#include "model/CheckpointWeights.h"
#include "model/WeightVector.h"

namespace basin {
namespace {

std::string number(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return buffer;
}

}  // namespace

PointWeights weightsOnPlane(const std::string& surfacePath, double a, double b) {
    const Surface surface = readSurface(surfacePath);
    const SurfaceMetadata& md = surface.metadata;
    const std::string name = std::filesystem::path(surfacePath).filename().string();
    if (!std::isfinite(a) || !std::isfinite(b))
        throw std::invalid_argument("(a, b) = (" + number(a) + ", " + number(b) +
                                    ") is not a point of surface '" + surfacePath + "'");
    if (!surface.twoDimensional() && b != 0.0)
        throw std::invalid_argument("surface '" + surfacePath +
                                    "' is a 1-D slice (along a only); b must be 0, not " +
                                    number(b));
    const std::string modelPath = findResultReference(md.model, surfacePath, "model");
    const std::string directionsPath =
        findResultReference(md.directionsFile, surfacePath, "directions file");
    // No centre checkpoint: the landscape was computed around the model's own weights.
    const std::string centre =
        md.checkpoint.empty()
            ? std::string()
            : findResultReference(md.checkpoint, surfacePath, "centre checkpoint");

    Model model = Model::load(modelPath);
    if (!centre.empty()) applyCheckpoint(model, centre);
    // θ₀ with the directions' layout, then θ₀ + a·d_x + b·d_y in the order
    // LandscapeJob adds them (the same floats as the surface's point).
    WeightVector theta = WeightVector::fromModel(model, directionsIncludeBuffers(directionsPath));
    Directions directions;
    try {
        directions = loadDirections(directionsPath, theta);
    } catch (const std::exception& e) {
        throw std::runtime_error("surface '" + surfacePath + "': " + e.what());
    }
    if (directions.twoDimensional() != surface.twoDimensional())
        throw std::runtime_error("surface '" + surfacePath + "' is " +
                                 (surface.twoDimensional() ? "2-D" : "1-D") +
                                 " but its directions file '" + directionsPath + "' is " +
                                 (directions.twoDimensional() ? "2-D" : "1-D"));
    theta.axpy(a, directions.x.vector);
    if (directions.y) theta.axpy(b, directions.y->vector);
    theta.applyTo(model);

    PointWeights out{std::move(model), modelPath, {}, {}};
    out.description = surface.twoDimensional()
                          ? "θ₀ + a·d_x + b·d_y of " + name + " at (a, b) = (" + number(a) + ", " +
                                number(b) + ")"
                          : "θ₀ + a·d_x of " + name + " at a = " + number(a);
    if (md.batchNormReestimated)
        out.caveat =
            "the surface's values were computed with BatchNorm statistics re-estimated "
            "on " +
            (md.dataset.empty() ? std::string("the training data") : md.dataset) +
            " at each point; these weights keep the statistics of θ₀" +
            (directions.includeBuffers ? " moved along the directions" : "");
    return out;
}

double surfaceValueAt(const Surface& surface, SurfaceMetric metric, double a, double b) {
    if (!surface.has(metric)) return std::nan("");
    if (surface.twoDimensional()) return toGrid(surface, metric).interpolate(a, b);
    // 1-D: linear between the two points around a.
    const std::vector<double>& x = surface.x;
    if (x.size() < 2 || !(a >= x.front() && a <= x.back())) return std::nan("");
    const std::size_t hi = std::min<std::size_t>(
        std::size_t(std::upper_bound(x.begin(), x.end(), a) - x.begin()), x.size() - 1);
    const std::size_t lo = hi - 1;
    auto value = [&](std::size_t i) {
        return surface.computed(metric, i) ? surface.metric(metric)[i] : std::nan("");
    };
    const double span = x[hi] - x[lo];
    const double t = span > 0 ? (a - x[lo]) / span : 0.0;
    return (1 - t) * value(lo) + t * value(hi);
}

}  // namespace basin
