#pragma once
// SHA-256 (FIPS 180-4), incremental. Basin fingerprints the checkpoints and
// datasets a project refers to, so results computed from a file can tell when
// the file has changed underneath them.
//
// Checkpoints run to gigabytes, so the block function is chosen at run time:
// the x86 SHA extensions (SHA-NI) where the CPU has them, about 4× faster than
// plain C++, and a portable implementation everywhere else. Both give the same
// digest; the choice can be forced so tests can hold one against the other.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace basin {

class Sha256 {
public:
    // Which block function hashes the data.
    enum class Implementation {
        Automatic,      // ShaExtensions where available, else Portable
        Portable,       // plain C++, any CPU
        ShaExtensions,  // x86-64 SHA-NI instructions (sha256rnds2, sha256msg1/2)
    };

    Sha256();
    // Throws std::invalid_argument when `implementation` is not available on
    // this CPU (see isAvailable()).
    explicit Sha256(Implementation implementation);
    static bool isAvailable(Implementation implementation);
    // The block function in use (never Automatic).
    Implementation implementation() const { return implementation_; }

    void update(const void* data, std::size_t size);
    // Finishes the hash (further calls return the same digest; update() after
    // it throws std::logic_error).
    std::array<std::uint8_t, 32> digest();
    // Lower-case hexadecimal digest.
    std::string hexDigest();

private:
    // Hashes `count` consecutive 64-byte blocks into `state` (A..H).
    using CompressFunction = void (*)(std::uint32_t* state, const std::uint8_t* blocks,
                                      std::size_t count);

    Implementation implementation_;
    CompressFunction compress_;
    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t totalBytes_ = 0;
    bool finished_ = false;
    std::array<std::uint8_t, 32> digest_{};
};

}  // namespace basin
