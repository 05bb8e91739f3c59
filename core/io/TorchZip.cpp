#include "io/TorchZip.h"

#include <zip.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <unordered_map>

namespace basin {
namespace {

// data.pkl holds the object tree only (no tensor bytes): even huge
// checkpoints keep it to a few MB.
constexpr std::uint64_t kMaxPickleBytes = std::uint64_t(512) << 20;
// Deflate cannot expand data by more than about 1032:1; an entry claiming
// more is a zip bomb or a lie.
constexpr std::uint64_t kMaxDeflateRatio = 1100;

std::string zipMessage(zip_error_t* error) {
    std::string m = zip_error_strerror(error);
    zip_error_fini(error);
    return m;
}

// A libzip archive opened read-only with consistency checks, and the few
// bounds-checked operations the reader needs.
class ZipArchive {
public:
    ZipArchive(zip_t* zip, std::string name, std::uint64_t archiveSize)
        : zip_(zip), name_(std::move(name)), archiveSize_(archiveSize) {}
    ~ZipArchive() { zip_discard(zip_); }
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    const std::string& name() const { return name_; }
    std::uint64_t entryCount() const { return std::uint64_t(zip_get_num_entries(zip_, 0)); }
    std::string entryName(std::uint64_t index) const {
        const char* n = zip_get_name(zip_, index, 0);
        return n ? n : "";
    }
    std::optional<std::uint64_t> find(const std::string& entry) const {
        const zip_int64_t i = zip_name_locate(zip_, entry.c_str(), 0);
        if (i < 0) return std::nullopt;
        return std::uint64_t(i);
    }

    // The uncompressed size, after checking that the archive can hold it.
    std::uint64_t size(std::uint64_t index) const {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(zip_, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
            !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD)) {
            fail(entryName(index), "cannot be examined");
        }
        if (st.comp_size > archiveSize_) fail(entryName(index), "is larger than the archive");
        const bool stored = st.comp_method == ZIP_CM_STORE;
        if ((stored && st.size != st.comp_size) ||
            (!stored && st.size / kMaxDeflateRatio > st.comp_size)) {
            fail(entryName(index), "claims " + std::to_string(st.size) + " bytes from " +
                                       std::to_string(st.comp_size) + " compressed");
        }
        return st.size;
    }

    // Reads the first `n` bytes of the entry (n <= size(index)) into `out`;
    // when that is the whole entry, also lets libzip verify its checksum.
    void read(std::uint64_t index, std::uint8_t* out, std::uint64_t n) const {
        const std::uint64_t total = size(index);
        zip_file_t* file = zip_fopen_index(zip_, index, 0);
        if (!file) fail(entryName(index), std::string("cannot be opened: ") + zip_strerror(zip_));
        std::uint64_t got = 0;
        std::string error;
        while (got < n) {
            const zip_int64_t r = zip_fread(file, out + got, n - got);
            if (r < 0) {
                error = zip_file_strerror(file);
                break;
            }
            if (r == 0) break;
            got += std::uint64_t(r);
        }
        if (error.empty() && got == n && n == total) {
            std::uint8_t extra;
            if (zip_fread(file, &extra, 1) < 0) error = zip_file_strerror(file);
        }
        zip_fclose(file);
        if (!error.empty()) fail(entryName(index), "is damaged: " + error);
        if (got != n) {
            fail(entryName(index),
                 "ends after " + std::to_string(got) + " of " + std::to_string(n) + " bytes");
        }
    }
    std::string readSmall(std::uint64_t index, std::uint64_t limit) const {
        const std::uint64_t n = size(index);
        if (n > limit) {
            fail(entryName(index), "is " + std::to_string(n) + " bytes, more than the " +
                                       std::to_string(limit) + " it may have");
        }
        std::string s(std::size_t(n), '\0');
        read(index, reinterpret_cast<std::uint8_t*>(s.data()), n);
        return s;
    }

    [[noreturn]] void fail(const std::string& entry, const std::string& why) const {
        throw std::runtime_error(name_ + ": record '" + entry + "' " + why);
    }

private:
    zip_t* zip_;
    std::string name_;
    std::uint64_t archiveSize_;
};

// A heap buffer that is not zero-filled first: it is overwritten at once.
std::shared_ptr<Storage> uninitializedStorage(std::size_t size) {
    std::shared_ptr<std::uint8_t[]> buffer(new std::uint8_t[size > 0 ? size : 1]);
    const std::uint8_t* data = buffer.get();
    return std::make_shared<Storage>(data, size, std::shared_ptr<void>(buffer, buffer.get()));
}

// Resolves persistent ids to storages, reading each record once.
class StorageLoader {
public:
    StorageLoader(const ZipArchive& zip, std::string prefix)
        : zip_(zip), prefix_(std::move(prefix)) {}

    TypedStorage operator()(const PickleValue& pid) {
        using Kind = PickleValue::Kind;
        if (pid.kind != Kind::Tuple || pid.items.size() < 5 || pid.items[0]->kind != Kind::String ||
            pid.items[0]->text != "storage") {
            throw std::runtime_error(
                "a persistent id that is not ('storage', type, key, "
                "location, numel)");
        }
        const PickleValue& type = *pid.items[1];
        const PickleValue& key = *pid.items[2];
        const PickleValue& numel = *pid.items[4];
        if (type.kind != Kind::Global)
            throw std::runtime_error("a storage type that is not a class");
        const std::optional<DType> dtype = torchStorageDType(type.text);
        if (!dtype) {
            throw std::runtime_error("storage type " + type.text +
                                     " is not supported (untyped, quantized or complex storage)");
        }
        if (key.kind != Kind::String) throw std::runtime_error("a storage key that is not text");
        if (numel.kind != Kind::Int || numel.integer < 0) {
            throw std::runtime_error("storage '" + key.text + "' has no valid element count");
        }
        const std::string record = prefix_ + "/data/" + key.text;
        const std::uint64_t elem = dtypeSize(*dtype);
        if (std::uint64_t(numel.integer) > UINT64_MAX / elem) {
            throw std::runtime_error("storage '" + record + "' declares too many elements");
        }
        const std::uint64_t needed = std::uint64_t(numel.integer) * elem;
        const std::string declared = std::to_string(numel.integer) + " " + dtypeName(*dtype) +
                                     " elements (" + std::to_string(needed) + " bytes)";

        auto cached = storages_.find(key.text);
        if (cached == storages_.end()) {
            const std::optional<std::uint64_t> index = zip_.find(record);
            if (!index)
                throw std::runtime_error("the archive has no record '" + record + "' for " +
                                         declared);
            const std::uint64_t available = zip_.size(*index);
            if (available < needed) {
                zip_.fail(record, "holds " + std::to_string(available) +
                                      " bytes, but its storage declares " + declared);
            }
            if (needed > SIZE_MAX) zip_.fail(record, "is too large for this machine");
            auto storage = uninitializedStorage(std::size_t(needed));
            zip_.read(*index, storage->mutableData(), needed);
            cached = storages_.emplace(key.text, std::move(storage)).first;
        } else if (cached->second->size() < needed) {  // one record viewed with two types
            zip_.fail(record, "holds " + std::to_string(cached->second->size()) +
                                  " bytes, but a storage declares " + declared);
        }
        return TypedStorage{*dtype, cached->second, record};
    }

private:
    const ZipArchive& zip_;
    std::string prefix_;
    std::unordered_map<std::string, std::shared_ptr<Storage>> storages_;
};

// The archive's top folder: the one that holds data.pkl.
std::string findPrefix(const ZipArchive& zip) {
    const std::uint64_t n = zip.entryCount();
    bool numpy = false;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::string entry = zip.entryName(i);
        const std::size_t slash = entry.find('/');
        if (slash != std::string::npos &&
            entry.compare(slash, std::string::npos, "/data.pkl") == 0) {
            return entry.substr(0, slash);
        }
        if (entry.size() > 4 && entry.compare(entry.size() - 4, 4, ".npy") == 0) numpy = true;
    }
    throw std::runtime_error(
        zip.name() +
        ": a zip archive without <name>/data.pkl, so not a file "
        "written by torch.save" +
        (numpy ? std::string(" (it holds .npy arrays: a NumPy .npz file?)") : ""));
}

PickleDocument readArchive(const ZipArchive& zip) {
    const std::string prefix = findPrefix(zip);
    const std::uint64_t n = zip.entryCount();
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::string entry = zip.entryName(i);
        if (entry == prefix + "/constants.pkl" || entry.rfind(prefix + "/code/", 0) == 0) {
            throw std::runtime_error(zip.name() +
                                     " is a TorchScript model (written by "
                                     "torch.jit.save), not a checkpoint: open it as a model");
        }
    }
    if (const auto order = zip.find(prefix + "/byteorder")) {
        const std::string text = zip.readSmall(*order, 16);
        if (text == "big") {
            throw std::runtime_error(zip.name() +
                                     " was saved on a big-endian machine; Basin reads "
                                     "little-endian archives only");
        }
        if (text != "little") zip.fail(prefix + "/byteorder", "says '" + text + "'");
    }
    const std::string pickleName = prefix + "/data.pkl";
    const std::uint64_t index = *zip.find(pickleName);
    const std::string pickle = zip.readSmall(index, kMaxPickleBytes);
    StorageLoader loader(zip, prefix);
    return parsePickle(reinterpret_cast<const std::uint8_t*>(pickle.data()), pickle.size(),
                       zip.name() + ", " + pickleName,
                       [&loader](const PickleValue& pid) { return loader(pid); });
}

}  // namespace

PickleDocument readTorchZip(const std::string& path) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) throw std::runtime_error(path + ": cannot be read (" + ec.message() + ")");
    int code = 0;
    zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!zip) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        throw std::runtime_error(path + ": not a readable zip archive (" + zipMessage(&error) +
                                 "); is the file truncated?");
    }
    ZipArchive archive(zip, path, size);
    return readArchive(archive);
}

PickleDocument parseTorchZip(const std::uint8_t* data, std::size_t size, const std::string& name) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(size ? data : nullptr, size, 0, &error);
    if (!source) throw std::runtime_error(name + ": " + zipMessage(&error));
    zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!zip) {
        zip_source_free(source);
        throw std::runtime_error(name + ": not a readable zip archive (" + zipMessage(&error) +
                                 "); is the file truncated?");
    }
    zip_error_fini(&error);
    ZipArchive archive(zip, name, size);
    return readArchive(archive);
}

bool isLegacyTorchSave(const std::uint8_t* data, std::size_t size) {
    // PROTO n, then LONG1 with 10 bytes: the magic number, little-endian.
    static const std::uint8_t magic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                         0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    return size >= 2 + sizeof magic && data[0] == 0x80 &&
           std::memcmp(data + 2, magic, sizeof magic) == 0;
}

}  // namespace basin
