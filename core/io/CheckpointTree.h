#pragma once
// From an unpickled object tree to a Checkpoint: every tensor named by its
// dotted path from the root (dict keys; list and tuple items by index; the
// root itself, when it is a tensor, by ""), the dicts that look like state
// dicts ranked as weight roots, and every other leaf as a line of text.
//
// Trees from files are untrusted: shared references are followed (tied
// weights appear under each name), a reference back to an enclosing value is
// shown as text instead of followed, and a tree that would expand to more
// than a few million entries is refused.

#include <string>

#include "io/Checkpoint.h"
#include "io/Pickle.h"

namespace basin {

Checkpoint checkpointFromPickle(const PickleValue& root, const std::string& path,
                                CheckpointFormat format = CheckpointFormat::TorchZip);

}  // namespace basin
