#include "util/Pcg32.h"

#include <cmath>

namespace basin {

Pcg32::Pcg32(std::uint64_t seed, std::uint64_t stream) : increment_((stream << 1u) | 1u) {
    // The reference seeding: advance once, add the seed, advance again.
    next();
    state_ += seed;
    next();
}

std::uint32_t Pcg32::next() {
    const std::uint64_t old = state_;
    // LCG step with Knuth's MMIX multiplier.
    state_ = old * 6364136223846793005ULL + increment_;
    // XSH-RR: xorshift the high bits down, then rotate by the top five bits.
    const auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rotation = static_cast<std::uint32_t>(old >> 59u);
    return (xorshifted >> rotation) | (xorshifted << ((32u - rotation) & 31u));
}

double Pcg32::uniform() {
    const std::uint64_t high = next();
    const std::uint64_t low = next();
    const std::uint64_t bits53 = ((high << 32u) | low) >> 11u;
    return static_cast<double>(bits53) * (1.0 / 9007199254740992.0);  // 2^-53
}

std::uint32_t Pcg32::below(std::uint32_t n) {
    // Reject the lowest (2^32 mod n) values so every residue is equally likely.
    const std::uint32_t threshold = (0u - n) % n;
    for (;;) {
        const std::uint32_t r = next();
        if (r >= threshold) return r % n;
    }
}

double Pcg32::normal() {
    if (hasSpare_) {
        hasSpare_ = false;
        return spareNormal_;
    }
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    double u1 = uniform();
    while (u1 <= 0.0)
        u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spareNormal_ = radius * std::sin(kTwoPi * u2);
    hasSpare_ = true;
    return radius * std::cos(kTwoPi * u2);
}

}  // namespace basin
