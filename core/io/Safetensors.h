#pragma once
// safetensors: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"key": "value"}}, then the raw little-endian tensor bytes.
// Files are memory-mapped: tensors point into the map, nothing is copied.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

// Throws std::runtime_error naming the file and the tensor or header field.
Checkpoint readSafetensors(const std::string& path);
// The same from bytes in memory; `owner` keeps them alive for the tensors.
Checkpoint parseSafetensors(const std::uint8_t* data, std::size_t size,
                            std::shared_ptr<void> owner, const std::string& name);
// Atomic write; tensors are written contiguous, in the given order.
void writeSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace basin
