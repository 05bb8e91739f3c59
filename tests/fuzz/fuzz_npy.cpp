// Fuzz target: parseNpy on arbitrary bytes; the array it returns must lie
// inside its storage (validate() and reading its elements).

#include <cstdint>
#include <exception>

#include "io/Numpy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const basin::TensorData array = basin::parseNpy(data, size, "fuzz");
        array.validate("fuzz");
        if (array.numel() <= 4096) array.toDoubles();
    } catch (const std::exception&) {
    }
    return 0;
}
