#pragma once
// Inside core/data only: contiguous TensorData made from plain vectors.

#include <cstdint>
#include <cstring>
#include <vector>

#include "io/TensorData.h"

namespace basin::detail {

template <typename T>
TensorData contiguousTensor(DType dtype, std::vector<std::int64_t> shape,
                            const std::vector<T>& values) {
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(values.size() * sizeof(T));
    if (!values.empty())
        std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(T));
    return t;
}

inline TensorData float32Tensor(std::vector<std::int64_t> shape, const std::vector<float>& v) {
    return contiguousTensor(DType::Float32, std::move(shape), v);
}

inline TensorData int64Tensor(std::vector<std::int64_t> shape, const std::vector<std::int64_t>& v) {
    return contiguousTensor(DType::Int64, std::move(shape), v);
}

}  // namespace basin::detail
