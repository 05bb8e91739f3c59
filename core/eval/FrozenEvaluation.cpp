#include "eval/FrozenEvaluation.h"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include <stdexcept>

#include "eval/detail/BatchEvaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

namespace basin {

bool hasConvolution(const Model& model) {
    const auto graph = model.impl().module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    for (const torch::jit::Node* n : graph->nodes()) {
        const c10::Symbol k = n->kind();
        if (k == c10::aten::conv1d || k == c10::aten::conv2d || k == c10::aten::conv3d ||
            k == c10::aten::_convolution)
            return true;
    }
    return false;
}

struct FrozenModel::Impl {
    Model model;  // shares the original's module: names and the training flag
    torch::jit::Module frozen;
};

FrozenModel::FrozenModel(const Model& model) : impl_(new Impl{model, {}}) {
    torch::jit::Module& module = model.impl().module;
    // Freezing needs eval mode; the weights are read as they are now.
    detail::TrainingFlag evalMode(module, false);
    try {
        torch::jit::Module copy = torch::jit::freeze(module);
        impl_->frozen = torch::jit::optimize_for_inference(copy);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot freeze model '" + model.name() +
                                 "' for inference: " + detail::torchReason(e));
    }
}

FrozenModel::~FrozenModel() = default;

EvalResult FrozenModel::evaluate(const Dataset& dataset, const EvalOptions& options,
                                 JobContext* context) const {
    Impl& d = *impl_;
    return detail::evaluateBatches(
        d.model, dataset, options, context,
        [&](const torch::Tensor& xb, std::int64_t, std::int64_t) {
            return detail::guardedForward(d.model, dataset, [&] { return d.frozen.forward({xb}); });
        });
}

}  // namespace basin
