#include "eval/Evaluation.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "eval/detail/BatchEvaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

namespace basin {
namespace {

using Clock = std::chrono::steady_clock;

// With a JobContext, batches are sized to take about this long (never more
// samples than EvalOptions::batchSize), starting from a small probe batch, so
// cancellation is noticed within a second even on slow machines and models.
constexpr double kTargetBatchSeconds = 0.25;
constexpr std::int64_t kProbeBatch = 32;

torch::Tensor runBatch(torch::jit::Module& module, const torch::Tensor& x, const Model& model,
                       const Dataset& dataset) {
    return detail::guardedForward(model, dataset, [&] { return module.forward({x}); });
}

}  // namespace

std::string detail::describeEvaluation(const Model& model, const Dataset& dataset) {
    return "model '" + model.name() + "' on dataset '" + dataset.name + "'";
}

torch::Tensor detail::guardedForward(const Model& model, const Dataset& dataset,
                                     const std::function<c10::IValue()>& pass) {
    try {
        return firstTensor(pass());
    } catch (const std::exception& e) {  // c10::Error, or the interpreter's JITException
        TensorData shape;
        shape.shape = dataset.inputs.shape;
        throw std::runtime_error(describeEvaluation(model, dataset) +
                                 ": the model cannot run on inputs " + shape.shapeString() + ": " +
                                 torchReason(e));
    }
}

torch::Tensor detail::datasetInputs(const Dataset& dataset) {
    if (dataset.inputs.shape.empty())
        throw std::runtime_error("dataset '" + dataset.name + "' has no inputs");
    torch::Tensor x = toTorch(dataset.inputs, dataset.name + " inputs");
    // Batches are slices along dim 0; one copy up front when the file's
    // layout is not contiguous.
    return x.is_contiguous() ? x : x.contiguous();
}

EvalResult evaluate(Model& model, const Dataset& dataset, const EvalOptions& options,
                    JobContext* context) {
    torch::jit::Module& module = model.impl().module;
    return detail::evaluateBatches(model, dataset, options, context,
                                   [&](const torch::Tensor& xb, std::int64_t, std::int64_t) {
                                       return runBatch(module, xb, model, dataset);
                                   });
}

EvalResult detail::evaluateBatches(Model& model, const Dataset& dataset, const EvalOptions& options,
                                   JobContext* context, const BatchForward& forward) {
    const std::int64_t n = dataset.size();
    if (dataset.targets.shape.empty() || dataset.targets.shape[0] != n) {
        TensorData a = dataset.inputs, b = dataset.targets;
        throw std::runtime_error("dataset '" + dataset.name + "' has inputs " + a.shapeString() +
                                 " but targets " + b.shapeString() +
                                 "; both need the same number of samples");
    }
    LossKind kind = options.loss;
    const bool integerTargets = dataset.targets.dtype == DType::Int64;
    if (kind == LossKind::Auto) kind = integerTargets ? LossKind::CrossEntropy : LossKind::MSE;
    if (kind == LossKind::CrossEntropy && !integerTargets)
        throw std::runtime_error(detail::describeEvaluation(model, dataset) +
                                 ": cross-entropy needs int64 class "
                                 "labels, the targets are " +
                                 dtypeName(dataset.targets.dtype));
    if (kind == LossKind::MSE &&
        !(dataset.targets.dtype == DType::Float32 || dataset.targets.dtype == DType::Float64))
        throw std::runtime_error(detail::describeEvaluation(model, dataset) +
                                 ": MSE needs float targets, they are " +
                                 dtypeName(dataset.targets.dtype));

    EvalResult result;
    result.samples = n;
    if (n == 0) return result;

    detail::IntraOpThreads threads(options.threads);
    c10::InferenceMode inference;
    torch::jit::Module& module = model.impl().module;
    detail::TrainingFlag evalMode(module, false);

    const torch::Tensor x = detail::datasetInputs(dataset);
    torch::Tensor y = detail::toTorch(dataset.targets, dataset.name + " targets");
    if (kind == LossKind::MSE) y = y.to(torch::kFloat32);
    const std::int64_t targetsPerSample = y.numel() / n;

    double lossSum = 0.0;
    std::int64_t correct = 0;
    const std::int64_t maxBatch = std::max<std::int64_t>(1, options.batchSize);
    std::int64_t batch = context ? std::min(maxBatch, kProbeBatch) : maxBatch;
    for (std::int64_t start = 0; start < n;) {
        if (context) context->throwIfCancelled();
        const std::int64_t length = std::min(batch, n - start);
        const auto began = Clock::now();
        const torch::Tensor xb = x.narrow(0, start, length);
        const torch::Tensor yb = y.narrow(0, start, length);
        const torch::Tensor z = forward(xb, start, length);
        if (kind == LossKind::CrossEntropy) {
            if (z.dim() != 2 || z.size(0) != length) {
                TensorData s;
                s.shape.assign(z.sizes().begin(), z.sizes().end());
                throw std::runtime_error(detail::describeEvaluation(model, dataset) +
                                         ": cross-entropy needs logits [" + std::to_string(length) +
                                         ", classes], the model gives " + s.shapeString());
            }
            const std::int64_t lo = yb.min().item<std::int64_t>();
            const std::int64_t hi = yb.max().item<std::int64_t>();
            if (lo < 0 || hi >= z.size(1))
                throw std::runtime_error(detail::describeEvaluation(model, dataset) + ": label " +
                                         std::to_string(lo < 0 ? lo : hi) +
                                         " is outside the model's " + std::to_string(z.size(1)) +
                                         " classes");
            // −Σ log softmax(z)_y, summed in double.
            lossSum -= z.log_softmax(1)
                           .gather(1, yb.unsqueeze(1))
                           .to(torch::kFloat64)
                           .sum()
                           .item<double>();
            correct += z.argmax(1).eq(yb).sum().item<std::int64_t>();
        } else {
            if (z.numel() != yb.numel()) {
                TensorData s, t;
                s.shape.assign(z.sizes().begin(), z.sizes().end());
                t.shape.assign(yb.sizes().begin(), yb.sizes().end());
                throw std::runtime_error(detail::describeEvaluation(model, dataset) +
                                         ": the model's output " + s.shapeString() +
                                         " does not match the targets " + t.shapeString());
            }
            lossSum += (z.reshape(yb.sizes()).to(torch::kFloat32) - yb)
                           .square()
                           .to(torch::kFloat64)
                           .sum()
                           .item<double>();
        }
        start += length;
        if (context) {
            context->report(double(start) / double(n), "evaluated " + std::to_string(start) +
                                                           " of " + std::to_string(n) + " samples");
            const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
            const double scaled = double(length) * kTargetBatchSeconds / std::max(seconds, 1e-6);
            batch = std::clamp<std::int64_t>(std::int64_t(scaled), 1, maxBatch);
        }
    }
    if (kind == LossKind::CrossEntropy) {
        result.loss = lossSum / double(n);
        result.accuracy = double(correct) / double(n);
    } else {
        result.loss = lossSum / double(n * std::max<std::int64_t>(1, targetsPerSample));
    }
    return result;
}

EvaluationJob::EvaluationJob(Model model, Dataset dataset, EvalOptions options)
    : model_(std::move(model)), dataset_(std::move(dataset)), options_(options) {}

std::string EvaluationJob::title() const {
    return "Evaluate " + model_.name() + " on " + dataset_.name;
}

void EvaluationJob::run(JobContext& context) {
    result_ = evaluate(model_, dataset_, options_, &context);
}

namespace {

struct BatchNormLayer {
    std::string name;
    torch::Tensor mean, var, batches;  // batches undefined when absent
    double momentum = 0.0;             // 0 stands for None (cumulative average)
    bool momentumNone = false;
    torch::Tensor meanSum, varSum;  // float64
    torch::Tensor savedMean, savedVar, savedBatches;
};

// nn.BatchNorm keeps its momentum as a constant of the scripted type; a
// module written as TorchScript source (Basin's zoo) may pass it as a literal
// to torch.batch_norm instead, so the forward graph is read last. Only when
// there is no momentum anywhere is it None (cumulative average).
c10::IValue momentumOf(const torch::jit::Module& m) {
    const auto type = m.type();
    if (type->hasConstant("momentum")) return type->getConstant("momentum");
    if (m.hasattr("momentum")) return m.attr("momentum");
    if (const auto forward = m.find_method("forward")) {
        for (const torch::jit::Node* node : forward->graph()->nodes()) {
            if (node->kind() != c10::Symbol::fromQualString("aten::batch_norm") ||
                node->inputs().size() < 7)
                continue;
            if (const auto value = torch::jit::toIValue(node->input(6))) return *value;
        }
    }
    return c10::IValue();
}

std::vector<BatchNormLayer> batchNormLayers(const Model& model) {
    std::vector<BatchNormLayer> layers;
    for (const auto& named : model.impl().module.named_modules()) {
        const torch::jit::Module& m = named.value;
        if (!m.hasattr("running_mean") || !m.hasattr("running_var")) continue;
        const c10::IValue mean = m.attr("running_mean"), var = m.attr("running_var");
        if (!mean.isTensor() || !var.isTensor()) continue;  // track_running_stats=False
        BatchNormLayer layer;
        layer.name = named.name.empty() ? "(root)" : named.name;
        layer.mean = mean.toTensor();
        layer.var = var.toTensor();
        if (m.hasattr("num_batches_tracked") && m.attr("num_batches_tracked").isTensor())
            layer.batches = m.attr("num_batches_tracked").toTensor();
        const c10::IValue momentum = momentumOf(m);
        if (momentum.isNone()) {
            layer.momentumNone = true;
        } else if (momentum.isDouble()) {
            layer.momentum = momentum.toDouble();
            if (!(layer.momentum > 0.0))
                throw std::runtime_error("BatchNorm layer '" + layer.name + "' of model '" +
                                         model.name() +
                                         "' has momentum 0: its statistics never update");
        } else {
            throw std::runtime_error("cannot read the momentum of BatchNorm layer '" + layer.name +
                                     "' of model '" + model.name() + "'");
        }
        layers.push_back(std::move(layer));
    }
    return layers;
}

}  // namespace

int reestimateBatchNorm(Model& model, const Dataset& dataset, std::int64_t batchSize,
                        JobContext* context) {
    std::vector<BatchNormLayer> layers = batchNormLayers(model);
    if (layers.empty()) return 0;
    const std::int64_t n = dataset.size();
    if (n == 0) throw std::runtime_error("dataset '" + dataset.name + "' is empty");

    torch::NoGradGuard noGrad;
    torch::jit::Module& module = model.impl().module;
    for (auto& l : layers) {
        l.savedMean = l.mean.clone();
        l.savedVar = l.var.clone();
        if (l.batches.defined()) l.savedBatches = l.batches.clone();
        l.meanSum = torch::zeros(l.mean.sizes(), torch::kFloat64);
        l.varSum = torch::zeros(l.var.sizes(), torch::kFloat64);
    }
    auto restore = [&] {
        for (auto& l : layers) {
            l.mean.copy_(l.savedMean);
            l.var.copy_(l.savedVar);
            if (l.batches.defined()) l.batches.copy_(l.savedBatches);
        }
    };

    try {
        detail::TrainingFlag trainMode(module, true);
        const torch::Tensor x = detail::datasetInputs(dataset);
        const std::int64_t batch = std::max<std::int64_t>(1, batchSize);
        std::int64_t batches = 0;
        for (std::int64_t start = 0; start < n; start += batch) {
            if (context) context->throwIfCancelled();
            for (auto& l : layers) {
                // With zero statistics the update running ← (1 − m)·running + m·batch
                // leaves m·batch; with num_batches_tracked = 0 → 1, momentum None
                // uses m = 1/1.
                l.mean.zero_();
                l.var.zero_();
                if (l.batches.defined()) l.batches.zero_();
            }
            runBatch(module, x.narrow(0, start, std::min(batch, n - start)), model, dataset);
            for (auto& l : layers) {
                const double m = l.momentumNone ? 1.0 : l.momentum;
                l.meanSum += l.mean.to(torch::kFloat64) / m;
                l.varSum += l.var.to(torch::kFloat64) / m;
            }
            ++batches;
            if (context)
                context->report(
                    double(std::min(n, start + batch)) / double(n),
                    "BatchNorm statistics: " + std::to_string(std::min(n, start + batch)) + " of " +
                        std::to_string(n) + " samples");
        }
        for (auto& l : layers) {
            l.mean.copy_(l.meanSum / double(batches));
            l.var.copy_(l.varSum / double(batches));
            if (l.batches.defined()) l.batches.fill_(batches);
        }
    } catch (...) {
        restore();
        module.train(false);
        throw;
    }
    module.train(false);
    return int(layers.size());
}

}  // namespace basin
