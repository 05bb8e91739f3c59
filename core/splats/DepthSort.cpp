#include "splats/DepthSort.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace basin {
namespace {

// Counting passes of at most 2¹¹ buckets: the counters and write positions
// stay in L1 (12 and 13 bits measured slower on 1M splats).
constexpr int kMaxDigitBits = 11;

}  // namespace

std::vector<float> viewDepths(const float* centres, std::size_t n, const SplatCamera& camera) {
    const std::array<float, 9> r = camera.rotation();
    const float fx = r[6], fy = r[7], fz = r[8];
    const float offset =
        fx * camera.position[0] + fy * camera.position[1] + fz * camera.position[2];
    std::vector<float> depths(n);
    for (std::size_t i = 0; i < n; ++i) {
        const float* p = centres + 3 * i;
        depths[i] = fx * p[0] + fy * p[1] + fz * p[2] - offset;
    }
    return depths;
}

std::vector<std::uint32_t> depthOrder(const float* depths, std::size_t n) {
    std::vector<std::uint32_t> order;
    std::vector<std::uint64_t> scratch;
    depthOrder(depths, n, order, scratch);
    return order;
}

void depthOrder(const float* depths, std::size_t n, std::vector<std::uint32_t>& order,
                std::vector<std::uint64_t>& scratch) {
    if (n > 0xffffffffu) throw std::length_error("depthOrder: more than 2³² splats");
    order.resize(n);
    if (n == 0) return;
    // Keys relative to the smallest: a scene's depths span a few octaves, so
    // the keys' range needs far fewer than 32 bits and fewer passes.
    std::uint32_t lo = 0xffffffffu, hi = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t key = depthSortKey(depths[i]);
        lo = std::min(lo, key);
        hi = std::max(hi, key);
    }
    const std::uint32_t range = hi - lo;
    if (range == 0) {
        for (std::size_t i = 0; i < n; ++i)
            order[i] = static_cast<std::uint32_t>(i);
        return;
    }
    int bits = 0;
    while (bits < 32 && (range >> bits) != 0)
        ++bits;
    const int passes = (bits + kMaxDigitBits - 1) / kMaxDigitBits;
    const int digit = (bits + passes - 1) / passes;
    const std::uint32_t buckets = 1u << digit, mask = buckets - 1;
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(passes) * buckets, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t key = depthSortKey(depths[i]) - lo;
        for (int p = 0; p < passes; ++p)
            ++counts[p * buckets + ((key >> (p * digit)) & mask)];
    }
    for (int p = 0; p < passes; ++p) {
        std::uint32_t sum = 0;
        for (std::uint32_t d = 0; d < buckets; ++d) {
            const std::uint32_t count = counts[p * buckets + d];
            counts[p * buckets + d] = sum;
            sum += count;
        }
    }
    if (passes == 1) {
        for (std::size_t i = 0; i < n; ++i)
            order[counts[(depthSortKey(depths[i]) - lo) & mask]++] = static_cast<std::uint32_t>(i);
        return;
    }
    // Items are key << 32 | index: one 8-byte move per item and pass, and the
    // index in the low bits keeps the sort stable without a second array. The
    // first pass reads the depths, the last writes only the indices.
    scratch.resize(2 * n);
    std::uint64_t* a = scratch.data();
    std::uint64_t* b = a + n;
    std::uint32_t* c = counts.data();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t key = depthSortKey(depths[i]) - lo;
        a[c[key & mask]++] = (static_cast<std::uint64_t>(key) << 32) | i;
    }
    for (int p = 1; p + 1 < passes; ++p) {
        c = counts.data() + p * buckets;
        const int shift = 32 + p * digit;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t item = a[i];
            b[c[(item >> shift) & mask]++] = item;
        }
        std::swap(a, b);
    }
    c = counts.data() + (passes - 1) * buckets;
    const int shift = 32 + (passes - 1) * digit;
    std::uint32_t* out = order.data();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t item = a[i];
        out[c[(item >> shift) & mask]++] = static_cast<std::uint32_t>(item);
    }
}

}  // namespace basin
