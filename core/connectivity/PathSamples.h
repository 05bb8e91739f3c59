#pragma once
// Loss and accuracy sampled along one or more paths at the same t ∈ [0, 1]:
// the result of a PathJob, in memory and on disk.
//
// A plain LMC path is one row; a layer-wise LMC run (LayerwiseLmc.h) is one
// row per layer and variant ("at A: fc1", "cumulative: fc2", …), the
// layers × t matrix its heatmap shows.
//
// File: HDF5, because a one-row file is then exactly a 1-D surface in the
// layout of the loss-landscape tool (Li et al. 2018; its `--model_file2`
// interpolation plots have the same form): `xcoordinates` = t, `train_loss`,
// `train_acc`, `test_loss`, `test_acc` (accuracy in percent), −1 = not
// computed yet. So a path opens in that tool's plot_1D.py, in Basin's slice
// view (readSurface works on it) and in h5py with two lines, and it shares the
// landscapes' atomic, resumable writing. Several rows are stored as
// [rows, nt] arrays (row-major: row r's values are contiguous). Basin's
// metadata are root attributes:
//   basin_kind            "linear path" or "layer-wise"
//   basin_rows            row names, one per line
//   basin_checkpoints     checkpoint files, one per line, in path order
//   basin_model, basin_dataset, basin_test_dataset, basin_bn_reestimated,
//   basin_repaired (1: every point REPAIRed, Repair.h)
// and the float64 dataset `knots` holds the t of each checkpoint.
// Writes are atomic (temporary file, then rename).

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "landscape/Surface.h"

namespace basin {

struct PathSamples {
    static constexpr double kNotComputed = -1.0;

    std::vector<double> t;  // strictly increasing
    std::vector<std::string> rows{"path"};
    // One array per SurfaceMetric (index = int(metric)), rows × t row-major,
    // or empty when absent (no test data).
    std::array<std::vector<double>, 4> values;

    std::string kind = "linear path";
    std::string model;
    std::vector<std::string> checkpoints;
    std::vector<double> knots;  // t of each checkpoint
    std::string dataset, testDataset;
    bool batchNormReestimated = false;
    bool repaired = false;  // every point's weights REPAIRed (PathOptions::repair)

    std::size_t nt() const { return t.size(); }
    std::size_t pointCount() const { return rows.size() * t.size(); }
    bool has(SurfaceMetric m) const { return !values[std::size_t(m)].empty(); }
    // The metric's values, created filled with kNotComputed when absent.
    std::vector<double>& metric(SurfaceMetric m);
    // Row r of a metric (kNotComputed where missing; empty when absent).
    std::vector<double> row(SurfaceMetric m, std::size_t r) const;
    // Whether point (r, i) has a value (a NaN loss counts: the point diverged).
    bool computed(SurfaceMetric m, std::size_t r, std::size_t i) const;
    std::size_t missingCount(SurfaceMetric m) const;
    // Row r as a 1-D surface over t (for the slice view and its figures).
    Surface rowSurface(std::size_t r = 0) const;
};

// Reads a file writePathSamples wrote (or a 1-D surface); checks shapes
// before reading and throws a sentence naming the file otherwise.
PathSamples readPathSamples(const std::string& path);
void writePathSamples(const PathSamples& samples, const std::string& path);

}  // namespace basin
