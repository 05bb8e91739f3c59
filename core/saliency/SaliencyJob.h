#pragma once
// Saliency maps from files, as `basin saliency` and the GUI's saliency views
// compute them: loads the TorchScript model, each set of weights to compare
// (checkpoints, or a point of a landscape or path result) and the images
// (image files, or samples of a dataset file) inside the job, then computes
// one map per image × weights × method (× layer for the CAM family and
// NormGrad) with computeSaliency, reporting progress and stopping when
// cancelled. Keeps the images as shown (pixels in [0, 1]), each weights'
// top predictions and every map with the time it took.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/Job.h"
#include "saliency/ClassSensitivity.h"
#include "saliency/DeletionInsertion.h"
#include "saliency/RandomizationCheck.h"
#include "saliency/Saliency.h"

namespace basin {

// One set of weights to explain the model at.
struct SaliencyWeights {
    std::string label;           // for figures and grids ("epoch 5", "t = 0.3")
    std::string checkpointPath;  // empty (and no result): the model's own weights
    // A point of a result (landscape/PlanePoint.h, connectivity/PathPoint.h):
    // (a, b) on a surface, or t on a path file (pathPosition true).
    std::string resultPath;
    bool pathPosition = false;
    double a = 0.0, b = 0.0, t = 0.0;
};

struct SaliencyRecipe {
    std::string modelPath;
    std::vector<SaliencyWeights> weights;  // empty: the model's own weights
    // The images: files, or samples of a dataset file (.npz/.npy/.pt).
    std::vector<std::string> imagePaths;
    std::string datasetPath;
    std::vector<std::int64_t> datasetIndices;
    // Image files: resized to width × height when given (else taken as they
    // are), with the model's channel count (grey for a 1-channel first
    // convolution, else RGB) and normalised per channel by mean/std.
    int width = 0, height = 0;
    std::vector<double> mean, std;

    std::vector<SaliencyMethod> methods;
    // Layer methods: one map per layer; empty: options.layer (or the default).
    std::vector<std::string> layers;
    SaliencyOptions options;  // target and parameters; method/layer set per map
    int topK = 5;

    // Metrics of each map (saliency/DeletionInsertion.h, RandomizationCheck.h,
    // ClassSensitivity.h), computed after it at the same weights.
    bool deletionInsertion = false;
    bool randomization = false;
    bool classSensitivity = false;
};

// An image as explained.
struct SaliencyImage {
    std::string name;         // file name, or "<dataset> #i"
    TensorData input;         // [C, H, W] as the model takes it
    TensorData pixels;        // [C, H, W] in [0, 1], for overlays
    std::int64_t label = -1;  // a dataset's label; -1 for files
};

struct SaliencyResult {
    std::size_t image = 0, weights = 0;  // indices into images() and weightLabels()
    SaliencyMap map;
    double seconds = 0.0;  // time to compute the map
    std::optional<DeletionInsertionResult> deletionInsertion;
    std::optional<RandomizationResult> randomization;
    std::optional<ClassSensitivity> classSensitivity;
};

class SaliencyJob : public Job {
public:
    explicit SaliencyJob(SaliencyRecipe recipe);
    std::string title() const override;
    // Throws std::runtime_error naming the file, layer or image at fault.
    void run(JobContext& context) override;

    const SaliencyRecipe& recipe() const { return recipe_; }
    const std::vector<SaliencyImage>& images() const { return images_; }
    const std::vector<std::string>& weightLabels() const { return weightLabels_; }
    // predictions()[image][weights]: the top-k classes, most likely first.
    const std::vector<std::vector<std::vector<ClassScore>>>& predictions() const {
        return predictions_;
    }
    // Layers a CAM-style method can read, for the first image (the layer picker).
    const std::vector<SaliencyLayer>& layers() const { return layers_; }
    // In order: image, then weights, then method, then layer.
    const std::vector<SaliencyResult>& results() const { return results_; }

private:
    SaliencyRecipe recipe_;
    std::vector<SaliencyImage> images_;
    std::vector<std::string> weightLabels_;
    std::vector<std::vector<std::vector<ClassScore>>> predictions_;
    std::vector<SaliencyLayer> layers_;
    std::vector<SaliencyResult> results_;
};

// The recipe's model at `weights`. Throws a sentence naming the checkpoint or
// the result that does not fit the model.
Model loadSaliencyModel(const SaliencyRecipe& recipe, const SaliencyWeights& weights);
// The layers a CAM-style method can read for the recipe's first image at its
// first weights (a dialog's layer picker). Throws as the job would.
std::vector<SaliencyLayer> saliencyLayersOf(const SaliencyRecipe& recipe);

}  // namespace basin
