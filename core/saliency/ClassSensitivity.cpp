#include "saliency/ClassSensitivity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace basin {
namespace {

// `image` as a batch of one ([1, C, H, W]), sharing its storage.
TensorData batchOfOne(const TensorData& image) {
    if (image.shape.size() == 4 && image.shape[0] == 1) return image;
    if (image.shape.size() != 3)
        throw std::invalid_argument(
            "class sensitivity needs one image [C, H, W] or [1, C, H, W], "
            "got " +
            image.shapeString());
    TensorData batch = image;
    batch.shape.insert(batch.shape.begin(), 1);
    if (!batch.strides.empty()) batch.strides.insert(batch.strides.begin(), image.numel());
    return batch;
}

}  // namespace

ClassSensitivity classSensitivity(const Model& model, const TensorData& image,
                                  const ClassExplainer& explain) {
    const TensorData logits = model.forward(batchOfOne(image));
    if (logits.shape.size() != 2 || logits.shape[0] != 1 || logits.shape[1] < 2)
        throw std::runtime_error("model '" + model.name() + "' gives logits " +
                                 logits.shapeString() +
                                 " for one image; class sensitivity needs [1, classes ≥ 2]");
    const std::vector<double> v = logits.toDoubles();
    const auto [least, most] = std::minmax_element(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
        sum += std::exp(x - *most);

    ClassSensitivity result;
    result.mostLikely = std::int64_t(most - v.begin());
    result.leastLikely = std::int64_t(least - v.begin());
    result.mostProbability = 1.0 / sum;
    result.leastProbability = std::exp(*least - *most) / sum;
    result.mostLikelyMap = explain(result.mostLikely);
    result.leastLikelyMap = explain(result.leastLikely);
    result.similarity = compareMaps(result.mostLikelyMap, result.leastLikelyMap);
    return result;
}

ClassSensitivity classSensitivity(const Model& model, const TensorData& image,
                                  const SaliencyOptions& options) {
    return classSensitivity(model, image, [&](std::int64_t targetClass) {
        SaliencyOptions o = options;
        o.target.kind = SaliencyTarget::Kind::Class;
        o.target.classIndex = targetClass;
        return computeSaliency(model, image, o);
    });
}

}  // namespace basin
