// Fuzz target: parseSafetensors on arbitrary bytes. Every tensor it returns
// must lie inside the input (validate() and a read of its first and last byte,
// which AddressSanitizer checks).

#include <cstdint>
#include <exception>

#include "io/Safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const basin::Checkpoint c = basin::parseSafetensors(data, size, nullptr, "fuzz");
        volatile std::uint8_t sink = 0;
        for (const auto& [name, tensor] : c.tensors) {
            tensor.validate(name);
            const basin::Storage& s = *tensor.storage;
            if (s.size() > 0) sink = sink + s.data()[0] + s.data()[s.size() - 1];
            if (tensor.numel() <= 4096) tensor.toDoubles();
        }
    } catch (const std::exception&) {
    }
    return 0;
}
