#include "landscape/DirectionsFile.h"

#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "landscape/detail/Hdf5.h"
#include "util/AtomicFile.h"

namespace basin {
namespace {

namespace h5 = detail::h5;

const char* const kGroups[2] = {"xdirection", "ydirection"};

void writeDirection(hid_t file, const char* group, const std::string& path, const WeightVector& d) {
    h5::Handle g = h5::createGroup(file, group, path);
    const auto& entries = d.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string name = std::to_string(i);
        h5::writeFloats(g.get(), name, path, entries[i].shape, d.data(i));
        h5::Handle set(H5Dopen2(g.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
        h5::writeStringAttribute(set.get(), "name", path, entries[i].name);
    }
}

WeightVector readDirection(hid_t file, const char* group, const std::string& path,
                           const WeightVector& layout) {
    h5::Handle g = h5::openGroup(file, group, path);
    const std::string where = "group '" + std::string(group) + "' of '" + path + "'";
    const std::vector<std::string> names = h5::linkNames(g.get(), where);
    const auto& entries = layout.entries();
    if (names.size() != entries.size())
        throw std::runtime_error(where + " holds " + std::to_string(names.size()) +
                                 " tensors but the model has " + std::to_string(entries.size()) +
                                 " floating-point tensors to move (is it a direction file of "
                                 "another model, or of the reference tool's dir_type=states?)");
    // Basin's files name every tensor; the reference tool's are positional.
    std::unordered_map<std::string, std::string> byName;
    for (const auto& n : names) {
        h5::Handle set(H5Dopen2(g.get(), n.c_str(), H5P_DEFAULT), H5Dclose);
        if (!set.valid()) throw std::runtime_error(where + ": '" + n + "' is not a dataset");
        if (auto tensor = h5::readStringAttribute(set.get(), "name")) byName.emplace(*tensor, n);
    }
    const bool named = !byName.empty();
    WeightVector d = WeightVector::zerosLike(layout);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::string dataset = std::to_string(i);
        if (named) {
            const auto it = byName.find(entries[i].name);
            if (it == byName.end())
                throw std::runtime_error(where + " has no tensor '" + entries[i].name +
                                         "' of the model");
            dataset = it->second;
        }
        try {
            h5::readFloats(g.get(), dataset, path, entries[i].shape, d.data(i));
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string(e.what()) + " (tensor '" + entries[i].name +
                                     "' of " + group + ")");
        }
    }
    return d;
}

}  // namespace

void saveDirections(const Directions& d, const std::string& path) {
    d.validate();
    AtomicFile out(path);
    {
        h5::File file = h5::File::create(out.temporaryPath(), path);
        const hid_t root = file.id();
        writeDirection(root, kGroups[0], path, d.x.vector);
        if (d.y) writeDirection(root, kGroups[1], path, d.y->vector);
        h5::writeStringAttribute(root, "basin_kind", path, directionKindName(d.kind));
        h5::writeStringAttribute(root, "basin_normalization", path,
                                 normalizationName(d.normalization));
        // The seed as text: a uint64 does not survive a double.
        h5::writeStringAttribute(root, "basin_seed", path, std::to_string(d.seed));
        h5::writeNumberAttribute(root, "basin_include_buffers", path, d.includeBuffers ? 1 : 0);
        h5::writeNumberAttribute(root, "basin_keep_1d", path, d.keepOneDimensional ? 1 : 0);
        h5::writeStringAttribute(root, "basin_centre", path, d.centre);
        if (d.explainedVarianceRatio.size() == 2) {
            h5::writeNumberAttribute(root, "basin_explained_variance_x", path,
                                     d.explainedVarianceRatio[0]);
            h5::writeNumberAttribute(root, "basin_explained_variance_y", path,
                                     d.explainedVarianceRatio[1]);
        }
        // Hessian directions: the eigenvalue each direction belongs to.
        for (std::size_t i = 0; i < d.eigenvalues.size() && i < 2; ++i) {
            h5::writeNumberAttribute(root, i == 0 ? "basin_eigenvalue_x" : "basin_eigenvalue_y",
                                     path, d.eigenvalues[i]);
        }
        if (!d.points.empty()) {
            std::vector<double> ab;
            std::string labels;
            for (const auto& p : d.points) {
                ab.push_back(p.a);
                ab.push_back(p.b);
                labels += (labels.empty() ? "" : "\n") + p.label;
            }
            h5::writeDoubles(root, "basin_points", path, {std::int64_t(d.points.size()), 2},
                             ab.data());
            h5::Handle set(H5Dopen2(root, "basin_points", H5P_DEFAULT), H5Dclose);
            h5::writeStringAttribute(set.get(), "labels", path, labels);
        }
        file.close();
    }
    out.commit();
}

namespace {

// Basin's `basin_points` [k, 2] with its `labels` attribute; none when absent
// or not of that shape.
std::vector<ProjectedPoint> readPoints(hid_t root, const std::string& path) {
    std::vector<ProjectedPoint> points;
    if (h5::hasLink(root, "basin_points")) {
        const auto shape = h5::numericShape(root, "basin_points", path);
        if (shape.size() == 2 && shape[1] == 2 && shape[0] <= 100000) {
            const std::vector<double> ab = h5::readDoubles(root, "basin_points", path, shape);
            h5::Handle set(H5Dopen2(root, "basin_points", H5P_DEFAULT), H5Dclose);
            std::istringstream labels(h5::readStringAttribute(set.get(), "labels").value_or(""));
            for (std::int64_t i = 0; i < shape[0]; ++i) {
                ProjectedPoint p;
                if (!std::getline(labels, p.label)) p.label = std::to_string(i);
                p.a = ab[std::size_t(2 * i)];
                p.b = ab[std::size_t(2 * i + 1)];
                points.push_back(std::move(p));
            }
        }
    }
    return points;
}

}  // namespace

bool directionsIncludeBuffers(const std::string& path) {
    h5::File file = h5::File::openReadOnly(path);
    const auto v = h5::readNumberAttribute(file.id(), "basin_include_buffers");
    return v && *v != 0.0;
}

std::vector<ProjectedPoint> loadProjectedPoints(const std::string& path) {
    h5::File file = h5::File::openReadOnly(path);
    return readPoints(file.id(), path);
}

Directions loadDirections(const std::string& path, const WeightVector& layout) {
    h5::File file = h5::File::openReadOnly(path);
    const hid_t root = file.id();
    if (!h5::hasLink(root, kGroups[0]))
        throw std::runtime_error("'" + path +
                                 "' is not a direction file: it has no group 'xdirection'");
    Directions d;
    d.kind = DirectionKind::Loaded;
    d.x.vector = readDirection(root, kGroups[0], path, layout);
    if (h5::hasLink(root, kGroups[1]))
        d.y = Direction{readDirection(root, kGroups[1], path, layout)};

    if (auto kind = h5::readStringAttribute(root, "basin_kind"))
        for (DirectionKind k :
             {DirectionKind::Random, DirectionKind::CheckpointLine, DirectionKind::CheckpointPlane,
              DirectionKind::TrajectoryPca, DirectionKind::HessianEigenvectors})
            if (*kind == directionKindName(k)) d.kind = k;
    if (auto n = h5::readStringAttribute(root, "basin_normalization")) {
        try {
            d.normalization = normalizationByName(*n);
        } catch (const std::invalid_argument&) {
            d.normalization = Normalization::None;
        }
    }
    if (auto seed = h5::readStringAttribute(root, "basin_seed")) {
        try {
            d.seed = std::stoull(*seed);
        } catch (const std::exception&) {
            d.seed = 0;
        }
    }
    if (auto v = h5::readNumberAttribute(root, "basin_include_buffers")) d.includeBuffers = *v != 0;
    if (auto v = h5::readNumberAttribute(root, "basin_keep_1d")) d.keepOneDimensional = *v != 0;
    if (auto c = h5::readStringAttribute(root, "basin_centre")) d.centre = *c;
    auto ex = h5::readNumberAttribute(root, "basin_explained_variance_x");
    auto ey = h5::readNumberAttribute(root, "basin_explained_variance_y");
    if (ex && ey) d.explainedVarianceRatio = {*ex, *ey};
    for (const char* name : {"basin_eigenvalue_x", "basin_eigenvalue_y"}) {
        if (auto v = h5::readNumberAttribute(root, name)) d.eigenvalues.push_back(*v);
    }
    d.points = readPoints(root, path);
    try {
        d.validate();
    } catch (const std::exception& e) {
        throw std::runtime_error("direction file '" + path + "': " + e.what());
    }
    return d;
}

}  // namespace basin
