#pragma once
// SHA-256 (FIPS 180-4), incremental. Basin fingerprints the checkpoints and
// datasets a project refers to, so results computed from a file can tell when
// the file has changed underneath them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace basin {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    // Finishes the hash (further calls return the same digest; update() after
    // it throws std::logic_error).
    std::array<std::uint8_t, 32> digest();
    // Lower-case hexadecimal digest.
    std::string hexDigest();

private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t totalBytes_ = 0;
    bool finished_ = false;
    std::array<std::uint8_t, 32> digest_{};
};

}  // namespace basin
