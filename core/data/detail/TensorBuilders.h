#pragma once
// Inside core/data only: contiguous TensorData made from plain vectors.

#include <cstdint>
#include <memory>
#include <vector>

#include "io/TensorData.h"

namespace basin::detail {

// Takes ownership of `values` (no copy when passed an rvalue).
template <typename T>
TensorData contiguousTensor(DType dtype, std::vector<std::int64_t> shape, std::vector<T> values) {
    auto owner = std::make_shared<std::vector<T>>(std::move(values));
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(owner->data());
    t.storage = std::make_shared<Storage>(bytes, owner->size() * sizeof(T), owner);
    return t;
}

inline TensorData float32Tensor(std::vector<std::int64_t> shape, std::vector<float> v) {
    return contiguousTensor(DType::Float32, std::move(shape), std::move(v));
}

inline TensorData int64Tensor(std::vector<std::int64_t> shape, std::vector<std::int64_t> v) {
    return contiguousTensor(DType::Int64, std::move(shape), std::move(v));
}

}  // namespace basin::detail
