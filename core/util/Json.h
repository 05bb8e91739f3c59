#pragma once
// A small strict JSON reader (RFC 8259) for headers of untrusted files
// (safetensors). What it accepts: objects, arrays, strings (all escapes,
// \u surrogate pairs, UTF-8 checked), integers that fit int64, true, false,
// null. What it refuses, with the byte offset: floating-point numbers (no
// header Basin reads needs them), duplicate object keys, nesting deeper than
// kMaxDepth or more values than asked for, anything after the top-level value but whitespace.
//
// Objects keep their members in document order.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basin::json {

constexpr int kMaxDepth = 64;

struct Value {
    enum class Kind { Null, Bool, Integer, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    std::int64_t integer = 0;
    std::string string;
    std::vector<Value> array;
    std::vector<std::pair<std::string, Value>> object;

    // The member named `key` of an object; nullptr when absent or not an object.
    const Value* find(std::string_view key) const;
};

// "object", "array", "string", ... for error messages.
const char* kindName(Value::Kind kind);

// Parses `text`; throws std::runtime_error "<what>: invalid JSON at byte N: ...".
// At most `maxValues` values (each costs about 100 bytes of memory), so a
// hostile text cannot make the tree much larger than a real header would be.
Value parse(std::string_view text, const std::string& what,
            std::size_t maxValues = std::size_t(1) << 21);

// `s` as a JSON string literal, with quotes; control characters escaped.
std::string quote(std::string_view s);

}  // namespace basin::json
