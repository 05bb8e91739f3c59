#pragma once
// Class sensitivity of a saliency method (Rebuffi et al., "There and Back
// Again: Revisiting Backpropagation Saliency Methods", CVPR 2020, §5): the
// similarity between the map explaining the most likely class and the map
// explaining the least likely one. A method that explains the class (not
// only where the image has edges) gives different maps: lower is more
// class-sensitive.

#include <cstdint>
#include <functional>

#include "io/TensorData.h"
#include "model/Model.h"
#include "saliency/MapSimilarity.h"
#include "saliency/Saliency.h"
#include "saliency/SaliencyMap.h"

namespace basin {

struct ClassSensitivity {
    std::int64_t mostLikely = 0, leastLikely = 0;
    double mostProbability = 0.0, leastProbability = 0.0;  // softmax
    SaliencyMap mostLikelyMap, leastLikelyMap;
    MapSimilarity similarity;  // Spearman (signed, absolute) and SSIM between the two maps
};

// A map explaining `targetClass` of `model`'s output.
using ClassExplainer = std::function<SaliencyMap(std::int64_t targetClass)>;

// `image` is [C, H, W] or [1, C, H, W] as the model takes it; the most and
// least likely classes come from one forward pass, the maps from `explain`.
ClassSensitivity classSensitivity(const Model& model, const TensorData& image,
                                  const ClassExplainer& explain);

// The same with computeSaliency(model, image, options) for each class
// (options.target is replaced by the class).
ClassSensitivity classSensitivity(const Model& model, const TensorData& image,
                                  const SaliencyOptions& options);

}  // namespace basin
