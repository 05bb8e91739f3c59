#pragma once
// A whole file mapped read-only into memory. Readers of large tensor files
// (safetensors, .npy) point their tensors into the map instead of copying;
// `owner` unmaps it when the last tensor that holds it goes away.
//
// A mapped file that another program truncates while it is mapped makes reads
// past the new end fault (SIGBUS); Basin's own writers never do that, they
// replace files by renaming (AtomicFile).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace basin {

struct MappedFile {
    const std::uint8_t* data = nullptr;  // nullptr for an empty file
    std::size_t size = 0;
    std::shared_ptr<void> owner;  // unmaps on release
};

// Throws std::runtime_error naming the file when it cannot be opened, is not
// a regular file or cannot be mapped.
MappedFile mapFile(const std::string& path);

}  // namespace basin
