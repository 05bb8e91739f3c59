#include "connectivity/CurvePath.h"

#include "connectivity/InterpolationPath.h"

namespace basin {

std::string curveName(const Curve& curve) {
    return std::string(curveKindName(curve.kind())) + ":" + std::to_string(curve.bendCount());
}

std::string curveFileOfPath(const std::string& pathFile) {
    std::string stem = pathFile;
    for (const std::string suffix : {".path.h5", ".h5"})
        if (stem.size() > suffix.size() &&
            stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
            stem.resize(stem.size() - suffix.size());
            break;
        }
    return stem + ".pt";
}

PathSamples curvePathSamples(const Curve& curve, std::size_t points, const std::string& modelPath) {
    std::size_t n = std::max<std::size_t>(points, 2);
    if (curve.kind() == CurveKind::PolygonalChain) {
        const std::size_t segments = curve.bendCount() + 1;
        n = (n - 1 + segments - 1) / segments * segments + 1;
    }
    PathSamples s;
    s.t = InterpolationPath::uniformT(n);
    s.rows = {curveName(curve)};
    s.kind = "curve";
    s.model = modelPath;
    s.checkpoints = {curve.labelA, curve.labelB};
    s.knots = {0.0, 1.0};
    return s;
}

std::unique_ptr<PathJob> makeCurvePathJob(Model model, std::shared_ptr<const Curve> curve,
                                          std::size_t points, const std::string& modelPath,
                                          std::string path, Dataset train,
                                          std::optional<Dataset> test, PathOptions options) {
    PathSamples samples = curvePathSamples(*curve, points, modelPath);
    auto weightsAt = [curve](std::size_t, double t, WeightVector& out) {
        curve->weightsAt(t, out);
    };
    return std::make_unique<PathJob>(std::move(model), std::move(samples), std::move(weightsAt),
                                     std::move(path), std::move(train), std::move(test), options);
}

}  // namespace basin
