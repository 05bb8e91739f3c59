#pragma once
// .npy decoding and encoding shared by the .npy and .npz readers and writers
// (implemented in io/Numpy.cpp). `what` starts error messages:
// "npy file 'x.npy'" or "npz file 'd.npz', array 'x'".

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "io/TensorData.h"

namespace basin::detail {

// The array in data[0, size), which must hold exactly the header and the data.
// With an `owner`, native-order data is used in place; otherwise it is copied.
TensorData decodeNpy(const std::uint8_t* data, std::size_t size, std::shared_ptr<void> owner,
                     const std::string& what);

// The complete .npy file for `array` (written C-order contiguous).
std::string encodeNpy(const TensorData& array, const std::string& what);

}  // namespace basin::detail
