#pragma once
// The checkpoints of a 3DGS training run: the reference trainer (and EVA,
// GaussianAvatars, …) saves `point_cloud/iteration_<N>/point_cloud.ply` at
// each saving iteration. A series lists them by iteration so a viewer can step
// through training or compare two iterations.

#include <cstdint>
#include <string>
#include <vector>

namespace basin {

struct CheckpointSeriesEntry {
    std::int64_t iteration = 0;
    std::string plyPath;
};

struct CheckpointSeries {
    std::string folder;                          // the point_cloud folder
    std::vector<CheckpointSeriesEntry> entries;  // ascending by iteration (numerically)

    // The entry of that iteration, or null.
    const CheckpointSeriesEntry* find(std::int64_t iteration) const;
};

// Lists a run folder (holding point_cloud/) or its point_cloud folder itself.
// Folders that are not iteration_<digits> or hold no point_cloud.ply are
// ignored. Throws std::runtime_error naming `folder` when it is not a folder.
CheckpointSeries listCheckpointSeries(const std::string& folder);

}  // namespace basin
