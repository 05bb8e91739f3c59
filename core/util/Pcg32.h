#pragma once
// A small, seeded random number generator whose stream is the same on every
// platform and standard library: PCG32 (XSH-RR output of a 64-bit LCG),
// M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically
// Good Algorithms for Random Number Generation", HMC-CS-2014-0905.
//
// std::normal_distribution and friends are not specified bit for bit, so
// generated datasets and zoo initialisations draw from this instead: uniform
// doubles from 53 random bits, integers by rejection, normals by Box–Muller.
// (Box–Muller uses std::log/std::cos; libms agree to within an ulp, which
// float32 outputs almost never see.)

#include <cstdint>

namespace basin {

class Pcg32 {
public:
    // `stream` selects one of 2^63 independent sequences for the same seed,
    // so e.g. a train split and a test split never share draws.
    explicit Pcg32(std::uint64_t seed, std::uint64_t stream = 0);

    // 32 uniformly distributed bits.
    std::uint32_t next();
    // Uniform in [0, 1) with 53 bits of resolution.
    double uniform();
    // Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [0, n), n > 0, without modulo bias.
    std::uint32_t below(std::uint32_t n);
    // Standard normal N(0, 1) by the Box–Muller transform
    // (z = sqrt(-2 ln u1) cos(2 pi u2), with the sine partner kept for the next call).
    double normal();
    double normal(double mean, double stddev) { return mean + stddev * normal(); }

private:
    std::uint64_t state_ = 0;
    std::uint64_t increment_ = 0;
    double spareNormal_ = 0.0;
    bool hasSpare_ = false;
};

}  // namespace basin
