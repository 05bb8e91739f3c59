#include "saliency/SaliencyJob.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "connectivity/PathPoint.h"
#include "data/DatasetFiles.h"
#include "data/ImageFile.h"
#include "io/Checkpoint.h"
#include "landscape/PlanePoint.h"

namespace basin {
namespace {

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

std::string weightsLabel(const SaliencyWeights& w) {
    if (!w.label.empty()) return w.label;
    if (!w.checkpointPath.empty()) return std::filesystem::path(w.checkpointPath).stem().string();
    if (w.resultPath.empty()) return "model's own weights";
    char at[64];
    if (w.pathPosition)
        std::snprintf(at, sizeof at, " at t = %.3g", w.t);
    else
        std::snprintf(at, sizeof at, " at (%.3g, %.3g)", w.a, w.b);
    return fileName(w.resultPath) + at;
}

// The input scaled to [0, 1] as a whole (dataset samples are stored
// normalised), for overlays.
TensorData displayPixels(const TensorData& input) {
    TensorData out = input;
    out.storage = Storage::allocate(input.storage->size());
    std::memcpy(out.storage->mutableData(), input.storage->data(), input.storage->size());
    auto* v = reinterpret_cast<float*>(out.storage->mutableData());
    const auto n = std::size_t(out.numel());
    const auto [lo, hi] = std::minmax_element(v, v + n);
    const float low = *lo, range = *hi - *lo;
    for (std::size_t k = 0; k < n; ++k)
        v[k] = range > 0 ? (v[k] - low) / range : 0.0f;
    return out;
}

// Channels of the model's first convolution (grey for 1, RGB otherwise).
ImageFolderOptions::Channels channelsOf(const Model& model) {
    for (const ParameterInfo& p : model.parameters(false))
        if (p.shape.size() == 4)
            return p.shape[1] == 1 ? ImageFolderOptions::Channels::Grey
                                   : ImageFolderOptions::Channels::RGB;
    return ImageFolderOptions::Channels::RGB;
}

std::vector<SaliencyImage> loadImages(const SaliencyRecipe& r, const Model& model) {
    std::vector<SaliencyImage> images;
    if (!r.datasetPath.empty()) {
        const Dataset data = loadDatasetFile(r.datasetPath);
        for (std::int64_t i : r.datasetIndices) {
            SaliencyImage image;
            image.name = fileName(r.datasetPath) + " #" + std::to_string(i);
            image.input = sampleOf(data.inputs, i, "dataset '" + r.datasetPath + "'");
            image.pixels = displayPixels(image.input);
            if (data.isClassification())
                image.label = std::int64_t(data.targets.toDoubles()[std::size_t(i)]);
            images.push_back(std::move(image));
        }
    }
    ImageFolderOptions options;
    options.width = r.width;
    options.height = r.height;
    options.channels = channelsOf(model);
    for (const std::string& path : r.imagePaths) {
        SaliencyImage image;
        image.name = fileName(path);
        image.pixels = loadImageFile(path, options);
        if (r.mean.empty() && r.std.empty()) {
            image.input = image.pixels;
        } else {
            ImageFolderOptions normalized = options;
            normalized.mean = r.mean;
            normalized.std = r.std;
            image.input = loadImageFile(path, normalized);
        }
        images.push_back(std::move(image));
    }
    if (images.empty())
        throw std::runtime_error("no image to explain: give image files or dataset indices");
    return images;
}

// The recipe's metrics of `result`'s map (the randomization check reports
// its progress as the map's; it recomputes the map per layer).
void computeMetrics(const SaliencyRecipe& r, const Model& model, const TensorData& image,
                    SaliencyOptions options, SaliencyResult& result,
                    const SaliencyProgress& progress) {
    options.target.kind = SaliencyTarget::Kind::Class;
    options.target.classIndex = result.map.targetClass;
    if (result.map.otherClass >= 0) {
        options.target.kind = SaliencyTarget::Kind::Contrast;
        options.target.otherClass = result.map.otherClass;
    }
    if (r.deletionInsertion) result.deletionInsertion = deletionInsertion(model, image, result.map);
    if (r.randomization) {
        RandomizationOptions o;
        o.seed = r.options.seed;
        result.randomization = randomizationCheck(model, image, options, o, progress);
    }
    if (r.classSensitivity) result.classSensitivity = classSensitivity(model, image, options);
}

std::vector<std::string> layersFor(const SaliencyRecipe& r, SaliencyMethod method) {
    if (!needsLayer(method) || r.layers.empty()) return {r.options.layer};
    return r.layers;
}

}  // namespace

Model loadSaliencyModel(const SaliencyRecipe& recipe, const SaliencyWeights& weights) {
    if (!weights.resultPath.empty())
        return weights.pathPosition
                   ? weightsOnPath(weights.resultPath, weights.t).model
                   : weightsOnPlane(weights.resultPath, weights.a, weights.b).model;
    Model model = Model::load(recipe.modelPath);
    if (!weights.checkpointPath.empty()) {
        const ApplyReport report =
            model.applyStateDict(loadCheckpoint(weights.checkpointPath).stateDict());
        if (!report.shapeMismatches.empty() || report.applied.empty())
            throw std::runtime_error("checkpoint '" + weights.checkpointPath +
                                     "' does not fit model '" + recipe.modelPath +
                                     "': " + report.describe());
    }
    return model;
}

std::vector<SaliencyLayer> saliencyLayersOf(const SaliencyRecipe& recipe) {
    const Model model =
        loadSaliencyModel(recipe, recipe.weights.empty() ? SaliencyWeights{} : recipe.weights[0]);
    SaliencyRecipe first = recipe;
    if (!first.datasetIndices.empty()) {
        first.datasetIndices.resize(1);
        first.imagePaths.clear();
    } else if (!first.imagePaths.empty()) {
        first.imagePaths.resize(1);
    }
    return saliencyLayers(model, loadImages(first, model).front().input);
}

SaliencyJob::SaliencyJob(SaliencyRecipe recipe) : recipe_(std::move(recipe)) {
    if (recipe_.weights.empty()) recipe_.weights.push_back({});
}

std::string SaliencyJob::title() const {
    std::string methods;
    for (SaliencyMethod m : recipe_.methods)
        methods += (methods.empty() ? "" : ", ") + std::string(saliencyMethodTitle(m));
    const std::size_t count = recipe_.imagePaths.size() + recipe_.datasetIndices.size();
    std::string images = std::to_string(count) + " images";
    if (count == 1)
        images = recipe_.imagePaths.empty() ? fileName(recipe_.datasetPath) + " #" +
                                                  std::to_string(recipe_.datasetIndices.front())
                                            : fileName(recipe_.imagePaths.front());
    return "Saliency (" + methods + ") of " + images;
}

void SaliencyJob::run(JobContext& context) {
    if (recipe_.methods.empty()) throw std::runtime_error("no saliency method chosen");
    images_.clear();
    weightLabels_.clear();
    predictions_.clear();
    results_.clear();
    layers_.clear();

    std::size_t mapsPerWeights = 0;
    for (SaliencyMethod m : recipe_.methods)
        mapsPerWeights += layersFor(recipe_, m).size();
    double done = 0;
    double total = 0;

    for (std::size_t w = 0; w < recipe_.weights.size(); ++w) {
        const SaliencyWeights& weights = recipe_.weights[w];
        weightLabels_.push_back(weightsLabel(weights));
        context.report(done / std::max(total, 1.0), "loading the model at " + weightLabels_.back());
        const Model model = loadSaliencyModel(recipe_, weights);
        context.throwIfCancelled();
        if (images_.empty()) {
            images_ = loadImages(recipe_, model);
            predictions_.assign(images_.size(), {});
            total = double(images_.size() * recipe_.weights.size() * mapsPerWeights);
            if (std::any_of(recipe_.methods.begin(), recipe_.methods.end(), needsLayer))
                layers_ = saliencyLayers(model, images_.front().input);
        }
        for (std::size_t i = 0; i < images_.size(); ++i) {
            predictions_[i].push_back(topPredictions(model, images_[i].input, recipe_.topK));
            for (SaliencyMethod method : recipe_.methods) {
                for (const std::string& layer : layersFor(recipe_, method)) {
                    SaliencyOptions options = recipe_.options;
                    options.method = method;
                    options.layer = layer;
                    const std::string what = std::string(saliencyMethodTitle(method)) + " of " +
                                             images_[i].name + " at " + weightLabels_[w];
                    const double begin = done;
                    const SaliencyProgress progress = [&](double fraction) {
                        context.report((begin + fraction) / total, what);
                        return !context.cancelRequested();
                    };
                    context.report(begin / total, what);
                    const auto start = std::chrono::steady_clock::now();
                    SaliencyResult result;
                    result.image = i;
                    result.weights = w;
                    result.map = computeSaliency(model, images_[i].input, options, progress);
                    result.seconds =
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                            .count();
                    computeMetrics(recipe_, model, images_[i].input, options, result, progress);
                    results_.push_back(std::move(result));
                    done += 1;
                    context.report(done / total, what);
                    context.throwIfCancelled();
                }
            }
        }
    }
}

}  // namespace basin
