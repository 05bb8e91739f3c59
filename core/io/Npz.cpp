#include <zip.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

#include "io/Numpy.h"
#include "io/detail/NpyArray.h"
#include "io/detail/NpyHeader.h"
#include "util/AtomicFile.h"
#include "util/MappedFile.h"

// .npz: a zip archive of .npy files, one per array, named "<key>.npy"
// (np.savez stores them, np.savez_compressed deflates them). The archive is
// read with libzip from memory. Before anything is allocated for an entry,
// its declared sizes are checked against what the archive can hold: a stored
// entry must be as large as its compressed form, a deflated one at most
// kMaxDeflateRatio times larger (deflate cannot do better than ~1032:1), and
// the .npy header inside must describe exactly the declared size. A deflated
// entry's buffer then starts at 8× its compressed size and grows only with the
// bytes actually decompressed, so a lying archive costs little more memory
// than it really holds.

namespace basin {
namespace {

constexpr std::uint64_t kMaxDeflateRatio = 1032;
constexpr std::uint64_t kDeflateSlack = 1024;  // headers of tiny entries
constexpr std::size_t kReadChunk = std::size_t(4) << 20;

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// An entry's bytes, uninitialised until read (no zero-fill of large arrays),
// grown as decompressed bytes arrive.
class EntryBuffer {
public:
    std::uint8_t* data() { return bytes_.get(); }
    std::size_t size() const { return size_; }
    void reserve(std::size_t capacity) {
        if (capacity <= capacity_) return;
        std::unique_ptr<std::uint8_t[]> grown(new std::uint8_t[capacity]);
        if (size_) std::memcpy(grown.get(), bytes_.get(), size_);
        bytes_ = std::move(grown);
        capacity_ = capacity;
    }
    // Reads up to `wanted` more bytes of `file`; stops early at its end.
    void read(zip_file_t* file, std::size_t wanted, const std::string& what) {
        const std::size_t target = size_ + wanted;
        while (size_ < target) {
            const std::size_t step = std::min(target - size_, kReadChunk);
            if (capacity_ - size_ < step) reserve(std::max(size_ + step, capacity_ * 2));
            const zip_int64_t n = zip_fread(file, bytes_.get() + size_, step);
            if (n < 0) {
                throw std::runtime_error(
                    what + ": cannot decompress: " + zip_error_strerror(zip_file_get_error(file)));
            }
            if (n == 0) break;
            size_ += std::size_t(n);
        }
    }

private:
    std::unique_ptr<std::uint8_t[]> bytes_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

NamedTensor readEntry(zip_t* archive, zip_uint64_t index, const zip_stat_t& st,
                      std::uint64_t archiveSize, const std::string& file) {
    const std::string entry = st.name;
    const std::string key = entry.substr(0, entry.size() - 4);
    const std::string what = "npz file '" + file + "', array '" + key + "'";
    auto fail = [&](const std::string& why) { throw std::runtime_error(what + ": " + why); };
    const zip_uint64_t needed = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if ((st.valid & needed) != needed) fail("the archive does not state the entry's sizes");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
        fail("the entry is encrypted");
    }
    if (st.comp_size > archiveSize) {
        fail("the entry claims " + std::to_string(st.comp_size) +
             " compressed bytes in a file of " + std::to_string(archiveSize));
    }
    if (st.comp_method == ZIP_CM_STORE) {
        if (st.size != st.comp_size) {
            fail("a stored entry declares " + std::to_string(st.size) + " bytes but holds " +
                 std::to_string(st.comp_size));
        }
    } else if (st.comp_method == ZIP_CM_DEFLATE) {
        if (st.size > st.comp_size * kMaxDeflateRatio + kDeflateSlack) {
            fail("refusing a likely zip bomb: the entry declares " + std::to_string(st.size) +
                 " bytes from " + std::to_string(st.comp_size) +
                 " compressed, more than deflate can produce");
        }
    } else {
        fail("compression method " + std::to_string(st.comp_method) +
             " is not supported (only stored and deflated)");
    }
    if (st.size > SIZE_MAX) fail("the entry is too large for this machine");
    const auto declared = std::size_t(st.size);

    ZipFilePtr stream(zip_fopen_index(archive, index, 0));
    if (!stream) fail(std::string("cannot open the entry: ") + zip_strerror(archive));
    auto buffer = std::make_shared<EntryBuffer>();
    // First the .npy header, to check the sizes it implies against the zip's.
    buffer->read(stream.get(), std::min<std::size_t>(declared, 12 + 65536), what);
    const detail::NpyHeader header = detail::parseNpyHeader(buffer->data(), buffer->size(), what);
    if (header.dataBytes > UINT64_MAX - header.dataOffset ||
        header.dataOffset + header.dataBytes != st.size) {
        fail("the .npy header describes " + std::to_string(header.dataBytes) +
             " bytes of data after " + std::to_string(header.dataOffset) +
             " header bytes, but the zip entry declares " + std::to_string(st.size) +
             " bytes in all");
    }
    // Room for all of a stored entry (its bytes are in the archive already);
    // for a deflated one, as much as typical data expands to, then growth.
    const std::uint64_t likely =
        st.comp_method == ZIP_CM_STORE ? st.size : st.comp_size * 8 + kReadChunk;
    buffer->reserve(std::size_t(std::min<std::uint64_t>(st.size, likely)));
    buffer->read(stream.get(), declared - buffer->size(), what);
    if (buffer->size() != declared) {
        fail("the entry holds " + std::to_string(buffer->size()) + " bytes, not the declared " +
             std::to_string(declared) + " (truncated archive)");
    }
    std::uint8_t extra = 0;
    if (zip_fread(stream.get(), &extra, 1) != 0)
        fail("the entry holds more than its declared size");
    NamedTensor out;
    out.name = key;
    const std::uint8_t* data = buffer->data();
    const std::size_t size = buffer->size();
    out.tensor = detail::decodeNpy(data, size, std::shared_ptr<void>(buffer, buffer.get()), what);
    return out;
}

}  // namespace

std::vector<NamedTensor> parseNpz(const std::uint8_t* data, std::size_t size,
                                  const std::string& name) {
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("npz file '" + name + "': " + why);
    };
    static const std::uint8_t kEmpty[1] = {0};
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(data ? data : kEmpty, size, 0, &error);
    if (!source) {
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        fail("cannot read: " + why);
    }
    ZipPtr archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
    if (!archive) {
        zip_source_free(source);
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        fail("not a readable zip archive (" + why + ")");
    }
    zip_error_fini(&error);
    std::vector<NamedTensor> arrays;
    std::set<std::string> keys;
    const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(archive.get(), zip_uint64_t(i), 0, &st) != 0 ||
            !(st.valid & ZIP_STAT_NAME)) {
            fail("cannot read entry " + std::to_string(i) + ": " + zip_strerror(archive.get()));
        }
        const std::string entry = st.name;
        if (!entry.empty() && entry.back() == '/') continue;  // a folder
        if (!endsWith(entry, ".npy")) fail("entry '" + entry + "' is not a .npy array");
        NamedTensor array = readEntry(archive.get(), zip_uint64_t(i), st, size, name);
        if (!keys.insert(array.name).second) fail("two arrays are named '" + array.name + "'");
        arrays.push_back(std::move(array));
    }
    return arrays;
}

std::vector<NamedTensor> readNpz(const std::string& path) {
    // Entries are decompressed into their own buffers, so the map is only
    // needed while parsing.
    const MappedFile file = mapFile(path);
    return parseNpz(file.data, file.size, path);
}

void writeNpz(const std::string& path, const std::vector<NamedTensor>& arrays) {
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("cannot write npz file '" + path + "': " + why);
    };
    std::vector<std::string> files;  // libzip reads them at zip_close
    std::set<std::string> keys;
    for (const auto& [key, array] : arrays) {
        if (!keys.insert(key).second) fail("two arrays are named '" + key + "'");
        files.push_back(detail::encodeNpy(array, "npz file '" + path + "', array '" + key + "'"));
    }
    if (arrays.empty()) {
        // libzip deletes an archive left empty; np.savez() writes the bare
        // end-of-central-directory record, and so does Basin.
        const std::uint8_t eocd[22] = {'P', 'K', 5, 6};
        AtomicFile out(path);
        out.write(eocd, sizeof eocd);
        out.commit();
        return;
    }
    // libzip writes the archive to a temporary file beside `path` and renames
    // it over `path` in zip_close, so the write is atomic.
    int error = 0;
    ZipPtr archive(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error));
    if (!archive) {
        zip_error_t e;
        zip_error_init_with_code(&e, error);
        const std::string why = zip_error_strerror(&e);
        zip_error_fini(&e);
        fail(why);
    }
    for (std::size_t i = 0; i < arrays.size(); ++i) {
        zip_source_t* source =
            zip_source_buffer(archive.get(), files[i].data(), files[i].size(), 0);
        if (!source) fail(zip_strerror(archive.get()));
        const std::string entry = arrays[i].name + ".npy";
        const zip_int64_t index =
            zip_file_add(archive.get(), entry.c_str(), source, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(source);
            fail("cannot add '" + entry + "': " + zip_strerror(archive.get()));
        }
        if (zip_set_file_compression(archive.get(), zip_uint64_t(index), ZIP_CM_STORE, 0) != 0) {
            fail(zip_strerror(archive.get()));
        }
    }
    zip_t* raw = archive.release();
    if (zip_close(raw) != 0) {
        const std::string why = zip_strerror(raw);
        zip_discard(raw);
        fail(why);
    }
}

}  // namespace basin
