#include "landscape/detail/Hdf5.h"

#include <mutex>
#include <stdexcept>

#include "io/TensorData.h"

namespace basin::detail::h5 {
namespace {

// The library prints its error stack to stderr by default; Basin reports its
// own sentence instead. (Once per process; the setting is global.)
void silenceLibrary() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    throw std::runtime_error("HDF5 file '" + file + "': " + what);
}

std::string datasetName(const std::string& name) {
    return "dataset '" + name + "'";
}

// No single surface or direction tensor Basin reads is larger than this; a
// file declaring more is rejected before any allocation.
constexpr std::int64_t kMaxElements = std::int64_t(1) << 31;

std::vector<hsize_t> dims(const std::vector<std::int64_t>& shape) {
    return std::vector<hsize_t>(shape.begin(), shape.end());
}

Handle openDataset(hid_t location, const std::string& name, const std::string& file) {
    if (!hasLink(location, name)) fail(file, "has no " + datasetName(name));
    Handle d(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid()) fail(file, datasetName(name) + " cannot be opened as a dataset");
    return d;
}

void readNumeric(hid_t location, const std::string& name, const std::string& file,
                 const std::vector<std::int64_t>& expectedShape, hid_t memType, void* out) {
    const std::vector<std::int64_t> shape = numericShape(location, name, file);
    if (shape != expectedShape)
        fail(file, datasetName(name) + " has shape " + shapeString(shape) + ", expected " +
                       shapeString(expectedShape));
    Handle d = openDataset(location, name, file);
    if (H5Dread(d.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        fail(file, datasetName(name) + " cannot be read (damaged or truncated file)");
}

void writeNumeric(hid_t location, const std::string& name, const std::string& file,
                  const std::vector<std::int64_t>& shape, hid_t fileType, hid_t memType,
                  const void* data) {
    const std::vector<hsize_t> d = dims(shape);
    Handle space(
        shape.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(d.size()), d.data(), nullptr),
        H5Sclose);
    Handle set(H5Dcreate2(location, name.c_str(), fileType, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT),
               H5Dclose);
    if (!space.valid() || !set.valid()) fail(file, "cannot create " + datasetName(name));
    if (H5Dwrite(set.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        fail(file, "cannot write " + datasetName(name));
}

Handle utf8StringType() {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    return type;
}

// Reads a scalar string from an attribute or dataset of type `type`.
template <typename Read>
std::optional<std::string> readString(hid_t type, hid_t space, Read read) {
    if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_type(space) != H5S_SCALAR)
        return std::nullopt;
    if (H5Tis_variable_str(type) > 0) {
        Handle mem = utf8StringType();
        H5Tset_cset(mem.get(), H5Tget_cset(type));
        char* text = nullptr;
        if (read(mem.get(), &text) < 0 || text == nullptr) return std::nullopt;
        std::string value(text);
        H5free_memory(text);
        return value;
    }
    const std::size_t size = H5Tget_size(type);
    if (size == 0 || size > (std::size_t(1) << 24)) return std::nullopt;
    std::string value(size, '\0');
    Handle mem(H5Tcopy(type), H5Tclose);
    if (read(mem.get(), value.data()) < 0) return std::nullopt;
    value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
    return value;
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
    if (this != &o) {
        reset();
        id_ = o.id_;
        close_ = o.close_;
        o.id_ = -1;
    }
    return *this;
}

void Handle::reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
}

File File::openReadOnly(const std::string& path) {
    silenceLibrary();
    File f;
    f.displayPath_ = path;
    if (H5Fis_hdf5(path.c_str()) <= 0)
        throw std::runtime_error("'" + path + "' is not an HDF5 file (or cannot be read)");
    f.handle_ = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.handle_.valid()) throw std::runtime_error("cannot open HDF5 file '" + path + "'");
    return f;
}

File File::create(const std::string& path, const std::string& displayPath) {
    silenceLibrary();
    File f;
    f.displayPath_ = displayPath.empty() ? path : displayPath;
    f.handle_ = Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!f.handle_.valid())
        throw std::runtime_error("cannot create HDF5 file '" + f.displayPath_ + "'");
    return f;
}

void File::close() {
    if (!handle_.valid()) return;
    const hid_t id = handle_.get();
    const bool flushed = H5Fflush(id, H5F_SCOPE_LOCAL) >= 0;
    handle_.reset();
    if (!flushed) fail(displayPath_, "cannot be written completely (disk full?)");
}

bool hasLink(hid_t location, const std::string& name) {
    return H5Lexists(location, name.c_str(), H5P_DEFAULT) > 0;
}

bool hasAttribute(hid_t object, const std::string& name) {
    return H5Aexists(object, name.c_str()) > 0;
}

std::vector<std::string> linkNames(hid_t group, const std::string& what) {
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) throw std::runtime_error("cannot list " + what);
    if (info.nlinks > 1000000) throw std::runtime_error(what + " has too many members");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t n =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (n < 0 || n > 4096) throw std::runtime_error("cannot list " + what);
        std::string name(std::size_t(n) + 1, '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                           H5P_DEFAULT);
        name.resize(std::size_t(n));
        names.push_back(std::move(name));
    }
    return names;
}

Handle openGroup(hid_t location, const std::string& name, const std::string& file) {
    if (!hasLink(location, name)) fail(file, "has no group '" + name + "'");
    Handle g(H5Gopen2(location, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(file, "'" + name + "' is not a group");
    return g;
}

Handle createGroup(hid_t location, const std::string& name, const std::string& file) {
    Handle g(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(file, "cannot create group '" + name + "'");
    return g;
}

std::vector<std::int64_t> numericShape(hid_t location, const std::string& name,
                                       const std::string& file, int maxRank) {
    Handle d = openDataset(location, name, file);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail(file, datasetName(name) + " is not numeric");
    Handle space(H5Dget_space(d.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > maxRank)
        fail(file, datasetName(name) + " has " + std::to_string(rank) + " dimensions, at most " +
                       std::to_string(maxRank) + " expected");
    std::vector<hsize_t> d64(std::size_t(rank), 0);
    H5Sget_simple_extent_dims(space.get(), d64.data(), nullptr);
    std::vector<std::int64_t> shape;
    std::int64_t count = 1;
    for (hsize_t v : d64) {
        if (v > hsize_t(kMaxElements) || (v > 0 && count > kMaxElements / std::int64_t(v)))
            fail(file, datasetName(name) + " declares more than 2^31 elements");
        count *= std::int64_t(v);
        shape.push_back(std::int64_t(v));
    }
    return shape;
}

std::vector<double> readDoubles(hid_t location, const std::string& name, const std::string& file,
                                const std::vector<std::int64_t>& expectedShape) {
    // numericShape (inside readNumeric) rejects a shape other than the
    // expected one before HDF5 writes into the buffer; callers derive
    // expectedShape from checked sizes, so the allocation is bounded.
    std::int64_t count = 1;
    for (auto v : expectedShape)
        count *= v;
    std::vector<double> out(static_cast<std::size_t>(count));
    readNumeric(location, name, file, expectedShape, H5T_NATIVE_DOUBLE, out.data());
    return out;
}

void readFloats(hid_t location, const std::string& name, const std::string& file,
                const std::vector<std::int64_t>& expectedShape, float* out) {
    readNumeric(location, name, file, expectedShape, H5T_NATIVE_FLOAT, out);
}

void writeDoubles(hid_t location, const std::string& name, const std::string& file,
                  const std::vector<std::int64_t>& shape, const double* data) {
    writeNumeric(location, name, file, shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data);
}

void writeFloats(hid_t location, const std::string& name, const std::string& file,
                 const std::vector<std::int64_t>& shape, const float* data) {
    writeNumeric(location, name, file, shape, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data);
}

void writeStringDataset(hid_t location, const std::string& name, const std::string& file,
                        const std::string& value) {
    Handle type = utf8StringType();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle set(H5Dcreate2(location, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT),
               H5Dclose);
    const char* text = value.c_str();
    if (!set.valid() || H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
        fail(file, "cannot write " + datasetName(name));
}

std::optional<std::string> readStringDataset(hid_t location, const std::string& name,
                                             const std::string&) {
    if (!hasLink(location, name)) return std::nullopt;
    Handle set(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.valid()) return std::nullopt;
    Handle type(H5Dget_type(set.get()), H5Tclose);
    Handle space(H5Dget_space(set.get()), H5Sclose);
    return readString(type.get(), space.get(), [&](hid_t mem, void* buffer) {
        return H5Dread(set.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    });
}

void writeStringAttribute(hid_t object, const std::string& name, const std::string& file,
                          const std::string& value) {
    Handle type = utf8StringType();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose);
    const char* text = value.c_str();
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &text) < 0)
        fail(file, "cannot write attribute '" + name + "'");
}

void writeNumberAttribute(hid_t object, const std::string& name, const std::string& file,
                          double value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(
        H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        fail(file, "cannot write attribute '" + name + "'");
}

std::optional<std::string> readStringAttribute(hid_t object, const std::string& name) {
    if (!hasAttribute(object, name)) return std::nullopt;
    Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) return std::nullopt;
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    return readString(type.get(), space.get(),
                      [&](hid_t mem, void* buffer) { return H5Aread(attr.get(), mem, buffer); });
}

std::optional<double> readNumberAttribute(hid_t object, const std::string& name) {
    if (!hasAttribute(object, name)) return std::nullopt;
    Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) return std::nullopt;
    Handle type(H5Aget_type(attr.get()), H5Tclose);
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    const H5T_class_t cls = H5Tget_class(type.get());
    if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || H5Sget_simple_extent_npoints(space.get()) != 1)
        return std::nullopt;
    double value = 0.0;
    if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) return std::nullopt;
    return value;
}

}  // namespace basin::detail::h5
