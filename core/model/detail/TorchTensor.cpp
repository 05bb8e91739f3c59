#include "model/detail/TorchTensor.h"

#include <cstring>
#include <stdexcept>

namespace basin::detail {

torch::ScalarType toScalarType(DType dtype) {
    switch (dtype) {
        case DType::Float32:
            return torch::kFloat32;
        case DType::Float64:
            return torch::kFloat64;
        case DType::Float16:
            return torch::kFloat16;
        case DType::BFloat16:
            return torch::kBFloat16;
        case DType::Int64:
            return torch::kInt64;
        case DType::Int32:
            return torch::kInt32;
        case DType::Int16:
            return torch::kInt16;
        case DType::Int8:
            return torch::kInt8;
        case DType::UInt8:
            return torch::kUInt8;
        case DType::Bool:
            return torch::kBool;
    }
    return torch::kFloat32;
}

DType fromScalarType(torch::ScalarType type, const std::string& what) {
    switch (type) {
        case torch::kFloat32:
            return DType::Float32;
        case torch::kFloat64:
            return DType::Float64;
        case torch::kFloat16:
            return DType::Float16;
        case torch::kBFloat16:
            return DType::BFloat16;
        case torch::kInt64:
            return DType::Int64;
        case torch::kInt32:
            return DType::Int32;
        case torch::kInt16:
            return DType::Int16;
        case torch::kInt8:
            return DType::Int8;
        case torch::kUInt8:
            return DType::UInt8;
        case torch::kBool:
            return DType::Bool;
        default:
            break;
    }
    throw std::runtime_error("tensor '" + what + "' has element type " +
                             std::string(c10::toString(type)) +
                             ", which Basin cannot hold (supported: float32/64/16, bfloat16, "
                             "int64/32/16/8, uint8, bool)");
}

torch::Tensor toTorch(const TensorData& tensor, const std::string& what) {
    if (!tensor.storage) throw std::runtime_error("tensor '" + what + "' has no data");
    tensor.validate(what);
    const std::size_t elementSize = dtypeSize(tensor.dtype);
    const auto options = torch::TensorOptions().dtype(toScalarType(tensor.dtype));
    const std::vector<std::int64_t> strides =
        tensor.strides.empty() ? tensor.contiguousStrides() : tensor.strides;
    const auto storageElements = static_cast<std::int64_t>(tensor.storage->size() / elementSize);
    auto* bytes = const_cast<std::uint8_t*>(tensor.storage->data());

    torch::Tensor flat;
    if (reinterpret_cast<std::uintptr_t>(bytes) % elementSize == 0) {
        // The deleter owns a reference to the Storage: the bytes live as long
        // as any tensor viewing them.
        std::shared_ptr<Storage> keepAlive = tensor.storage;
        flat = torch::from_blob(
            bytes, {storageElements}, [keepAlive](void*) mutable { keepAlive.reset(); }, options);
    } else {
        flat = torch::empty({storageElements}, options);
        std::memcpy(flat.data_ptr(), bytes, std::size_t(storageElements) * elementSize);
    }
    return flat.as_strided(tensor.shape, strides, tensor.storageOffset);
}

TensorData fromTorch(const torch::Tensor& tensor, const std::string& what) {
    TensorData out;
    out.dtype = fromScalarType(tensor.scalar_type(), what);
    out.shape.assign(tensor.sizes().begin(), tensor.sizes().end());
    const torch::Tensor source = tensor.detach().cpu();
    const std::size_t bytes = std::size_t(source.numel()) * dtypeSize(out.dtype);
    out.storage = Storage::allocate(bytes);
    if (bytes > 0) {
        // Wrap the destination and let libtorch do the strided copy.
        torch::Tensor destination = torch::from_blob(out.storage->mutableData(), source.sizes(),
                                                     source.options().requires_grad(false));
        destination.copy_(source);
    }
    return out;
}

std::string torchReason(const std::exception& error) {
    if (const auto* c10Error = dynamic_cast<const c10::Error*>(&error))
        return torchReason(*c10Error);
    std::string reason = error.what();
    if (reason.find("The following operation failed in the TorchScript interpreter") !=
        std::string::npos) {
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' '))
            reason.pop_back();
        const auto lastLine = reason.rfind('\n');
        if (lastLine != std::string::npos) reason = reason.substr(lastLine + 1);
    }
    return reason;
}

std::string torchReason(const c10::Error& error) {
    std::string reason = error.what_without_backtrace();
    const auto cut = reason.find("\nException raised from");
    if (cut != std::string::npos) reason.resize(cut);
    while (!reason.empty() &&
           (reason.back() == '\n' || reason.back() == ' ' || reason.back() == '.'))
        reason.pop_back();
    return reason;
}

torch::Tensor firstTensor(const c10::IValue& value) {
    if (value.isTensor()) return value.toTensor();
    if (value.isTuple() && !value.toTupleRef().elements().empty())
        return firstTensor(value.toTupleRef().elements()[0]);
    if (value.isList() && !value.toListRef().empty()) return firstTensor(value.toListRef()[0]);
    throw std::runtime_error("the model's output is a " + value.tagKind() + ", not a tensor");
}

}  // namespace basin::detail
