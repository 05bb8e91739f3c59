#include "util/Sha256.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BASIN_SHA256_X86_EXTENSIONS 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace basin {
namespace {

// First 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr std::uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// --- portable -----------------------------------------------------------------

inline std::uint32_t rotr(std::uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

// A big-endian word from unaligned bytes; compilers turn this into one load
// and a bswap.
inline std::uint32_t loadBigEndian(const std::uint8_t* p) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap32(w);
#elif !defined(__BYTE_ORDER__)
    w = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
        std::uint32_t(p[3]);
#endif
    return w;
}

// Round j of a group of 16 (j is a template argument so every index below is
// a constant). The message schedule is kept as a ring of 16 words: with
// `kExpand`, w[j] (holding W[t-16]) first becomes W[t] = σ1(W[t-2]) + W[t-7] +
// σ0(W[t-15]) + W[t-16]. Instead of shifting a..h after each round, the caller
// rotates the arguments: only d and h change (d += T1, h = T1 + T2), and the
// next round sees them as e and a.
template <int j, bool kExpand>
inline void shaRound(std::uint32_t (&w)[16], const std::uint32_t* k, std::uint32_t a,
                     std::uint32_t b, std::uint32_t c, std::uint32_t& d, std::uint32_t e,
                     std::uint32_t f, std::uint32_t g, std::uint32_t& h) {
    if (kExpand) {
        const std::uint32_t w15 = w[(j + 1) & 15], w2 = w[(j + 14) & 15];
        const std::uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
        const std::uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
        w[j] += s0 + w[(j + 9) & 15] + s1;
    }
    const std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const std::uint32_t ch = g ^ (e & (f ^ g));
    // h + K + W does not depend on this round's e: summed first, it stays off
    // the e -> Σ1/Ch -> T1 dependency chain.
    const std::uint32_t t1 = (h + k[j] + w[j]) + ch + S1;
    const std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const std::uint32_t maj = (a & b) | (c & (a | b));
    d += t1;
    h = t1 + S0 + maj;
}

template <bool kExpand>
inline void sixteenRounds(std::uint32_t (&w)[16], const std::uint32_t* k, std::uint32_t& a,
                          std::uint32_t& b, std::uint32_t& c, std::uint32_t& d, std::uint32_t& e,
                          std::uint32_t& f, std::uint32_t& g, std::uint32_t& h) {
    shaRound<0, kExpand>(w, k, a, b, c, d, e, f, g, h);
    shaRound<1, kExpand>(w, k, h, a, b, c, d, e, f, g);
    shaRound<2, kExpand>(w, k, g, h, a, b, c, d, e, f);
    shaRound<3, kExpand>(w, k, f, g, h, a, b, c, d, e);
    shaRound<4, kExpand>(w, k, e, f, g, h, a, b, c, d);
    shaRound<5, kExpand>(w, k, d, e, f, g, h, a, b, c);
    shaRound<6, kExpand>(w, k, c, d, e, f, g, h, a, b);
    shaRound<7, kExpand>(w, k, b, c, d, e, f, g, h, a);
    shaRound<8, kExpand>(w, k, a, b, c, d, e, f, g, h);
    shaRound<9, kExpand>(w, k, h, a, b, c, d, e, f, g);
    shaRound<10, kExpand>(w, k, g, h, a, b, c, d, e, f);
    shaRound<11, kExpand>(w, k, f, g, h, a, b, c, d, e);
    shaRound<12, kExpand>(w, k, e, f, g, h, a, b, c, d);
    shaRound<13, kExpand>(w, k, d, e, f, g, h, a, b, c);
    shaRound<14, kExpand>(w, k, c, d, e, f, g, h, a, b);
    shaRound<15, kExpand>(w, k, b, c, d, e, f, g, h, a);
}

void compressPortable(std::uint32_t* state, const std::uint8_t* blocks, std::size_t count) {
    for (; count > 0; --count, blocks += 64) {
        std::uint32_t w[16];
        for (int i = 0; i < 16; ++i)
            w[i] = loadBigEndian(blocks + 4 * i);
        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        sixteenRounds<false>(w, kRoundConstants, a, b, c, d, e, f, g, h);
        sixteenRounds<true>(w, kRoundConstants + 16, a, b, c, d, e, f, g, h);
        sixteenRounds<true>(w, kRoundConstants + 32, a, b, c, d, e, f, g, h);
        sixteenRounds<true>(w, kRoundConstants + 48, a, b, c, d, e, f, g, h);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

// --- x86 SHA extensions -------------------------------------------------------
//
// From Intel's description of the instructions (Intel SHA Extensions, 2013;
// SDM entries SHA256RNDS2, SHA256MSG1, SHA256MSG2):
// - sha256rnds2(cdgh, abef, wk) runs two rounds. The state lives in two
//   registers, (A, B, E, F) and (C, D, G, H), A and C in the top lanes; wk's
//   low two lanes hold W[t] + K[t] and W[t+1] + K[t+1]. It returns the new
//   (A, B, E, F); the old (A, B, E, F) is the new (C, D, G, H).
// - The schedule advances four words at a time: with m = W[t-16..t-13],
//   msg1(m, W[t-12..t-9]) gives W[t-16+i] + σ0(W[t-15+i]); adding
//   W[t-7..t-4] (an alignr of the two previous groups) and then
//   msg2(that, W[t-4..t-1]) adds σ1(W[t-2+i]), the last two from the words
//   it has just produced.
// Words are big-endian in the message, so each 16-byte load is byte-swapped
// within its lanes (pshufb), which leaves W[t] in the lowest lane.

#if BASIN_SHA256_X86_EXTENSIONS

__attribute__((target("sha,sse4.1,ssse3"))) void compressShaExtensions(std::uint32_t* state,
                                                                       const std::uint8_t* blocks,
                                                                       std::size_t count) {
    const __m128i byteSwapWords =
        _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);

    // state[0..3] = A, B, C, D with A in the lowest lane; reversed, the top
    // halves of the two registers are (B, A) and (F, E).
    const __m128i dcba =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0x1B);
    const __m128i hgfe =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1B);
    __m128i abef = _mm_unpackhi_epi64(hgfe, dcba);  // lanes F, E, B, A
    __m128i cdgh = _mm_unpacklo_epi64(hgfe, dcba);  // lanes H, G, D, C

    for (; count > 0; --count, blocks += 64) {
        const __m128i abefBefore = abef, cdghBefore = cdgh;
        __m128i m[4];  // the last four groups of four schedule words
        for (int i = 0; i < 4; ++i) {
            m[i] = _mm_shuffle_epi8(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * i)), byteSwapWords);
        }
#pragma GCC unroll 16
        for (int group = 0; group < 16; ++group) {
            __m128i& words = m[group & 3];  // holds group - 4 until replaced
            if (group >= 4) {
                const __m128i previous = m[(group + 3) & 3];
                const __m128i twoBack = m[(group + 2) & 3];
                words = _mm_sha256msg1_epu32(words, m[(group + 1) & 3]);
                words = _mm_add_epi32(words, _mm_alignr_epi8(previous, twoBack, 4));
                words = _mm_sha256msg2_epu32(words, previous);
            }
            const __m128i wk = _mm_add_epi32(
                words,
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * group)));
            // Rounds 4g, 4g+1 and then 4g+2, 4g+3 (the upper lanes moved
            // down); the two registers swap roles after each call.
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abefBefore);
        cdgh = _mm_add_epi32(cdgh, cdghBefore);
    }

    const __m128i abcd = _mm_shuffle_epi32(_mm_unpackhi_epi64(cdgh, abef), 0x1B);
    const __m128i efgh = _mm_shuffle_epi32(_mm_unpacklo_epi64(cdgh, abef), 0x1B);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), abcd);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), efgh);
}

bool cpuHasShaExtensions() {
    // Asked of CPUID directly (leaf 1: SSSE3 = ECX bit 9, SSE4.1 = ECX bit 19;
    // leaf 7: SHA = EBX bit 29): clang 14's __builtin_cpu_supports does not
    // know "sha", and the fuzzing build uses clang.
    static const bool has = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
        const bool ssse3 = (c >> 9) & 1u, sse41 = (c >> 19) & 1u;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
        const bool sha = (b >> 29) & 1u;
        return ssse3 && sse41 && sha;
    }();
    return has;
}

#else

bool cpuHasShaExtensions() {
    return false;
}

#endif

}  // namespace

bool Sha256::isAvailable(Implementation implementation) {
    switch (implementation) {
        case Implementation::Automatic:
        case Implementation::Portable:
            return true;
        case Implementation::ShaExtensions:
            return cpuHasShaExtensions();
    }
    return false;
}

Sha256::Sha256() : Sha256(Implementation::Automatic) {}

Sha256::Sha256(Implementation implementation) {
    if (implementation == Implementation::Automatic) {
        implementation =
            cpuHasShaExtensions() ? Implementation::ShaExtensions : Implementation::Portable;
    }
    if (!isAvailable(implementation)) {
        throw std::invalid_argument("Sha256: this CPU has no SHA extensions");
    }
    implementation_ = implementation;
    compress_ = compressPortable;
#if BASIN_SHA256_X86_EXTENSIONS
    if (implementation == Implementation::ShaExtensions) compress_ = compressShaExtensions;
#endif
    std::copy(std::begin(kInitialState), std::end(kInitialState), state_.begin());
}

void Sha256::update(const void* data, std::size_t size) {
    if (finished_) throw std::logic_error("Sha256::update after digest()");
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    totalBytes_ += size;
    if (buffered_ > 0) {
        const std::size_t take = std::min(size, buffer_.size() - buffered_);
        std::memcpy(buffer_.data() + buffered_, bytes, take);
        buffered_ += take;
        bytes += take;
        size -= take;
        if (buffered_ < buffer_.size()) return;
        compress_(state_.data(), buffer_.data(), 1);
        buffered_ = 0;
    }
    const std::size_t blocks = size / 64;
    if (blocks > 0) compress_(state_.data(), bytes, blocks);
    bytes += 64 * blocks;
    size -= 64 * blocks;
    if (size > 0) std::memcpy(buffer_.data(), bytes, size);
    buffered_ = size;
}

std::array<std::uint8_t, 32> Sha256::digest() {
    if (finished_) return digest_;
    // Padding: 0x80, zeros up to 56 bytes into a block, the bit length as a
    // big-endian 64-bit number; a second block when the length does not fit.
    const std::uint64_t bitLength = totalBytes_ * 8;
    buffer_[buffered_++] = 0x80;
    if (buffered_ > 56) {
        std::memset(buffer_.data() + buffered_, 0, buffer_.size() - buffered_);
        compress_(state_.data(), buffer_.data(), 1);
        buffered_ = 0;
    }
    std::memset(buffer_.data() + buffered_, 0, 56 - buffered_);
    for (int i = 0; i < 8; ++i)
        buffer_[56 + i] = std::uint8_t(bitLength >> (56 - 8 * i));
    compress_(state_.data(), buffer_.data(), 1);
    buffered_ = 0;
    for (int i = 0; i < 8; ++i) {
        for (int j = 0; j < 4; ++j)
            digest_[4 * i + j] = std::uint8_t(state_[i] >> (24 - 8 * j));
    }
    finished_ = true;
    return digest_;
}

std::string Sha256::hexDigest() {
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (std::uint8_t byte : digest()) {
        s.push_back(hex[byte >> 4]);
        s.push_back(hex[byte & 15]);
    }
    return s;
}

}  // namespace basin
