#pragma once
// The header of a PLY file (Turk, "The PLY Polygon File Format", 1994): the
// magic line, the format, elements with their counts and typed properties,
// up to `end_header`. Only the text is parsed here; the data that follows is
// read by the callers, which check every count against the file's size.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace basin::detail {

enum class PlyFormat { Ascii, BinaryLittleEndian, BinaryBigEndian };
enum class PlyType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 };

struct PlyProperty {
    std::string name;
    PlyType type = PlyType::Float32;  // the item type for a list
    bool isList = false;
    PlyType countType = PlyType::UInt8;  // lists only
};

struct PlyElement {
    std::string name;
    std::uint64_t count = 0;
    std::vector<PlyProperty> properties;
};

struct PlyHeader {
    PlyFormat format = PlyFormat::Ascii;
    std::vector<PlyElement> elements;
    std::size_t dataOffset = 0;  // the first byte after the end_header line
};

// Throws std::runtime_error naming `file` and the offending header line.
// Headers longer than kMaxPlyHeaderBytes are refused.
PlyHeader parsePlyHeader(const std::uint8_t* data, std::size_t size, const std::string& file);

constexpr std::size_t kMaxPlyHeaderBytes = 1 << 20;

std::size_t plyTypeSize(PlyType type);
const char* plyFormatName(PlyFormat format);

}  // namespace basin::detail
