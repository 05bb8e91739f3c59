#include "io/detail/NpyHeader.h"

#include <cstring>
#include <stdexcept>
#include <string_view>

#include "io/detail/TensorBytes.h"

namespace basin::detail {
namespace {

constexpr std::size_t kMaxHeaderBytes = 65536;  // real headers are < 1 KB
constexpr std::size_t kMaxDimensions = 64;
constexpr char kMagic[] = "\x93NUMPY";

struct Descr {
    const char* code;  // type character and size, after the byte-order mark
    DType dtype;
};
constexpr Descr kDescrs[] = {
    {"f8", DType::Float64}, {"f4", DType::Float32}, {"f2", DType::Float16},
    {"i8", DType::Int64},   {"i4", DType::Int32},   {"i2", DType::Int16},
    {"i1", DType::Int8},    {"u1", DType::UInt8},   {"b1", DType::Bool},
};

// A recursive-descent reader for the dict literal.
class Literal {
public:
    Literal(std::string_view text, const std::string& what) : text_(text), what_(what) {}

    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error(what_ + ": bad header at character " + std::to_string(pos_) +
                                 ": " + why + " (header: " + std::string(text_.substr(0, 200)) +
                                 ")");
    }

    void skipSpace() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                       text_[pos_] == '\t' || text_[pos_] == '\r'))
            ++pos_;
    }
    char peek() {
        skipSpace();
        return pos_ < text_.size() ? text_[pos_] : '\0';
    }
    bool accept(char c) {
        if (peek() != c || pos_ >= text_.size()) return false;
        ++pos_;
        return true;
    }
    void expect(char c, const char* what) {
        if (!accept(c)) fail(std::string("expected ") + what);
    }
    bool atEnd() {
        skipSpace();
        return pos_ >= text_.size();
    }

    std::string string() {
        const char quote = peek();
        if (quote != '\'' && quote != '"') fail("expected a quoted string");
        ++pos_;
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != quote) {
            if (text_[pos_] == '\\' || text_[pos_] == '\n') fail("unsupported character in string");
            ++pos_;
        }
        if (pos_ >= text_.size()) fail("unterminated string");
        return std::string(text_.substr(start, pos_++ - start));
    }

    bool boolean() {
        skipSpace();
        if (text_.substr(pos_, 4) == "True") {
            pos_ += 4;
            return true;
        }
        if (text_.substr(pos_, 5) == "False") {
            pos_ += 5;
            return false;
        }
        fail("expected True or False");
    }

    std::int64_t integer() {
        skipSpace();
        if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
            fail("expected a non-negative integer");
        }
        std::int64_t value = 0;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            const int digit = text_[pos_++] - '0';
            if (value > (INT64_MAX - digit) / 10) fail("dimension out of range");
            value = value * 10 + digit;
        }
        if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long
        return value;
    }

    // "()", "(n,)", "(n, m)", "(n, m,)"
    std::vector<std::int64_t> tuple() {
        expect('(', "a shape tuple");
        std::vector<std::int64_t> items;
        if (accept(')')) return items;
        for (;;) {
            if (items.size() >= kMaxDimensions) {
                fail("more than " + std::to_string(kMaxDimensions) + " dimensions");
            }
            items.push_back(integer());
            if (accept(')')) {
                if (items.size() == 1) fail("'(n)' is not a tuple; write '(n,)'");
                return items;
            }
            expect(',', "',' or ')' in the shape");
            if (accept(')')) return items;
        }
    }

private:
    std::string_view text_;
    const std::string& what_;
    std::size_t pos_ = 0;
};

void parseDescr(const std::string& descr, NpyHeader& header, const std::string& what) {
    const char order = descr.empty() ? '\0' : descr[0];
    if (order == '<' || order == '>' || order == '|' || order == '=') {
        const std::string code = descr.substr(1);
        for (const auto& d : kDescrs) {
            if (code == d.code) {
                header.dtype = d.dtype;
                // '=' and '|' mean native order; Basin runs little-endian only.
                header.bigEndian = order == '>' && dtypeSize(d.dtype) > 1;
                return;
            }
        }
    }
    throw std::runtime_error(what + ": dtype '" + descr +
                             "' is not supported (Basin reads float16/32/64, int8/16/32/64, uint8 "
                             "and bool arrays)");
}

std::uint32_t readLe(const std::uint8_t* p, int bytes) {
    std::uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

}  // namespace

NpyHeader parseNpyHeader(const std::uint8_t* data, std::size_t size, const std::string& what) {
    auto fail = [&](const std::string& why) { throw std::runtime_error(what + ": " + why); };
    if (size < 10 || std::memcmp(data, kMagic, 6) != 0) {
        fail("not a NumPy .npy file (no \\x93NUMPY magic)");
    }
    const int major = data[6];
    const int minor = data[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
        fail("unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor));
    }
    const int lengthBytes = major == 1 ? 2 : 4;
    const std::size_t prefix = 8 + std::size_t(lengthBytes);
    if (size < prefix) fail("truncated before the header length");
    const std::uint32_t headerBytes = readLe(data + 8, lengthBytes);
    if (headerBytes > kMaxHeaderBytes) {
        fail("header length " + std::to_string(headerBytes) + " exceeds the limit of " +
             std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (headerBytes > size - prefix) {
        fail("header length " + std::to_string(headerBytes) + " reaches beyond the " +
             std::to_string(size) + " bytes available");
    }
    Literal literal(std::string_view(reinterpret_cast<const char*>(data + prefix), headerBytes),
                    what);
    NpyHeader header;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    literal.expect('{', "'{'");
    while (!literal.accept('}')) {
        const std::string key = literal.string();
        literal.expect(':', "':' after a key");
        bool* seen = nullptr;
        if (key == "descr") {
            if (literal.peek() == '[') literal.fail("structured (record) dtypes are not supported");
            parseDescr(literal.string(), header, what);
            seen = &haveDescr;
        } else if (key == "fortran_order") {
            header.fortranOrder = literal.boolean();
            seen = &haveOrder;
        } else if (key == "shape") {
            header.shape = literal.tuple();
            seen = &haveShape;
        } else {
            literal.fail("unexpected key '" + key + "'");
        }
        if (*seen) literal.fail("key '" + key + "' appears twice");
        *seen = true;
        if (!literal.accept(',')) {
            literal.expect('}', "',' or '}'");
            break;
        }
    }
    if (!literal.atEnd()) literal.fail("unexpected text after the dict");
    if (!haveDescr || !haveOrder || !haveShape) {
        literal.fail("the dict needs the keys 'descr', 'fortran_order' and 'shape'");
    }
    std::uint64_t count = 0;
    const std::uint64_t elem = dtypeSize(header.dtype);
    if (!elementCount(header.shape, count) || count > UINT64_MAX / elem) {
        fail("shape has too many elements");
    }
    header.dataOffset = prefix + headerBytes;
    header.dataBytes = count * elem;
    return header;
}

std::string formatNpyHeader(DType dtype, const std::vector<std::int64_t>& shape,
                            const std::string& what) {
    const char* descr = nullptr;
    switch (dtype) {
        case DType::Float64:
            descr = "<f8";
            break;
        case DType::Float32:
            descr = "<f4";
            break;
        case DType::Float16:
            descr = "<f2";
            break;
        case DType::Int64:
            descr = "<i8";
            break;
        case DType::Int32:
            descr = "<i4";
            break;
        case DType::Int16:
            descr = "<i2";
            break;
        case DType::Int8:
            descr = "|i1";
            break;
        case DType::UInt8:
            descr = "|u1";
            break;
        case DType::Bool:
            descr = "|b1";
            break;
        case DType::BFloat16:
            throw std::runtime_error(what +
                                     ": NumPy has no bfloat16 dtype; convert the array to "
                                     "float32 before saving it as .npy");
    }
    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i)
        dict += (i ? ", " : "") + std::to_string(shape[i]);
    dict += shape.size() == 1 ? ",), }" : "), }";
    // Magic, version, length, dict, spaces, '\n': a multiple of 64 bytes.
    const bool version2 = 10 + dict.size() + 1 > 65535;
    const std::size_t prefix = version2 ? 12 : 10;
    const std::size_t padded = (prefix + dict.size() + 1 + 63) / 64 * 64;
    dict.append(padded - prefix - dict.size() - 1, ' ');
    dict += '\n';
    std::string out(kMagic, 6);
    out += char(version2 ? 2 : 1);
    out += char(0);
    const std::size_t length = dict.size();
    for (std::size_t i = 0; i < prefix - 8; ++i)
        out += char((length >> (8 * i)) & 0xff);
    out += dict;
    return out;
}

}  // namespace basin::detail
