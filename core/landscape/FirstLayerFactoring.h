#pragma once
// Less arithmetic per landscape point: a network's first layer is linear in
// its weights, so on the plane θ(a, b) = θ₀ + a·d_x + b·d_y its output is
//
//     f₁(x; W₀ + a·D_x + b·D_y, c₀ + a·e_x + b·e_y) = y₀ + a·y_x + b·y_y,
//     y₀ = f₁(x; W₀, c₀),  y_x = f₁(x; D_x, e_x),  y_y = f₁(x; D_y, e_y)
//
// for a linear layer or a convolution f₁ with weight W and bias c (e: the
// directions' bias parts, absent when the bias does not move). The three
// outputs are computed once per dataset; each point then combines them (two
// fused multiply-adds per output element) and runs only the rest of the
// network. For an MLP 784-512-512-10 that removes 60% of the FLOPs.
//
// The first layer is found in the TorchScript graph of forward() (inlined,
// constants propagated): the first aten::linear / conv1d / conv2d / conv3d /
// _convolution node whose weight is a parameter the directions move and
// whose input depends on the network's input only (reshapes, flatten, fixed
// normalization: no moving tensor, no control flow, no random or in-place op).
// "The rest of the network" is a copy of that graph with the layer's output
// made an input; the model's own tensors are read at run time, so weights set
// with WeightVector::applyTo are used for every later layer.
//
// Results equal evaluate() at θ(a, b) up to float rounding (a parity test
// checks ≤ 1e-5 relative). Not used with BatchNorm re-estimation (the rest
// of the network would need train-mode passes too): LandscapeJob then
// evaluates the whole network.

#include <cstdint>
#include <memory>
#include <string>

#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "landscape/Directions.h"
#include "model/Model.h"

namespace basin {

struct FirstLayerOptions {
    std::int64_t budgetBytes = std::int64_t(2) << 30;  // for the cached outputs
    // Inputs per output unit (in_features; in_channels/groups × kernel size)
    // below which factoring is refused: combining three cached outputs costs
    // two multiply-adds and three memory reads per output element, which a
    // small layer recomputes as fast (a first 3×3 convolution on RGB, fan-in
    // 27, measured slower factored). 0 accepts any layer.
    std::int64_t minimumFanIn = 0;
    int threads = 0;  // intra-op threads, as EvalOptions::threads
};

class FirstLayerFactoring {
public:
    // Looks for the first layer and caches its three outputs over `dataset`
    // with the model at θ₀ (its current weights). Returns nullptr and sets
    // `whyNot` (a sentence) when the model has no such layer, when its fan-in
    // is below options.minimumFanIn, or when the cache would exceed
    // options.budgetBytes.
    static std::unique_ptr<FirstLayerFactoring> prepare(Model& model, const Directions& directions,
                                                        const Dataset& dataset,
                                                        const FirstLayerOptions& options,
                                                        std::string* whyNot,
                                                        JobContext* context = nullptr);
    ~FirstLayerFactoring();
    FirstLayerFactoring(const FirstLayerFactoring&) = delete;
    FirstLayerFactoring& operator=(const FirstLayerFactoring&) = delete;

    // Loss and accuracy at θ(a, b), as evaluate(model, dataset, options) would
    // give them: the caller must have set the model's weights to θ(a, b) (every
    // layer after the first reads them). b is ignored for 1-D directions.
    EvalResult evaluate(Model& model, double a, double b, const EvalOptions& options = {},
                        JobContext* context = nullptr) const;

    // "linear 'fc1.weight'", for progress messages and reports.
    const std::string& description() const;
    std::int64_t cacheBytes() const;

    struct Impl;

private:
    explicit FirstLayerFactoring(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace basin
