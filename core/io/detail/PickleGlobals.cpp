// The globals the restricted pickle machine understands, and how their
// arguments map to values. Signatures are those torch and NumPy pickle with:
//
//   torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
//                                   requires_grad, backward_hooks[, metadata])
//   torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)
//   torch._utils._rebuild_parameter_with_state(data, requires_grad, hooks, state)
//   torch._tensor._rebuild_from_type_v2(func, new_type, args, state)
//   numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b') then
//     BUILD (version, shape, dtype, is_fortran, raw bytes)
//   numpy.dtype('f8', False, True) then BUILD (3, '<', None, ...)
//   numpy.core.multiarray.scalar(dtype, raw bytes)
//   _codecs.encode(text, 'latin1'): how protocol 2 spells a bytes object
//   torch.jit._pickle.restore_type_tag(value, type_string): libtorch's
//     torch::pickle_save wraps typed dicts and lists in it; the value is the
//     first argument, the type string only annotates it
//
// Protocol 2 writes Python 2 module names (__builtin__, copy_reg), and NumPy 2
// moved numpy.core to numpy._core; both spellings are accepted.

#include "io/detail/PickleGlobals.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace basin::detail {
namespace {

using Kind = PickleValue::Kind;

std::string canonicalName(std::string name) {
    const std::pair<const char*, const char*> aliases[] = {
        {"__builtin__.", "builtins."},
        {"copy_reg.", "copyreg."},
        {"numpy._core.", "numpy.core."},
    };
    for (const auto& [from, to] : aliases) {
        const std::size_t n = std::strlen(from);
        if (name.compare(0, n, from) == 0) return to + name.substr(n);
    }
    return name;
}

const PickleValue* arg(const PickleValue& args, std::size_t i) {
    return i < args.items.size() ? args.items[i] : nullptr;
}

std::int64_t intArg(const PickleValue* v, const char* what) {
    if (!v || v->kind != Kind::Int)
        throw std::runtime_error(std::string(what) + " is not an integer");
    return v->integer;
}

std::vector<std::int64_t> intTuple(const PickleValue* v, const char* what, int maxDims) {
    if (!v || (v->kind != Kind::Tuple && v->kind != Kind::List)) {
        throw std::runtime_error(std::string(what) + " is not a tuple of integers");
    }
    if (v->items.size() > std::size_t(maxDims)) {
        throw std::runtime_error(std::string(what) + " has " + std::to_string(v->items.size()) +
                                 " dimensions, more than " + std::to_string(maxDims));
    }
    std::vector<std::int64_t> out;
    for (const PickleValue* item : v->items)
        out.push_back(intArg(item, what));
    return out;
}

// UTF-8 text whose code points are all below 256 → those bytes (Latin-1).
std::string latin1Bytes(const std::string& utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = std::uint8_t(utf8[i]);
        if (c < 0x80) {
            out.push_back(char(c));
        } else if ((c & 0xe0) == 0xc0 && c <= 0xc3 && i + 1 < utf8.size() &&
                   (std::uint8_t(utf8[i + 1]) & 0xc0) == 0x80) {
            out.push_back(char(((c & 0x03) << 6) | (std::uint8_t(utf8[i + 1]) & 0x3f)));
            ++i;
        } else {
            throw std::runtime_error("_codecs.encode: text is not Latin-1");
        }
    }
    return out;
}

PickleValue* makeObject(PickleDocument& doc, const std::string& name, const PickleValue& args) {
    PickleValue* o = doc.make(Kind::Object);
    o->text = name;
    o->items = args.items;
    return o;
}

PickleValue* rebuildTensor(PickleDocument& doc, const PickleValue& args,
                           const PickleLimits& limits) {
    const PickleValue* storage = arg(args, 0);
    if (!storage || storage->kind != Kind::Storage) {
        throw std::runtime_error("_rebuild_tensor_v2 expects a storage as its first argument");
    }
    TensorData t;
    t.dtype = storage->tensor.dtype;
    t.storage = storage->tensor.storage;
    t.storageOffset = intArg(arg(args, 1), "a tensor's storage offset");
    t.shape = intTuple(arg(args, 2), "a tensor's size", limits.maxTensorDims);
    t.strides = intTuple(arg(args, 3), "a tensor's stride", limits.maxTensorDims);
    if (t.strides.size() != t.shape.size()) {
        throw std::runtime_error("a tensor viewing '" + storage->text + "' has size " +
                                 t.shapeString() + " but " + std::to_string(t.strides.size()) +
                                 " strides");
    }
    t.validate("view of '" + storage->text + "'");
    PickleValue* v = doc.make(Kind::Tensor);
    v->tensor = std::move(t);
    return v;
}

PickleValue* rebuildParameter(PickleDocument& doc, const PickleValue& args) {
    const PickleValue* data = arg(args, 0);
    if (!data || data->kind != Kind::Tensor) {
        throw std::runtime_error("_rebuild_parameter expects a tensor as its first argument");
    }
    PickleValue* v = doc.make(Kind::Tensor);
    v->tensor = data->tensor;
    return v;
}

std::optional<DType> numpyDType(const std::string& descr) {
    const std::pair<const char*, DType> known[] = {
        {"f8", DType::Float64}, {"f4", DType::Float32}, {"f2", DType::Float16},
        {"i8", DType::Int64},   {"i4", DType::Int32},   {"i2", DType::Int16},
        {"i1", DType::Int8},    {"u1", DType::UInt8},   {"b1", DType::Bool},
    };
    for (const auto& [name, dtype] : known) {
        if (descr == name) return dtype;
    }
    return std::nullopt;
}

// A numpy.dtype object as the machine built it: ('f8', ...) plus BUILD state
// (3, '<', ...). Returns the descr ("f8", or ">f8" when big-endian) and the
// dtype when Basin can hold it.
std::pair<std::string, std::optional<DType>> dtypeOf(const PickleValue* v) {
    if (!v || v->kind != Kind::Object || v->text != "numpy.dtype" || v->items.empty() ||
        v->items[0]->kind != Kind::String) {
        return {"unknown", std::nullopt};
    }
    const std::string descr = v->items[0]->text;
    const PickleValue* s = v->state;
    if (s && s->kind == Kind::Tuple && s->items.size() > 1 && s->items[1]->kind == Kind::String &&
        s->items[1]->text == ">") {
        return {">" + descr, std::nullopt};
    }
    return {descr, numpyDType(descr)};
}

PickleValue* numpyScalar(PickleDocument& doc, const PickleValue& args) {
    const auto [descr, dtype] = dtypeOf(arg(args, 0));
    const PickleValue* raw = arg(args, 1);
    if (!dtype || !raw || raw->kind != Kind::Bytes) {
        return makeObject(doc, "numpy scalar of dtype " + descr, args);
    }
    if (raw->text.size() != dtypeSize(*dtype)) {
        throw std::runtime_error("a numpy " + descr + " scalar holds " +
                                 std::to_string(raw->text.size()) + " bytes");
    }
    if (*dtype == DType::Int64) {
        PickleValue* v = doc.make(Kind::Int);
        std::memcpy(&v->integer, raw->text.data(), 8);
        return v;
    }
    TensorData t;
    t.dtype = *dtype;
    t.storage = Storage::allocate(raw->text.size());
    std::memcpy(t.storage->mutableData(), raw->text.data(), raw->text.size());
    const double value = t.toDoubles().at(0);
    if (*dtype == DType::Bool) {
        PickleValue* v = doc.make(Kind::Bool);
        v->boolean = value != 0;
        return v;
    }
    if (*dtype == DType::Float64 || *dtype == DType::Float32 || *dtype == DType::Float16) {
        PickleValue* v = doc.make(Kind::Float);
        v->number = value;
        return v;
    }
    PickleValue* v = doc.make(Kind::Int);
    v->integer = std::int64_t(value);
    return v;
}

// ndarray.__setstate__((version,) shape, dtype, is_fortran, data).
void buildNumpyArray(PickleValue& target, const PickleValue& state, const PickleLimits& limits) {
    if (state.kind != Kind::Tuple || state.items.size() < 4) {
        throw std::runtime_error("a numpy array's state is not (shape, dtype, order, data)");
    }
    const std::size_t base = state.items.size() >= 5 ? 1 : 0;
    const std::vector<std::int64_t> shape =
        intTuple(state.items[base], "a numpy array's shape", limits.maxTensorDims);
    const auto [descr, dtype] = dtypeOf(state.items[base + 1]);
    const PickleValue* fortran = state.items[base + 2];
    const PickleValue* raw = state.items[base + 3];
    if (!dtype || raw->kind != Kind::Bytes) {
        target.text = "numpy.ndarray of dtype " + descr;
        target.state = &state;
        return;
    }
    std::uint64_t bytes = dtypeSize(*dtype);
    for (std::int64_t d : shape) {
        if (d < 0) throw std::runtime_error("a numpy array has a negative dimension");
        if (d > 0 && bytes > UINT64_MAX / std::uint64_t(d)) {
            throw std::runtime_error("a numpy array's shape overflows");
        }
        bytes *= std::uint64_t(d);
    }
    TensorData t;
    t.dtype = *dtype;
    t.shape = shape;
    if (bytes != 0 && bytes != raw->text.size()) {
        throw std::runtime_error("a numpy " + descr + " array of shape " + t.shapeString() +
                                 " needs " + std::to_string(bytes) + " bytes, the pickle holds " +
                                 std::to_string(raw->text.size()));
    }
    if (fortran->kind == Kind::Bool && fortran->boolean) {  // column-major
        t.strides.assign(shape.size(), 1);
        for (std::size_t i = 1; i < shape.size(); ++i)
            t.strides[i] = t.strides[i - 1] * std::max<std::int64_t>(shape[i - 1], 1);
    }
    t.storage = Storage::allocate(std::size_t(bytes));
    if (bytes) std::memcpy(t.storage->mutableData(), raw->text.data(), std::size_t(bytes));
    target.kind = Kind::Tensor;
    target.tensor = std::move(t);
    target.items.clear();
    target.text.clear();
}

PickleValue* makeContainer(PickleDocument& doc, Kind kind, const PickleValue* source) {
    PickleValue* v = doc.make(kind);
    if (!source) return v;
    if (kind == Kind::Dict) {
        if (source->kind == Kind::Dict) {
            v->entries = source->entries;
        } else if (source->kind == Kind::List || source->kind == Kind::Tuple) {
            for (const PickleValue* pair : source->items) {  // [(key, value), ...]
                if ((pair->kind != Kind::Tuple && pair->kind != Kind::List) ||
                    pair->items.size() != 2) {
                    throw std::runtime_error("a dict built from items that are not pairs");
                }
                v->entries.emplace_back(pair->items[0], pair->items[1]);
            }
        }
    } else if (source->kind == Kind::List || source->kind == Kind::Tuple ||
               source->kind == Kind::Set) {
        v->items = source->items;
    }
    return v;
}

PickleValue* apply(PickleDocument& doc, const PickleValue& callable, const PickleValue& args,
                   const PickleLimits& limits, int depth) {
    if (callable.kind != Kind::Global) return makeObject(doc, "a call of a non-global", args);
    const std::string name = canonicalName(callable.text);
    if (name == "torch._utils._rebuild_tensor_v2") return rebuildTensor(doc, args, limits);
    if (name == "torch._utils._rebuild_parameter" ||
        name == "torch._utils._rebuild_parameter_with_state") {
        return rebuildParameter(doc, args);
    }
    if (name == "torch._tensor._rebuild_from_type_v2") {  // tensor subclasses: rebuild the base
        const PickleValue* func = arg(args, 0);
        const PickleValue* inner = arg(args, 2);
        if (func && inner && inner->kind == Kind::Tuple && depth < 4) {
            return apply(doc, *func, *inner, limits, depth + 1);
        }
        return makeObject(doc, name, args);
    }
    if (name == "torch.storage._load_from_bytes") {
        throw std::runtime_error(
            "a storage pickled with torch.storage._load_from_bytes (the legacy format nested in "
            "the archive) is not supported");
    }
    if (name == "collections.OrderedDict" || name == "builtins.dict") {
        return makeContainer(doc, Kind::Dict, arg(args, 0));
    }
    if (name == "torch.jit._pickle.restore_type_tag") {
        const PickleValue* value = arg(args, 0);
        if (value) return const_cast<PickleValue*>(value);
        return makeObject(doc, name, args);
    }
    if (name == "builtins.set" || name == "builtins.frozenset") {
        return makeContainer(doc, Kind::Set, arg(args, 0));
    }
    if (name == "builtins.list") return makeContainer(doc, Kind::List, arg(args, 0));
    if (name == "torch.Size") return makeContainer(doc, Kind::Tuple, arg(args, 0));
    if (name == "_codecs.encode" || name == "builtins.bytes" || name == "builtins.bytearray") {
        const PickleValue* text = arg(args, 0);
        const PickleValue* encoding = arg(args, 1);
        PickleValue* b = doc.make(Kind::Bytes);
        if (!text) return b;
        if (text->kind == Kind::Bytes) {
            b->text = text->text;
        } else if (text->kind == Kind::String) {
            const std::string enc =
                encoding && encoding->kind == Kind::String ? encoding->text : "";
            b->text = enc == "latin1" || enc == "latin-1" ? latin1Bytes(text->text) : text->text;
        } else {
            return makeObject(doc, name, args);
        }
        return b;
    }
    if (name == "numpy.core.multiarray._reconstruct") {  // an ndarray waiting for BUILD
        return makeObject(doc, "numpy.ndarray", args);
    }
    if (name == "numpy.dtype") return makeObject(doc, "numpy.dtype", args);
    if (name == "numpy.core.multiarray.scalar") return numpyScalar(doc, args);
    if (name == "copyreg._reconstructor") {  // (cls, base, state): an instance of cls
        const PickleValue* cls = arg(args, 0);
        return makeObject(doc, cls && cls->kind == Kind::Global ? cls->text : name, args);
    }
    // Anything else — a user's class, argparse.Namespace, os.system — is
    // remembered by name and never called.
    return makeObject(doc, callable.text, args);
}

}  // namespace

PickleValue* applyCallable(PickleDocument& doc, const PickleValue& callable,
                           const PickleValue& args, const PickleLimits& limits) {
    return apply(doc, callable, args, limits, 0);
}

void applyState(PickleValue& target, const PickleValue& state, const PickleLimits& limits) {
    if (target.kind != Kind::Object) return;  // e.g. an OrderedDict's _metadata: not needed
    if (target.text == "numpy.ndarray") {
        buildNumpyArray(target, state, limits);
        return;
    }
    target.state = &state;
}

}  // namespace basin::detail
