#pragma once
// Built-in datasets for demos and tests, generated from a seed. The same
// options give the same bytes on every platform (draws come from Pcg32, not
// from <random>'s distributions). Train and test splits use separate random
// streams, so changing the size of one leaves the other unchanged. Classes are
// balanced exactly and samples come in a shuffled order.

#include <cstdint>

#include "data/Dataset.h"

namespace basin {

// Two interleaved spirals in the plane (the classic benchmark of Lang & Witbrock,
// 1988). Class c's points lie at angle phi = t + c*pi and radius r = t / t_max
// for t in [0, t_max], t_max = 2*pi*turns, with t drawn so points are spread
// evenly along the arms (t = t_max*sqrt(u)), plus isotropic Gaussian noise.
// Inputs [N, 2] float32 within about [-1, 1]^2, targets int64 {0, 1}.
struct TwoSpiralsOptions {
    std::int64_t trainPerClass = 500;
    std::int64_t testPerClass = 500;
    double noise = 0.05;  // standard deviation, in units of the outer radius
    double turns = 1.5;
    std::uint64_t seed = 0;
};
DatasetSplit makeTwoSpirals(const TwoSpiralsOptions& options = {});

// Four Gaussian clusters at (+-1, +-1); the label is the XOR of the two signs.
// In the training split exactly round(labelNoise * N) labels are flipped
// (the clusters stay where they are), the test split is clean — the setting of
// benign-overfitting and grokking demos. `extraDims` appends pure-noise
// features (N(0, spread^2)), which lets an overparameterised network memorise
// the flipped labels without hurting the clean test accuracy.
// Inputs [N, 2 + extraDims] float32, targets int64 {0, 1}.
struct XorClustersOptions {
    std::int64_t trainPerCluster = 100;
    std::int64_t testPerCluster = 250;
    double spread = 0.3;      // cluster standard deviation
    double labelNoise = 0.0;  // fraction of training labels flipped, in [0, 1]
    std::int64_t extraDims = 0;
    std::uint64_t seed = 0;
};
DatasetSplit makeXorClusters(const XorClustersOptions& options = {});

// k isotropic Gaussian blobs in `dims` dimensions. Centres are drawn uniformly
// in [-centerBox, centerBox]^dims from the seed, points are centre + spread*N(0, I).
// Inputs [N, dims] float32, targets int64 {0..k-1}.
struct GaussianBlobsOptions {
    std::int64_t classes = 3;
    std::int64_t dims = 2;
    std::int64_t trainPerClass = 200;
    std::int64_t testPerClass = 200;
    double spread = 1.0;
    double centerBox = 5.0;
    std::uint64_t seed = 0;
};
DatasetSplit makeGaussianBlobs(const GaussianBlobsOptions& options = {});

// Synthetic handwritten-looking digits: each of the ten glyphs (Basin's own
// stroke definitions, data/DigitGlyphs.h) is bent by a smooth random warp and
// drawn with a random stroke width and a random affine map (rotation,
// anisotropic scale, shear, translation),
// rasterised anti-aliased into a 28x28 image with the digit about 20 pixels
// tall (as in MNIST), with added Gaussian pixel noise and clamped to [0, 1].
// Inputs [N, 1, 28, 28] float32, normalised with the training split's pixel
// mean and standard deviation (the same constants for both splits, recorded in
// pixelMean/pixelStd); targets int64 0..9; classNames "0".."9".
struct SyntheticDigitsOptions {
    std::int64_t trainPerClass = 600;
    std::int64_t testPerClass = 100;
    double maxRotationDegrees = 18.0;
    double scaleJitter = 0.15;  // scale in [1 - j, 1 + j] per axis
    double maxShear = 0.3;      // x += shear * y
    double maxShiftPixels = 2.5;
    // Largest displacement of the smooth per-sample warp of the strokes, in
    // glyph units (the digit is 0.9 tall): bends lines and reshapes loops.
    double maxWarp = 0.05;
    double minStrokeWidth = 1.5;  // pixels
    double maxStrokeWidth = 3.0;
    double pixelNoise = 0.12;  // standard deviation before clamping
    bool normalize = true;
    std::uint64_t seed = 0;
};
struct SyntheticDigits {
    DatasetSplit split;
    double pixelMean = 0.0;  // subtracted from [0, 1] pixel values ...
    double pixelStd = 1.0;   // ... then divided by this (0 and 1 when not normalised)
};
SyntheticDigits makeSyntheticDigits(const SyntheticDigitsOptions& options = {});

// The mean and standard deviation of pixels (a training split's), the
// constants the digit datasets are normalised with; std is 1 for constant
// pixels, mean 0 and std 1 for none.
struct PixelNormalization {
    double mean = 0.0;
    double std = 1.0;
};
PixelNormalization pixelNormalization(const std::vector<float>& pixels);

}  // namespace basin
