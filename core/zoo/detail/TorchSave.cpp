#include "zoo/detail/TorchSave.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickler.h>

namespace basin::detail {

std::vector<char> torchSaveBytes(const c10::IValue& value) {
    std::vector<char> pickle;
    torch::jit::Pickler pickler(
        [&](const char* bytes, size_t size) { pickle.insert(pickle.end(), bytes, bytes + size); },
        /*tensor_table=*/nullptr, /*type_renamer=*/nullptr, /*memoized_class_types=*/nullptr,
        /*get_tensor_id=*/nullptr, /*tag_aggregates=*/false);
    pickler.protocol();
    pickler.pushIValue(value);
    pickler.stop();

    std::vector<char> archive;
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
        const auto* bytes = static_cast<const char*>(data);
        archive.insert(archive.end(), bytes, bytes + size);
        return size;
    });
    // Storages become records archive/data/<key>, the pickle archive/data.pkl.
    torch::jit::writeArchiveAndTensors("data", pickle.data(), pickle.size(), pickler.tensorData(),
                                       writer);
    writer.writeEndOfFile();
    return archive;
}

}  // namespace basin::detail
