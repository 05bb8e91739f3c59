#include "splats/detail/PlyData.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace basin::detail {
namespace {

template <typename T, bool Swap>
T loadRaw(const std::uint8_t* p) {
    std::uint8_t bytes[sizeof(T)];
    if constexpr (Swap) {
        for (std::size_t i = 0; i < sizeof(T); ++i)
            bytes[i] = p[sizeof(T) - 1 - i];
    } else {
        std::memcpy(bytes, p, sizeof(T));
    }
    T v;
    std::memcpy(&v, bytes, sizeof(T));
    return v;
}

template <bool Swap>
double load(PlyType type, const std::uint8_t* p) {
    switch (type) {
        case PlyType::Int8:
            return loadRaw<std::int8_t, Swap>(p);
        case PlyType::UInt8:
            return loadRaw<std::uint8_t, Swap>(p);
        case PlyType::Int16:
            return loadRaw<std::int16_t, Swap>(p);
        case PlyType::UInt16:
            return loadRaw<std::uint16_t, Swap>(p);
        case PlyType::Int32:
            return loadRaw<std::int32_t, Swap>(p);
        case PlyType::UInt32:
            return loadRaw<std::uint32_t, Swap>(p);
        case PlyType::Float32:
            return loadRaw<float, Swap>(p);
        case PlyType::Float64:
            return loadRaw<double, Swap>(p);
    }
    return 0.0;
}

double loadAny(PlyType type, const std::uint8_t* p, bool swap) {
    return swap ? load<true>(type, p) : load<false>(type, p);
}

}  // namespace

std::size_t skipBinaryElement(const PlyElement& e, const std::uint8_t* data, std::size_t size,
                              std::size_t offset, bool swap, const std::string& file) {
    const std::runtime_error pastEnd(file + ": the element '" + e.name +
                                     "' runs past the end of the file (truncated?)");
    if (e.properties.empty() || e.count == 0) return offset;
    bool hasList = false;
    std::size_t rowSize = 0;
    for (const auto& p : e.properties) {
        hasList = hasList || p.isList;
        rowSize += plyTypeSize(p.type);
    }
    if (!hasList) {
        if (e.count > (size - offset) / rowSize) throw pastEnd;
        return offset + std::size_t(e.count) * rowSize;
    }
    // Every entry takes at least one byte (a list's count), so this loop ends
    // within the file's size.
    for (std::uint64_t entry = 0; entry < e.count; ++entry) {
        for (const auto& p : e.properties) {
            if (!p.isList) {
                const std::size_t n = plyTypeSize(p.type);
                if (n > size - offset) throw pastEnd;
                offset += n;
                continue;
            }
            const std::size_t countSize = plyTypeSize(p.countType);
            if (countSize > size - offset) throw pastEnd;
            const double count = loadAny(p.countType, data + offset, swap);
            offset += countSize;
            if (count < 0)
                throw std::runtime_error(file + ": a list '" + p.name + "' of element '" + e.name +
                                         "' has a negative length");
            const std::size_t itemSize = plyTypeSize(p.type);
            if (count > double((size - offset) / itemSize)) throw pastEnd;
            offset += std::size_t(count) * itemSize;
        }
    }
    return offset;
}

namespace {

struct Column {
    std::size_t offset;
    PlyType type;
    PlyTarget target;
};

template <bool Swap>
void readRows(const std::uint8_t* rows, std::size_t rowSize, std::size_t n,
              const std::vector<Column>& columns) {
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* row = rows + i * rowSize;
        for (const auto& c : columns) {
            // float32 is what 3DGS writes: no conversion on the common path.
            float v;
            if (c.type == PlyType::Float32)
                v = loadRaw<float, Swap>(row + c.offset);
            else
                v = float(load<Swap>(c.type, row + c.offset));
            c.target.base[i * c.target.stride] = v;
        }
    }
}

}  // namespace

std::size_t plyRowSize(const PlyElement& element) {
    std::size_t size = 0;
    for (const auto& p : element.properties)
        size += plyTypeSize(p.type);
    return size;
}

void readBinaryRows(const PlyElement& element, const std::uint8_t* rows, std::size_t n,
                    bool bigEndian, const std::vector<PlyTarget>& targets) {
    std::vector<Column> columns;
    std::size_t offset = 0;
    for (std::size_t j = 0; j < element.properties.size(); ++j) {
        columns.push_back({offset, element.properties[j].type, targets[j]});
        offset += plyTypeSize(element.properties[j].type);
    }
    if (bigEndian)
        readRows<true>(rows, offset, n, columns);
    else
        readRows<false>(rows, offset, n, columns);
}

// ---- ASCII -------------------------------------------------------------------

bool PlyTokens::next(std::string_view& token) {
    while (p < end && std::isspace(static_cast<unsigned char>(*p)))
        ++p;
    if (p == end) return false;
    const char* start = p;
    while (p < end && !std::isspace(static_cast<unsigned char>(*p)))
        ++p;
    token = std::string_view(start, std::size_t(p - start));
    return true;
}

std::size_t PlyTokens::count() const {
    PlyTokens copy = *this;
    std::size_t n = 0;
    std::string_view token;
    while (copy.next(token))
        ++n;
    return n;
}

namespace {

bool parseNumber(std::string_view token, double& value) {
    if (!token.empty() && token[0] == '+') token.remove_prefix(1);
    const char* last = token.data() + token.size();
    const auto [end, ec] = std::from_chars(token.data(), last, value);
    return ec == std::errc() && end == last;
}

}  // namespace

void skipAsciiElement(const PlyElement& e, PlyTokens& tokens, const std::string& file) {
    const std::runtime_error pastEnd(file + ": the element '" + e.name +
                                     "' runs past the end of the file (truncated?)");
    if (e.properties.empty()) return;
    std::string_view token;
    // Every value is a token of at least one byte: the loop ends with the file.
    for (std::uint64_t entry = 0; entry < e.count; ++entry) {
        for (const auto& p : e.properties) {
            if (!tokens.next(token)) throw pastEnd;
            if (!p.isList) continue;
            double count = 0;
            if (!parseNumber(token, count) || !(count >= 0 && count < 4294967296.0) ||
                count != std::floor(count))
                throw std::runtime_error(file + ": a list '" + p.name + "' of element '" + e.name +
                                         "' has the length '" + std::string(token) + "'");
            for (std::uint64_t k = 0; k < std::uint64_t(count); ++k) {
                if (!tokens.next(token)) throw pastEnd;
            }
        }
    }
}

std::size_t readAsciiRows(const PlyElement& element, PlyTokens& tokens, std::size_t n,
                          const std::vector<PlyTarget>& targets, const std::string& file) {
    const std::size_t perRow = element.properties.size();
    std::string_view token;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < perRow; ++c) {
            if (!tokens.next(token)) return i;
            double v = 0;
            if (!parseNumber(token, v))
                throw std::runtime_error(file + ": " + element.name + " " + std::to_string(i) +
                                         ", property " + element.properties[c].name + ": '" +
                                         std::string(token.substr(0, 40)) + "' is not a number");
            targets[c].base[i * targets[c].stride] = float(v);
        }
    }
    return n;
}

}  // namespace basin::detail
