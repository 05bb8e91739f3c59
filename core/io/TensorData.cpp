#include "io/TensorData.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace basin {
namespace {

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1f;
    std::uint32_t mantissa = h & 0x3ff;
    std::uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: renormalize
            exponent = 127 - 15 + 1;
            while (!(mantissa & 0x400)) {
                mantissa <<= 1;
                --exponent;
            }
            mantissa &= 0x3ff;
            bits = sign | (exponent << 23) | (mantissa << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bfloat16ToFloat(std::uint16_t b) {
    const std::uint32_t bits = std::uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <typename T>
T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

}  // namespace

std::size_t dtypeSize(DType dtype) {
    switch (dtype) {
        case DType::Float64:
        case DType::Int64:
            return 8;
        case DType::Float32:
        case DType::Int32:
            return 4;
        case DType::Float16:
        case DType::BFloat16:
        case DType::Int16:
            return 2;
        case DType::Int8:
        case DType::UInt8:
        case DType::Bool:
            return 1;
    }
    return 1;
}

const char* dtypeName(DType dtype) {
    switch (dtype) {
        case DType::Float32:
            return "float32";
        case DType::Float64:
            return "float64";
        case DType::Float16:
            return "float16";
        case DType::BFloat16:
            return "bfloat16";
        case DType::Int64:
            return "int64";
        case DType::Int32:
            return "int32";
        case DType::Int16:
            return "int16";
        case DType::Int8:
            return "int8";
        case DType::UInt8:
            return "uint8";
        case DType::Bool:
            return "bool";
    }
    return "unknown";
}

std::shared_ptr<Storage> Storage::allocate(std::size_t size) {
    std::shared_ptr<std::uint8_t[]> buffer(new std::uint8_t[size > 0 ? size : 1]());
    const std::uint8_t* data = buffer.get();
    return std::make_shared<Storage>(data, size, std::shared_ptr<void>(buffer, buffer.get()));
}

std::int64_t TensorData::numel() const {
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

std::vector<std::int64_t> TensorData::contiguousStrides() const {
    std::vector<std::int64_t> s(shape.size());
    std::int64_t step = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
        s[i] = step;
        step *= shape[i];
    }
    return s;
}

bool TensorData::isContiguous() const {
    return strides.empty() || strides == contiguousStrides();
}

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::ostringstream out;
    out << '[';
    for (std::size_t i = 0; i < shape.size(); ++i)
        out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
}

std::string TensorData::shapeString() const {
    return basin::shapeString(shape);
}

void TensorData::validate(const std::string& what) const {
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("tensor '" + what + "' " + shapeString() + ": " + why);
    };
    if (!strides.empty() && strides.size() != shape.size()) fail("strides do not match the shape");
    if (storageOffset < 0) fail("negative storage offset");
    const std::vector<std::int64_t> st = strides.empty() ? contiguousStrides() : strides;
    // Largest element index addressed, with overflow checks.
    std::int64_t last = storageOffset;
    bool empty = false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] < 0) fail("negative dimension");
        if (shape[i] == 0) empty = true;
        if (st[i] < 0) fail("negative stride");
        if (shape[i] > 0 && st[i] > 0 && (shape[i] - 1) > (INT64_MAX - last) / st[i]) {
            fail("shape and strides overflow");
        }
        if (shape[i] > 0) last += (shape[i] - 1) * st[i];
    }
    if (empty) return;
    const std::size_t elem = dtypeSize(dtype);
    const std::size_t available = storage ? storage->size() : 0;
    if ((std::uint64_t(last) + 1) > available / elem) {
        fail("needs " + std::to_string((std::uint64_t(last) + 1) * elem) +
             " bytes of storage, which holds " + std::to_string(available));
    }
}

std::vector<double> TensorData::toDoubles() const {
    const std::int64_t n = numel();
    std::vector<double> out(std::size_t(std::max<std::int64_t>(n, 0)));
    if (n <= 0) return out;
    const std::vector<std::int64_t> st = strides.empty() ? contiguousStrides() : strides;
    const std::size_t elem = dtypeSize(dtype);
    std::vector<std::int64_t> index(shape.size(), 0);
    for (std::int64_t k = 0; k < n; ++k) {
        std::int64_t offset = storageOffset;
        for (std::size_t d = 0; d < shape.size(); ++d)
            offset += index[d] * st[d];
        const std::uint8_t* p = storage->data() + std::size_t(offset) * elem;
        double v = 0;
        switch (dtype) {
            case DType::Float32:
                v = load<float>(p);
                break;
            case DType::Float64:
                v = load<double>(p);
                break;
            case DType::Float16:
                v = halfToFloat(load<std::uint16_t>(p));
                break;
            case DType::BFloat16:
                v = bfloat16ToFloat(load<std::uint16_t>(p));
                break;
            case DType::Int64:
                v = double(load<std::int64_t>(p));
                break;
            case DType::Int32:
                v = load<std::int32_t>(p);
                break;
            case DType::Int16:
                v = load<std::int16_t>(p);
                break;
            case DType::Int8:
                v = load<std::int8_t>(p);
                break;
            case DType::UInt8:
                v = *p;
                break;
            case DType::Bool:
                v = *p ? 1 : 0;
                break;
        }
        out[std::size_t(k)] = v;
        for (std::size_t d = shape.size(); d-- > 0;) {
            if (++index[d] < shape[d]) break;
            index[d] = 0;
        }
    }
    return out;
}

}  // namespace basin
