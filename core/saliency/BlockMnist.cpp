#include "saliency/BlockMnist.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "data/DigitGlyphs.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

constexpr std::int64_t kSide = BlockMnist::kBlock;
constexpr std::uint64_t kTrainStream = 21, kTestStream = 22;

// The null patch: a square outline centred in the block, 2 pixels wide.
std::vector<float> nullPatch() {
    std::vector<float> patch(std::size_t(kSide * kSide), 0.0f);
    const Polyline square{{0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}, {0.25, 0.25}};
    Affine2 toPixels;
    toPixels.a = {double(kSide), 0, 0, double(kSide)};
    rasterizeStrokes({square}, toPixels, 2.0, patch.data(), int(kSide), int(kSide));
    return patch;
}

// Stacks each digit image of `digits` (unnormalised [N, 1, 28, 28]) with the
// null patch, the digit on top or at the bottom as drawn from `rng`.
Dataset stacked(const Dataset& digits, const std::string& name, Pcg32 rng,
                std::vector<std::uint8_t>& digitOnTop, std::vector<float>& pixels) {
    const std::vector<float> patch = nullPatch();
    const std::vector<double> source = digits.inputs.toDoubles();
    const std::int64_t n = digits.size();
    const std::size_t block = std::size_t(kSide * kSide);
    pixels.assign(std::size_t(n) * 2 * block, 0.0f);
    digitOnTop.resize(std::size_t(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const bool top = rng.below(2) == 0;
        digitOnTop[std::size_t(i)] = top ? 1 : 0;
        float* image = pixels.data() + std::size_t(i) * 2 * block;
        float* digit = top ? image : image + block;
        float* null = top ? image + block : image;
        std::transform(source.begin() + std::ptrdiff_t(std::size_t(i) * block),
                       source.begin() + std::ptrdiff_t(std::size_t(i + 1) * block), digit,
                       [](double v) { return float(v); });
        std::copy(patch.begin(), patch.end(), null);
    }
    Dataset ds;
    ds.name = name;
    ds.targets = digits.targets;
    ds.classNames = digits.classNames;
    ds.inputs.dtype = DType::Float32;
    ds.inputs.shape = {n, 1, 2 * kSide, kSide};
    return ds;
}

void store(Dataset& ds, const std::vector<float>& pixels, double mean, double stddev) {
    ds.inputs.storage = Storage::allocate(pixels.size() * sizeof(float));
    auto* out = reinterpret_cast<float*>(ds.inputs.storage->mutableData());
    const auto shift = float(mean), scale = float(1.0 / stddev);
    for (std::size_t i = 0; i < pixels.size(); ++i)
        out[i] = (pixels[i] - shift) * scale;
}

}  // namespace

BlockMnist makeBlockMnist(const BlockMnistOptions& options) {
    SyntheticDigitsOptions digitOptions = options.digits;
    digitOptions.normalize = false;
    const SyntheticDigits digits = makeSyntheticDigits(digitOptions);

    BlockMnist result;
    std::vector<float> trainPixels, testPixels;
    result.split.train =
        stacked(digits.split.train, "BlockMNIST (train)", Pcg32(options.seed, kTrainStream),
                result.trainDigitOnTop, trainPixels);
    result.split.test =
        stacked(digits.split.test, "BlockMNIST (test)", Pcg32(options.seed, kTestStream),
                result.testDigitOnTop, testPixels);
    if (options.normalize) {
        const PixelNormalization n = pixelNormalization(trainPixels);
        result.pixelMean = n.mean;
        result.pixelStd = n.std;
    }
    store(result.split.train, trainPixels, result.pixelMean, result.pixelStd);
    store(result.split.test, testPixels, result.pixelMean, result.pixelStd);
    return result;
}

double nullBlockMass(const SaliencyMap& map, bool digitOnTop) {
    if (map.height <= 0 || map.height % 2 != 0 ||
        map.values.size() != std::size_t(map.height * map.width))
        throw std::invalid_argument(
            "a BlockMNIST map has two blocks of equal height; this one is " +
            std::to_string(map.height) + "×" + std::to_string(map.width));
    const std::size_t half = map.values.size() / 2;
    double top = 0, bottom = 0;
    for (std::size_t i = 0; i < half; ++i)
        top += std::abs(double(map.values[i]));
    for (std::size_t i = half; i < map.values.size(); ++i)
        bottom += std::abs(double(map.values[i]));
    const double total = top + bottom;
    if (!(total > 0)) return std::numeric_limits<double>::quiet_NaN();
    return (digitOnTop ? bottom : top) / total;
}

double meanNullBlockMass(const std::vector<SaliencyMap>& maps,
                         const std::vector<std::uint8_t>& digitOnTop) {
    if (maps.size() != digitOnTop.size())
        throw std::invalid_argument("null-block mass: " + std::to_string(maps.size()) +
                                    " maps for " + std::to_string(digitOnTop.size()) +
                                    " BlockMNIST images");
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const double m = nullBlockMass(maps[i], digitOnTop[i] != 0);
        if (std::isnan(m)) continue;
        sum += m;
        ++count;
    }
    return count ? sum / double(count) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace basin
