#include "splats/DepthSort.h"

#include <array>
#include <stdexcept>

namespace basin {

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
    // Items are key << 32 | index: one 8-byte move per item and pass, and the
    // index in the low bits keeps the sort stable without a second array.
    scratch.resize(2 * n);
    std::uint64_t* a = scratch.data();
    std::uint64_t* b = a + n;
    constexpr int kBits[3] = {11, 11, 10};
    constexpr int kShift[3] = {32, 43, 54};
    std::array<std::array<std::uint32_t, 2048>, 3> counts{};
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t key = depthSortKey(depths[i]);
        a[i] = (static_cast<std::uint64_t>(key) << 32) | i;
        ++counts[0][key & 0x7ff];
        ++counts[1][(key >> 11) & 0x7ff];
        ++counts[2][key >> 22];
    }
    for (int pass = 0; pass < 3; ++pass) {
        std::array<std::uint32_t, 2048>& c = counts[pass];
        const std::uint32_t buckets = 1u << kBits[pass];
        // All items in one bucket: this digit orders nothing.
        bool trivial = false;
        for (std::uint32_t d = 0; d < buckets; ++d)
            if (c[d] != 0) {
                trivial = c[d] == n;
                break;
            }
        if (trivial) continue;
        std::uint32_t sum = 0;
        for (std::uint32_t d = 0; d < buckets; ++d) {
            const std::uint32_t count = c[d];
            c[d] = sum;
            sum += count;
        }
        const int shift = kShift[pass];
        const std::uint64_t mask = buckets - 1;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t item = a[i];
            b[c[(item >> shift) & mask]++] = item;
        }
        std::swap(a, b);
    }
    for (std::size_t i = 0; i < n; ++i)
        order[i] = static_cast<std::uint32_t>(a[i]);
}

}  // namespace basin
