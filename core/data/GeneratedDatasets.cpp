// Two spirals, XOR clusters and Gaussian blobs (the digits are in
// SyntheticDigits.cpp).

#include "data/GeneratedDatasets.h"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "data/detail/GeneratedSplit.h"
#include "data/detail/TensorBuilders.h"
#include "util/Pcg32.h"

namespace basin {
namespace detail {

std::vector<std::int64_t> shuffledOrder(std::int64_t n, Pcg32& rng) {
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), std::int64_t(0));
    // Fisher–Yates: swap each position with a uniformly chosen one at or before it.
    for (std::int64_t i = n - 1; i > 0; --i)
        std::swap(order[std::size_t(i)], order[rng.below(std::uint32_t(i + 1))]);
    return order;
}

Dataset pointDataset(const std::string& name, std::int64_t dims, const std::vector<float>& points,
                     const std::vector<std::int64_t>& labels, std::vector<std::string> classNames,
                     Pcg32& rng) {
    const auto n = static_cast<std::int64_t>(labels.size());
    const auto order = shuffledOrder(n, rng);
    std::vector<float> x(points.size());
    std::vector<std::int64_t> y(labels.size());
    for (std::int64_t i = 0; i < n; ++i) {
        const auto from = std::size_t(order[std::size_t(i)]);
        for (std::int64_t d = 0; d < dims; ++d)
            x[std::size_t(i * dims + d)] = points[from * std::size_t(dims) + std::size_t(d)];
        y[std::size_t(i)] = labels[from];
    }
    Dataset ds;
    ds.name = name;
    ds.inputs = float32Tensor({n, dims}, std::move(x));
    ds.targets = int64Tensor({n}, std::move(y));
    ds.classNames = std::move(classNames);
    return ds;
}

void requireCount(const char* dataset, const char* option, std::int64_t value) {
    if (value < 0 || value > (std::int64_t(1) << 26))
        throw std::invalid_argument(std::string(dataset) + ": " + option + " = " +
                                    std::to_string(value) + " is outside [0, 2^26]");
}

}  // namespace detail

namespace {

constexpr double kPi = 3.14159265358979323846;
// Stream numbers: each kind of draw has its own sequence for a given seed.
constexpr std::uint64_t kTrainStream = 1, kTestStream = 2, kCentreStream = 3, kNoiseStream = 4;

std::vector<std::string> numberedClasses(std::int64_t k) {
    std::vector<std::string> names;
    for (std::int64_t c = 0; c < k; ++c)
        names.push_back(std::to_string(c));
    return names;
}

Dataset spiralSplit(const TwoSpiralsOptions& o, std::int64_t perClass, std::uint64_t stream,
                    const std::string& name) {
    Pcg32 rng(o.seed, stream);
    const double tMax = 2.0 * kPi * o.turns;
    std::vector<float> points;
    std::vector<std::int64_t> labels;
    for (std::int64_t c = 0; c < 2; ++c) {
        for (std::int64_t i = 0; i < perClass; ++i) {
            const double t = tMax * std::sqrt(rng.uniform());
            const double r = tMax > 0 ? t / tMax : 0.0;
            const double phi = t + double(c) * kPi;
            points.push_back(float(r * std::cos(phi) + o.noise * rng.normal()));
            points.push_back(float(r * std::sin(phi) + o.noise * rng.normal()));
            labels.push_back(c);
        }
    }
    return detail::pointDataset(name, 2, points, labels, {"0", "1"}, rng);
}

Dataset xorSplit(const XorClustersOptions& o, std::int64_t perCluster, std::uint64_t stream,
                 const std::string& name, bool noisyLabels) {
    Pcg32 rng(o.seed, stream);
    const std::int64_t dims = 2 + o.extraDims;
    std::vector<float> points;
    std::vector<std::int64_t> labels;
    for (int cluster = 0; cluster < 4; ++cluster) {
        const double cx = (cluster & 1) ? 1.0 : -1.0;
        const double cy = (cluster & 2) ? 1.0 : -1.0;
        for (std::int64_t i = 0; i < perCluster; ++i) {
            points.push_back(float(cx + o.spread * rng.normal()));
            points.push_back(float(cy + o.spread * rng.normal()));
            for (std::int64_t d = 0; d < o.extraDims; ++d)
                points.push_back(float(o.spread * rng.normal()));
            labels.push_back((cx > 0) != (cy > 0) ? 1 : 0);
        }
    }
    if (noisyLabels && o.labelNoise > 0) {
        // Flip exactly round(fraction * N) distinct labels: the first ones of a
        // random permutation.
        Pcg32 noiseRng(o.seed, kNoiseStream);
        const auto n = std::int64_t(labels.size());
        const auto flips = std::int64_t(std::llround(o.labelNoise * double(n)));
        const auto order = detail::shuffledOrder(n, noiseRng);
        for (std::int64_t i = 0; i < flips; ++i)
            labels[std::size_t(order[std::size_t(i)])] ^= 1;
    }
    return detail::pointDataset(name, dims, points, labels, {"0", "1"}, rng);
}

Dataset blobSplit(const GaussianBlobsOptions& o, const std::vector<double>& centres,
                  std::int64_t perClass, std::uint64_t stream, const std::string& name) {
    Pcg32 rng(o.seed, stream);
    std::vector<float> points;
    std::vector<std::int64_t> labels;
    for (std::int64_t c = 0; c < o.classes; ++c) {
        for (std::int64_t i = 0; i < perClass; ++i) {
            for (std::int64_t d = 0; d < o.dims; ++d)
                points.push_back(
                    float(centres[std::size_t(c * o.dims + d)] + o.spread * rng.normal()));
            labels.push_back(c);
        }
    }
    return detail::pointDataset(name, o.dims, points, labels, numberedClasses(o.classes), rng);
}

}  // namespace

DatasetSplit makeTwoSpirals(const TwoSpiralsOptions& o) {
    detail::requireCount("two spirals", "trainPerClass", o.trainPerClass);
    detail::requireCount("two spirals", "testPerClass", o.testPerClass);
    if (!(o.turns >= 0) || !(o.noise >= 0))
        throw std::invalid_argument("two spirals: turns and noise must be non-negative");
    return {spiralSplit(o, o.trainPerClass, kTrainStream, "two spirals (train)"),
            spiralSplit(o, o.testPerClass, kTestStream, "two spirals (test)")};
}

DatasetSplit makeXorClusters(const XorClustersOptions& o) {
    detail::requireCount("XOR clusters", "trainPerCluster", o.trainPerCluster);
    detail::requireCount("XOR clusters", "testPerCluster", o.testPerCluster);
    detail::requireCount("XOR clusters", "extraDims", o.extraDims);
    if (!(o.labelNoise >= 0 && o.labelNoise <= 1))
        throw std::invalid_argument("XOR clusters: labelNoise = " + std::to_string(o.labelNoise) +
                                    " is outside [0, 1]");
    if (!(o.spread >= 0)) throw std::invalid_argument("XOR clusters: spread must be >= 0");
    return {xorSplit(o, o.trainPerCluster, kTrainStream, "XOR clusters (train)", true),
            xorSplit(o, o.testPerCluster, kTestStream, "XOR clusters (test)", false)};
}

DatasetSplit makeGaussianBlobs(const GaussianBlobsOptions& o) {
    detail::requireCount("Gaussian blobs", "trainPerClass", o.trainPerClass);
    detail::requireCount("Gaussian blobs", "testPerClass", o.testPerClass);
    if (o.classes < 1 || o.classes > 1000 || o.dims < 1 || o.dims > 100000)
        throw std::invalid_argument(
            "Gaussian blobs: need 1..1000 classes and 1..100000 dims, got " +
            std::to_string(o.classes) + " and " + std::to_string(o.dims));
    if (!(o.spread >= 0)) throw std::invalid_argument("Gaussian blobs: spread must be >= 0");
    Pcg32 centreRng(o.seed, kCentreStream);
    std::vector<double> centres(std::size_t(o.classes * o.dims));
    for (double& c : centres)
        c = centreRng.uniform(-o.centerBox, o.centerBox);
    return {blobSplit(o, centres, o.trainPerClass, kTrainStream, "Gaussian blobs (train)"),
            blobSplit(o, centres, o.testPerClass, kTestStream, "Gaussian blobs (test)")};
}

}  // namespace basin
