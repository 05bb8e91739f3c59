// Fuzzes the torch.save zip reader: archive structure (libzip), record sizes
// against declared storages, the pickle inside and tensor views. Bad input
// must throw std::runtime_error, never crash, hang or allocate hugely.

#include <cstdint>
#include <exception>

#include "io/CheckpointTree.h"
#include "io/TorchZip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        (void)basin::isLegacyTorchSave(data, size);
        const basin::PickleDocument doc = basin::parseTorchZip(data, size, "fuzz.pt");
        const basin::Checkpoint c = basin::checkpointFromPickle(doc.root(), "fuzz.pt");
        for (const auto& t : c.tensors)
            (void)t.tensor.toDoubles();
    } catch (const std::exception&) {
    }
    return 0;
}
