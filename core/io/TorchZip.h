#pragma once
// torch.save's zip archive (PyTorch >= 1.6), read without libtorch:
//
//   <prefix>/data.pkl     the saved object, pickled (protocol 2 by default)
//   <prefix>/data/<key>   one record per storage: its raw bytes
//   <prefix>/byteorder    "little" or "big" (newer PyTorch; absent = little)
//   <prefix>/version      format version
//
// Tensors appear in data.pkl as _rebuild_tensor_v2(storage, offset, size,
// stride, ...) where the storage is a persistent id ('storage',
// torch.FloatStorage, key, location, numel). Each record is read once and
// shared by every tensor viewing it (tied weights, slices, transposes).
//
// torch.jit.save writes the same layout plus constants.pkl and code/; such
// archives are recognised and refused with a pointer to the model loader. The
// older non-zip torch.save format (a pickled magic number first) is
// recognised by isLegacyTorchSave.

#include <cstddef>
#include <cstdint>
#include <string>

#include "io/Pickle.h"

namespace basin {

// The object tree of the archive at `path` with its tensors rebuilt. Throws
// std::runtime_error naming the file and the record for a damaged archive, a
// record shorter than its storage declares, a big-endian archive, a TorchScript
// archive, or anything the pickle machine refuses.
PickleDocument readTorchZip(const std::string& path);
// The same from bytes in memory (copied by libzip only as it reads records);
// `name` names them in messages.
PickleDocument parseTorchZip(const std::uint8_t* data, std::size_t size, const std::string& name);

// True when the bytes start like the legacy torch.save format: a pickle whose
// first value is the magic number 0x1950a86a20f9469cfc6c.
bool isLegacyTorchSave(const std::uint8_t* data, std::size_t size);

}  // namespace basin
