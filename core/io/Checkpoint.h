#pragma once
// A checkpoint file as Basin sees it, whatever wrote it (torch.save's zip
// format, safetensors): every tensor it holds, named by its path in the file's
// object tree, the candidate "weight roots" (nested dicts that hold a state
// dict), and the non-tensor leaves as readable text (epoch, best_acc, args...).
//
//   torch.save({'epoch': 3, 'state_dict': model.state_dict(), 'optimizer': ...})
//   → tensors "state_dict.fc.weight", ..., "optimizer.state.0.momentum_buffer", ...
//     weightRoots {"state_dict", "optimizer.state.0"?...}, metadata {"epoch": "3", ...}
//
// Nothing in a file is executed: readers rebuild tensors from raw bytes and
// turn any Python object they do not know into text ("not loaded: argparse.Namespace").

#include <string>
#include <utility>
#include <vector>

#include "io/TensorData.h"

namespace basin {

struct NamedTensor {
    std::string name;
    TensorData tensor;
};

// TorchScript and NumPy: a model's parameters and buffers, or .npy/.npz
// arrays, opened as tensors by model/WeightsFile.h.
enum class CheckpointFormat { TorchZip, Safetensors, TorchScript, NumPy };

struct Checkpoint {
    std::string path;
    CheckpointFormat format = CheckpointFormat::TorchZip;
    // Every tensor, in file order, named by its dotted path from the root
    // ("state_dict.layer1.0.conv1.weight"; list items by index: "0", "1").
    std::vector<NamedTensor> tensors;
    // Dotted paths of dicts that look like state dicts (string keys, values
    // tensors or nested such dicts), best first: the common keys
    // ("state_dict", "model_state", "model", "net", "ema") before others, "" for
    // the root itself. Empty when the file holds no tensors.
    std::vector<std::string> weightRoots;
    // Non-tensor leaves as (dotted path, text) in file order.
    std::vector<std::pair<std::string, std::string>> metadata;

    // The tensors under `root` with the root's prefix (and one leading
    // DataParallel "module." if every name has it) stripped: a state dict.
    std::vector<NamedTensor> stateDict(const std::string& root) const;
    // stateDict(weightRoots.front()); throws when there is no weight root.
    std::vector<NamedTensor> stateDict() const;
};

// Reads a checkpoint, choosing the reader by content (zip magic, safetensors
// header), not by extension. Throws std::runtime_error with a sentence that
// names the file and the part that is wrong; the older non-zip torch.save
// format is recognised and reported as not supported.
Checkpoint loadCheckpoint(const std::string& path);

}  // namespace basin
