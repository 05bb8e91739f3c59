#include "splats/GaussianPly.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>

#include "splats/detail/PlyData.h"
#include "splats/detail/PlyHeader.h"
#include "util/AtomicFile.h"
#include "util/MappedFile.h"

namespace basin {
namespace {

using detail::PlyElement;
using detail::PlyFormat;
using detail::PlyHeader;
using detail::PlyType;

// The properties every 3DGS splat has; f_rest_* and extras are optional.
const char* const kRequired[] = {"x",      "y",       "z",       "f_dc_0",  "f_dc_1",
                                 "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2",
                                 "rot_0",  "rot_1",   "rot_2",   "rot_3"};

// f_rest_<m> → m, or -1 for any other name.
long restIndex(const std::string& name) {
    constexpr std::string_view prefix = "f_rest_";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return -1;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    long m = -1;
    const auto [end, ec] = std::from_chars(first, last, m);
    return ec == std::errc() && end == last && std::isdigit(static_cast<unsigned char>(*first))
               ? m
               : -1;
}

// Where one named value lives in a GaussianCloud: base[i · stride] for splat
// i. F is float for reading into a cloud, const float for writing one out.
template <typename F>
struct Column {
    F* base = nullptr;
    std::size_t stride = 1;
    bool found = false;
};

// The column of the property `name` in `cloud` (sized for its degree and
// quantities); not found when the cloud has no such value.
template <typename Cloud>
auto columnOf(Cloud& cloud, const std::string& name) {
    using F = std::remove_pointer_t<decltype(cloud.positions.data())>;
    // No pointer arithmetic on an empty array's data() (null for 0 splats).
    auto at = [](auto& values, std::size_t offset, std::size_t stride) {
        return Column<F>{values.empty() ? nullptr : values.data() + offset, stride, true};
    };
    const std::size_t k3 = std::size_t(cloud.shCoefficientCount()) * 3;
    const std::size_t restPerChannel = std::size_t(cloud.shCoefficientCount()) - 1;
    auto suffix = [&](const char* prefix, int count) -> int {
        const std::size_t n = std::strlen(prefix);
        if (name.size() != n + 1 || name.compare(0, n, prefix) != 0) return -1;
        const int d = name[n] - '0';
        return d >= 0 && d < count ? d : -1;
    };
    if (name == "x" || name == "y" || name == "z")
        return at(cloud.positions, std::size_t(name[0] - 'x'), 3);
    if (name == "opacity") return at(cloud.opacityLogits, 0, 1);
    if (const int j = suffix("scale_", 3); j >= 0) return at(cloud.logScales, std::size_t(j), 3);
    if (const int j = suffix("rot_", 4); j >= 0) return at(cloud.rawRotations, std::size_t(j), 4);
    if (const int c = suffix("f_dc_", 3); c >= 0) return at(cloud.sh, std::size_t(c), k3);
    if (const long m = restIndex(name); m >= 0 && std::size_t(m) < 3 * restPerChannel) {
        // The file stores f_rest channel-major: m = c · (K−1) + (k−1).
        const std::size_t c = std::size_t(m) / restPerChannel;
        const std::size_t k = 1 + std::size_t(m) % restPerChannel;
        return at(cloud.sh, k * 3 + c, k3);
    }
    for (auto& q : cloud.quantities) {
        if (q.name == name) return at(q.values, 0, 1);
    }
    return Column<F>{};
}

// The vertex element's properties, checked: scalars only, unique names, the
// required ones present, an f_rest count of a degree 0–3. Returns the degree.
int checkVertexProperties(const PlyElement& vertex, const std::string& file) {
    std::set<std::string> names;
    long restCount = 0;
    long largestRest = -1;
    for (const auto& p : vertex.properties) {
        if (p.isList)
            throw std::runtime_error(file + ": vertex property '" + p.name +
                                     "' is a list; 3DGS splats have scalar properties only");
        if (!names.insert(p.name).second)
            throw std::runtime_error(file + ": the vertex property '" + p.name + "' appears twice");
        if (const long m = restIndex(p.name); m >= 0) {
            ++restCount;
            largestRest = std::max(largestRest, m);
        }
    }
    std::string missing;
    for (const char* name : kRequired) {
        if (!names.count(name)) missing += (missing.empty() ? "" : ", ") + std::string(name);
    }
    if (!missing.empty())
        throw std::runtime_error(file + ": the vertex element lacks " + missing +
                                 " (a 3DGS PLY has x y z, f_dc_0..2, opacity, scale_0..2 and "
                                 "rot_0..3)");
    int degree = -1;
    for (int d = 0; d <= 3; ++d) {
        if (restCount == 3 * ((d + 1) * (d + 1) - 1)) degree = d;
    }
    if (degree < 0)
        throw std::runtime_error(file + ": " + std::to_string(restCount) +
                                 " f_rest_* properties; a 3DGS PLY has 0, 9, 24 or 45 (SH degree "
                                 "0 to 3)");
    if (largestRest >= restCount)
        throw std::runtime_error(file + ": f_rest_" + std::to_string(largestRest) +
                                 " is out of range for " + std::to_string(restCount) +
                                 " f_rest_* properties (f_rest_0..f_rest_" +
                                 std::to_string(restCount - 1) + " expected)");
    return degree;
}

// A cloud sized for n splats with the vertex element's extra properties as
// quantities, in file order.
GaussianCloud allocateCloud(const PlyElement& vertex, int degree, std::size_t n) {
    GaussianCloud cloud;
    cloud.shDegree = degree;
    cloud.positions.resize(3 * n);
    cloud.logScales.resize(3 * n);
    cloud.rawRotations.resize(4 * n);
    cloud.opacityLogits.resize(n);
    cloud.sh.resize(std::size_t(cloud.shCoefficientCount()) * 3 * n);
    for (const auto& p : vertex.properties) {
        cloud.propertyOrder.push_back(p.name);
        if (!columnOf(cloud, p.name).found) cloud.quantities.push_back({p.name, {}});
    }
    for (auto& q : cloud.quantities)
        q.values.resize(n);
    return cloud;
}

// Where each vertex property's values go in `cloud`, in file order.
std::vector<detail::PlyTarget> targetsOf(GaussianCloud& cloud, const PlyElement& vertex) {
    std::vector<detail::PlyTarget> targets;
    for (const auto& p : vertex.properties) {
        const Column<float> c = columnOf(cloud, p.name);
        targets.push_back({c.base, c.stride});
    }
    return targets;
}

std::runtime_error countMismatch(const std::string& file, std::uint64_t declared,
                                 std::size_t held) {
    return std::runtime_error(file + ": the header says " + std::to_string(declared) +
                              " vertices, the file holds " + std::to_string(held) +
                              " (truncated file or a wrong count)");
}

// ---- writing -------------------------------------------------------------------

// The reference layout's order for the values `cloud` holds.
std::vector<std::string> referenceOrder(const GaussianCloud& cloud) {
    std::vector<std::string> order = {"x", "y", "z"};
    const bool normals = cloud.quantity("nx") && cloud.quantity("ny") && cloud.quantity("nz");
    if (normals) order.insert(order.end(), {"nx", "ny", "nz"});
    for (int c = 0; c < 3; ++c)
        order.push_back("f_dc_" + std::to_string(c));
    for (int m = 0; m < 3 * (cloud.shCoefficientCount() - 1); ++m)
        order.push_back("f_rest_" + std::to_string(m));
    for (const auto& q : cloud.quantities) {
        if (!(normals && (q.name == "nx" || q.name == "ny" || q.name == "nz")))
            order.push_back(q.name);
    }
    order.push_back("opacity");
    for (int j = 0; j < 3; ++j)
        order.push_back("scale_" + std::to_string(j));
    for (int j = 0; j < 4; ++j)
        order.push_back("rot_" + std::to_string(j));
    return order;
}

}  // namespace

GaussianCloud parseGaussianPly(const std::uint8_t* data, std::size_t size, const std::string& name,
                               SplatLoadReport* report) {
    const PlyHeader header = detail::parsePlyHeader(data, size, name);
    SplatLoadReport local;
    SplatLoadReport& r = report ? *report : local;
    r = SplatLoadReport{};
    r.format = detail::plyFormatName(header.format);

    std::size_t vertexIndex = header.elements.size();
    for (std::size_t e = 0; e < header.elements.size(); ++e) {
        if (header.elements[e].name == "vertex" && vertexIndex == header.elements.size())
            vertexIndex = e;
        else
            r.skippedElements.push_back(header.elements[e].name + " (" +
                                        std::to_string(header.elements[e].count) + ")");
    }
    if (vertexIndex == header.elements.size())
        throw std::runtime_error(name + ": the PLY file has no vertex element");
    const PlyElement& vertex = header.elements[vertexIndex];
    const int degree = checkVertexProperties(vertex, name);
    const std::uint64_t declared = vertex.count;
    r.splatsInFile = std::size_t(declared);

    GaussianCloud cloud;
    std::size_t offset = header.dataOffset;
    if (header.format == PlyFormat::Ascii) {
        detail::PlyTokens tokens{reinterpret_cast<const char*>(data) + offset,
                                 reinterpret_cast<const char*>(data) + size};
        for (std::size_t e = 0; e < vertexIndex; ++e)
            detail::skipAsciiElement(header.elements[e], tokens, name);
        const std::size_t perVertex = vertex.properties.size();
        // Each value needs a character and a separator: a bound on the count
        // the remaining bytes can hold, checked before allocating.
        if (declared > (tokens.remainingBytes() + 1) / (2 * perVertex))
            throw countMismatch(name, declared, tokens.count() / perVertex);
        const std::size_t n = std::size_t(declared);
        cloud = allocateCloud(vertex, degree, n);
        const std::size_t held =
            detail::readAsciiRows(vertex, tokens, n, targetsOf(cloud, vertex), name);
        if (held < n) throw countMismatch(name, declared, held);
    } else {
        const bool bigEndian = header.format == PlyFormat::BinaryBigEndian;
        for (std::size_t e = 0; e < vertexIndex; ++e)
            offset =
                detail::skipBinaryElement(header.elements[e], data, size, offset, bigEndian, name);
        const std::size_t held = (size - offset) / detail::plyRowSize(vertex);
        if (declared > held) throw countMismatch(name, declared, held);
        const std::size_t n = std::size_t(declared);
        cloud = allocateCloud(vertex, degree, n);
        detail::readBinaryRows(vertex, data + offset, n, bigEndian, targetsOf(cloud, vertex));
    }
    dropUnusableSplats(cloud, r);
    cloud.activate();
    return cloud;
}

GaussianCloud readGaussianPly(const std::string& path, SplatLoadReport* report) {
    const MappedFile file = mapFile(path);
    return parseGaussianPly(file.data, file.size, path, report);
}

void writeGaussianPly(const std::string& path, const GaussianCloud& cloud) {
    try {
        cloud.validate();
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": cannot write the cloud: " + e.what());
    }
    std::vector<std::string> order = referenceOrder(cloud);
    {
        std::vector<std::string> expected = order, read = cloud.propertyOrder;
        std::sort(expected.begin(), expected.end());
        std::sort(read.begin(), read.end());
        if (read == expected) order = cloud.propertyOrder;
    }
    std::string header = "ply\nformat binary_little_endian 1.0\nelement vertex " +
                         std::to_string(cloud.size()) + "\n";
    std::vector<Column<const float>> columns;
    for (const auto& property : order) {
        header += "property float " + property + "\n";
        columns.push_back(columnOf(cloud, property));
    }
    header += "end_header\n";

    AtomicFile out(path);
    out.write(header.data(), header.size());
    // Row by row in chunks, so a million splats need no second copy in memory.
    constexpr std::size_t kChunk = 4096;
    std::vector<float> buffer;
    for (std::size_t first = 0; first < cloud.size(); first += kChunk) {
        const std::size_t count = std::min(kChunk, cloud.size() - first);
        buffer.resize(count * columns.size());
        for (std::size_t i = 0; i < count; ++i) {
            for (std::size_t c = 0; c < columns.size(); ++c)
                buffer[i * columns.size() + c] = columns[c].base[(first + i) * columns[c].stride];
        }
        static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                      "PLY floats are written in the host's (little-endian) order");
        out.write(buffer.data(), buffer.size() * sizeof(float));
    }
    out.commit();
}

}  // namespace basin
