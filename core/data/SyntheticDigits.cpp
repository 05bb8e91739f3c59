// The synthetic digit dataset (declared in GeneratedDatasets.h): glyph strokes
// from DigitGlyphs, a random affine map and stroke width per sample, pixel
// noise, normalisation.

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "data/DigitGlyphs.h"
#include "data/GeneratedDatasets.h"
#include "data/detail/GeneratedSplit.h"
#include "data/detail/TensorBuilders.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

constexpr int kSide = 28;
constexpr double kGlyphScale = 22.0;  // pixels per glyph unit: the 0.9-unit digit is ~20 px tall
constexpr double kDegree = 3.14159265358979323846 / 180.0;
constexpr std::uint64_t kTrainStream = 11, kTestStream = 12;

// The map from glyph space to pixels for one sample:
//   p -> R(theta) * Shear(s) * diag(sx, sy) * kGlyphScale * (p - (0.5, 0.5)) + centre + shift,
// with Shear(s) = [[1, s], [0, 1]] (a slant like handwriting's).
Affine2 randomPlacement(const SyntheticDigitsOptions& o, Pcg32& rng) {
    const double theta = rng.uniform(-o.maxRotationDegrees, o.maxRotationDegrees) * kDegree;
    const double sx = kGlyphScale * rng.uniform(1.0 - o.scaleJitter, 1.0 + o.scaleJitter);
    const double sy = kGlyphScale * rng.uniform(1.0 - o.scaleJitter, 1.0 + o.scaleJitter);
    const double shear = rng.uniform(-o.maxShear, o.maxShear);
    const double tx = rng.uniform(-o.maxShiftPixels, o.maxShiftPixels);
    const double ty = rng.uniform(-o.maxShiftPixels, o.maxShiftPixels);
    const double c = std::cos(theta), s = std::sin(theta);
    // Shear * Scale = [[sx, shear*sy], [0, sy]]; then rotate.
    const double m00 = sx, m01 = shear * sy, m11 = sy;
    Affine2 t;
    t.a = {c * m00, c * m01 - s * m11, s * m00, s * m01 + c * m11};
    const double centre = 0.5 * kSide;
    t.b = {centre + tx - (t.a[0] * 0.5 + t.a[1] * 0.5),
           centre + ty - (t.a[2] * 0.5 + t.a[3] * 0.5)};
    return t;
}

// A smooth random displacement of the glyph plane, one sine wave per axis:
//   x += ax sin(2 pi (kx . p) + phx),  y += ay sin(2 pi (ky . p) + phy),
// with |a| <= maxWarp and wave vectors of 0.5..1.5 cycles per glyph, so a
// stroke bends a little along its length without kinks.
std::vector<Polyline> warpedStrokes(const std::vector<Polyline>& strokes, double maxWarp,
                                    Pcg32& rng) {
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    double wave[2][4];  // amplitude, kx, ky, phase per axis
    for (auto& w : wave) {
        w[0] = rng.uniform(-maxWarp, maxWarp);
        const double frequency = rng.uniform(0.5, 1.5), direction = rng.uniform(0.0, kTwoPi);
        w[1] = frequency * std::cos(direction);
        w[2] = frequency * std::sin(direction);
        w[3] = rng.uniform(0.0, kTwoPi);
    }
    std::vector<Polyline> warped = strokes;
    for (Polyline& line : warped)
        for (Point2& p : line) {
            const Point2 q = p;
            p.x +=
                wave[0][0] * std::sin(kTwoPi * (wave[0][1] * q.x + wave[0][2] * q.y) + wave[0][3]);
            p.y +=
                wave[1][0] * std::sin(kTwoPi * (wave[1][1] * q.x + wave[1][2] * q.y) + wave[1][3]);
        }
    return warped;
}

// Renders perClass samples of every digit in shuffled order into [N, 28, 28]
// pixel values in [0, 1].
void renderSplit(const SyntheticDigitsOptions& o, std::int64_t perClass, std::uint64_t stream,
                 std::vector<float>& pixels, std::vector<std::int64_t>& labels) {
    Pcg32 rng(o.seed, stream);
    const std::int64_t n = 10 * perClass;
    const auto order = detail::shuffledOrder(n, rng);
    labels.resize(std::size_t(n));
    pixels.assign(std::size_t(n) * kSide * kSide, 0.0f);
    for (std::int64_t i = 0; i < n; ++i) {
        const int digit = int(order[std::size_t(i)] % 10);
        labels[std::size_t(i)] = digit;
        const Affine2 placement = randomPlacement(o, rng);
        const double width = rng.uniform(o.minStrokeWidth, o.maxStrokeWidth);
        float* image = pixels.data() + std::size_t(i) * kSide * kSide;
        const std::vector<Polyline> strokes = warpedStrokes(digitStrokes(digit), o.maxWarp, rng);
        rasterizeStrokes(strokes, placement, width, image, kSide, kSide);
        if (o.pixelNoise > 0) {
            for (int k = 0; k < kSide * kSide; ++k)
                image[k] = std::clamp(float(image[k] + o.pixelNoise * rng.normal()), 0.0f, 1.0f);
        }
    }
}

Dataset digitDataset(const std::string& name, std::vector<float> pixels,
                     std::vector<std::int64_t> labels, double mean, double stddev) {
    const auto scale = float(1.0 / stddev);
    const auto shift = float(mean);
    for (float& p : pixels)
        p = (p - shift) * scale;
    Dataset ds;
    ds.name = name;
    const auto n = std::int64_t(labels.size());
    ds.inputs = detail::float32Tensor({n, 1, kSide, kSide}, std::move(pixels));
    ds.targets = detail::int64Tensor({n}, std::move(labels));
    for (int d = 0; d < 10; ++d)
        ds.classNames.push_back(std::to_string(d));
    return ds;
}

}  // namespace

PixelNormalization pixelNormalization(const std::vector<float>& pixels) {
    PixelNormalization n;
    if (pixels.empty()) return n;
    double sum = 0.0, sumSquares = 0.0;
    for (float p : pixels) {
        sum += p;
        sumSquares += double(p) * p;
    }
    const double count = double(pixels.size());
    n.mean = sum / count;
    const double variance = std::max(0.0, sumSquares / count - n.mean * n.mean);
    n.std = variance > 0 ? std::sqrt(variance) : 1.0;
    return n;
}

SyntheticDigits makeSyntheticDigits(const SyntheticDigitsOptions& o) {
    detail::requireCount("synthetic digits", "trainPerClass", o.trainPerClass);
    detail::requireCount("synthetic digits", "testPerClass", o.testPerClass);
    if (!(o.minStrokeWidth > 0 && o.maxStrokeWidth >= o.minStrokeWidth))
        throw std::invalid_argument("synthetic digits: need 0 < minStrokeWidth <= maxStrokeWidth");
    if (!(o.pixelNoise >= 0) || !(o.scaleJitter >= 0 && o.scaleJitter < 1) ||
        !(o.maxWarp >= 0 && o.maxWarp <= 0.5))
        throw std::invalid_argument(
            "synthetic digits: need pixelNoise >= 0, scaleJitter in [0, 1), maxWarp in [0, 0.5]");

    std::vector<float> trainPixels, testPixels;
    std::vector<std::int64_t> trainLabels, testLabels;
    renderSplit(o, o.trainPerClass, kTrainStream, trainPixels, trainLabels);
    renderSplit(o, o.testPerClass, kTestStream, testPixels, testLabels);

    SyntheticDigits result;
    if (o.normalize) {
        const PixelNormalization n = pixelNormalization(trainPixels);
        result.pixelMean = n.mean;
        result.pixelStd = n.std;
    }
    result.split.train = digitDataset("synthetic digits (train)", std::move(trainPixels),
                                      std::move(trainLabels), result.pixelMean, result.pixelStd);
    result.split.test = digitDataset("synthetic digits (test)", std::move(testPixels),
                                     std::move(testLabels), result.pixelMean, result.pixelStd);
    return result;
}

}  // namespace basin
