#pragma once
// What a splat reader (PLY, .splat) met on the way: the file's format and
// splat count, the splats it dropped because a renderer cannot use them, and
// the elements it skipped. Dropping is per splat and counted, so one NaN in a
// million splats costs that splat, not the file (issue 7, "Bad input").

#include <cstddef>
#include <string>
#include <vector>

#include "splats/GaussianCloud.h"

namespace basin {

// A splat whose largest scale is above this (in the scene's units, after
// exp) covers any scene a camera can frame; one whose scale underflows to 0
// has no covariance to project. Both are dropped as "absurd scales".
constexpr float kMaxSplatScale = 1e6f;

struct SplatLoadReport {
    std::string format;             // "binary_little_endian", "ascii", "splat", …
    std::size_t splatsInFile = 0;   // before dropping
    std::size_t nonFinite = 0;      // NaN or ±inf in a position, scale, rotation, opacity or SH
    std::size_t absurdScales = 0;   // exp(log scale) above kMaxSplatScale or 0
    std::size_t zeroRotations = 0;  // a quaternion of length 0
    std::vector<std::string> skippedElements;  // PLY elements besides "vertex", e.g. "face (12)"

    std::size_t dropped() const { return nonFinite + absurdScales + zeroRotations; }
    // One sentence for a status line or log: "kept 998 of 1000 splats; dropped
    // 1 with NaN or infinite values, 1 with an absurd scale".
    std::string summary() const;
};

// Removes the splats a renderer cannot use from `cloud` (stored values, SH
// and quantities alike; quantities may hold any value), counting them in
// `report`. Each dropped splat is counted once, under the first reason.
void dropUnusableSplats(GaussianCloud& cloud, SplatLoadReport& report);

}  // namespace basin
