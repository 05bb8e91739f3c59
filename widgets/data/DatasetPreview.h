#pragma once
// What a dataset preview draws, computed from a Dataset without widgets: how
// its inputs are shown (a grid of images, a 2-D scatter, or the first two
// principal components of the features), each image's pixels mapped to
// grey/RGB through the dataset-wide value range, counts per class, evenly
// spaced samples when there are more points than a scatter draws, and an
// exact PCA. DatasetPreviewView draws these; tests check them.

#include <QImage>
#include <QString>
#include <cstdint>
#include <vector>

#include "data/Dataset.h"

namespace basin::widgets {

enum class DatasetLayout {
    Images,     // inputs [N, C, H, W] with C = 1 or 3, or [N, H, W]
    Scatter2D,  // inputs [N, 2]
    Pca,        // inputs [N, D], D > 2 (or anything else, flattened)
};
DatasetLayout datasetLayout(const Dataset& dataset);

// Pixels are mapped linearly from [lo, hi] to [0, 255], all channels with one
// range: normalised datasets are not in [0, 1], so the range is the
// dataset's own minimum and maximum over every pixel.
struct PixelRange {
    double lo = 0, hi = 1;
    QString caption() const;  // "pixels: black = −0.424 … white = 2.82 (dataset min/max)"
};
PixelRange datasetPixelRange(const Dataset& dataset);
// Channel count, height and width of an image dataset's samples.
struct ImageShape {
    int channels = 1, height = 0, width = 0;
};
ImageShape imageShape(const Dataset& dataset);
// Sample `index` as a grey (1 channel) or RGB image: v ↦ round(255·(v − lo)/(hi − lo)),
// clamped. Throws std::out_of_range for a bad index.
QImage sampleImage(const Dataset& dataset, std::int64_t index, const PixelRange& range);

// The sample's label as shown: the class name when the dataset has them, the
// class index otherwise; a regression target's first value.
QString sampleLabel(const Dataset& dataset, std::int64_t index);
// Class index of each sample (empty for regression targets).
std::vector<std::int64_t> classLabels(const Dataset& dataset);
// Samples per class, indexed by class (classCount() entries).
std::vector<std::int64_t> classCounts(const Dataset& dataset);
// The first target value of each sample (regression).
std::vector<double> targetValues(const Dataset& dataset);
// Name of class `c` ("7", or the dataset's class name).
QString className(const Dataset& dataset, std::int64_t c);

// Indices of the samples of class `classFilter` (all when < 0), in order.
std::vector<std::int64_t> samplesOfClass(const Dataset& dataset, std::int64_t classFilter);
// At most `cap` of `indices`, evenly spaced (every one when there are fewer).
std::vector<std::int64_t> evenlySampled(const std::vector<std::int64_t>& indices, std::size_t cap);

// Rows of the inputs, flattened to features, as doubles.
std::vector<double> featureRow(const Dataset& dataset, std::int64_t index);

// The samples `rows` projected on the first two principal components of those
// same rows: X (rows × D) centred by its column means, covariance
// C = XᵀX/(n − 1) = V Λ Vᵀ (exact symmetric eigendecomposition), coordinates
// X v₁, X v₂. Each component's sign is fixed so that its largest-magnitude
// entry is positive. Explained variance ratio λ_k / Σ λ.
struct PcaProjection {
    std::vector<double> x, y;  // per row
    double explained[2] = {0, 0};
    std::vector<double> components[2];  // v₁, v₂ (length D)
};
PcaProjection principalComponents(const Dataset& dataset, const std::vector<std::int64_t>& rows);

}  // namespace basin::widgets
