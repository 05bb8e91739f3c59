#pragma once
// A tensor as files hold it, without libtorch: element type, shape, strides
// (in elements) and the bytes of the storage it views. Readers of .pt,
// safetensors and .npy/.npz produce these; several tensors may share one
// storage (views, tied weights). core/model turns them into torch::Tensors
// without copying; widgets read them directly (histograms, statistics).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace basin {

enum class DType { Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };

// Bytes per element.
std::size_t dtypeSize(DType dtype);
// "[64, 3, 7, 7]"
std::string shapeString(const std::vector<std::int64_t>& shape);
// The name PyTorch prints ("float32", "bfloat16", "int64", "bool", ...).
const char* dtypeName(DType dtype);

// Bytes of one storage. Owns its memory (a heap buffer or a memory map); the
// deleter releases it.
class Storage {
public:
    Storage(const std::uint8_t* data, std::size_t size, std::shared_ptr<void> owner)
        : data_(data), size_(size), owner_(std::move(owner)) {}
    // A heap buffer of `size` bytes, zero-filled.
    static std::shared_ptr<Storage> allocate(std::size_t size);

    const std::uint8_t* data() const { return data_; }
    std::uint8_t* mutableData() { return const_cast<std::uint8_t*>(data_); }
    std::size_t size() const { return size_; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::shared_ptr<void> owner_;
};

struct TensorData {
    DType dtype = DType::Float32;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> strides;  // in elements; contiguous when empty
    std::int64_t storageOffset = 0;     // in elements
    std::shared_ptr<Storage> storage;

    std::int64_t numel() const;
    bool isContiguous() const;
    // Strides of a contiguous tensor of this shape.
    std::vector<std::int64_t> contiguousStrides() const;
    // "[64, 3, 7, 7]"
    std::string shapeString() const;
    // Checks that every element the shape/strides/offset address lies inside
    // the storage; throws std::runtime_error naming `what` otherwise.
    void validate(const std::string& what) const;
    // Elements converted to double in logical (row-major) order; for
    // statistics and tests, not for hot paths.
    std::vector<double> toDoubles() const;
};

}  // namespace basin
