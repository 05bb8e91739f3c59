#pragma once
// Deletion and insertion curves of a saliency map (Petsiuk et al., "RISE:
// Randomized Input Sampling for Explanation of Black-box Models", BMVC 2018).
//
// Pixels are ranked by the map's value, largest first (for signed maps the
// strongest positive evidence first; ties by position, row-major). In n steps
// the ranked pixels are moved, ⌈k·H·W/n⌉ after step k, all channels at once:
//  - deletion: from the image to the deletion baseline (zero by default);
//    a good map makes the target class's probability fall fast (low AUC);
//  - insertion: from the insertion baseline (the image blurred, by default)
//    to the image; a good map makes it rise fast (high AUC).
// The probability is the softmax of the model's logits at the target class,
// after each step (n + 1 points, fraction 0 … 1). The n + 1 perturbed images
// of each curve run through Model::forward in batches. AUC is the trapezoid
// rule over the fraction of pixels moved.

#include <cstdint>
#include <vector>

#include "io/TensorData.h"
#include "model/Model.h"
#include "saliency/SaliencyMap.h"

namespace basin {

enum class PerturbationBaseline {
    Zero,     // every channel 0 (black for unnormalised images, the mean for normalised ones)
    Blurred,  // the image under a Gaussian blur (per channel, σ = blurSigma pixels)
};

struct DeletionInsertionOptions {
    int steps = 50;
    PerturbationBaseline deletionBaseline = PerturbationBaseline::Zero;
    PerturbationBaseline insertionBaseline = PerturbationBaseline::Blurred;
    double blurSigma = 5.0;  // pixels; the kernel reaches 3σ
    // The class whose probability is followed; −1 = the map's target class
    // (or, when the map has none, the class the model predicts for the image).
    std::int64_t targetClass = -1;
    std::int64_t batchSize = 32;  // images per forward pass
};

struct PerturbationCurve {
    std::vector<double> fraction;     // of the pixels moved, 0 … 1
    std::vector<double> probability;  // softmax at the target class
    double auc = 0.0;
};

struct DeletionInsertionResult {
    std::int64_t targetClass = 0;
    PerturbationCurve deletion, insertion;
};

// `image` is [C, H, W] or [1, C, H, W] float32 as the model takes it; the
// map must be H × W. Throws std::invalid_argument naming the shapes when they
// disagree, and the model's sentence when it cannot run on the images.
DeletionInsertionResult deletionInsertion(const Model& model, const TensorData& image,
                                          const SaliencyMap& map,
                                          const DeletionInsertionOptions& options = {});

// ∫ y dx by the trapezoid rule; throws std::invalid_argument when the sizes differ.
double trapezoidAuc(const std::vector<double>& x, const std::vector<double>& y);

// The image (row-major [C, H, W]) under a Gaussian blur of σ pixels, per
// channel, separable, borders replicated.
std::vector<float> gaussianBlur(const std::vector<float>& image, std::int64_t channels,
                                std::int64_t height, std::int64_t width, double sigma);

}  // namespace basin
