#pragma once
// NumPy's .npy (one array: magic, version, a Python-literal header with
// 'descr', 'fortran_order', 'shape', then the data) and .npz (a zip of .npy
// files, stored or deflated). Used for datasets and for exchanging arrays with
// Python (np.load reads what Basin writes).

#include <cstdint>
#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

// Throws std::runtime_error naming the file (and array) and what is wrong.
TensorData readNpy(const std::string& path);
TensorData parseNpy(const std::uint8_t* data, std::size_t size, const std::string& name);
// Arrays named by their key in the archive (without ".npy").
std::vector<NamedTensor> readNpz(const std::string& path);
std::vector<NamedTensor> parseNpz(const std::uint8_t* data, std::size_t size,
                                  const std::string& name);
// Atomic writes.
void writeNpy(const std::string& path, const TensorData& array);
void writeNpz(const std::string& path, const std::vector<NamedTensor>& arrays);

}  // namespace basin
