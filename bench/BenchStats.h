#pragma once
// Small helpers shared by the benchmarks: order statistics of timings and
// command-line integers. Benchmarks report medians (robust to the odd slow run
// on a shared 2-core machine) and, for frame times, the 90th percentile.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace basin::bench {

using Clock = std::chrono::steady_clock;

inline double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Nearest-rank percentile (p in [0, 100]) of the samples; NaN when empty.
inline double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) return std::nan("");
    std::sort(samples.begin(), samples.end());
    const double rank = std::ceil(p / 100.0 * double(samples.size()));
    const std::size_t index = std::size_t(std::max(1.0, rank)) - 1;
    return samples[std::min(index, samples.size() - 1)];
}

// Median as the mean of the two middle samples for an even count.
inline double median(std::vector<double> samples) {
    if (samples.empty()) return std::nan("");
    std::sort(samples.begin(), samples.end());
    const std::size_t n = samples.size();
    return n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

// Parses `--name N` at argv[i] (advancing i); exits with a message on a bad
// value. Returns false when argv[i] is not `--name`.
inline bool intOption(int argc, char** argv, int& i, const char* name, int minimum, int& value) {
    if (std::strcmp(argv[i], name) != 0) return false;
    char* end = nullptr;
    const long v = i + 1 < argc ? std::strtol(argv[i + 1], &end, 10) : 0;
    if (i + 1 >= argc || *end != '\0' || v < minimum || v > 1000000) {
        std::fprintf(stderr, "%s: %s needs an integer >= %d\n", argv[0], name, minimum);
        std::exit(2);
    }
    value = int(v);
    ++i;
    return true;
}

}  // namespace basin::bench
