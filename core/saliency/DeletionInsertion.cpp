#include "saliency/DeletionInsertion.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace basin {
namespace {

struct ImageShape {
    std::int64_t channels = 0, height = 0, width = 0;
    std::int64_t pixels() const { return height * width; }
    std::int64_t numel() const { return channels * height * width; }
};

ImageShape imageShape(const TensorData& image) {
    const auto& s = image.shape;
    if (image.dtype != DType::Float32 || !(s.size() == 3 || (s.size() == 4 && s[0] == 1)))
        throw std::invalid_argument(
            "deletion/insertion needs a float32 image [C, H, W] or "
            "[1, C, H, W], got " +
            std::string(dtypeName(image.dtype)) + " " + image.shapeString());
    const std::size_t o = s.size() - 3;
    return {s[o], s[o + 1], s[o + 2]};
}

TensorData batchOf(const std::vector<float>& images, std::int64_t count, const ImageShape& shape) {
    TensorData t;
    t.dtype = DType::Float32;
    t.shape = {count, shape.channels, shape.height, shape.width};
    t.storage = Storage::allocate(images.size() * sizeof(float));
    std::memcpy(t.storage->mutableData(), images.data(), images.size() * sizeof(float));
    return t;
}

// Softmax probabilities of `logits` [N, classes] at `target`, one per row.
std::vector<double> probabilitiesAt(const TensorData& logits, std::int64_t target,
                                    const std::string& modelName) {
    if (logits.shape.size() != 2 || target < 0 || target >= logits.shape[1])
        throw std::invalid_argument("model '" + modelName + "' gives logits " +
                                    logits.shapeString() + ", which have no class " +
                                    std::to_string(target));
    const std::vector<double> v = logits.toDoubles();
    const std::int64_t classes = logits.shape[1];
    std::vector<double> out;
    for (std::int64_t n = 0; n < logits.shape[0]; ++n) {
        const double* row = v.data() + n * classes;
        const double top = *std::max_element(row, row + classes);
        double sum = 0;
        for (std::int64_t c = 0; c < classes; ++c)
            sum += std::exp(row[c] - top);
        out.push_back(std::exp(row[target] - top) / sum);
    }
    return out;
}

// The curve from `start` to `end`: after step k the first ⌈k·HW/n⌉ pixels of
// `order` hold `end`'s values, the others `start`'s.
PerturbationCurve curve(const Model& model, const std::vector<float>& start,
                        const std::vector<float>& end, const std::vector<std::int64_t>& order,
                        const ImageShape& shape, std::int64_t target,
                        const DeletionInsertionOptions& options) {
    const std::int64_t steps = options.steps;
    const std::int64_t batch = std::max<std::int64_t>(1, options.batchSize);
    PerturbationCurve c;
    std::vector<float> current = start;
    std::int64_t moved = 0;
    for (std::int64_t first = 0; first <= steps; first += batch) {
        const std::int64_t count = std::min(batch, steps + 1 - first);
        std::vector<float> images;
        images.reserve(std::size_t(count * shape.numel()));
        for (std::int64_t k = first; k < first + count; ++k) {
            const std::int64_t until = (k * shape.pixels() + steps - 1) / steps;
            for (; moved < until; ++moved) {
                const std::int64_t p = order[std::size_t(moved)];
                for (std::int64_t ch = 0; ch < shape.channels; ++ch) {
                    const std::size_t i = std::size_t(ch * shape.pixels() + p);
                    current[i] = end[i];
                }
            }
            images.insert(images.end(), current.begin(), current.end());
            c.fraction.push_back(double(k) / double(steps));
        }
        const std::vector<double> p =
            probabilitiesAt(model.forward(batchOf(images, count, shape)), target, model.name());
        c.probability.insert(c.probability.end(), p.begin(), p.end());
    }
    c.auc = trapezoidAuc(c.fraction, c.probability);
    return c;
}

std::vector<float> baseline(PerturbationBaseline kind, const std::vector<float>& image,
                            const ImageShape& shape, double sigma) {
    if (kind == PerturbationBaseline::Zero) return std::vector<float>(image.size(), 0.0f);
    return gaussianBlur(image, shape.channels, shape.height, shape.width, sigma);
}

}  // namespace

double trapezoidAuc(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size())
        throw std::invalid_argument("trapezoid rule: " + std::to_string(x.size()) +
                                    " abscissae but " + std::to_string(y.size()) + " values");
    double area = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        area += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
    return area;
}

std::vector<float> gaussianBlur(const std::vector<float>& image, std::int64_t channels,
                                std::int64_t height, std::int64_t width, double sigma) {
    if (sigma <= 0) return image;
    const std::int64_t radius = std::max<std::int64_t>(1, std::int64_t(std::ceil(3 * sigma)));
    std::vector<double> kernel(std::size_t(2 * radius + 1));
    for (std::int64_t d = -radius; d <= radius; ++d)
        kernel[std::size_t(d + radius)] = std::exp(-double(d * d) / (2 * sigma * sigma));
    const double total = std::accumulate(kernel.begin(), kernel.end(), 0.0);
    for (double& k : kernel)
        k /= total;
    auto clampTo = [](std::int64_t v, std::int64_t n) {
        return std::clamp<std::int64_t>(v, 0, n - 1);
    };

    std::vector<float> rows(image.size()), out(image.size());
    for (std::int64_t c = 0; c < channels; ++c) {
        const std::int64_t base = c * height * width;
        for (std::int64_t y = 0; y < height; ++y)
            for (std::int64_t x = 0; x < width; ++x) {
                double s = 0;
                for (std::int64_t d = -radius; d <= radius; ++d)
                    s += kernel[std::size_t(d + radius)] *
                         image[std::size_t(base + y * width + clampTo(x + d, width))];
                rows[std::size_t(base + y * width + x)] = float(s);
            }
        for (std::int64_t y = 0; y < height; ++y)
            for (std::int64_t x = 0; x < width; ++x) {
                double s = 0;
                for (std::int64_t d = -radius; d <= radius; ++d)
                    s += kernel[std::size_t(d + radius)] *
                         rows[std::size_t(base + clampTo(y + d, height) * width + x)];
                out[std::size_t(base + y * width + x)] = float(s);
            }
    }
    return out;
}

DeletionInsertionResult deletionInsertion(const Model& model, const TensorData& image,
                                          const SaliencyMap& map,
                                          const DeletionInsertionOptions& options) {
    const ImageShape shape = imageShape(image);
    if (map.height != shape.height || map.width != shape.width ||
        map.values.size() != std::size_t(shape.pixels()))
        throw std::invalid_argument("a " + std::to_string(map.height) + "×" +
                                    std::to_string(map.width) +
                                    " saliency map does not fit the image " + image.shapeString());
    if (options.steps < 1)
        throw std::invalid_argument("deletion/insertion needs at least one step, got " +
                                    std::to_string(options.steps));
    const std::vector<double> doubles = image.toDoubles();
    const std::vector<float> pixels(doubles.begin(), doubles.end());

    DeletionInsertionResult result;
    result.targetClass = options.targetClass >= 0 ? options.targetClass : map.targetClass;
    if (result.targetClass < 0) {
        const std::vector<double> logits = model.forward(batchOf(pixels, 1, shape)).toDoubles();
        result.targetClass =
            std::int64_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }

    // Most salient first; ties keep their row-major order, NaN counts as least salient.
    std::vector<float> keys = map.values;
    for (float& k : keys)
        if (std::isnan(k)) k = -std::numeric_limits<float>::infinity();
    std::vector<std::int64_t> order(std::size_t(shape.pixels()));
    std::iota(order.begin(), order.end(), std::int64_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
        return keys[std::size_t(a)] > keys[std::size_t(b)];
    });

    result.deletion =
        curve(model, pixels, baseline(options.deletionBaseline, pixels, shape, options.blurSigma),
              order, shape, result.targetClass, options);
    result.insertion =
        curve(model, baseline(options.insertionBaseline, pixels, shape, options.blurSigma), pixels,
              order, shape, result.targetClass, options);
    return result;
}

}  // namespace basin
