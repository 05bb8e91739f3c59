#pragma once
// A point (or a direction) in weight space: a model's named parameters, and
// optionally its floating-point buffers (BatchNorm running statistics),
// flattened into one contiguous float32 buffer with a per-tensor index.
//
// Layout: tensors one after another in the order of Model::parameters()
// (parameters in module order, then buffers), each in row-major order, so
// entry i occupies [entries()[i].offset, entries()[i].offset + numel). Integer
// and bool buffers (num_batches_tracked) are never part of the vector.
//
// Every landscape direction, checkpoint difference θ_A − θ_B and path point is
// a WeightVector; per-tensor entries make filter/layer normalization and
// BatchNorm handling explicit (Li et al. 2018, "Visualizing the Loss
// Landscape of Neural Nets"). Vectors combined by an operation must share the
// same index (sameLayout()); operations throw otherwise.

#include <cstdint>
#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

class Model;

struct WeightEntry {
    std::string name;  // "layer1.0.conv1.weight"
    std::int64_t offset = 0;
    std::vector<std::int64_t> shape;
    bool isBuffer = false;
    std::int64_t numel() const;
};

class WeightVector {
public:
    WeightVector() = default;
    // The model's current floating-point parameters (and buffers).
    static WeightVector fromModel(const Model& model, bool includeBuffers = false);
    // A zero vector with the layout of `like`.
    static WeightVector zerosLike(const WeightVector& like);
    // A state dict laid out like `layout` (matched by name, "module." prefix
    // stripped when that makes names match; any dtype converted to float32).
    // Throws naming the first missing tensor or shape mismatch.
    static WeightVector fromStateDict(const std::vector<NamedTensor>& tensors,
                                      const WeightVector& layout);
    // Every floating-point tensor of a state dict in its order (isBuffer set
    // for names ending in running_mean/running_var).
    static WeightVector fromStateDict(const std::vector<NamedTensor>& tensors);

    const std::vector<WeightEntry>& entries() const { return entries_; }
    std::int64_t size() const { return std::int64_t(values_.size()); }
    float* data() { return values_.data(); }
    const float* data() const { return values_.data(); }
    float* data(std::size_t entry) { return values_.data() + entries_[entry].offset; }
    const float* data(std::size_t entry) const { return values_.data() + entries_[entry].offset; }
    // Same names, shapes and offsets.
    bool sameLayout(const WeightVector& other) const;

    // this ← this + alpha·x
    WeightVector& axpy(double alpha, const WeightVector& x);
    WeightVector& scale(double alpha);
    WeightVector& operator+=(const WeightVector& x) { return axpy(1.0, x); }
    WeightVector& operator-=(const WeightVector& x) { return axpy(-1.0, x); }
    // Accumulated in double over float chunks.
    double dot(const WeightVector& x) const;
    double norm() const;
    // ‖θ_i‖ for every entry i.
    std::vector<double> tensorNorms() const;
    // ‖θ_i[k]‖ for every slice k along dim 0 of entry i: the per-filter norms
    // of filter normalization (Li et al. 2018): a conv weight [out, in, kh, kw]
    // has `out` filters, a linear weight [out, in] `out` neurons, a 1-D tensor
    // one filter per element, a 0-D tensor one.
    std::vector<double> filterNorms(std::size_t entry) const;
    // Multiplies slice k along dim 0 of entry i by factors[k].
    void scaleFilters(std::size_t entry, const std::vector<double>& factors);
    // Zeroes every entry with at most one dimension (biases, BatchNorm
    // weights, biases and statistics): Li et al.'s default for directions.
    void zeroOneDimensional();

    // Copies the vector into the model's existing parameter (and buffer)
    // tensors in place, converting to their dtype, under no-grad: no tensor is
    // reallocated, so pointers to the parameters' data stay valid. Throws
    // naming the first tensor the model lacks or whose shape differs.
    void applyTo(Model& model) const;
    // Reads the model's current values into this vector without reallocating.
    void readFrom(const Model& model);
    // The vector as a state dict: one Storage holding a copy of the buffer,
    // each tensor a view into it.
    std::vector<NamedTensor> toStateDict() const;

private:
    std::vector<WeightEntry> entries_;
    std::vector<float> values_;
};

WeightVector operator+(WeightVector a, const WeightVector& b);
// θ_A − θ_B
WeightVector operator-(WeightVector a, const WeightVector& b);

}  // namespace basin
