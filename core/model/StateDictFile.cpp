#include "model/StateDictFile.h"

#include "model/detail/TorchTensor.h"
#include "util/AtomicFile.h"
#include "zoo/detail/TorchSave.h"

namespace basin {

void saveStateDict(const std::string& path, const std::vector<NamedTensor>& tensors) {
    torch::Dict<std::string, torch::Tensor> dict;
    for (const NamedTensor& t : tensors)
        // A compact copy: a view would write its whole shared storage.
        dict.insert(t.name, detail::toTorch(t.tensor, t.name).clone().contiguous());
    const std::vector<char> bytes = detail::torchSaveBytes(c10::IValue(dict));
    AtomicFile out(path);
    out.write(bytes.data(), bytes.size());
    out.commit();
}

}  // namespace basin
