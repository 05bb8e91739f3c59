#pragma once
// Depth order of splats for alpha compositing: the view-space depth of each
// centre as a 32-bit float key, sorted by an LSD radix sort over an
// order-preserving unsigned image of the float, one core, O(n). Keys are
// taken relative to the smallest, so the passes (counting sorts of at most
// 11 bits) cover only the bits the depth range needs: three for a scene
// spanning a few octaves of depth, one or two for a narrow range. Stable:
// splats at equal depth keep their input order, as std::stable_sort would.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "splats/SplatCamera.h"

namespace basin {

// An unsigned key ordered as the float is: negative floats have all bits
// flipped, non-negative ones the sign bit set; -0 is +0.
inline std::uint32_t depthSortKey(float depth) {
    std::uint32_t bits;
    static_assert(sizeof bits == sizeof depth, "32-bit float");
    std::memcpy(&bits, &depth, sizeof bits);
    if (bits == 0x80000000u) bits = 0;  // -0 == +0, as std::sort sees them
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

// The view-space depth (distance along the camera's forward axis) of each
// centre ([x y z] × n).
std::vector<float> viewDepths(const float* centres, std::size_t n, const SplatCamera& camera);

// The indices 0..n-1 ordered by increasing depth, ties in index order.
// NaN depths sort after +inf (positive NaN) or before -inf (negative NaN).
std::vector<std::uint32_t> depthOrder(const float* depths, std::size_t n);

// The same with caller-owned buffers, reused between frames: `order`
// receives n indices; `scratch` is resized as needed.
void depthOrder(const float* depths, std::size_t n, std::vector<std::uint32_t>& order,
                std::vector<std::uint64_t>& scratch);

}  // namespace basin
