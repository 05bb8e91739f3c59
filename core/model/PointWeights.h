#pragma once
// The network at a point Basin has computed something for — (a, b) on a
// landscape plane (landscape/PlanePoint.h), t on an LMC path
// (connectivity/PathPoint.h) — rebuilt from the files the result names, so
// the point the user clicked can be evaluated, saved as a checkpoint
// (model/StateDictFile.h) and used like any other.

#include <string>

#include "model/Model.h"

namespace basin {

struct PointWeights {
    Model model;              // its parameters and buffers hold the point's weights
    std::string modelPath;    // the TorchScript file it was loaded from (as found)
    std::string description;  // "θ₀ + a·d_x + b·d_y of s.h5 at (a, b) = (0.5, -0.25)"
    // Empty, or a sentence on how these weights differ from the ones the
    // result was computed with (BatchNorm statistics re-estimated there).
    std::string caveat;
};

// A file named in a result's metadata (`what`: "model", "directions file",
// ...), found on disk. A relative name is looked up in the current folder,
// then in the result's folder and each folder above it (results name files
// relative to the folder the command ran in, which is often above the
// result); any name, finally, as its file name alone in the result's folder
// (a moved folder). Throws a sentence naming the result and the missing file.
std::string findResultReference(const std::string& reference, const std::string& resultPath,
                                const std::string& what);

}  // namespace basin
