#pragma once
// Evaluation through a frozen, inference-optimized copy of the model at its
// current weights: torch.jit.freeze folds the parameters into the graph as
// constants, then optimize_for_inference folds eval-mode BatchNorm into the
// preceding convolutions and runs convolutions in MKL-DNN's blocked layout.
// For convolutional networks on CPU that is several times faster than the
// scripted module (bench_landscape: 5× on the BatchNorm CNN), for the cost of
// freezing (~10–30 ms for small models) — worth paying once per landscape or
// path point, where every weight change needs a new copy.
//
// Results equal evaluate() up to float rounding (folding BatchNorm changes
// the order of operations): the caller compares the two once (LandscapeJob
// does at its first point) before trusting the frozen path.

#include <memory>

#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "model/Model.h"

namespace basin {

// Whether the model's forward() (inlined) runs a convolution: the models for
// which freezing pays on CPU.
bool hasConvolution(const Model& model);

// A frozen copy of a model at the weights it has when constructed; evaluating
// it leaves the model itself alone.
class FrozenModel {
public:
    // Throws a sentence naming the model when libtorch cannot freeze it.
    explicit FrozenModel(const Model& model);
    ~FrozenModel();
    FrozenModel(const FrozenModel&) = delete;
    FrozenModel& operator=(const FrozenModel&) = delete;

    // What evaluate(model, dataset, options, context) gave at those weights.
    EvalResult evaluate(const Dataset& dataset, const EvalOptions& options = {},
                        JobContext* context = nullptr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace basin
