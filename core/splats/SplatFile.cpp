#include "splats/SplatFile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "util/AtomicFile.h"
#include "util/MappedFile.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              ".splat floats are little-endian; Basin copies them as they are");

namespace basin {
namespace {

constexpr double kShC0 = 0.28209479177387814;

std::uint8_t toByte(double v) {
    return std::uint8_t(std::clamp(std::lround(v), 0L, 255L));
}

}  // namespace

GaussianCloud parseSplatFile(const std::uint8_t* data, std::size_t size, const std::string& name,
                             SplatLoadReport* report) {
    if (size % kSplatRecordBytes != 0)
        throw std::runtime_error(name + ": " + std::to_string(size) +
                                 " bytes is not a whole number of 32-byte .splat records");
    SplatLoadReport local;
    SplatLoadReport& r = report ? *report : local;
    r = SplatLoadReport{};
    r.format = "splat";
    const std::size_t n = size / kSplatRecordBytes;
    r.splatsInFile = n;
    GaussianCloud cloud;
    cloud.shDegree = 0;
    cloud.positions.resize(3 * n);
    cloud.logScales.resize(3 * n);
    cloud.rawRotations.resize(4 * n);
    cloud.opacityLogits.resize(n);
    cloud.sh.resize(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* record = data + i * kSplatRecordBytes;
        float scale[3];
        std::memcpy(&cloud.positions[3 * i], record, 12);
        std::memcpy(scale, record + 12, 12);
        const std::uint8_t* rgba = record + 24;
        const std::uint8_t* rot = record + 28;
        for (int k = 0; k < 3; ++k) {
            cloud.logScales[3 * i + std::size_t(k)] = std::log(scale[k]);
            cloud.sh[3 * i + std::size_t(k)] = float((rgba[k] / 255.0 - 0.5) / kShC0);
        }
        // Alpha 0 and 255 would need infinite logits: a quarter step inside
        // keeps them finite and still rounds back to the same byte.
        const double alpha = std::clamp(rgba[3] / 255.0, 0.25 / 255.0, 1.0 - 0.25 / 255.0);
        cloud.opacityLogits[i] = float(std::log(alpha / (1.0 - alpha)));
        for (int k = 0; k < 4; ++k)
            cloud.rawRotations[4 * i + std::size_t(k)] = float((rot[k] - 128) / 128.0);
    }
    dropUnusableSplats(cloud, r);
    cloud.activate();
    return cloud;
}

GaussianCloud readSplatFile(const std::string& path, SplatLoadReport* report) {
    const MappedFile file = mapFile(path);
    return parseSplatFile(file.data, file.size, path, report);
}

void writeSplatFile(const std::string& path, const GaussianCloud& cloud) {
    try {
        cloud.validate();
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": cannot write the cloud: " + e.what());
    }
    const std::size_t k3 = std::size_t(cloud.shCoefficientCount()) * 3;
    constexpr std::size_t kChunk = 8192;
    std::vector<std::uint8_t> buffer;
    AtomicFile out(path);
    for (std::size_t first = 0; first < cloud.size(); first += kChunk) {
        const std::size_t count = std::min(kChunk, cloud.size() - first);
        buffer.assign(count * kSplatRecordBytes, 0);
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t i = first + j;
            std::uint8_t* record = buffer.data() + j * kSplatRecordBytes;
            float scale[3];
            for (int k = 0; k < 3; ++k)
                scale[k] = std::exp(cloud.logScales[3 * i + std::size_t(k)]);
            std::memcpy(record, &cloud.positions[3 * i], 12);
            std::memcpy(record + 12, scale, 12);
            for (int k = 0; k < 3; ++k)
                record[24 + k] = toByte((0.5 + kShC0 * cloud.sh[k3 * i + std::size_t(k)]) * 255.0);
            const double opacity = 1.0 / (1.0 + std::exp(-double(cloud.opacityLogits[i])));
            record[27] = toByte(opacity * 255.0);
            const float* q = &cloud.rawRotations[4 * i];
            double length = 0.0;
            for (int k = 0; k < 4; ++k)
                length += double(q[k]) * q[k];
            length = std::sqrt(length);
            for (int k = 0; k < 4; ++k) {
                const double unit = length > 0.0 ? q[k] / length : (k == 0 ? 1.0 : 0.0);
                record[28 + k] = toByte(unit * 128.0 + 128.0);
            }
        }
        out.write(buffer.data(), buffer.size());
    }
    out.commit();
}

}  // namespace basin
