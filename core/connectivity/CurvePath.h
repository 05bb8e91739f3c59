#pragma once
// Loss and accuracy along a curve (connectivity/Curve.h), measured as the
// straight path's are: a PathJob over θ(t) at equally spaced t, written to a
// path file (PathSamples.h) of one row, so the LMC views draw the curve beside
// the straight line, the barrier definitions (Barrier.h) apply unchanged and
// BatchNorm statistics can be re-estimated at every t
// (PathOptions::reestimateBatchNorm; the curve does not carry them).
//
// The file's kind is "curve", its row is named by the curve ("bezier:3"),
// its checkpoints are the ends (knots t = 0 and 1) and basin_model names the
// model; the curve file itself sits beside it.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "connectivity/Curve.h"
#include "connectivity/PathJob.h"

namespace basin {

// "bezier:3"
std::string curveName(const Curve& curve);

// The curve file (saveCurve) of a curve path file: beside it, ".pt" for its
// ".h5" or ".path.h5" — `basin lmc --curve`'s curve_bezier3.h5 →
// curve_bezier3.pt, the LMC dialog's <A>--<B>.curve-bezier3.path.h5 →
// <A>--<B>.curve-bezier3.pt.
std::string curveFileOfPath(const std::string& pathFile);

// t, row and metadata of the path file for `curve` at `points` t (at least 2;
// raised so that a polygonal chain's bends are points).
PathSamples curvePathSamples(const Curve& curve, std::size_t points, const std::string& modelPath);

// The job: `model` evaluated at θ(t) of `curve`, whose layout should be the
// model's parameters and buffers (WeightVector::fromModel(model, true)); the
// model is used in place and restored at the end.
std::unique_ptr<PathJob> makeCurvePathJob(Model model, std::shared_ptr<const Curve> curve,
                                          std::size_t points, const std::string& modelPath,
                                          std::string path, Dataset train,
                                          std::optional<Dataset> test = {},
                                          PathOptions options = {});

}  // namespace basin
