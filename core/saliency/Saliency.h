#pragma once
// Saliency maps of a model at its current weights: one entry point for every
// method (SaliencyMethod.h), the model's top predictions for the class
// picker, and the layers a CAM-style method can read.
//
// Images are float32 [C, H, W] (or [1, C, H, W]) as the model takes them
// (already normalized). All samples, steps and masks run batched within
// SaliencyOptions::memoryBudgetBytes. The model is not changed: gradients run
// on a copy sharing its weights with its own compiled methods.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/TensorData.h"
#include "model/Model.h"
#include "saliency/SaliencyMap.h"
#include "saliency/SaliencyOptions.h"

namespace basin {

// Called with the fraction done; returns false to stop (the call then throws
// JobCancelled).
using SaliencyProgress = std::function<bool(double fraction)>;

// Throws std::runtime_error with a sentence naming the model, the image
// shape or the layer when the map cannot be computed (a layer that cannot be
// exposed, a target class out of range, a custom baseline of the wrong shape).
SaliencyMap computeSaliency(const Model& model, const TensorData& image,
                            const SaliencyOptions& options,
                            const SaliencyProgress& progress = {});

// One map per image of a batch [N, C, H, W] (a folder, the metrics).
std::vector<SaliencyMap> computeSaliencyBatch(const Model& model, const TensorData& images,
                                              const SaliencyOptions& options,
                                              const SaliencyProgress& progress = {});

struct ClassScore {
    std::int64_t index = 0;
    double logit = 0.0;
    double probability = 0.0;  // softmax
};
// The k most likely classes for `image`, most likely first.
std::vector<ClassScore> topPredictions(const Model& model, const TensorData& image, int k);

struct SaliencyLayer {
    std::string path;  // "layer4", "layer4.1.conv2"
    std::string kind;  // the submodule's class ("Conv2d", "BasicBlock", "Sequential")
    std::vector<std::int64_t> outputShape;  // for one image, e.g. [512, 7, 7]
};
// Submodules whose output can be exposed, in the order forward() computes
// them, with their output shapes for `image` (one forward pass). Those with a
// spatial output ([C, h, w]) are the candidates for CAM-style methods.
std::vector<SaliencyLayer> saliencyLayers(const Model& model, const TensorData& image);
// The default layer for CAM-style methods: the last one with a spatial output.
std::string defaultCamLayer(const std::vector<SaliencyLayer>& layers);

}  // namespace basin
