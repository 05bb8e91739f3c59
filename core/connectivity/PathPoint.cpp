#include "connectivity/PathPoint.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "connectivity/CurvePath.h"
#include "connectivity/InterpolationPath.h"
#include "connectivity/PathSamples.h"
#include "landscape/detail/Hdf5.h"
#include "model/CheckpointWeights.h"
#include "model/WeightVector.h"

namespace basin {
namespace {

void requireCheckpoints(const PathSamples& samples, const std::string& pathFile) {
    if (samples.checkpoints.size() < 2)
        throw std::runtime_error("path file '" + pathFile +
                                 "' does not name the checkpoints it runs between (it was not "
                                 "written by Basin)");
}

std::string batchNormCaveat(const PathSamples& samples, const std::string& statistics) {
    return "the path's values were computed with BatchNorm statistics re-estimated on " +
           (samples.dataset.empty() ? std::string("the training data") : samples.dataset) +
           " at each point; these weights hold " + statistics;
}

// θ(t) of the curve file beside a curve path file (CurvePath.h), the ends
// laid out as the path job's; the statistics on the straight line (Curve.h).
PointWeights weightsOnCurvePath(const std::string& pathFile, const PathSamples& samples, double t,
                                const char* tText) {
    requireCheckpoints(samples, pathFile);
    const std::string modelPath = findResultReference(samples.model, pathFile, "model");
    const std::string a = findResultReference(samples.checkpoints.front(), pathFile, "checkpoint");
    const std::string b = findResultReference(samples.checkpoints.back(), pathFile, "checkpoint");
    const std::string curveFile = curveFileOfPath(pathFile);
    if (!std::filesystem::exists(curveFile))
        throw std::runtime_error("the curve file '" + curveFile + "' of path file '" + pathFile +
                                 "' is missing");
    Model model = Model::load(modelPath);
    const InterpolationPath ends = InterpolationPath::load(model, {a, b});
    const CurveFile curve = loadCurve(curveFile, ends.checkpoint(0), ends.checkpoint(1));
    model.applyStateDict(checkpointWeights(a));
    WeightVector theta = WeightVector::zerosLike(ends.checkpoint(0));
    curve.curve.weightsAt(t, theta);
    theta.applyTo(model);

    PointWeights out{std::move(model), modelPath, {}, {}};
    out.description = "the " + curveName(curve.curve) + " curve of " +
                      std::filesystem::path(curveFile).filename().string() + " at t = " + tText;
    if (samples.batchNormReestimated)
        out.caveat = batchNormCaveat(samples, "the statistics of the straight line");
    return out;
}

}  // namespace

PointWeights weightsOnPath(const std::string& pathFile, double t) {
    char tText[32];
    std::snprintf(tText, sizeof tText, "%.6g", t);
    if (!(t >= 0.0 && t <= 1.0))
        throw std::invalid_argument(std::string("t = ") + tText + " is not on path '" + pathFile +
                                    "' (t runs from 0 to 1)");
    const PathSamples samples = readPathSamples(pathFile);
    if (samples.kind == "curve") return weightsOnCurvePath(pathFile, samples, t, tText);
    if (samples.kind != "linear path")
        throw std::invalid_argument("'" + pathFile + "' holds a " + samples.kind +
                                    " run, one path per row; the weights at t are those of a "
                                    "plain path file (path.h5)");
    requireCheckpoints(samples, pathFile);
    const std::string modelPath = findResultReference(samples.model, pathFile, "model");
    std::vector<std::string> checkpoints;
    for (const std::string& c : samples.checkpoints)
        checkpoints.push_back(findResultReference(c, pathFile, "checkpoint"));

    Model model = Model::load(modelPath);
    // Checked by InterpolationPath::load, which needs only the floating-point
    // tensors; applied here for the rest (num_batches_tracked).
    const InterpolationPath path = InterpolationPath::load(model, checkpoints);
    model.applyStateDict(checkpointWeights(checkpoints.front()));
    WeightVector theta = WeightVector::zerosLike(path.checkpoint(0));
    path.weightsAt(t, theta);
    theta.applyTo(model);

    PointWeights out{std::move(model), modelPath, {}, {}};
    const std::string name = std::filesystem::path(pathFile).filename().string();
    out.description = checkpoints.size() == 2
                          ? "(1 − t)·θ_A + t·θ_B of " + name + " at t = " + tText
                          : "the chain of " + std::to_string(checkpoints.size()) +
                                " checkpoints of " + name + " at t = " + tText;
    if (samples.batchNormReestimated)
        out.caveat = batchNormCaveat(samples, "the interpolated statistics");
    return out;
}

bool isPathFile(const std::string& path) {
    const detail::h5::File file = detail::h5::File::openReadOnly(path);
    return detail::h5::hasAttribute(file.id(), "basin_checkpoints");
}

}  // namespace basin
