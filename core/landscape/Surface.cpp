#include "landscape/Surface.h"

#include <cmath>
#include <stdexcept>

#include "io/TensorData.h"
#include "landscape/detail/Hdf5.h"
#include "util/AtomicFile.h"

namespace basin {
namespace {

namespace h5 = detail::h5;

constexpr SurfaceMetric kMetrics[] = {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                                      SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy};
// No grid axis Basin reads is longer than this (a 100000² surface would not fit anyway).
constexpr std::int64_t kMaxAxis = 100000;

std::vector<double> readAxis(hid_t root, const char* name, const std::string& path) {
    const std::vector<std::int64_t> shape = h5::numericShape(root, name, path);
    if (shape.size() != 1 || shape[0] < 1 || shape[0] > kMaxAxis)
        throw std::runtime_error("surface file '" + path + "': '" + name + "' has shape " +
                                 shapeString(shape) + ", expected [n] with 1 ≤ n ≤ " +
                                 std::to_string(kMaxAxis));
    std::vector<double> v = h5::readDoubles(root, name, path, shape);
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(v[i] > v[i - 1]))
            throw std::runtime_error("surface file '" + path + "': '" + name +
                                     "' is not strictly increasing at index " + std::to_string(i));
    return v;
}

}  // namespace

const char* surfaceMetricName(SurfaceMetric metric) {
    switch (metric) {
        case SurfaceMetric::TrainLoss:
            return "train_loss";
        case SurfaceMetric::TrainAccuracy:
            return "train_acc";
        case SurfaceMetric::TestLoss:
            return "test_loss";
        case SurfaceMetric::TestAccuracy:
            return "test_acc";
    }
    return "train_loss";
}

Surface::Surface(std::vector<double> xs, std::vector<double> ys)
    : x(std::move(xs)), y(std::move(ys)) {
    if (x.empty()) throw std::invalid_argument("a surface needs at least one x coordinate");
}

std::vector<double>& Surface::metric(SurfaceMetric m) {
    auto& v = values[std::size_t(m)];
    if (v.empty()) v.assign(pointCount(), kNotComputed);
    return v;
}

bool Surface::computed(SurfaceMetric m, std::size_t point) const {
    const auto& v = values[std::size_t(m)];
    return point < v.size() && !(v[point] < 0.0);
}

std::size_t Surface::missingCount(SurfaceMetric m) const {
    std::size_t n = 0;
    for (std::size_t k = 0; k < pointCount(); ++k)
        n += !computed(m, k);
    return n;
}

Surface readSurface(const std::string& path) {
    h5::File file = h5::File::openReadOnly(path);
    const hid_t root = file.id();
    if (!h5::hasLink(root, "xcoordinates"))
        throw std::runtime_error("'" + path +
                                 "' is not a surface file: it has no dataset 'xcoordinates'");
    Surface s(readAxis(root, "xcoordinates", path), h5::hasLink(root, "ycoordinates")
                                                        ? readAxis(root, "ycoordinates", path)
                                                        : std::vector<double>{});
    const std::size_t nx = s.nx(), ny = s.ny();
    const std::vector<std::int64_t> expected =
        s.twoDimensional() ? std::vector<std::int64_t>{std::int64_t(nx), std::int64_t(ny)}
                           : std::vector<std::int64_t>{std::int64_t(nx)};
    for (SurfaceMetric m : kMetrics) {
        const char* name = surfaceMetricName(m);
        if (!h5::hasLink(root, name)) continue;
        const std::vector<double> file_ = h5::readDoubles(root, name, path, expected);
        auto& v = s.values[std::size_t(m)];
        v.resize(s.pointCount());
        // File order: k = iy·nx + ix (numpy.meshgrid's); Basin's: ix·ny + iy.
        for (std::size_t ix = 0; ix < nx; ++ix)
            for (std::size_t iy = 0; iy < ny; ++iy)
                v[ix * ny + iy] = file_[iy * nx + ix];
    }
    SurfaceMetadata& md = s.metadata;
    auto str = [&](const char* name, std::string& out) {
        if (auto v = h5::readStringAttribute(root, name)) out = *v;
    };
    auto flag = [&](const char* name, bool& out) {
        if (auto v = h5::readNumberAttribute(root, name)) out = *v != 0.0;
    };
    md.directionsFile = h5::readStringDataset(root, "dir_file", path).value_or("");
    str("basin_directions", md.directionsFile);
    str("basin_model", md.model);
    str("basin_checkpoint", md.checkpoint);
    str("basin_direction_kind", md.directionKind);
    str("basin_normalization", md.normalization);
    str("basin_dataset", md.dataset);
    str("basin_test_dataset", md.testDataset);
    if (auto seed = h5::readStringAttribute(root, "basin_seed")) {
        try {
            md.seed = std::stoull(*seed);
        } catch (const std::exception&) {
            md.seed = 0;
        }
    }
    if (auto ignore = h5::readStringAttribute(root, "basin_ignore"))
        md.ignoreOneDimensional = *ignore == "biasbn";
    if (auto type = h5::readStringAttribute(root, "basin_dir_type"))
        md.includeBuffers = *type == "states";
    flag("basin_bn_reestimated", md.batchNormReestimated);
    return s;
}

void writeSurface(const Surface& s, const std::string& path) {
    if (s.x.empty()) throw std::invalid_argument("surface for '" + path + "' has no coordinates");
    for (SurfaceMetric m : kMetrics)
        if (s.has(m) && s.metric(m).size() != s.pointCount())
            throw std::invalid_argument("surface for '" + path + "': " + surfaceMetricName(m) +
                                        " has " + std::to_string(s.metric(m).size()) +
                                        " values for " + std::to_string(s.pointCount()) +
                                        " points");
    AtomicFile out(path);
    {
        h5::File file = h5::File::create(out.temporaryPath(), path);
        const hid_t root = file.id();
        const std::size_t nx = s.nx(), ny = s.ny();
        h5::writeStringDataset(root, "dir_file", path, s.metadata.directionsFile);
        h5::writeDoubles(root, "xcoordinates", path, {std::int64_t(nx)}, s.x.data());
        if (s.twoDimensional())
            h5::writeDoubles(root, "ycoordinates", path, {std::int64_t(ny)}, s.y.data());
        const std::vector<std::int64_t> shape =
            s.twoDimensional() ? std::vector<std::int64_t>{std::int64_t(nx), std::int64_t(ny)}
                               : std::vector<std::int64_t>{std::int64_t(nx)};
        std::vector<double> fileOrder(s.pointCount());
        for (SurfaceMetric m : kMetrics) {
            if (!s.has(m)) continue;
            const auto& v = s.metric(m);
            for (std::size_t ix = 0; ix < nx; ++ix)
                for (std::size_t iy = 0; iy < ny; ++iy)
                    fileOrder[iy * nx + ix] = v[ix * ny + iy];
            h5::writeDoubles(root, surfaceMetricName(m), path, shape, fileOrder.data());
        }
        const SurfaceMetadata& md = s.metadata;
        h5::writeStringAttribute(root, "basin_model", path, md.model);
        h5::writeStringAttribute(root, "basin_checkpoint", path, md.checkpoint);
        h5::writeStringAttribute(root, "basin_directions", path, md.directionsFile);
        h5::writeStringAttribute(root, "basin_direction_kind", path, md.directionKind);
        h5::writeStringAttribute(root, "basin_normalization", path, md.normalization);
        h5::writeStringAttribute(root, "basin_dataset", path, md.dataset);
        h5::writeStringAttribute(root, "basin_test_dataset", path, md.testDataset);
        h5::writeStringAttribute(root, "basin_seed", path, std::to_string(md.seed));
        h5::writeStringAttribute(root, "basin_ignore", path,
                                 md.ignoreOneDimensional ? "biasbn" : "");
        h5::writeStringAttribute(root, "basin_dir_type", path,
                                 md.includeBuffers ? "states" : "weights");
        h5::writeNumberAttribute(root, "basin_bn_reestimated", path,
                                 md.batchNormReestimated ? 1 : 0);
        file.close();
    }
    out.commit();
}

Grid2D toGrid(const Surface& s, SurfaceMetric m) {
    Grid2D g(s.x, s.twoDimensional() ? s.y : std::vector<double>{0.0}, surfaceMetricName(m));
    const auto& v = s.metric(m);
    for (std::size_t k = 0; k < g.values.size(); ++k)
        g.values[k] = k < v.size() && !(v[k] < 0.0) ? v[k] : std::nan("");
    return g;
}

void setFromGrid(Surface& s, SurfaceMetric m, const Grid2D& g) {
    if (g.nx() != s.nx() || g.ny() != s.ny())
        throw std::invalid_argument(std::string("a ") + std::to_string(g.nx()) + "×" +
                                    std::to_string(g.ny()) + " grid cannot fill the " +
                                    surfaceMetricName(m) + " of a " + std::to_string(s.nx()) + "×" +
                                    std::to_string(s.ny()) + " surface");
    auto& v = s.metric(m);
    for (std::size_t k = 0; k < v.size(); ++k)
        v[k] = std::isnan(g.values[k]) ? Surface::kNotComputed : g.values[k];
}

}  // namespace basin
