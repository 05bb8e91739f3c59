#include "connectivity/PathSamples.h"

#include <sstream>
#include <stdexcept>

#include "io/TensorData.h"
#include "landscape/detail/Hdf5.h"
#include "util/AtomicFile.h"

namespace basin {
namespace {

namespace h5 = detail::h5;

constexpr SurfaceMetric kMetrics[] = {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                                      SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy};
constexpr std::int64_t kMaxPoints = 100000;
constexpr std::int64_t kMaxRows = 100000;

std::string joinLines(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? "\n" : "") + v[i];
    return s;
}

std::vector<std::string> splitLines(const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);)
        v.push_back(line);
    return v;
}

}  // namespace

std::vector<double>& PathSamples::metric(SurfaceMetric m) {
    auto& v = values[std::size_t(m)];
    if (v.empty()) v.assign(pointCount(), kNotComputed);
    return v;
}

std::vector<double> PathSamples::row(SurfaceMetric m, std::size_t r) const {
    const auto& v = values[std::size_t(m)];
    if (v.empty()) return {};
    return {v.begin() + std::ptrdiff_t(r * nt()), v.begin() + std::ptrdiff_t((r + 1) * nt())};
}

bool PathSamples::computed(SurfaceMetric m, std::size_t r, std::size_t i) const {
    const auto& v = values[std::size_t(m)];
    const std::size_t k = r * nt() + i;
    return k < v.size() && !(v[k] < 0.0);
}

std::size_t PathSamples::missingCount(SurfaceMetric m) const {
    std::size_t n = 0;
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t i = 0; i < nt(); ++i)
            n += !computed(m, r, i);
    return n;
}

Surface PathSamples::rowSurface(std::size_t r) const {
    Surface s(t);
    for (SurfaceMetric m : kMetrics)
        if (has(m)) s.values[std::size_t(m)] = row(m, r);
    s.metadata.model = model;
    s.metadata.checkpoint = checkpoints.empty() ? std::string() : checkpoints.front();
    s.metadata.directionKind = kind;
    s.metadata.dataset = dataset;
    s.metadata.testDataset = testDataset;
    s.metadata.batchNormReestimated = batchNormReestimated;
    return s;
}

PathSamples readPathSamples(const std::string& path) {
    // The t axis and the single-row layout are a 1-D surface's: readSurface
    // checks them. Several rows are read here.
    h5::File file = h5::File::openReadOnly(path);
    const hid_t root = file.id();
    PathSamples s;
    if (auto rows = h5::readStringAttribute(root, "basin_rows")) s.rows = splitLines(*rows);
    if (s.rows.empty() || std::int64_t(s.rows.size()) > kMaxRows)
        throw std::runtime_error("path file '" + path + "' has " + std::to_string(s.rows.size()) +
                                 " rows");
    if (s.rows.size() == 1) {
        const Surface surface = readSurface(path);
        if (surface.twoDimensional())
            throw std::runtime_error("'" + path + "' is a 2-D surface, not a path");
        s.t = surface.x;
        s.values = surface.values;
    } else {
        const std::vector<std::int64_t> shape = h5::numericShape(root, "xcoordinates", path);
        if (shape.size() != 1 || shape[0] < 2 || shape[0] > kMaxPoints)
            throw std::runtime_error("path file '" + path + "': 'xcoordinates' has shape " +
                                     shapeString(shape) + ", expected [n] with 2 ≤ n ≤ " +
                                     std::to_string(kMaxPoints));
        s.t = h5::readDoubles(root, "xcoordinates", path, shape);
        for (std::size_t i = 1; i < s.t.size(); ++i)
            if (!(s.t[i] > s.t[i - 1]))
                throw std::runtime_error("path file '" + path +
                                         "': 'xcoordinates' is not strictly increasing");
        for (SurfaceMetric m : kMetrics)
            if (h5::hasLink(root, surfaceMetricName(m)))
                s.values[std::size_t(m)] =
                    h5::readDoubles(root, surfaceMetricName(m), path,
                                    {std::int64_t(s.rows.size()), std::int64_t(s.t.size())});
    }
    auto str = [&](const char* name, std::string& out) {
        if (auto v = h5::readStringAttribute(root, name)) out = *v;
    };
    str("basin_kind", s.kind);
    str("basin_model", s.model);
    str("basin_dataset", s.dataset);
    str("basin_test_dataset", s.testDataset);
    if (auto c = h5::readStringAttribute(root, "basin_checkpoints")) s.checkpoints = splitLines(*c);
    if (auto bn = h5::readNumberAttribute(root, "basin_bn_reestimated"))
        s.batchNormReestimated = *bn != 0.0;
    if (auto repaired = h5::readNumberAttribute(root, "basin_repaired"))
        s.repaired = *repaired != 0.0;
    if (h5::hasLink(root, "knots")) {
        const std::vector<std::int64_t> shape = h5::numericShape(root, "knots", path);
        if (shape.size() != 1 || shape[0] > kMaxPoints)
            throw std::runtime_error("path file '" + path + "': 'knots' has shape " +
                                     shapeString(shape));
        s.knots = h5::readDoubles(root, "knots", path, shape);
    }
    return s;
}

void writePathSamples(const PathSamples& s, const std::string& path) {
    if (s.t.size() < 2 || s.rows.empty())
        throw std::invalid_argument("path for '" + path + "' needs two points and a row");
    for (SurfaceMetric m : kMetrics)
        if (s.has(m) && s.values[std::size_t(m)].size() != s.pointCount())
            throw std::invalid_argument("path for '" + path + "': " + surfaceMetricName(m) +
                                        " has the wrong number of values");
    const std::vector<std::int64_t> shape =
        s.rows.size() == 1
            ? std::vector<std::int64_t>{std::int64_t(s.nt())}
            : std::vector<std::int64_t>{std::int64_t(s.rows.size()), std::int64_t(s.nt())};
    AtomicFile out(path);
    {
        h5::File file = h5::File::create(out.temporaryPath(), path);
        const hid_t root = file.id();
        h5::writeDoubles(root, "xcoordinates", path, {std::int64_t(s.nt())}, s.t.data());
        for (SurfaceMetric m : kMetrics)
            if (s.has(m))
                h5::writeDoubles(root, surfaceMetricName(m), path, shape,
                                 s.values[std::size_t(m)].data());
        if (!s.knots.empty())
            h5::writeDoubles(root, "knots", path, {std::int64_t(s.knots.size())}, s.knots.data());
        h5::writeStringAttribute(root, "basin_kind", path, s.kind);
        h5::writeStringAttribute(root, "basin_rows", path, joinLines(s.rows));
        h5::writeStringAttribute(root, "basin_checkpoints", path, joinLines(s.checkpoints));
        h5::writeStringAttribute(root, "basin_model", path, s.model);
        h5::writeStringAttribute(root, "basin_dataset", path, s.dataset);
        h5::writeStringAttribute(root, "basin_test_dataset", path, s.testDataset);
        h5::writeNumberAttribute(root, "basin_bn_reestimated", path,
                                 s.batchNormReestimated ? 1 : 0);
        h5::writeNumberAttribute(root, "basin_repaired", path, s.repaired ? 1 : 0);
        file.close();
    }
    out.commit();
}

}  // namespace basin
