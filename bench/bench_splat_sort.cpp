// bench_splat_sort: depth sort of 1M splats on one core (issue 7's target:
// ≤ 15 ms). View depths of a random cloud seen by an orbit camera, ordered
// by the LSD radix sort (splats/DepthSort.h, buffers reused as between
// frames; wall and thread CPU time), next to std::sort of (depth, index)
// pairs and std::stable_sort of indices by depth. Median of --runs (default
// 11). Exits with status 1 unless the radix order equals std::stable_sort's.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <utility>

#include "BenchStats.h"
#include "splats/DepthSort.h"

using namespace basin;
using namespace basin::bench;

namespace {

// CPU time of this thread: on a shared machine, the time the sort itself ran.
double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return 1e3 * double(t.tv_sec) + 1e-6 * double(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 11, count = 1000000;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--runs", 1, runs)) continue;
        if (intOption(argc, argv, i, "--splats", 1, count)) continue;
        std::fprintf(stderr, "usage: bench_splat_sort [--runs N] [--splats N]\n");
        return 2;
    }
    const std::size_t n = static_cast<std::size_t>(count);
    std::mt19937 rng(1);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> centres(3 * n);
    for (float& c : centres)
        c = g(rng);
    const SplatCamera camera = SplatCamera::orbit({0, 0, 0}, 30, 15, 6, 50, 1280, 720);

    std::vector<double> depthMs, radixMs, radixCpuMs, pairMs, stableMs;
    std::vector<float> depths;
    std::vector<std::uint32_t> order, stable(n);
    std::vector<std::uint64_t> scratch;
    std::vector<std::pair<float, std::uint32_t>> pairs(n);
    for (int r = 0; r < runs; ++r) {
        auto t = Clock::now();
        depths = viewDepths(centres.data(), n, camera);
        depthMs.push_back(msSince(t));

        t = Clock::now();
        const double cpu = threadCpuMs();
        depthOrder(depths.data(), n, order, scratch);
        radixCpuMs.push_back(threadCpuMs() - cpu);
        radixMs.push_back(msSince(t));

        for (std::size_t i = 0; i < n; ++i)
            pairs[i] = {depths[i], static_cast<std::uint32_t>(i)};
        t = Clock::now();
        std::sort(pairs.begin(), pairs.end());
        pairMs.push_back(msSince(t));

        std::iota(stable.begin(), stable.end(), 0u);
        t = Clock::now();
        std::stable_sort(stable.begin(), stable.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return depths[a] < depths[b]; });
        stableMs.push_back(msSince(t));
    }
    std::printf("depth sort of %zu splats, one core, median of %d:\n", n, runs);
    std::printf("  view depths                    %8.2f ms\n", median(depthMs));
    std::printf(
        "  radix sort (depthOrder)        %8.2f ms   (%.2f ms thread CPU time; target <= 15 ms)\n",
        median(radixMs), median(radixCpuMs));
    std::printf("  std::sort of (depth, index)    %8.2f ms\n", median(pairMs));
    std::printf("  std::stable_sort of indices    %8.2f ms\n", median(stableMs));
    if (order != stable) {
        std::fprintf(stderr, "bench_splat_sort: the radix order differs from std::stable_sort's\n");
        return 1;
    }
    return 0;
}
