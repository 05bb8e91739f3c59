#pragma once
// Inside core only (includes libtorch): the batch loop behind evaluate(), with
// the forward pass supplied by the caller. landscape/FirstLayerFactoring runs
// the network from a cached first-layer output this way and gets the same
// loss and accuracy bookkeeping, checks, progress and cancellation.

#include <torch/script.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "eval/Evaluation.h"

namespace basin::detail {

// The logits (or regression outputs) for the `length` samples starting at
// `start`; `inputs` is that slice of the dataset's inputs.
using BatchForward = std::function<torch::Tensor(const torch::Tensor& inputs, std::int64_t start,
                                                 std::int64_t length)>;

// libtorch's intra-op thread count for the calling thread, restored on exit.
class IntraOpThreads {
public:
    explicit IntraOpThreads(int threads) : previous_(at::get_num_threads()) {
        const int n =
            threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
        if (n != previous_) at::set_num_threads(n);
    }
    ~IntraOpThreads() {
        if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
    }
    IntraOpThreads(const IntraOpThreads&) = delete;
    IntraOpThreads& operator=(const IntraOpThreads&) = delete;

private:
    int previous_;
};

// Sets the module's training flag, restoring the previous one on exit.
class TrainingFlag {
public:
    TrainingFlag(torch::jit::Module& module, bool training)
        : module_(module), previous_(module.is_training()) {
        module_.train(training);
    }
    ~TrainingFlag() { module_.train(previous_); }
    TrainingFlag(const TrainingFlag&) = delete;
    TrainingFlag& operator=(const TrainingFlag&) = delete;

private:
    torch::jit::Module& module_;
    bool previous_;
};

// "model 'NAME' on dataset 'NAME'", the start of every evaluation error.
std::string describeEvaluation(const Model& model, const Dataset& dataset);

// Runs a forward pass, turning libtorch's and the interpreter's errors into a
// sentence naming the model, the dataset and its input shape. A tuple or list
// result yields its first tensor.
torch::Tensor guardedForward(const Model& model, const Dataset& dataset,
                             const std::function<c10::IValue()>& pass);

// The dataset's inputs as one contiguous tensor (no copy when the file's
// layout already is), so batches are free slices along dim 0.
torch::Tensor datasetInputs(const Dataset& dataset);

// evaluate() with `forward` instead of the module's forward (same eval mode,
// inference mode, threads, batching, progress, errors).
EvalResult evaluateBatches(Model& model, const Dataset& dataset, const EvalOptions& options,
                           JobContext* context, const BatchForward& forward);

}  // namespace basin::detail
