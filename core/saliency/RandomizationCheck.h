#pragma once
// The model-parameter randomization test of Adebayo et al., "Sanity Checks
// for Saliency Maps" (NeurIPS 2018): if a saliency method explains what the
// model learned, its map must change when the learned weights are replaced
// by random ones.
//
// Layers are the submodules holding a weight of two or more dimensions
// (convolutions, linear layers), top (output) first. On a copy of the model
// (the model passed in is never changed):
//  - cascading: the layers are re-initialized one after another from the
//    top down, cumulatively;
//  - independent: each layer alone is re-initialized, the others keep their
//    trained weights.
// After each step the map is recomputed and compared with the original one
// (saliency/MapSimilarity.h: Spearman rank correlation of signed and absolute
// values, SSIM). Both tables start with a row for the unchanged copy
// (similarity 1 for a deterministic method).
//
// Re-initialization draws what the layer would get at construction in
// PyTorch (nn.Linear / nn.Conv2d's reset_parameters): kaiming_uniform_ with
// a = √5, i.e. weight and bias uniform in [−1/√fan_in, 1/√fan_in], fan_in =
// in_channels · kernel size. Normalization layers (BatchNorm's 1-D weight)
// keep their parameters and statistics. Draws come from Pcg32(seed, layer's
// index), so a layer gets the same random weights in both modes.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/TensorData.h"
#include "model/Model.h"
#include "saliency/MapSimilarity.h"
#include "saliency/Saliency.h"
#include "saliency/SaliencyMap.h"

namespace basin {

enum class RandomizationMode { Cascading, Independent };

struct RandomizationOptions {
    bool cascading = true;
    bool independent = true;
    // The layers to re-initialize, in the order given; empty = every layer of
    // randomizableLayers() (top first).
    std::vector<std::string> layers;
    std::uint64_t seed = 0;
};

struct RandomizationStep {
    std::string layer;  // the layer re-initialized at this step; empty for the unchanged copy
    MapSimilarity similarity;
    SaliencyMap map;
};

struct RandomizationResult {
    SaliencyMap original;
    std::vector<std::string> layers;  // in the order they were re-initialized
    // 1 + layers.size() rows each (unchanged copy first); empty when the
    // mode was not asked for.
    std::vector<RandomizationStep> cascading, independent;
    const std::vector<RandomizationStep>& steps(RandomizationMode mode) const {
        return mode == RandomizationMode::Cascading ? cascading : independent;
    }
};

// A map of `model` (a copy of the one under test, with some layers
// re-initialized) for the same input and target.
using ModelExplainer = std::function<SaliencyMap(const Model& model)>;

// Submodule paths holding a weight of ≥ 2 dimensions ("fc", "layer4.1.conv2"),
// last in module order first (the output end of usual networks).
std::vector<std::string> randomizableLayers(const Model& model);

// Re-initializes `layer`'s weight and bias in `model` as described above,
// drawing from Pcg32(seed, stream). Throws std::invalid_argument naming the
// layer and the model when it holds no weight of ≥ 2 dimensions.
void reinitializeLayer(Model& model, const std::string& layer, std::uint64_t seed,
                       std::uint64_t stream);

// Calls `progress` with the fraction done; when it returns false the check
// stops with JobCancelled. Throws std::invalid_argument naming a requested
// layer the model does not have.
RandomizationResult randomizationCheck(const Model& model, const ModelExplainer& explain,
                                       const RandomizationOptions& options,
                                       const SaliencyProgress& progress = {});

// The same with computeSaliency(model, image, saliency). The target class is
// resolved on the original model and kept for every step (a randomized model
// predicts something else).
RandomizationResult randomizationCheck(const Model& model, const TensorData& image,
                                       const SaliencyOptions& saliency,
                                       const RandomizationOptions& options,
                                       const SaliencyProgress& progress = {});

const char* randomizationModeName(RandomizationMode mode);  // "cascading", "independent"

}  // namespace basin
