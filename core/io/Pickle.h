#pragma once
// Basin's restricted pickle machine: reads the pickle streams torch.save and
// NumPy write (protocols 2-5) into a tree of plain values, without Python and
// without ever calling or importing anything the stream names.
//
// Python's unpickler calls whatever global a stream names (GLOBAL + REDUCE),
// which is how a .pt file can run code. Here a global is only a name: a few
// well-known ones are *interpreted* (collections.OrderedDict becomes a dict,
// torch._utils._rebuild_tensor_v2 a tensor, numpy's _reconstruct an array,
// _codecs.encode bytes), every other one becomes an opaque Object that only
// remembers its name, its arguments and its state — shown to the user as
// "not loaded: argparse.Namespace". A stream that calls os.system yields an
// Object named "os.system" and nothing else happens.
//
// Values live in an arena owned by the PickleDocument and refer to each other
// by pointer, so the shared and even cyclic references a memo can create
// (a list that contains itself) cost nothing and leak nothing; whoever walks
// the tree must stop at cycles (see CheckpointTree.h).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/TensorData.h"

namespace basin {

struct PickleValue {
    enum class Kind {
        None,
        Bool,
        Int,  // 64-bit; larger Python ints become an Object "int (more than 64 bits)"
        Float,
        String,  // UTF-8 text as the stream holds it
        Bytes,
        List,
        Tuple,
        Set,      // set and frozenset
        Dict,     // dict and collections.OrderedDict, in insertion order
        Global,   // a reference to "module.name" that was not called
        Object,   // an instance of a class Basin does not load: name, args, state
        Storage,  // a torch storage from a persistent id (tensor: dtype, [numel], bytes)
        Tensor,   // a torch tensor or numpy array
    };
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double number = 0;
    // String/Bytes: the contents. Global/Object: "module.name". Storage: the
    // archive record it came from.
    std::string text;
    // List/Tuple/Set: the elements. Object: the arguments it was built with,
    // then any items appended to it.
    std::vector<const PickleValue*> items;
    // Dict: (key, value) in insertion order (a key set twice appears twice;
    // the last one wins). Object: items set on it (dict subclasses).
    std::vector<std::pair<const PickleValue*, const PickleValue*>> entries;
    // Object: the state given by BUILD (argparse.Namespace: a dict), or null.
    const PickleValue* state = nullptr;
    // Tensor and Storage.
    TensorData tensor;

    bool isScalar() const {
        return kind == Kind::None || kind == Kind::Bool || kind == Kind::Int || kind == Kind::Float;
    }
};

// A torch storage resolved from a persistent id: its element type and bytes.
struct TypedStorage {
    DType dtype = DType::UInt8;
    std::shared_ptr<Storage> storage;
    std::string record;  // where it came from, for messages ("archive/data/3")
};

// Resolves a persistent id (torch: ('storage', torch.FloatStorage, key,
// location, numel)) to a storage; throws std::runtime_error when it cannot.
using PersistentLoader = std::function<TypedStorage(const PickleValue& pid)>;

// The element type of a torch storage class ("torch.FloatStorage" → Float32);
// nullopt for anything else.
std::optional<DType> torchStorageDType(const std::string& global);

// Bounds on what one stream may build; a stream that needs more is refused
// with a message instead of exhausting memory.
struct PickleLimits {
    std::size_t maxValues = std::size_t(1) << 23;  // values created
    std::size_t maxStack = std::size_t(1) << 23;   // stack depth plus open MARKs
    int maxTensorDims = 64;
};

// The result of unpickling: the root value and the arena that owns it and
// everything it refers to.
class PickleDocument {
public:
    PickleDocument() : values_(std::make_unique<std::deque<PickleValue>>()) {}
    const PickleValue& root() const { return *root_; }
    std::size_t valueCount() const { return values_->size(); }

    // Used by the interpreter.
    PickleValue* make(PickleValue::Kind kind) {
        values_->emplace_back();
        values_->back().kind = kind;
        return &values_->back();
    }
    void setRoot(const PickleValue* root) { root_ = root; }

private:
    std::unique_ptr<std::deque<PickleValue>> values_;
    const PickleValue* root_ = nullptr;
};

// Runs the stream up to STOP. `name` names the stream in messages
// ("model.pt/archive/data.pkl"); `loader` resolves BINPERSID (without one, a
// persistent id is an error). Throws std::runtime_error with the byte offset
// and opcode for malformed input, unknown opcodes or exceeded limits.
PickleDocument parsePickle(const std::uint8_t* data, std::size_t size, const std::string& name,
                           const PersistentLoader& loader = {}, const PickleLimits& limits = {});

// "not loaded: argparse.Namespace", "3", "0.5", "True", "'text'": one line
// describing a non-container value for people.
std::string describePickleValue(const PickleValue& value);

}  // namespace basin
