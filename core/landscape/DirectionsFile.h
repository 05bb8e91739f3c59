#pragma once
// Directions on disk, in the layout of the loss-landscape tool's direction
// files (net_plotter.setup_direction / h5_util.write_list): a group
// `xdirection` (and `ydirection` for 2-D) holding one float32 dataset per
// tensor, named "0", "1", ... in the model's parameter order, each with the
// tensor's shape. Basin adds, without disturbing that tool's reader:
//  - on every tensor dataset an attribute `name` ("layer1.0.conv1.weight"),
//    so files are matched by name rather than by position;
//  - on the root: basin_kind, basin_normalization, basin_seed,
//    basin_include_buffers, basin_keep_1d, basin_centre, and for PCA
//    basin_explained_variance_x/_y;
//  - a dataset `basin_points` [k, 2] (the checkpoints' (a, b)) with an
//    attribute `labels` (the labels joined by newlines).
// Files from the reference tool (no names) are matched by position against
// the model's parameters (its dir_type=weights); its dir_type=states files
// (state_dict order, buffers interleaved) are not read.

#include <string>

#include "landscape/Directions.h"

namespace basin {

// Atomic: written to a temporary file next to `path`, then renamed.
void saveDirections(const Directions& directions, const std::string& path);

// Reads directions for a model whose weights have the layout `layout`
// (WeightVector::fromModel, with buffers when the file moves them). Every
// dataset's shape is checked against the layout before it is read; throws a
// sentence naming the file, the dataset and both shapes otherwise.
Directions loadDirections(const std::string& path, const WeightVector& layout);

}  // namespace basin

namespace basin {
// Whether a directions file moves BatchNorm running statistics too (Basin's
// basin_include_buffers attribute; false for files of the reference tool), so
// a caller can build the matching layout before loadDirections.
bool directionsIncludeBuffers(const std::string& path);

// Only the checkpoints in slice coordinates (`basin_points`), without reading
// the directions themselves: for views that draw the trajectory. Empty for
// files without them (random directions, the reference tool's files).
std::vector<ProjectedPoint> loadProjectedPoints(const std::string& path);
}  // namespace basin
