#pragma once
// A tensor's elements as the contiguous row-major bytes that file formats
// store, produced in chunks so that writers stream views (transposes, slices
// of shared storages) without first copying them whole.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/TensorData.h"

namespace basin::detail {

// The number of elements of `shape` (dimensions already checked to be >= 0)
// into `count`; false when the product of its non-zero dimensions exceeds
// INT64_MAX, which would make TensorData::numel() overflow even when a zero
// dimension makes the tensor empty. Readers refuse such shapes.
bool elementCount(const std::vector<std::int64_t>& shape, std::uint64_t& count);

// numel × element size, after validate(`what`); throws on overflow.
std::size_t contiguousByteSize(const TensorData& tensor, const std::string& what);

// Calls `sink` with consecutive pieces of the tensor's bytes in row-major
// order (pieces of the storage itself when rows are contiguous, else of a
// gather buffer). Validates the tensor first, naming `what` on error.
void forEachContiguousChunk(const TensorData& tensor, const std::string& what,
                            const std::function<void(const std::uint8_t*, std::size_t)>& sink);

}  // namespace basin::detail
