#pragma once
// A loss surface on disk and in memory, in the HDF5 layout of the
// loss-landscape tool (Li et al. 2018; plot_surface.py, plot_1D.py,
// plot_2D.py, h52vtp.py), so its surfaces open in Basin and Basin's in its
// scripts:
//   xcoordinates  float64 [nx]
//   ycoordinates  float64 [ny]            (2-D surfaces only)
//   train_loss, train_acc, test_loss, test_acc
//                 float64 [nx] or [nx, ny], −1 = not computed yet
//   dir_file      string                  (the directions file)
// Two of that tool's conventions are kept exactly:
//  - Array order. Its scheduler enumerates points with numpy.meshgrid(x, y),
//    whose flat index is k = iy·nx + ix, and stores value k at
//    losses.ravel()[k] of an array declared [nx, ny]. So the file's flat order
//    is y outer, x inner, despite the declared shape (for the square grids its
//    plots use, Z[i][j] is the value at (x[j], y[i])). Basin reads and writes
//    that order; in memory values are x outer (Grid2D's value(ix, iy)).
//  - Accuracy is in percent (its eval_loss returns 100·correct/total).
// A point counts as computed when its loss is not negative (NaN, a diverged
// point, counts as computed). The reference tool recomputes values ≤ 0, so a
// loss of exactly 0 would be recomputed there; Basin keeps it.
//
// Basin's metadata goes into attributes of the root (basin_model,
// basin_checkpoint, basin_directions, basin_direction_kind,
// basin_normalization, basin_dataset, basin_test_dataset, basin_seed,
// basin_ignore, basin_dir_type, basin_bn_reestimated), which that tool ignores.
//
// Writes are atomic: the whole file is written to a temporary file next to
// the target and renamed over it. A resumable grid rewrites the file this way
// after each batch of points rather than flushing an open HDF5 file: a
// surface is small (51×51 points × 4 metrics ≈ 83 KB), and a process killed
// during an in-place HDF5 write can leave the file unreadable, while a rename
// leaves either the previous batch's file or the new one.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "landscape/Grid2D.h"

namespace basin {

enum class SurfaceMetric { TrainLoss, TrainAccuracy, TestLoss, TestAccuracy };
// The dataset names: "train_loss", "train_acc", "test_loss", "test_acc".
const char* surfaceMetricName(SurfaceMetric metric);

struct SurfaceMetadata {
    std::string model;
    std::string checkpoint;
    std::string directionsFile;  // also written as the reference tool's `dir_file`
    std::string directionKind;   // "random", "plane", "pca", ...
    std::string normalization;   // "filter", "layer", "whole", "none"
    std::string dataset;
    std::string testDataset;
    std::uint64_t seed = 0;
    bool ignoreOneDimensional = true;  // the reference tool's --xignore biasbn
    bool includeBuffers = false;       // its --dir_type states (true) or weights
    bool batchNormReestimated = false;
};

struct Surface {
    static constexpr double kNotComputed = -1.0;

    std::vector<double> x;
    std::vector<double> y;  // empty for a 1-D surface
    // One array per SurfaceMetric (index = int(metric)), x outer
    // (ix·ny + iy; ny = 1 in 1-D), or empty when the file has no such metric.
    std::array<std::vector<double>, 4> values;
    SurfaceMetadata metadata;

    Surface() = default;
    Surface(std::vector<double> xs, std::vector<double> ys = {});

    bool twoDimensional() const { return !y.empty(); }
    std::size_t nx() const { return x.size(); }
    std::size_t ny() const { return y.empty() ? 1 : y.size(); }
    std::size_t pointCount() const { return nx() * ny(); }
    bool has(SurfaceMetric metric) const { return !values[std::size_t(metric)].empty(); }
    // The metric's values, created filled with kNotComputed when absent.
    std::vector<double>& metric(SurfaceMetric metric);
    const std::vector<double>& metric(SurfaceMetric metric) const {
        return values[std::size_t(metric)];
    }
    // Whether the metric has a value at point ix·ny + iy (absent metric: false).
    bool computed(SurfaceMetric metric, std::size_t point) const;
    // Points whose `metric` is not computed.
    std::size_t missingCount(SurfaceMetric metric) const;
};

// Reads a surface written by Basin or by the loss-landscape tool. Checks every
// dataset's rank, shape and type before reading it; throws a sentence naming
// the file and the dataset otherwise.
Surface readSurface(const std::string& path);
// Writes atomically (temporary file + rename); throws naming the file.
void writeSurface(const Surface& surface, const std::string& path);

// The metric as a grid (x outer, as Surface), not-computed points as NaN; a
// 1-D surface gives ny = 1 with y = {0}. Accuracy stays in percent.
Grid2D toGrid(const Surface& surface, SurfaceMetric metric);
// Sets the metric from a grid of the surface's size (NaN → not computed).
void setFromGrid(Surface& surface, SurfaceMetric metric, const Grid2D& grid);

}  // namespace basin
