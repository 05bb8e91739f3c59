#pragma once
// Writes a state dict as a torch.save checkpoint (the zip format of PyTorch
// ≥ 1.6): a dict from names to tensors, which Python's torch.load returns and
// model.load_state_dict accepts, and which Basin's own reader opens. For
// weights Basin computes (aligned networks, averaged or interpolated points).

#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

// Atomic (a temporary file in the same folder, then a rename); throws naming
// the path when it cannot be written.
void saveStateDict(const std::string& path, const std::vector<NamedTensor>& tensors);

}  // namespace basin
