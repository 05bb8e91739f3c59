#include "util/Json.h"

#include <stdexcept>
#include <unordered_set>

namespace basin::json {
namespace {

class Parser {
public:
    Parser(std::string_view text, const std::string& what, std::size_t maxValues)
        : text_(text), what_(what), valuesLeft_(maxValues) {}

    Value document() {
        skipSpace();
        Value v = value(0);
        skipSpace();
        if (pos_ != text_.size()) fail("unexpected content after the top-level value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error(what_ + ": invalid JSON at byte " + std::to_string(pos_) + ": " +
                                 why);
    }

    bool atEnd() const { return pos_ >= text_.size(); }
    char peek() const { return atEnd() ? '\0' : text_[pos_]; }

    void skipSpace() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
    }

    void expect(char c) {
        if (peek() != c || atEnd()) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    void literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) fail("unknown literal");
        pos_ += word.size();
    }

    Value value(int depth) {
        if (depth >= kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
        if (atEnd()) fail("unexpected end of text");
        if (valuesLeft_ == 0) fail("more values than the limit of this reader");
        --valuesLeft_;
        Value v;
        switch (peek()) {
            case '{':
                v.kind = Value::Kind::Object;
                parseObject(v, depth);
                break;
            case '[':
                v.kind = Value::Kind::Array;
                parseArray(v, depth);
                break;
            case '"':
                v.kind = Value::Kind::String;
                v.string = string();
                break;
            case 't':
                literal("true");
                v.kind = Value::Kind::Bool;
                v.boolean = true;
                break;
            case 'f':
                literal("false");
                v.kind = Value::Kind::Bool;
                break;
            case 'n':
                literal("null");
                break;
            default:
                v.kind = Value::Kind::Integer;
                v.integer = integer();
        }
        return v;
    }

    void parseObject(Value& v, int depth) {
        std::unordered_set<std::string> keys;
        expect('{');
        skipSpace();
        if (peek() == '}') {
            ++pos_;
            return;
        }
        for (;;) {
            skipSpace();
            if (peek() != '"') fail("expected a string key");
            std::string key = string();
            if (!keys.insert(key).second) fail("duplicate key \"" + key + "\"");
            skipSpace();
            expect(':');
            skipSpace();
            Value member = value(depth + 1);
            v.object.emplace_back(std::move(key), std::move(member));
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect('}');
            return;
        }
    }

    void parseArray(Value& v, int depth) {
        expect('[');
        skipSpace();
        if (peek() == ']') {
            ++pos_;
            return;
        }
        for (;;) {
            skipSpace();
            v.array.push_back(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect(']');
            return;
        }
    }

    // -?(0|[1-9][0-9]*), refusing fractions and exponents.
    std::int64_t integer() {
        const bool negative = peek() == '-';
        if (negative) ++pos_;
        if (atEnd() || peek() < '0' || peek() > '9') fail("expected a value");
        if (peek() == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' &&
            text_[pos_ + 1] <= '9') {
            fail("leading zeros are not allowed");
        }
        // Accumulate as a negative number so that INT64_MIN fits.
        std::int64_t value = 0;
        while (!atEnd() && peek() >= '0' && peek() <= '9') {
            const int digit = peek() - '0';
            if (value < (INT64_MIN + digit) / 10) fail("integer out of range");
            value = value * 10 - digit;
            ++pos_;
        }
        if (peek() == '.' || peek() == 'e' || peek() == 'E') {
            fail("floating-point numbers are not supported here");
        }
        if (!negative) {
            if (value == INT64_MIN) fail("integer out of range");
            value = -value;
        }
        return value;
    }

    unsigned hex4() {
        if (text_.size() - pos_ < 4) fail("truncated \\u escape");
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_++];
            code <<= 4;
            if (c >= '0' && c <= '9') {
                code |= unsigned(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                code |= unsigned(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                code |= unsigned(c - 'A' + 10);
            } else {
                fail("bad hex digit in \\u escape");
            }
        }
        return code;
    }

    static void appendUtf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += char(code);
        } else if (code < 0x800) {
            out += char(0xc0 | (code >> 6));
            out += char(0x80 | (code & 0x3f));
        } else if (code < 0x10000) {
            out += char(0xe0 | (code >> 12));
            out += char(0x80 | ((code >> 6) & 0x3f));
            out += char(0x80 | (code & 0x3f));
        } else {
            out += char(0xf0 | (code >> 18));
            out += char(0x80 | ((code >> 12) & 0x3f));
            out += char(0x80 | ((code >> 6) & 0x3f));
            out += char(0x80 | (code & 0x3f));
        }
    }

    // One raw UTF-8 sequence starting at pos_, checked (no overlongs, no
    // surrogates, at most U+10FFFF), copied to `out`.
    void utf8Sequence(std::string& out) {
        const auto byte = [&](std::size_t i) { return std::uint8_t(text_[pos_ + i]); };
        const std::uint8_t lead = byte(0);
        std::size_t length = 0;
        unsigned code = 0;
        if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
            code = lead & 0x1f;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            code = lead & 0x0f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            code = lead & 0x07;
        } else {
            fail("invalid UTF-8");
        }
        if (text_.size() - pos_ < length) fail("truncated UTF-8 sequence");
        for (std::size_t i = 1; i < length; ++i) {
            if ((byte(i) & 0xc0) != 0x80) fail("invalid UTF-8");
            code = (code << 6) | (byte(i) & 0x3f);
        }
        const unsigned minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
        if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            fail("invalid UTF-8");
        }
        out.append(text_.substr(pos_, length));
        pos_ += length;
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (atEnd()) fail("unterminated string");
            const char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (std::uint8_t(c) < 0x20) fail("control character in string");
            if (std::uint8_t(c) >= 0x80) {
                utf8Sequence(out);
                continue;
            }
            ++pos_;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (atEnd()) fail("unterminated escape");
            const char e = text_[pos_++];
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned code = hex4();
                    if (code >= 0xdc00 && code <= 0xdfff) fail("unpaired low surrogate");
                    if (code >= 0xd800 && code <= 0xdbff) {
                        if (text_.substr(pos_, 2) != "\\u") fail("unpaired high surrogate");
                        pos_ += 2;
                        const unsigned low = hex4();
                        if (low < 0xdc00 || low > 0xdfff) fail("unpaired high surrogate");
                        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    }
                    appendUtf8(out, code);
                    break;
                }
                default:
                    fail("unknown escape");
            }
        }
    }

    std::string_view text_;
    const std::string& what_;
    std::size_t pos_ = 0;
    std::size_t valuesLeft_;
};

}  // namespace

const Value* Value::find(std::string_view key) const {
    for (const auto& member : object) {
        if (member.first == key) return &member.second;
    }
    return nullptr;
}

const char* kindName(Value::Kind kind) {
    switch (kind) {
        case Value::Kind::Null:
            return "null";
        case Value::Kind::Bool:
            return "boolean";
        case Value::Kind::Integer:
            return "integer";
        case Value::Kind::String:
            return "string";
        case Value::Kind::Array:
            return "array";
        case Value::Kind::Object:
            return "object";
    }
    return "value";
}

Value parse(std::string_view text, const std::string& what, std::size_t maxValues) {
    return Parser(text, what, maxValues).document();
}

std::string quote(std::string_view s) {
    static const char* hex = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : s) {
        const auto u = std::uint8_t(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

}  // namespace basin::json
