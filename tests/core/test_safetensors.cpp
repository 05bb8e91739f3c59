// safetensors: round trips for every dtype (views written contiguous), the
// header layout the reference writer produces (8-byte padding, __metadata__),
// files written by hand in Python read by Basin and Basin's files parsed by hand
// in Python, headers that lie, and the strict JSON parser underneath.

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <cstring>
#include <fstream>
#include <functional>

#include "BasinTest.h"
#include "io/Safetensors.h"
#include "util/Json.h"

using namespace basin;

namespace {

const DType kAllDTypes[] = {DType::Float64, DType::Float32, DType::Float16, DType::BFloat16,
                            DType::Int64,   DType::Int32,   DType::Int16,   DType::Int8,
                            DType::UInt8,   DType::Bool};

// A tensor whose bytes are 0, 1, 2, ... (mod 256, bools 0/1): every dtype
// round-trips bit for bit, whatever the bytes mean.
TensorData patterned(DType dtype, std::vector<std::int64_t> shape) {
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    const std::size_t n = std::size_t(t.numel()) * dtypeSize(dtype);
    t.storage = Storage::allocate(n);
    for (std::size_t i = 0; i < n; ++i)
        t.storage->mutableData()[i] = std::uint8_t(dtype == DType::Bool ? i % 2 : i * 7 + 1);
    return t;
}

// The bytes of `t` in row-major order, element by element.
std::vector<std::uint8_t> logicalBytes(const TensorData& t) {
    const std::size_t elem = dtypeSize(t.dtype);
    const auto strides = t.strides.empty() ? t.contiguousStrides() : t.strides;
    std::vector<std::uint8_t> out;
    std::vector<std::int64_t> index(t.shape.size(), 0);
    for (std::int64_t k = 0; k < t.numel(); ++k) {
        std::int64_t offset = t.storageOffset;
        for (std::size_t d = 0; d < t.shape.size(); ++d)
            offset += index[d] * strides[d];
        const std::uint8_t* p = t.storage->data() + std::size_t(offset) * elem;
        out.insert(out.end(), p, p + elem);
        for (std::size_t d = t.shape.size(); d-- > 0;) {
            if (++index[d] < t.shape[d]) break;
            index[d] = 0;
        }
    }
    return out;
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

// A safetensors file from a header text and `dataBytes` bytes of data.
std::vector<std::uint8_t> fileWith(const std::string& header, std::size_t dataBytes,
                                   std::uint64_t declaredLength = UINT64_MAX) {
    const std::uint64_t n = declaredLength == UINT64_MAX ? header.size() : declaredLength;
    std::vector<std::uint8_t> out(8);
    for (int i = 0; i < 8; ++i)
        out[std::size_t(i)] = std::uint8_t(n >> (8 * i));
    out.insert(out.end(), header.begin(), header.end());
    out.resize(out.size() + dataBytes, 0x3f);
    return out;
}

std::string parseError(const std::vector<std::uint8_t>& bytes) {
    return errorOf(
        [&] { parseSafetensors(bytes.data(), bytes.size(), nullptr, "bad.safetensors"); });
}

// Runs tests/core/python/<script> with /usr/bin/python3 (the interpreter with numpy).
bool runPython(const QString& script, const QStringList& args, QString* output) {
    QProcess python;
    python.start("/usr/bin/python3",
                 QStringList{QString(BASIN_SOURCE_DIR "/tests/core/python/") + script} + args);
    if (!python.waitForFinished(120000)) return false;
    *output = QString::fromUtf8(python.readAllStandardOutput()) +
              QString::fromUtf8(python.readAllStandardError());
    return python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0;
}

bool haveNumpy() {
    QProcess python;
    python.start("/usr/bin/python3", {"-c", "import numpy"});
    return python.waitForFinished(60000) && python.exitCode() == 0;
}

// Writes safetensors by hand (json + struct + numpy), the way the reference
// writer lays them out, and prints each tensor's values as float64 lists.
const char* kWriteByHand = "safetensors_write_by_hand.py";

// Parses a Basin-written file by hand and checks it against the pattern.
const char* kCheckByHand = "safetensors_check_basin_file.py";

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripEveryDtype() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("all.safetensors").toStdString();
        std::vector<NamedTensor> tensors;
        for (const DType dtype : kAllDTypes)
            tensors.push_back({std::string("t_") + dtypeName(dtype), patterned(dtype, {2, 3})});
        // A transposed view and a row at an offset are written contiguous.
        TensorData transposed = patterned(DType::Float32, {3, 4});
        transposed.shape = {4, 3};
        transposed.strides = {1, 4};
        TensorData row = patterned(DType::Int16, {3, 4});
        row.shape = {4};
        row.strides = {1};
        row.storageOffset = 8;
        tensors.push_back({"view.transposed", transposed});
        tensors.push_back({"view.row", row});
        tensors.push_back({"scalar", patterned(DType::Float64, {})});
        tensors.push_back({"empty", patterned(DType::Float32, {0, 7})});
        writeSafetensors(path, tensors, {{"format", "pt"}, {"epoch", "3"}});
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"all.safetensors"});

        Checkpoint c = readSafetensors(path);
        QCOMPARE(c.format, CheckpointFormat::Safetensors);
        QCOMPARE(c.path, path);
        QCOMPARE(c.weightRoots, std::vector<std::string>{""});
        QCOMPARE(c.metadata.size(), std::size_t(2));
        QCOMPARE(c.metadata[0], (std::pair<std::string, std::string>{"epoch", "3"}));
        QCOMPARE(c.tensors.size(), tensors.size());
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const NamedTensor& got = c.tensors[i];
            QCOMPARE(got.name, tensors[i].name);
            QCOMPARE(got.tensor.dtype, tensors[i].tensor.dtype);
            QCOMPARE(got.tensor.shape, tensors[i].tensor.shape);
            QVERIFY(got.tensor.isContiguous());
            got.tensor.validate(got.name);
            QCOMPARE(logicalBytes(got.tensor), logicalBytes(tensors[i].tensor));
        }
        // The map outlives the Checkpoint: a tensor keeps it alive.
        TensorData kept = c.tensors[1].tensor;
        const std::vector<std::uint8_t> expected = logicalBytes(kept);
        { const Checkpoint gone = std::move(c); }
        QCOMPARE(logicalBytes(kept), expected);
    }

    void headerLayoutAndFileOrder() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.safetensors").toStdString();
        writeSafetensors(path, {{"b", patterned(DType::UInt8, {3})}});
        std::ifstream in(path, std::ios::binary);
        std::uint64_t n = 0;
        in.read(reinterpret_cast<char*>(&n), 8);
        QCOMPARE(n % 8, std::uint64_t(0));
        // Tensors come out by offset, whatever the header order.
        const std::string header = R"({"second":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},)"
                                   R"("first":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
        const auto bytes = fileWith(header, 4);
        const Checkpoint c = parseSafetensors(bytes.data(), bytes.size(), nullptr, "mem");
        QCOMPARE(c.tensors.at(0).name, std::string("first"));
        QCOMPARE(c.tensors.at(1).name, std::string("second"));
        // Overlapping tensors inside the data area are accepted (read-only map).
        const auto overlap = fileWith(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                      R"("b":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}})",
                                      8);
        QCOMPARE(parseSafetensors(overlap.data(), overlap.size(), nullptr, "m").tensors.size(),
                 std::size_t(2));
        // No tensors: no weight roots.
        const auto none = fileWith(R"({"__metadata__":{"k":"v"}})", 0);
        const Checkpoint empty = parseSafetensors(none.data(), none.size(), nullptr, "m");
        QVERIFY(empty.tensors.empty());
        QVERIFY(empty.weightRoots.empty());
        QCOMPARE(empty.metadata.size(), std::size_t(1));
    }

    void badHeaders_data() {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QString>("needle");
        auto add = [](const char* tag, const std::vector<std::uint8_t>& bytes, const char* needle) {
            QTest::newRow(tag) << QByteArray(reinterpret_cast<const char*>(bytes.data()),
                                             qsizetype(bytes.size()))
                               << QString(needle);
        };
        const std::string ok = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        add("short file", {1, 2, 3}, "too short");
        add("header beyond file", fileWith(ok, 8, 4096), "beyond the end");
        add("header too large", fileWith(ok, 8, 200'000'000), "exceeds the limit");
        add("offsets beyond data", fileWith(ok, 4), "beyond the data area");
        add("lying offsets",
            fileWith(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,1000000]}})", 8),
            "span 1000000");
        add("shape dtype mismatch",
            fileWith(R"({"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", 8),
            "need 16 bytes");
        add("reversed offsets",
            fileWith(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8), "increasing");
        add("unknown dtype",
            fileWith(R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", 8),
            "tensor 'w' has dtype F8_E4M3");
        add("uint16", fileWith(R"({"w":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}})", 8),
            "U16");
        add("huge shape",
            fileWith(
                R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
            "too many elements");
        add("negative dim",
            fileWith(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8),
            "non-negative");
        add("float dim", fileWith(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8),
            "floating-point");
        add("missing offsets", fileWith(R"({"w":{"dtype":"F32","shape":[2]}})", 8), "data_offsets");
        add("not json", fileWith("{nope", 8), "invalid JSON");
        add("not an object", fileWith("[1]", 8), "start with '{'");
        add("trailing garbage", fileWith(ok + "x", 8), "after the top-level value");
        add("duplicate tensor", fileWith(R"({"w":{},"w":{}})", 8), "duplicate key");
        add("metadata not strings", fileWith(R"({"__metadata__":{"epoch":3}})", 0),
            "'epoch' must be a string, not integer");
    }

    void badHeaders() {
        QFETCH(QByteArray, file);
        QFETCH(QString, needle);
        const std::string e = parseError(std::vector<std::uint8_t>(file.begin(), file.end()));
        QVERIFY2(!e.empty(), "no error");
        QVERIFY2(e.find("bad.safetensors") != std::string::npos, e.c_str());
        QVERIFY2(e.find(needle.toStdString()) != std::string::npos, e.c_str());
    }

    void writerRefusesBadInput() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.safetensors").toStdString();
        writeSafetensors(path, {{"a", patterned(DType::Int8, {2})}});
        TensorData broken = patterned(DType::Float32, {2});
        broken.shape = {100};  // larger than its storage
        const std::string e = errorOf([&] { writeSafetensors(path, {{"x", broken}}); });
        QVERIFY2(e.find("'x'") != std::string::npos, e.c_str());
        const std::string dup = errorOf([&] {
            writeSafetensors(
                path, {{"a", patterned(DType::Int8, {1})}, {"a", patterned(DType::Int8, {1})}});
        });
        QVERIFY2(dup.find("two tensors") != std::string::npos, dup.c_str());
        // The old file is intact and no temporary file is left behind.
        QCOMPARE(readSafetensors(path).tensors.at(0).name, std::string("a"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"w.safetensors"});
        const std::string missing = errorOf([] { readSafetensors("/nonexistent/x.safetensors"); });
        QVERIFY2(missing.find("/nonexistent/x.safetensors") != std::string::npos, missing.c_str());
    }

    void jsonParser() {
        using json::Value;
        const Value v = json::parse(
            " {\"s\":\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xc3\xa9\","
            "\"n\":[-9223372036854775808,0,12],\"t\":true,\"f\":false,\"z\":null,\"o\":{}} ",
            "t");
        QCOMPARE(v.find("s")->string,
                 std::string("a\"b\\c/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9"));
        QCOMPARE(v.find("n")->array.at(0).integer, INT64_MIN);
        QCOMPARE(v.find("n")->array.at(2).integer, std::int64_t(12));
        QVERIFY(v.find("t")->boolean);
        QCOMPARE(v.find("z")->kind, Value::Kind::Null);
        QCOMPARE(v.find("o")->kind, Value::Kind::Object);
        QCOMPARE(json::parse(json::quote("x\"\\\n\x01y"), "q").string, std::string("x\"\\\n\x01y"));
        for (const char* bad :
             {"1.5", "1e3", "01", "9223372036854775808", "\"\\ud800\"", "\"\\udc00\"", "\"\\x\"",
              "\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "[1,]", "{\"a\":1,}", "{\"a\" 1}",
              "tru", "[", "\"abc", "{} {}", ""}) {
            QVERIFY2(!errorOf([&] { json::parse(bad, "t"); }).empty(), bad);
        }
        const std::string deep(json::kMaxDepth + 1, '[');
        QVERIFY(errorOf([&] { json::parse(deep, "t"); }).find("deeper") != std::string::npos);
        QVERIFY(errorOf([&] { json::parse("[1,2,3,4]", "t", 3); }).find("limit") !=
                std::string::npos);
    }

    void pythonWrittenFiles() {
        if (!haveNumpy()) QSKIP("/usr/bin/python3 has no numpy");
        QTemporaryDir dir;
        const QString path = dir.filePath("py.safetensors");
        QString out;
        QVERIFY2(runPython(kWriteByHand, {path}, &out), qPrintable(out));
        const QJsonObject expected = QJsonDocument::fromJson(out.toUtf8()).object();
        const Checkpoint c = readSafetensors(path.toStdString());
        QCOMPARE(qsizetype(c.tensors.size()), expected.size());
        QCOMPARE(c.metadata.at(1).second, std::string("caf\xc3\xa9 \xf0\x9f\x98\x80"));
        for (const auto& [name, tensor] : c.tensors) {
            const QJsonObject e = expected[QString::fromStdString(name)].toObject();
            QVERIFY2(!e.isEmpty(), name.c_str());
            std::vector<std::int64_t> shape;
            for (const auto& d : e["shape"].toArray())
                shape.push_back(d.toInteger());
            QCOMPARE(tensor.shape, shape);
            std::vector<double> values;
            for (const auto& x : e["values"].toArray())
                values.push_back(x.toDouble());
            QCOMPARE(tensor.toDoubles(), values);
        }
    }

    void pythonReadsBasinFiles() {
        if (!haveNumpy()) QSKIP("/usr/bin/python3 has no numpy");
        QTemporaryDir dir;
        const std::string path = dir.filePath("basin.safetensors").toStdString();
        std::vector<NamedTensor> tensors;
        for (const DType dtype : kAllDTypes)
            tensors.push_back({std::string("t ") + dtypeName(dtype), patterned(dtype, {3, 1, 2})});
        TensorData transposed = patterned(DType::Float32, {3, 4});
        transposed.shape = {4, 3};
        transposed.strides = {1, 4};
        tensors.push_back({"view F32", transposed});
        writeSafetensors(path, tensors, {{"epoch", "3"}, {"quote\"d", "\xc3\xa9\n"}});
        QString out;
        QVERIFY2(runPython(kCheckByHand, {QString::fromStdString(path)}, &out), qPrintable(out));
        QVERIFY2(out.contains("ok 11"), qPrintable(out));
    }

    // Opening maps the file: the time does not grow with the file's size.
    void openTimeIsIndependentOfSize() {
        QTemporaryDir dir;
        const std::string small = dir.filePath("small.safetensors").toStdString();
        const std::string large = dir.filePath("large.safetensors").toStdString();
        writeSafetensors(small, {{"w", patterned(DType::Float32, {16})}});
        writeSafetensors(large, {{"w", patterned(DType::Float32, {25, 1024, 1024})}});  // 100 MB
        auto openMs = [](const std::string& p) {
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < 20; ++i)
                readSafetensors(p);
            return double(timer.nsecsElapsed()) / 20e6;
        };
        const double smallMs = openMs(small);
        const double largeMs = openMs(large);
        qInfo("safetensors open: 64 B file %.3f ms, 100 MB file %.3f ms", smallMs, largeMs);
        QVERIFY2(largeMs < 50.0, "opening a 100 MB file should not read it");
    }
};

BASIN_TEST_MAIN(TestSafetensors)
#include "test_safetensors.moc"
