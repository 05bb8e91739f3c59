#pragma once
// A dataset in memory: inputs and targets as contiguous tensors, ready to be
// batched by evaluation and training without copies.
//  - classification: targets int64 [N] class indices, classNames optional;
//  - regression: targets float32 [N, k].
// Inputs are float32 [N, ...] (features, or images as [N, C, H, W]).

#include <cstdint>
#include <string>
#include <vector>

#include "io/TensorData.h"

namespace basin {

struct Dataset {
    std::string name;  // "two-spirals (train)", "digits.npz"
    TensorData inputs;
    TensorData targets;
    std::vector<std::string> classNames;

    std::int64_t size() const { return inputs.shape.empty() ? 0 : inputs.shape[0]; }
    bool isClassification() const { return targets.dtype == DType::Int64; }
    // Shape of one input ([2] for points, [1, 28, 28] for digit images).
    std::vector<std::int64_t> sampleShape() const;
    // Number of classes (max label + 1 or classNames.size()); 0 for regression.
    std::int64_t classCount() const;
    // Checks shapes and dtypes agree; throws naming the dataset and tensor.
    void validate() const;
};

// Sample `i` of a float32 batch [N, ...] as a contiguous tensor [...] (a
// copy). Throws std::runtime_error starting with `what` when the batch is not
// a contiguous float32 batch or `i` is out of range.
TensorData sampleOf(const TensorData& batch, std::int64_t i, const std::string& what);

struct DatasetSplit {
    Dataset train;
    Dataset test;
};

}  // namespace basin
