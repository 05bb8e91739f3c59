#pragma once
// Opens any file that holds tensors — a checkpoint (torch.save, safetensors),
// a TorchScript model or NumPy arrays (.npy/.npz) — as a Checkpoint, for
// browsing and inspection. A model's parameters and buffers become its
// tensors, with its parameter and buffer counts in the metadata.

#include <string>

#include "io/Checkpoint.h"

namespace basin {

// Throws the checkpoint reader's error when the file is neither.
Checkpoint loadWeightsFile(const std::string& path);

}  // namespace basin
