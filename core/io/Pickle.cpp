// The opcode interpreter of the restricted pickle machine. Opcode meanings
// follow Python's Lib/pickle.py and Lib/pickletools.py (protocols 2-5); the
// text opcodes of protocols 0-1 that torch.save and NumPy never emit are
// refused. Python's unpickler keeps a stack and a "metastack" of MARKs; here
// marks are positions in the one stack, and nothing may pop below the
// innermost mark, exactly as pickle.py's separate lists enforce.

#include "io/Pickle.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "io/detail/PickleGlobals.h"

namespace basin {
namespace {

using Kind = PickleValue::Kind;

// A bounds-checked cursor over the stream.
class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return size_ - pos_; }
    bool atEnd() const { return pos_ >= size_; }

    const std::uint8_t* take(std::uint64_t n) {
        if (n > remaining()) {
            throw std::runtime_error("the stream ends inside an argument (needs " +
                                     std::to_string(n) + " bytes, " + std::to_string(remaining()) +
                                     " left)");
        }
        const std::uint8_t* p = data_ + pos_;
        pos_ += std::size_t(n);
        return p;
    }
    std::uint64_t unsignedLE(int bytes) {
        const std::uint8_t* p = take(std::uint64_t(bytes));
        std::uint64_t v = 0;
        for (int i = bytes; i-- > 0;)
            v = (v << 8) | p[i];
        return v;
    }
    std::string text(std::uint64_t n) {
        const std::uint8_t* p = take(n);
        return std::string(reinterpret_cast<const char*>(p), std::size_t(n));
    }
    // A newline-terminated line (GLOBAL's module and name), without the newline.
    std::string line() {
        const void* nl = std::memchr(data_ + pos_, '\n', remaining());
        if (!nl) throw std::runtime_error("the stream ends inside a GLOBAL name");
        const std::size_t n = std::size_t(static_cast<const std::uint8_t*>(nl) - (data_ + pos_));
        std::string s = text(n);
        ++pos_;
        return s;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

class Machine {
public:
    Machine(PickleDocument& doc, const PersistentLoader& loader, const PickleLimits& limits)
        : doc_(doc), loader_(loader), limits_(limits) {}

    const PickleValue* run(Reader& in);

private:
    PickleValue* make(Kind kind) {
        if (doc_.valueCount() >= limits_.maxValues) {
            throw std::runtime_error("the stream builds more than " +
                                     std::to_string(limits_.maxValues) + " values");
        }
        return doc_.make(kind);
    }
    void push(PickleValue* v) {
        if (stack_.size() + marks_.size() >= limits_.maxStack) {
            throw std::runtime_error("the stack grows beyond " + std::to_string(limits_.maxStack) +
                                     " entries");
        }
        stack_.push_back(v);
    }
    std::size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
    PickleValue* top() {
        if (stack_.size() <= floor()) throw std::runtime_error("stack underflow");
        return stack_.back();
    }
    PickleValue* pop() {
        PickleValue* v = top();
        stack_.pop_back();
        return v;
    }
    // The items pushed since the innermost MARK, which is removed.
    std::vector<PickleValue*> popMark() {
        if (marks_.empty()) throw std::runtime_error("no MARK to pop to");
        const std::size_t at = marks_.back();
        marks_.pop_back();
        std::vector<PickleValue*> items(stack_.begin() + std::ptrdiff_t(at), stack_.end());
        stack_.resize(at);
        return items;
    }
    PickleValue* makeTuple(const std::vector<PickleValue*>& items) {
        PickleValue* t = make(Kind::Tuple);
        t->items.assign(items.begin(), items.end());
        return t;
    }
    PickleValue* makeInt(std::int64_t v) {
        PickleValue* p = make(Kind::Int);
        p->integer = v;
        return p;
    }
    PickleValue* makeText(Kind kind, std::string s) {
        PickleValue* p = make(kind);
        p->text = std::move(s);
        return p;
    }
    // LONG1/LONG4: little-endian two's complement of n bytes.
    PickleValue* makeLong(Reader& in, std::uint64_t n) {
        const std::uint8_t* p = in.take(n);
        if (n > 8) return makeText(Kind::Object, "int (more than 64 bits)");
        std::uint64_t v = 0;
        for (std::uint64_t i = n; i-- > 0;)
            v = (v << 8) | p[i];
        if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~std::uint64_t(0) << (8 * n);
        return makeInt(std::int64_t(v));
    }
    void memoPut(std::uint64_t index) { memo_[index] = top(); }
    PickleValue* memoGet(std::uint64_t index) {
        const auto it = memo_.find(index);
        if (it == memo_.end()) {
            throw std::runtime_error("memo entry " + std::to_string(index) + " was never stored");
        }
        return it->second;
    }
    void setItems(PickleValue* target, const std::vector<PickleValue*>& kv) {
        if (kv.size() % 2) throw std::runtime_error("SETITEMS with an odd number of items");
        if (target->kind != Kind::Dict && target->kind != Kind::Object) {
            throw std::runtime_error("setting items on a value that is not a dict");
        }
        for (std::size_t i = 0; i < kv.size(); i += 2)
            target->entries.emplace_back(kv[i], kv[i + 1]);
    }
    void appendItems(PickleValue* target, const std::vector<PickleValue*>& items, Kind expected) {
        if (target->kind != expected && target->kind != Kind::Object) {
            throw std::runtime_error(expected == Kind::Set
                                         ? "adding items to a value that is not a set"
                                         : "appending to a value that is not a list");
        }
        target->items.insert(target->items.end(), items.begin(), items.end());
    }
    PickleValue* global(const std::string& module, const std::string& name) {
        return makeText(Kind::Global, module + "." + name);
    }
    PickleValue* persistent(const PickleValue& pid) {
        if (!loader_) throw std::runtime_error("a persistent id, but the stream has no archive");
        TypedStorage s = loader_(pid);
        PickleValue* v = make(Kind::Storage);
        v->text = s.record;
        v->tensor.dtype = s.dtype;
        v->tensor.shape = {std::int64_t(s.storage ? s.storage->size() / dtypeSize(s.dtype) : 0)};
        v->tensor.storage = std::move(s.storage);
        return v;
    }
    void step(Reader& in, std::uint8_t op);

    PickleDocument& doc_;
    const PersistentLoader& loader_;
    const PickleLimits& limits_;
    std::vector<PickleValue*> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, PickleValue*> memo_;
    const PickleValue* result_ = nullptr;
};

const PickleValue* Machine::run(Reader& in) {
    while (!result_) {
        if (in.atEnd()) throw std::runtime_error("the stream ends without STOP");
        const std::size_t at = in.position();
        const std::uint8_t op = *in.take(1);
        try {
            step(in, op);
        } catch (const std::exception& e) {
            char code[8];
            std::snprintf(code, sizeof code, "0x%02x", op);
            throw std::runtime_error(std::string(e.what()) + " (opcode " + code + " at byte " +
                                     std::to_string(at) + ")");
        }
    }
    return result_;
}

void Machine::step(Reader& in, std::uint8_t op) {
    switch (op) {
        case 0x80: {  // PROTO
            const int proto = *in.take(1);
            if (proto > 5) throw std::runtime_error("pickle protocol " + std::to_string(proto));
            break;
        }
        case 0x95: {  // FRAME: a length hint for buffered reading
            const std::uint64_t n = in.unsignedLE(8);
            if (n > in.remaining()) throw std::runtime_error("a frame longer than the stream");
            break;
        }
        case '.':  // STOP
            result_ = pop();
            break;
        case '(':  // MARK
            if (stack_.size() + marks_.size() >= limits_.maxStack) {
                throw std::runtime_error("too many nested MARKs");
            }
            marks_.push_back(stack_.size());
            break;
        case '0':  // POP
            pop();
            break;
        case '1':  // POP_MARK
            popMark();
            break;
        case '2':  // DUP
            push(top());
            break;
        case 'N':
            push(make(Kind::None));
            break;
        case 0x88:    // NEWTRUE
        case 0x89: {  // NEWFALSE
            PickleValue* b = make(Kind::Bool);
            b->boolean = op == 0x88;
            push(b);
            break;
        }
        case 'J':  // BININT: signed 32-bit
            push(makeInt(std::int32_t(std::uint32_t(in.unsignedLE(4)))));
            break;
        case 'K':  // BININT1
            push(makeInt(std::int64_t(in.unsignedLE(1))));
            break;
        case 'M':  // BININT2
            push(makeInt(std::int64_t(in.unsignedLE(2))));
            break;
        case 0x8a:  // LONG1
            push(makeLong(in, in.unsignedLE(1)));
            break;
        case 0x8b: {  // LONG4
            const std::int32_t n = std::int32_t(std::uint32_t(in.unsignedLE(4)));
            if (n < 0) throw std::runtime_error("LONG4 with a negative length");
            push(makeLong(in, std::uint64_t(n)));
            break;
        }
        case 'G': {  // BINFLOAT: big-endian IEEE double
            const std::uint8_t* p = in.take(8);
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)
                bits = (bits << 8) | p[i];
            PickleValue* f = make(Kind::Float);
            std::memcpy(&f->number, &bits, 8);
            push(f);
            break;
        }
        case 0x8c:  // SHORT_BINUNICODE
            push(makeText(Kind::String, in.text(in.unsignedLE(1))));
            break;
        case 'X':  // BINUNICODE
            push(makeText(Kind::String, in.text(in.unsignedLE(4))));
            break;
        case 0x8d:  // BINUNICODE8
            push(makeText(Kind::String, in.text(in.unsignedLE(8))));
            break;
        case 'U':  // SHORT_BINSTRING (Python 2 str, read as text)
            push(makeText(Kind::String, in.text(in.unsignedLE(1))));
            break;
        case 'T': {  // BINSTRING
            const std::int32_t n = std::int32_t(std::uint32_t(in.unsignedLE(4)));
            if (n < 0) throw std::runtime_error("BINSTRING with a negative length");
            push(makeText(Kind::String, in.text(std::uint64_t(n))));
            break;
        }
        case 'C':  // SHORT_BINBYTES
            push(makeText(Kind::Bytes, in.text(in.unsignedLE(1))));
            break;
        case 'B':  // BINBYTES
            push(makeText(Kind::Bytes, in.text(in.unsignedLE(4))));
            break;
        case 0x8e:  // BINBYTES8
        case 0x96:  // BYTEARRAY8
            push(makeText(Kind::Bytes, in.text(in.unsignedLE(8))));
            break;
        case ')':
            push(make(Kind::Tuple));
            break;
        case 0x85:    // TUPLE1
        case 0x86:    // TUPLE2
        case 0x87: {  // TUPLE3
            const std::size_t n = std::size_t(op - 0x84);
            std::vector<PickleValue*> items(n);
            for (std::size_t i = n; i-- > 0;)
                items[i] = pop();
            push(makeTuple(items));
            break;
        }
        case 't':  // TUPLE
            push(makeTuple(popMark()));
            break;
        case ']':  // EMPTY_LIST
            push(make(Kind::List));
            break;
        case 'l': {  // LIST
            const auto items = popMark();
            PickleValue* l = make(Kind::List);
            l->items.assign(items.begin(), items.end());
            push(l);
            break;
        }
        case '}':  // EMPTY_DICT
            push(make(Kind::Dict));
            break;
        case 'd': {  // DICT
            const auto kv = popMark();
            PickleValue* d = make(Kind::Dict);
            setItems(d, kv);
            push(d);
            break;
        }
        case 0x8f:  // EMPTY_SET
            push(make(Kind::Set));
            break;
        case 0x91: {  // FROZENSET
            const auto items = popMark();
            PickleValue* s = make(Kind::Set);
            s->items.assign(items.begin(), items.end());
            push(s);
            break;
        }
        case 0x90: {  // ADDITEMS
            const auto items = popMark();
            appendItems(top(), items, Kind::Set);
            break;
        }
        case 'a': {  // APPEND
            PickleValue* item = pop();
            appendItems(top(), {item}, Kind::List);
            break;
        }
        case 'e': {  // APPENDS
            const auto items = popMark();
            appendItems(top(), items, Kind::List);
            break;
        }
        case 's': {  // SETITEM
            PickleValue* value = pop();
            PickleValue* key = pop();
            setItems(top(), {key, value});
            break;
        }
        case 'u': {  // SETITEMS
            const auto kv = popMark();
            setItems(top(), kv);
            break;
        }
        case 'q':  // BINPUT
            memoPut(in.unsignedLE(1));
            break;
        case 'r':  // LONG_BINPUT
            memoPut(in.unsignedLE(4));
            break;
        case 0x94:  // MEMOIZE
            memoPut(memo_.size());
            break;
        case 'h':  // BINGET
            push(memoGet(in.unsignedLE(1)));
            break;
        case 'j':  // LONG_BINGET
            push(memoGet(in.unsignedLE(4)));
            break;
        case 'c': {  // GLOBAL
            const std::string module = in.line();
            const std::string name = in.line();
            push(global(module, name));
            break;
        }
        case 0x93: {  // STACK_GLOBAL
            PickleValue* name = pop();
            PickleValue* module = pop();
            if (name->kind != Kind::String || module->kind != Kind::String) {
                throw std::runtime_error("STACK_GLOBAL needs two strings");
            }
            push(global(module->text, name->text));
            break;
        }
        case 'R': {  // REDUCE: callable(*args), interpreted, never called
            PickleValue* args = pop();
            PickleValue* callable = pop();
            if (args->kind != Kind::Tuple)
                throw std::runtime_error("REDUCE arguments are not a tuple");
            push(detail::applyCallable(doc_, *callable, *args, limits_));
            break;
        }
        case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
            PickleValue* args = pop();
            PickleValue* cls = pop();
            if (args->kind != Kind::Tuple)
                throw std::runtime_error("NEWOBJ arguments are not a tuple");
            push(detail::applyCallable(doc_, *cls, *args, limits_));
            break;
        }
        case 0x92: {  // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs); kwargs are dropped
            pop();
            PickleValue* args = pop();
            PickleValue* cls = pop();
            if (args->kind != Kind::Tuple)
                throw std::runtime_error("NEWOBJ_EX arguments are not a tuple");
            push(detail::applyCallable(doc_, *cls, *args, limits_));
            break;
        }
        case 'b': {  // BUILD
            PickleValue* state = pop();
            detail::applyState(*top(), *state, limits_);
            break;
        }
        case 'Q': {  // BINPERSID
            PickleValue* pid = pop();
            push(persistent(*pid));
            break;
        }
        case 0x82:
        case 0x83:
        case 0x84:
            throw std::runtime_error("the copyreg extension registry is not supported");
        case 0x97:
        case 0x98:
            throw std::runtime_error("out-of-band buffers (protocol 5) are not supported");
        default: {
            char what[64];
            std::snprintf(what, sizeof what, "unknown or unsupported opcode '%c'",
                          op >= 0x20 && op < 0x7f ? char(op) : '?');
            throw std::runtime_error(what);
        }
    }
}

}  // namespace

std::optional<DType> torchStorageDType(const std::string& global) {
    static const std::pair<const char*, DType> known[] = {
        {"torch.FloatStorage", DType::Float32}, {"torch.DoubleStorage", DType::Float64},
        {"torch.HalfStorage", DType::Float16},  {"torch.BFloat16Storage", DType::BFloat16},
        {"torch.LongStorage", DType::Int64},    {"torch.IntStorage", DType::Int32},
        {"torch.ShortStorage", DType::Int16},   {"torch.CharStorage", DType::Int8},
        {"torch.ByteStorage", DType::UInt8},    {"torch.BoolStorage", DType::Bool},
    };
    for (const auto& [name, dtype] : known) {
        if (global == name) return dtype;
    }
    return std::nullopt;
}

PickleDocument parsePickle(const std::uint8_t* data, std::size_t size, const std::string& name,
                           const PersistentLoader& loader, const PickleLimits& limits) {
    PickleDocument doc;
    Reader in(data, size);
    Machine machine(doc, loader, limits);
    try {
        doc.setRoot(machine.run(in));
    } catch (const std::exception& e) {
        throw std::runtime_error(name + ": " + e.what());
    }
    return doc;
}

std::string describePickleValue(const PickleValue& v) {
    switch (v.kind) {
        case Kind::None:
            return "None";
        case Kind::Bool:
            return v.boolean ? "True" : "False";
        case Kind::Int:
            return std::to_string(v.integer);
        case Kind::Float: {
            if (std::isnan(v.number)) return "nan";
            if (std::isinf(v.number)) return v.number > 0 ? "inf" : "-inf";
            char buf[64];
            const auto r = std::to_chars(buf, buf + sizeof buf, v.number);
            std::string s(buf, r.ptr);
            if (s.find_first_of(".e") == std::string::npos) s += ".0";  // as Python prints 1.0
            return s;
        }
        case Kind::String:
            return v.text;
        case Kind::Bytes:
            return std::to_string(v.text.size()) + " bytes";
        case Kind::List:
            return "list of " + std::to_string(v.items.size()) + " items";
        case Kind::Tuple:
            return "tuple of " + std::to_string(v.items.size()) + " items";
        case Kind::Set:
            return "set of " + std::to_string(v.items.size()) + " items";
        case Kind::Dict:
            return "dict of " + std::to_string(v.entries.size()) + " items";
        case Kind::Global:
            return v.text;
        case Kind::Object:
            return "not loaded: " + v.text;
        case Kind::Storage:
            return std::string("storage of ") +
                   std::to_string(v.tensor.shape.empty() ? 0 : v.tensor.shape[0]) + " " +
                   dtypeName(v.tensor.dtype);
        case Kind::Tensor:
            return std::string("tensor ") + dtypeName(v.tensor.dtype) + " " +
                   v.tensor.shapeString();
    }
    return "?";
}

}  // namespace basin
