#include "splats/detail/PlyHeader.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace basin::detail {
namespace {

struct TypeName {
    const char* name;
    PlyType type;
};
// Both spellings the PLY documents and writers use (plyfile writes the short ones).
constexpr TypeName kTypes[] = {
    {"char", PlyType::Int8},       {"int8", PlyType::Int8},       {"uchar", PlyType::UInt8},
    {"uint8", PlyType::UInt8},     {"short", PlyType::Int16},     {"int16", PlyType::Int16},
    {"ushort", PlyType::UInt16},   {"uint16", PlyType::UInt16},   {"int", PlyType::Int32},
    {"int32", PlyType::Int32},     {"uint", PlyType::UInt32},     {"uint32", PlyType::UInt32},
    {"float", PlyType::Float32},   {"float32", PlyType::Float32}, {"double", PlyType::Float64},
    {"float64", PlyType::Float64},
};

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

}  // namespace

std::size_t plyTypeSize(PlyType type) {
    switch (type) {
        case PlyType::Int8:
        case PlyType::UInt8:
            return 1;
        case PlyType::Int16:
        case PlyType::UInt16:
            return 2;
        case PlyType::Int32:
        case PlyType::UInt32:
        case PlyType::Float32:
            return 4;
        case PlyType::Float64:
            return 8;
    }
    return 0;
}

const char* plyFormatName(PlyFormat format) {
    switch (format) {
        case PlyFormat::Ascii:
            return "ascii";
        case PlyFormat::BinaryLittleEndian:
            return "binary_little_endian";
        case PlyFormat::BinaryBigEndian:
            return "binary_big_endian";
    }
    return "?";
}

PlyHeader parsePlyHeader(const std::uint8_t* data, std::size_t size, const std::string& file) {
    const std::string where = file + ": ";
    const char* text = reinterpret_cast<const char*>(data);
    const std::size_t limit = std::min(size, kMaxPlyHeaderBytes);
    std::size_t pos = 0;
    int lineNumber = 0;
    // The next header line without its "\n" or "\r\n"; false at the limit.
    auto nextLine = [&](std::string& line) {
        if (pos >= limit) return false;
        std::size_t end = pos;
        while (end < limit && text[end] != '\n')
            ++end;
        if (end == limit) return false;
        line.assign(text + pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pos = end + 1;
        ++lineNumber;
        return true;
    };
    auto fail = [&](const std::string& what) -> std::runtime_error {
        return std::runtime_error(where + "header line " + std::to_string(lineNumber) + ": " +
                                  what);
    };
    auto parseType = [&](const std::string& name) {
        for (const auto& t : kTypes) {
            if (name == t.name) return t.type;
        }
        throw fail("unknown property type '" + name + "'");
    };

    std::string line;
    if (!nextLine(line) || line != "ply")
        throw std::runtime_error(where + "not a PLY file (it does not start with 'ply')");
    PlyHeader header;
    bool haveFormat = false;
    while (true) {
        if (!nextLine(line)) {
            throw std::runtime_error(
                where + (size > kMaxPlyHeaderBytes
                             ? "the PLY header has no end_header in its first " +
                                   std::to_string(kMaxPlyHeaderBytes) + " bytes"
                             : "the PLY header ends before end_header (truncated file?)"));
        }
        const std::vector<std::string> w = words(line);
        if (w.empty() || w[0] == "comment" || w[0] == "obj_info") continue;
        if (w[0] == "end_header") break;
        if (w[0] == "format") {
            if (w.size() != 3) throw fail("expected 'format <type> 1.0'");
            if (w[1] == "ascii")
                header.format = PlyFormat::Ascii;
            else if (w[1] == "binary_little_endian")
                header.format = PlyFormat::BinaryLittleEndian;
            else if (w[1] == "binary_big_endian")
                header.format = PlyFormat::BinaryBigEndian;
            else
                throw fail("unknown format '" + w[1] + "'");
            if (w[2] != "1.0") throw fail("unsupported PLY version '" + w[2] + "'");
            haveFormat = true;
        } else if (w[0] == "element") {
            if (w.size() != 3) throw fail("expected 'element <name> <count>'");
            PlyElement element;
            element.name = w[1];
            const char* first = w[2].data();
            const char* last = first + w[2].size();
            const auto [end, ec] = std::from_chars(first, last, element.count);
            if (ec != std::errc() || end != last)
                throw fail("element " + w[1] + " has the count '" + w[2] +
                           "', not a non-negative integer");
            header.elements.push_back(std::move(element));
        } else if (w[0] == "property") {
            if (header.elements.empty()) throw fail("a property before any element");
            PlyProperty property;
            if (w.size() == 5 && w[1] == "list") {
                property.isList = true;
                property.countType = parseType(w[2]);
                property.type = parseType(w[3]);
                property.name = w[4];
                if (property.countType == PlyType::Float32 ||
                    property.countType == PlyType::Float64)
                    throw fail("list " + property.name + " has a floating-point count type");
            } else if (w.size() == 3) {
                property.type = parseType(w[1]);
                property.name = w[2];
            } else {
                throw fail(
                    "expected 'property <type> <name>' or 'property list <count type> "
                    "<item type> <name>'");
            }
            header.elements.back().properties.push_back(std::move(property));
        } else {
            throw fail("unknown keyword '" + w[0] + "'");
        }
    }
    if (!haveFormat) throw std::runtime_error(where + "the PLY header has no format line");
    header.dataOffset = pos;
    return header;
}

}  // namespace basin::detail
