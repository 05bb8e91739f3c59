// Fuzz target: parseNpz on arbitrary bytes (libzip underneath, Basin's size
// and zip-bomb checks, then the .npy parser on every entry).

#include <cstdint>
#include <exception>

#include "io/Numpy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        for (const auto& [name, array] : basin::parseNpz(data, size, "fuzz")) {
            array.validate(name);
            if (array.numel() <= 4096) array.toDoubles();
        }
    } catch (const std::exception&) {
    }
    return 0;
}
