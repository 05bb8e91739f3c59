#pragma once
// Opens any file that holds weights — a checkpoint (torch.save, safetensors)
// or a TorchScript model — as a Checkpoint, for browsing and inspection. A
// model's parameters and buffers become its tensors, with a note of what the
// file is in the metadata.

#include <string>

#include "io/Checkpoint.h"

namespace basin {

// Throws the checkpoint reader's error when the file is neither.
Checkpoint loadWeightsFile(const std::string& path);

}  // namespace basin
