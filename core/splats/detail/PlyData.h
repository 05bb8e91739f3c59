#pragma once
// The data section of a PLY file, after its header (detail/PlyHeader.h):
// skipping elements by their declared sizes and reading an element's scalar
// rows into float arrays, for binary (either byte order) and ASCII files.
// Every read is bounded by the end of the data; the callers check a row count
// against the bytes left before they allocate.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "splats/detail/PlyHeader.h"

namespace basin::detail {

// Where one property's values go: base[i · stride] for row i.
struct PlyTarget {
    float* base = nullptr;
    std::size_t stride = 1;
};

// ---- binary ----
// The bytes of one row of an element of scalar properties.
std::size_t plyRowSize(const PlyElement& element);
// Skips all of `element` (lists included) starting at `offset`; returns the
// offset after it. Throws std::runtime_error naming `file` and the element
// when it runs past `size`.
std::size_t skipBinaryElement(const PlyElement& element, const std::uint8_t* data, std::size_t size,
                              std::size_t offset, bool bigEndian, const std::string& file);
// Reads n rows of `element` (scalars only; the caller checked the bytes),
// each value converted to float into its target (one per property).
void readBinaryRows(const PlyElement& element, const std::uint8_t* rows, std::size_t n,
                    bool bigEndian, const std::vector<PlyTarget>& targets);

// ---- ASCII ----
// Whitespace-separated values (PLY's ASCII rows; line breaks are not needed).
struct PlyTokens {
    const char* p;
    const char* end;

    bool next(std::string_view& token);
    std::size_t remainingBytes() const { return std::size_t(end - p); }
    // The tokens left (a copy is scanned; the position does not move).
    std::size_t count() const;
};
void skipAsciiElement(const PlyElement& element, PlyTokens& tokens, const std::string& file);
// Reads up to n rows; returns how many were complete (fewer than n when the
// values run out). Throws std::runtime_error naming the row and the property
// for a value that is not a number.
std::size_t readAsciiRows(const PlyElement& element, PlyTokens& tokens, std::size_t n,
                          const std::vector<PlyTarget>& targets, const std::string& file);

}  // namespace basin::detail
