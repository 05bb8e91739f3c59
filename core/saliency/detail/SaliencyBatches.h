#pragma once
// Inside core only (includes libtorch): what the input-space families share —
// running many copies of the image (samples, steps, masks, windows) in
// batches sized to the memory budget, the target's gradient for a batch, and
// the map built from tensors.

#include <torch/script.h>

#include <cstdint>
#include <functional>

#include "saliency/SaliencyMap.h"
#include "saliency/detail/SaliencyRun.h"

namespace basin::detail {

// Runs `count` items through `pass(start, size)`: the first item alone under
// a MemoryMeter (BatchMemory.h), then the rest in equal batches of at most
// run.batchSize(measured bytes × margin) items; later calls in the same
// computeSaliencyBatch with the same module and image size reuse the
// measurement and batch every item. Progress goes from `from` to
// `to` over the items, reported after every batch (cancellation throws
// JobCancelled there).
void forBatches(const SaliencyRun& run, std::int64_t count,
                const std::function<void(std::int64_t start, std::int64_t size)>& pass,
                double from = 0.0, double to = 1.0);

// Forgets the bytes per item forBatches measured: called by computeSaliency
// and computeSaliencyBatch when they prepare a module, so a measurement is
// reused only for the images of one call (same module, same image size).
void forgetMeasuredBatchBytes();

// ∂(target score)/∂input for each row of `inputs` [B, C, H, W] (rows are
// independent in eval mode, so the gradient of the sum of the scores is each
// row's own gradient). `scores`, when given, receives the scores [B].
torch::Tensor targetGradient(const SaliencyRun& run, const torch::Tensor& inputs,
                             torch::Tensor* scores = nullptr);

// The target scores [B] of `inputs` without gradients.
torch::Tensor targetScoresOf(const SaliencyRun& run, const torch::Tensor& inputs);

// The map of a single-pass method (Gradient, GradientTimesInput) from the
// image [C, H, W] and the target's gradient there [C, H, W]
// (GradientSaliency.cpp).
SaliencyMap singlePassGradientMap(const torch::Tensor& image, const torch::Tensor& gradient,
                                  const SaliencyOptions& options);

// A map of `values` [H, W] with `attribution` [C, H, W] (undefined: none).
SaliencyMap inputSpaceMap(const torch::Tensor& values, const torch::Tensor& attribution);

}  // namespace basin::detail
