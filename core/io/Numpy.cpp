#include "io/Numpy.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "io/detail/NpyArray.h"
#include "io/detail/NpyHeader.h"
#include "io/detail/TensorBytes.h"
#include "util/AtomicFile.h"
#include "util/MappedFile.h"

// .npy reading and writing; the header format is described in
// io/detail/NpyHeader.h. Arrays in native (little-endian) byte order are used
// in place (a memory map or the caller's buffer); big-endian ones ('>f4') are
// copied once and byte-swapped. Fortran-order arrays keep their layout and get
// column-major strides.

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              ".npy arrays are read in place only on a little-endian machine");

namespace basin {
namespace {

std::vector<std::int64_t> fortranStrides(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> strides(shape.size());
    std::int64_t step = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        strides[i] = step;
        step *= std::max<std::int64_t>(shape[i], 1);
    }
    return strides;
}

}  // namespace

namespace detail {

TensorData decodeNpy(const std::uint8_t* data, std::size_t size, std::shared_ptr<void> owner,
                     const std::string& what) {
    const detail::NpyHeader header = detail::parseNpyHeader(data, size, what);
    const std::size_t available = size - header.dataOffset;
    if (header.dataBytes != available) {
        TensorData described;
        described.shape = header.shape;
        throw std::runtime_error(
            what + ": shape " + described.shapeString() + " of " + dtypeName(header.dtype) +
            " needs " + std::to_string(header.dataBytes) + " bytes of data, the file has " +
            std::to_string(available) + (header.dataBytes > available ? " (truncated)" : ""));
    }
    TensorData array;
    array.dtype = header.dtype;
    array.shape = header.shape;
    if (header.fortranOrder && header.shape.size() > 1)
        array.strides = fortranStrides(header.shape);
    const std::uint8_t* bytes = data + header.dataOffset;
    const std::size_t n = std::size_t(header.dataBytes);
    if (header.bigEndian) {
        array.storage = Storage::allocate(n);
        std::uint8_t* out = array.storage->mutableData();
        const std::size_t elem = dtypeSize(header.dtype);
        for (std::size_t i = 0; i < n; i += elem) {
            std::reverse_copy(bytes + i, bytes + i + elem, out + i);
        }
    } else if (owner) {
        array.storage = std::make_shared<Storage>(bytes, n, std::move(owner));
    } else {
        array.storage = Storage::allocate(n);
        if (n) std::memcpy(array.storage->mutableData(), bytes, n);
    }
    return array;
}

std::string encodeNpy(const TensorData& array, const std::string& what) {
    std::string out = detail::formatNpyHeader(array.dtype, array.shape, what);
    out.reserve(out.size() + detail::contiguousByteSize(array, what));
    detail::forEachContiguousChunk(array, what, [&](const std::uint8_t* p, std::size_t n) {
        out.append(reinterpret_cast<const char*>(p), n);
    });
    return out;
}

}  // namespace detail

TensorData parseNpy(const std::uint8_t* data, std::size_t size, const std::string& name) {
    return detail::decodeNpy(data, size, nullptr, "npy file '" + name + "'");
}

TensorData readNpy(const std::string& path) {
    MappedFile file = mapFile(path);
    static const std::uint8_t kEmpty[1] = {0};
    // An empty file has no map; the header check refuses it.
    return detail::decodeNpy(file.data ? file.data : kEmpty, file.size, file.owner,
                             "npy file '" + path + "'");
}

void writeNpy(const std::string& path, const TensorData& array) {
    const std::string what = "npy file '" + path + "'";
    const std::string header = detail::formatNpyHeader(array.dtype, array.shape, what);
    detail::contiguousByteSize(array, what);  // validates before creating the file
    AtomicFile out(path);
    out.write(header.data(), header.size());
    detail::forEachContiguousChunk(array, what,
                                   [&](const std::uint8_t* p, std::size_t n) { out.write(p, n); });
    out.commit();
}

}  // namespace basin
