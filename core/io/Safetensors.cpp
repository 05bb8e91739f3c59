#include "io/Safetensors.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

#include "io/detail/TensorBytes.h"
#include "util/AtomicFile.h"
#include "util/Json.h"
#include "util/MappedFile.h"

// The format (https://github.com/huggingface/safetensors, README "Format"):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a UTF-8 JSON object: for each tensor
//               "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
//             and optionally "__metadata__": {"key": "value", ...} (strings only);
//             writers pad it with spaces so that the data starts 8-byte aligned
//   the rest  the data area; a tensor's bytes are data[begin, end), row-major,
//             little-endian.
//
// What Basin checks: N ≤ 100 MB (the reference reader's limit) and inside the
// file; the header is strict JSON; each dtype is one Basin reads; end - begin
// == numel × dtype size; [begin, end) lies inside the data area. The reference
// reader also demands that the tensors tile the data area exactly (sorted,
// no gaps, no overlaps, nothing after the last); Basin does not: gaps, overlaps
// and any order are accepted as long as every tensor lies inside the file,
// since the map is read-only and nothing else depends on the tiling.

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; Basin maps it without conversion");

namespace basin {
namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

struct DTypeName {
    const char* name;
    DType dtype;
};
constexpr DTypeName kDTypes[] = {
    {"F64", DType::Float64},   {"F32", DType::Float32}, {"F16", DType::Float16},
    {"BF16", DType::BFloat16}, {"I64", DType::Int64},   {"I32", DType::Int32},
    {"I16", DType::Int16},     {"I8", DType::Int8},     {"U8", DType::UInt8},
    {"BOOL", DType::Bool},
};

const char* safetensorsName(DType dtype) {
    for (const auto& d : kDTypes) {
        if (d.dtype == dtype) return d.name;
    }
    return "?";
}

std::string supportedList() {
    std::string s;
    for (const auto& d : kDTypes)
        s += std::string(s.empty() ? "" : ", ") + d.name;
    return s;
}

std::uint64_t readLe64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

struct Entry {
    std::size_t headerIndex;
    std::uint64_t begin;
    std::uint64_t end;
    NamedTensor tensor;
};

// One tensor's header entry, checked against the data area of `dataSize` bytes.
Entry parseEntry(const std::string& file, const std::string& name, const json::Value& info,
                 std::uint64_t dataSize) {
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("safetensors file '" + file + "': tensor '" + name + "' " + why);
    };
    if (info.kind != json::Value::Kind::Object) fail("is described by a non-object");
    const json::Value* dtype = info.find("dtype");
    const json::Value* shape = info.find("shape");
    const json::Value* offsets = info.find("data_offsets");
    if (!dtype || dtype->kind != json::Value::Kind::String) fail("has no \"dtype\" string");
    if (!shape || shape->kind != json::Value::Kind::Array) fail("has no \"shape\" array");
    if (!offsets || offsets->kind != json::Value::Kind::Array || offsets->array.size() != 2 ||
        offsets->array[0].kind != json::Value::Kind::Integer ||
        offsets->array[1].kind != json::Value::Kind::Integer) {
        fail("has no \"data_offsets\" [begin, end] pair of integers");
    }
    Entry entry{};
    entry.tensor.name = name;
    TensorData& t = entry.tensor.tensor;
    bool known = false;
    for (const auto& d : kDTypes) {
        if (dtype->string == d.name) {
            t.dtype = d.dtype;
            known = true;
        }
    }
    if (!known) {
        fail("has dtype " + dtype->string + ", which Basin does not read (it reads " +
             supportedList() + ")");
    }
    for (const auto& d : shape->array) {
        if (d.kind != json::Value::Kind::Integer || d.integer < 0) {
            fail("has a shape entry that is not a non-negative integer");
        }
        t.shape.push_back(d.integer);
    }
    std::uint64_t count = 0;
    if (!detail::elementCount(t.shape, count))
        fail("has shape " + t.shapeString() + ", too many elements");
    const std::int64_t begin = offsets->array[0].integer;
    const std::int64_t end = offsets->array[1].integer;
    if (begin < 0 || end < begin) {
        fail("has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
             "], which are not an increasing pair");
    }
    const std::uint64_t span = std::uint64_t(end - begin);
    const std::uint64_t elem = dtypeSize(t.dtype);
    if (count > UINT64_MAX / elem || count * elem != span) {
        fail("has shape " + t.shapeString() + " and dtype " + dtype->string + ", which need " +
             (count > UINT64_MAX / elem ? std::string("more than 2^64")
                                        : std::to_string(count * elem)) +
             " bytes, but data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
             "] span " + std::to_string(span));
    }
    if (std::uint64_t(end) > dataSize) {
        fail("has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
             "] beyond the data area of " + std::to_string(dataSize) + " bytes");
    }
    entry.begin = std::uint64_t(begin);
    entry.end = std::uint64_t(end);
    return entry;
}

}  // namespace

Checkpoint parseSafetensors(const std::uint8_t* data, std::size_t size, std::shared_ptr<void> owner,
                            const std::string& name) {
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("safetensors file '" + name + "': " + why);
    };
    if (size < 8) fail("too short for the 8-byte header length (" + std::to_string(size) + ")");
    const std::uint64_t headerBytes = readLe64(data);
    if (headerBytes > kMaxHeaderBytes) {
        fail("header length " + std::to_string(headerBytes) + " exceeds the limit of " +
             std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (headerBytes > size - 8) {
        fail("header length " + std::to_string(headerBytes) + " reaches beyond the end of the " +
             std::to_string(size) + "-byte file");
    }
    const std::string_view text(reinterpret_cast<const char*>(data + 8), std::size_t(headerBytes));
    if (text.empty() || text.front() != '{') fail("header does not start with '{'");
    const json::Value header = json::parse(text, "safetensors file '" + name + "' header");
    if (header.kind != json::Value::Kind::Object) fail("header is not a JSON object");

    const std::uint8_t* dataArea = data + 8 + headerBytes;
    const std::uint64_t dataSize = size - 8 - headerBytes;
    Checkpoint checkpoint;
    checkpoint.path = name;
    checkpoint.format = CheckpointFormat::Safetensors;
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < header.object.size(); ++i) {
        const auto& [key, value] = header.object[i];
        if (key == kMetadataKey) {
            if (value.kind != json::Value::Kind::Object) fail("__metadata__ is not an object");
            for (const auto& [mkey, mvalue] : value.object) {
                if (mvalue.kind != json::Value::Kind::String) {
                    fail("__metadata__ entry '" + mkey + "' must be a string, not " +
                         json::kindName(mvalue.kind));
                }
                checkpoint.metadata.emplace_back(mkey, mvalue.string);
            }
            continue;
        }
        Entry entry = parseEntry(name, key, value, dataSize);
        entry.headerIndex = i;
        TensorData& t = entry.tensor.tensor;
        const std::size_t bytes = std::size_t(entry.end - entry.begin);
        // Each tensor gets its own Storage over its bytes; all share the owner.
        t.storage =
            std::make_shared<Storage>(bytes ? dataArea + entry.begin : dataArea, bytes, owner);
        entries.push_back(std::move(entry));
    }
    // File order: by offset, header order among equal offsets.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
    for (auto& e : entries)
        checkpoint.tensors.push_back(std::move(e.tensor));
    if (!checkpoint.tensors.empty()) checkpoint.weightRoots = {""};
    return checkpoint;
}

Checkpoint readSafetensors(const std::string& path) {
    MappedFile file = mapFile(path);
    static const std::uint8_t kEmpty[1] = {0};
    return parseSafetensors(file.data ? file.data : kEmpty, file.size, file.owner, path);
}

void writeSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("cannot write safetensors file '" + path + "': " + why);
    };
    std::string header = "{";
    if (!metadata.empty()) {
        header += json::quote(kMetadataKey) + ":{";
        bool first = true;
        for (const auto& [key, value] : metadata) {
            header += (first ? "" : ",") + json::quote(key) + ":" + json::quote(value);
            first = false;
        }
        header += "}";
    }
    std::set<std::string> names;
    std::uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == kMetadataKey) fail("a tensor may not be named __metadata__");
        if (!names.insert(name).second) fail("two tensors are named '" + name + "'");
        const std::size_t bytes = detail::contiguousByteSize(tensor, name);
        header += (header.size() > 1 ? "," : "") + json::quote(name) + ":{\"dtype\":\"" +
                  safetensorsName(tensor.dtype) + "\",\"shape\":[";
        for (std::size_t i = 0; i < tensor.shape.size(); ++i)
            header += (i ? "," : "") + std::to_string(tensor.shape[i]);
        header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
                  std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    header += "}";
    // Pad with spaces so that the data area starts 8-byte aligned, as the
    // reference writer does.
    header.append((8 - header.size() % 8) % 8, ' ');
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = std::uint8_t(std::uint64_t(header.size()) >> (8 * i));

    AtomicFile out(path);
    out.write(length, 8);
    out.write(header.data(), header.size());
    for (const auto& [name, tensor] : tensors) {
        detail::forEachContiguousChunk(
            tensor, name, [&](const std::uint8_t* p, std::size_t n) { out.write(p, n); });
    }
    out.commit();
}

}  // namespace basin
