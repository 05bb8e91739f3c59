#include "io/Checkpoint.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "io/CheckpointTree.h"
#include "io/Safetensors.h"
#include "io/TorchZip.h"

namespace basin {
namespace {

const std::string kDataParallelPrefix = "module.";

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::vector<NamedTensor> Checkpoint::stateDict(const std::string& root) const {
    const std::string prefix = root.empty() ? "" : root + ".";
    std::vector<NamedTensor> out;
    for (const NamedTensor& t : tensors) {
        if (startsWith(t.name, prefix)) out.push_back({t.name.substr(prefix.size()), t.tensor});
    }
    if (out.empty()) {
        throw std::runtime_error(path + ": no tensors under '" + root + "'");
    }
    const bool dataParallel = std::all_of(out.begin(), out.end(), [](const NamedTensor& t) {
        return startsWith(t.name, kDataParallelPrefix);
    });
    if (dataParallel) {
        for (NamedTensor& t : out)
            t.name.erase(0, kDataParallelPrefix.size());
    }
    return out;
}

std::vector<NamedTensor> Checkpoint::stateDict() const {
    if (weightRoots.empty()) throw std::runtime_error(path + ": holds no tensors");
    return stateDict(weightRoots.front());
}

Checkpoint loadCheckpoint(const std::string& path) {
    std::uint8_t head[16] = {};
    std::size_t got = 0;
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error(path + ": cannot be opened");
        in.read(reinterpret_cast<char*>(head), sizeof head);
        got = std::size_t(in.gcount());
    }
    // Zip local file header, or the end-of-directory record of an empty zip.
    if (got >= 4 && head[0] == 'P' && head[1] == 'K' &&
        ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) {
        const PickleDocument tree = readTorchZip(path);
        return checkpointFromPickle(tree.root(), path, CheckpointFormat::TorchZip);
    }
    if (isLegacyTorchSave(head, got)) {
        throw std::runtime_error(
            path +
            ": written in the legacy torch.save format (before PyTorch 1.6, or with "
            "_use_new_zipfile_serialization=False), which Basin does not read; load it in "
            "Python and save it again with torch.save");
    }
    // safetensors: an 8-byte little-endian header length, then the JSON header.
    if (got < 9 || head[8] != '{') {
        throw std::runtime_error(path +
                                 ": not a checkpoint Basin can read (neither a torch.save "
                                 "zip archive nor a safetensors file)");
    }
    return readSafetensors(path);
}

}  // namespace basin
