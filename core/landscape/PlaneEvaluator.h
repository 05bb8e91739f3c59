#pragma once
// How a landscape job evaluates the loss and accuracy at θ(a, b), fastest
// correct way first:
//  1. First-layer factoring (landscape/FirstLayerFactoring.h) when the
//     model's first layer allows it, its fan-in is large enough for the
//     saved arithmetic to outweigh combining the cached outputs (a linear
//     layer on 784 inputs: yes; a 3×3 convolution on 3 channels, fan-in 27:
//     no — measured slower than recomputing), BatchNorm statistics are not
//     re-estimated, and the cache fits its budget.
//  2. Otherwise, for convolutional networks, a frozen inference copy per
//     point (eval/FrozenEvaluation.h: BatchNorm folded, MKL-DNN
//     convolutions), used when at the first point it gives the same loss as
//     the scripted module (1e-5 relative) and takes less time.
//  3. Otherwise the scripted module itself (evaluate()).
// path() says which was taken and why, for progress messages and reports.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "landscape/Directions.h"
#include "model/Model.h"

namespace basin {

class FirstLayerFactoring;
class FrozenModel;

struct PlaneSpeedOptions {
    bool factorFirstLayer = true;
    std::int64_t firstLayerBudgetBytes = std::int64_t(2) << 30;  // per dataset
    std::int64_t minimumFanIn = 64;  // inputs per output unit of the first layer
    bool freezeForInference = true;
};

class PlaneEvaluator {
public:
    // `model` holds θ₀ (the first layer's outputs are cached from it);
    // `datasets` are the train (and test) data, each evaluated by index.
    PlaneEvaluator(Model& model, const Directions& directions, std::vector<const Dataset*> datasets,
                   const EvalOptions& eval, const PlaneSpeedOptions& speed,
                   bool batchNormReestimated, JobContext* context = nullptr);
    ~PlaneEvaluator();
    PlaneEvaluator(const PlaneEvaluator&) = delete;
    PlaneEvaluator& operator=(const PlaneEvaluator&) = delete;

    // Call whenever the model's weights (or BatchNorm statistics) changed
    // since the last evaluate(): a frozen copy is then made anew.
    void moved();
    // Loss and accuracy of datasets[which] at θ(a, b): the model must hold
    // θ(a, b) (and, with re-estimation, its BatchNorm statistics there).
    EvalResult evaluate(std::size_t which, double a, double b, JobContext* context = nullptr);

    const std::string& path() const { return path_; }

private:
    Model model_;
    std::vector<const Dataset*> datasets_;
    EvalOptions eval_;
    std::vector<std::unique_ptr<FirstLayerFactoring>> factored_;  // per dataset, may be null
    enum class Frozen { Untried, Use, DoNotUse } frozen_ = Frozen::DoNotUse;
    std::unique_ptr<FrozenModel> frozenCopy_;  // of the current weights
    std::string notFactored_;                  // why the first layer is not factored
    std::string path_;
};

}  // namespace basin
