#pragma once
// A checkpoint file's weights applied to a model: the one way the landscape
// job, the weights at a landscape point and the weights on a path set a
// model to a checkpoint, so they all accept and refuse the same files.

#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

class Model;

// The state dict a checkpoint file holds; `root` names the dict holding the
// weights (empty: Checkpoint's best guess). Throws naming the file.
std::vector<NamedTensor> checkpointWeights(const std::string& path, const std::string& root = {});

// Sets the model to the checkpoint (by name, Model::applyStateDict; extra
// entries are ignored). Throws a sentence naming the checkpoint, the model and
// the tensors when one of the model's tensors is missing from the file or has
// another shape (a shape mismatch changes nothing).
void applyCheckpoint(Model& model, const std::string& path, const std::string& root = {});

}  // namespace basin
