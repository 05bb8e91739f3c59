#include "io/detail/TensorBytes.h"

#include <stdexcept>
#include <vector>

namespace basin::detail {

bool elementCount(const std::vector<std::int64_t>& shape, std::uint64_t& count) {
    std::uint64_t nonzero = 1;
    bool empty = false;
    for (const auto d : shape) {
        if (d == 0) {
            empty = true;
            continue;
        }
        if (std::uint64_t(d) > std::uint64_t(INT64_MAX) / nonzero) return false;
        nonzero *= std::uint64_t(d);
    }
    count = empty ? 0 : nonzero;
    return true;
}

std::size_t contiguousByteSize(const TensorData& tensor, const std::string& what) {
    tensor.validate(what);
    std::uint64_t count = 1;
    for (const auto d : tensor.shape) {
        if (d != 0 && count > UINT64_MAX / std::uint64_t(d)) {
            throw std::runtime_error("tensor '" + what + "' " + tensor.shapeString() +
                                     ": too many elements");
        }
        count *= std::uint64_t(d);
    }
    const std::uint64_t elem = dtypeSize(tensor.dtype);
    if (count > SIZE_MAX / elem) {
        throw std::runtime_error("tensor '" + what + "' " + tensor.shapeString() +
                                 ": too many bytes");
    }
    return std::size_t(count * elem);
}

void forEachContiguousChunk(const TensorData& tensor, const std::string& what,
                            const std::function<void(const std::uint8_t*, std::size_t)>& sink) {
    const std::size_t total = contiguousByteSize(tensor, what);
    if (total == 0) return;
    const std::size_t elem = dtypeSize(tensor.dtype);
    const std::uint8_t* base = tensor.storage->data();
    if (tensor.isContiguous()) {
        sink(base + std::size_t(tensor.storageOffset) * elem, total);
        return;
    }
    // Walk the rows (all dimensions but the last); a row whose elements are
    // adjacent goes out directly, others are gathered element by element.
    const std::vector<std::int64_t>& shape = tensor.shape;
    const std::vector<std::int64_t>& strides = tensor.strides;
    const std::size_t rank = shape.size();  // >= 1: a 0-d tensor is contiguous
    const std::size_t rowLength = std::size_t(shape[rank - 1]);
    const std::int64_t rowStride = strides[rank - 1];
    const std::size_t rows = total / elem / rowLength;
    constexpr std::size_t kGatherBytes = std::size_t(1) << 20;
    std::vector<std::uint8_t> gather;
    gather.reserve(kGatherBytes);
    std::vector<std::int64_t> index(rank - 1, 0);
    for (std::size_t r = 0; r < rows; ++r) {
        std::int64_t offset = tensor.storageOffset;
        for (std::size_t d = 0; d + 1 < rank; ++d)
            offset += index[d] * strides[d];
        const std::uint8_t* row = base + std::size_t(offset) * elem;
        if (rowStride == 1 || rowLength == 1) {
            if (!gather.empty()) {
                sink(gather.data(), gather.size());
                gather.clear();
            }
            sink(row, rowLength * elem);
        } else {
            for (std::size_t i = 0; i < rowLength; ++i) {
                const std::uint8_t* p = row + i * std::size_t(rowStride) * elem;
                gather.insert(gather.end(), p, p + elem);
                if (gather.size() >= kGatherBytes) {
                    sink(gather.data(), gather.size());
                    gather.clear();
                }
            }
        }
        for (std::size_t d = rank - 1; d-- > 0;) {
            if (++index[d] < shape[d]) break;
            index[d] = 0;
        }
    }
    if (!gather.empty()) sink(gather.data(), gather.size());
}

}  // namespace basin::detail
