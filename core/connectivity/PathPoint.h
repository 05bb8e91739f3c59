#pragma once
// A point t of a linear-mode-connectivity path file (PathSamples.h, written
// by `basin lmc` and the GUI): the network there,
//
//   θ(t) = (1 − t)·θ_A + t·θ_B   (or the chain's segment holding t),
//
// rebuilt from the model and the checkpoints the file names (basin_model,
// basin_checkpoints) with InterpolationPath, as the path job built it:
// parameters and BatchNorm statistics interpolated together; or, for a curve
// path file (connectivity/CurvePath.h), θ(t) of the curve file beside it
// (curveFileOfPath) between the checkpoints the file names.

#include <string>

#include "model/PointWeights.h"

namespace basin {

// t in [0, 1] over the whole chain or the curve. Plain paths (kind "linear
// path") and curves ("curve"): a layer-wise file's rows are other paths. Names in the file are
// found as findResultReference says; the integer buffers (num_batches_tracked) are the first
// checkpoint's. Throws a sentence naming the path file and the file or tensor at fault.
PointWeights weightsOnPath(const std::string& pathFile, double t);

// Whether an HDF5 file is a path file (it names the checkpoints of its path)
// rather than a landscape surface; throws naming the file when it cannot be
// opened as HDF5.
bool isPathFile(const std::string& path);

}  // namespace basin
