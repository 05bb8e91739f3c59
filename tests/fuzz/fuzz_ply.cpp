// Fuzz target: parseGaussianPly (3DGS PLY, binary either endianness or ASCII)
// and parseSplatFile on arbitrary bytes. A cloud that comes back must be
// consistent (validate()) and usable: every splat's covariance and the bounds
// are computed, so dropped-splat bookkeeping and the SH layout are exercised.

#include <cstdint>
#include <exception>

#include "splats/GaussianPly.h"
#include "splats/SplatFile.h"

namespace {

void use(const basin::GaussianCloud& cloud) {
    cloud.validate();
    for (std::size_t i = 0; i < cloud.size() && i < 4096; ++i)
        cloud.covariance(i);
    cloud.bounds();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        basin::SplatLoadReport report;
        use(basin::parseGaussianPly(data, size, "fuzz", &report));
        report.summary();
    } catch (const std::exception&) {
    }
    try {
        use(basin::parseSplatFile(data, size, "fuzz"));
    } catch (const std::exception&) {
    }
    return 0;
}
