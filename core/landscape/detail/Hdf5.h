#pragma once
// Inside core only: a thin checked layer over the HDF5 C library for the
// landscape files (directions, surfaces). Handles close themselves; every
// read checks the dataset's rank, dimensions and type class against what the
// caller expects before anything is allocated, and every error is a sentence
// naming the file and the dataset. HDF5's own error stack printing is turned
// off: Basin reports the sentence instead.

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace basin::detail::h5 {

// An hid_t that closes itself with the matching H5*close.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer close) : id_(id), close_(close) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    void reset();

private:
    hid_t id_ = -1;
    Closer close_ = nullptr;
};

// A file opened for reading, or created (truncated) for writing. `path` names
// the file in errors; `displayPath` (when set) is the name the user knows
// (the target of an atomic write rather than its temporary file).
class File {
public:
    static File openReadOnly(const std::string& path);
    static File create(const std::string& path, const std::string& displayPath = {});
    hid_t id() const { return handle_.get(); }
    const std::string& path() const { return displayPath_; }
    // Flushes and closes; throws when HDF5 reports a failure (disk full).
    void close();

private:
    Handle handle_;
    std::string displayPath_;
};

bool hasLink(hid_t location, const std::string& name);
bool hasAttribute(hid_t object, const std::string& name);
// Names of the links in a group, in HDF5's name order.
std::vector<std::string> linkNames(hid_t group, const std::string& what);
Handle openGroup(hid_t location, const std::string& name, const std::string& file);
Handle createGroup(hid_t location, const std::string& name, const std::string& file);

// The shape of dataset `name`; throws when it is not a numeric (integer or
// float) dataset of at most `maxRank` dimensions.
std::vector<std::int64_t> numericShape(hid_t location, const std::string& name,
                                       const std::string& file, int maxRank = 8);
// Reads a numeric dataset converted to double/float. `expectedShape` is
// checked against the file's before any allocation.
std::vector<double> readDoubles(hid_t location, const std::string& name, const std::string& file,
                                const std::vector<std::int64_t>& expectedShape);
void readFloats(hid_t location, const std::string& name, const std::string& file,
                const std::vector<std::int64_t>& expectedShape, float* out);

void writeDoubles(hid_t location, const std::string& name, const std::string& file,
                  const std::vector<std::int64_t>& shape, const double* data);
void writeFloats(hid_t location, const std::string& name, const std::string& file,
                 const std::vector<std::int64_t>& shape, const float* data);
// A scalar variable-length UTF-8 string dataset (what h5py writes for
// f['name'] = 'text').
void writeStringDataset(hid_t location, const std::string& name, const std::string& file,
                        const std::string& value);
// A scalar string dataset (fixed or variable length); nullopt when absent or
// not a string.
std::optional<std::string> readStringDataset(hid_t location, const std::string& name,
                                             const std::string& file);

void writeStringAttribute(hid_t object, const std::string& name, const std::string& file,
                          const std::string& value);
void writeNumberAttribute(hid_t object, const std::string& name, const std::string& file,
                          double value);
// Absent or of another type: nullopt (metadata is optional in files Basin did
// not write).
std::optional<std::string> readStringAttribute(hid_t object, const std::string& name);
std::optional<double> readNumberAttribute(hid_t object, const std::string& name);

}  // namespace basin::detail::h5
