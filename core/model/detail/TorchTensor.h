#pragma once
// Inside core only: conversions between Basin's plain TensorData and
// torch::Tensor. Includes libtorch; never include from a public header.
//
//  - toTorch wraps the bytes of a TensorData's Storage without copying: a 1-D
//    tensor over the whole storage (from_blob, whose deleter holds a reference
//    to the Storage so the bytes outlive every view), then as_strided to the
//    tensor's shape, strides and offset. Views into shared storages and
//    non-contiguous tensors stay views. The result must be treated as
//    read-only: storages may be read-only memory maps of checkpoint files.
//  - fromTorch copies a tensor into a fresh contiguous Storage.

#include <torch/script.h>

#include <string>

#include "io/TensorData.h"

namespace basin::detail {

torch::ScalarType toScalarType(DType dtype);
// Throws std::runtime_error naming `what` for a dtype TensorData cannot hold
// (complex, quantized, ...).
DType fromScalarType(torch::ScalarType type, const std::string& what);

// Zero-copy view; validates bounds first and throws std::runtime_error naming
// `what` when the shape/strides/offset address bytes outside the storage.
// Copies only when the storage's bytes are not aligned for the element type.
torch::Tensor toTorch(const TensorData& tensor, const std::string& what);

// A contiguous copy on a new Storage (detached; works on inference tensors).
TensorData fromTorch(const torch::Tensor& tensor, const std::string& what);

// c10::Error messages carry a C++ backtrace after the first line in some
// builds; users get the first paragraph only.
// The TorchScript interpreter's errors (JITException) carry a script
// traceback; for those the last line (the error itself) is kept.
// The first tensor of a module's output (itself, or the first element of a
// tuple or list, recursively): the logits of models that return extras.
torch::Tensor firstTensor(const c10::IValue& value);

std::string torchReason(const c10::Error& error);
std::string torchReason(const std::exception& error);

}  // namespace basin::detail
