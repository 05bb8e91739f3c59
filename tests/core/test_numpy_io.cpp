// .npy/.npz: round trips for every dtype NumPy shares with Basin, views written
// contiguous, files written by real NumPy (all dtypes, Fortran order, 0-d,
// empty, big-endian, version 2.0, savez and savez_compressed) and Basin's files
// read back by np.load, and bad inputs that must give clear errors.

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>

#include "BasinTest.h"
#include "io/Numpy.h"

using namespace basin;

namespace {

const DType kNumpyDTypes[] = {DType::Float64, DType::Float32, DType::Float16,
                              DType::Int64,   DType::Int32,   DType::Int16,
                              DType::Int8,    DType::UInt8,   DType::Bool};

// Values 0..n-1 in `dtype` (bools alternate), C order.
TensorData arange(DType dtype, std::vector<std::int64_t> shape) {
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    const auto n = std::size_t(t.numel());
    t.storage = Storage::allocate(n * dtypeSize(dtype));
    std::uint8_t* p = t.storage->mutableData();
    for (std::size_t i = 0; i < n; ++i) {
        const auto v = std::int64_t(i);
        switch (dtype) {
            case DType::Float64: {
                const double d = double(v);
                std::memcpy(p + 8 * i, &d, 8);
                break;
            }
            case DType::Float32: {
                const float f = float(v);
                std::memcpy(p + 4 * i, &f, 4);
                break;
            }
            case DType::Float16: {  // small integers: exponent and mantissa by hand
                std::uint16_t h = 0;
                if (v > 0) {
                    int e = 0;
                    while ((v >> (e + 1)) > 0)
                        ++e;
                    h = std::uint16_t(((e + 15) << 10) | (((v << 10) >> e) & 0x3ff));
                }
                std::memcpy(p + 2 * i, &h, 2);
                break;
            }
            case DType::BFloat16: {
                const float f = float(v);
                std::uint32_t bits;
                std::memcpy(&bits, &f, 4);
                const auto b = std::uint16_t(bits >> 16);
                std::memcpy(p + 2 * i, &b, 2);
                break;
            }
            case DType::Int64:
                std::memcpy(p + 8 * i, &v, 8);
                break;
            case DType::Int32: {
                const auto x = std::int32_t(v);
                std::memcpy(p + 4 * i, &x, 4);
                break;
            }
            case DType::Int16: {
                const auto x = std::int16_t(v);
                std::memcpy(p + 2 * i, &x, 2);
                break;
            }
            case DType::Int8:
            case DType::UInt8:
                p[i] = std::uint8_t(v);
                break;
            case DType::Bool:
                p[i] = std::uint8_t(v % 2);
                break;
        }
    }
    return t;
}

std::vector<double> expectedArange(DType dtype, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = dtype == DType::Bool ? double(i % 2) : double(i);
    return v;
}

// The transpose of a [3, 4] arange: a non-contiguous view.
TensorData transposed(DType dtype) {
    TensorData t = arange(dtype, {3, 4});
    t.shape = {4, 3};
    t.strides = {1, 4};
    return t;
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

std::vector<std::uint8_t> bytesOf(const std::string& s) {
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

// A .npy with the given dict literal and `dataBytes` zero bytes of data.
std::vector<std::uint8_t> npyWithHeader(const std::string& dict, std::size_t dataBytes) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64)
        header += ' ';
    header += '\n';
    std::string file = "\x93NUMPY";
    file += char(1);
    file += char(0);
    file += char(header.size() & 0xff);
    file += char(header.size() >> 8);
    file += header;
    file.append(dataBytes, '\0');
    return bytesOf(file);
}

// Runs /usr/bin/python3 (the interpreter with numpy) on `script` with `args`.
bool runPython(const QString& script, const QStringList& args, QString* output) {
    QProcess python;
    python.start("/usr/bin/python3", QStringList{"-c", script} + args);
    if (!python.waitForFinished(120000)) return false;
    *output = QString::fromUtf8(python.readAllStandardOutput()) +
              QString::fromUtf8(python.readAllStandardError());
    return python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0;
}

bool haveNumpy() {
    QString out;
    return runPython("import numpy", {}, &out);
}

const char* kWriteFixtures = R"PY(
import json, os, sys, zipfile
import numpy as np
d = sys.argv[1]
expected = {}
def save(name, a, writer=np.save):
    path = os.path.join(d, name + ".npy")
    writer(path, a)
    expected[name] = {"shape": list(a.shape), "dtype": a.dtype.name,
                      "values": np.ascontiguousarray(a).astype(np.float64).ravel().tolist()}
for t in ["f8", "f4", "f2", "i8", "i4", "i2", "i1", "u1"]:
    save("a_" + t, (np.arange(24) - 5).astype(t).reshape(2, 3, 4))
save("a_b1", np.arange(6).reshape(2, 3) % 3 == 0)
save("fortran", np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5))
save("scalar", np.array(3.25))
save("empty", np.zeros((0, 3), dtype=np.float32))
save("vector", np.arange(5, dtype=np.int64))
save("big_f4", np.arange(6, dtype=">f4").reshape(2, 3) - 2.5)
save("big_i8", np.arange(4, dtype=">i8") * -1000000007)
save("big_f2", np.arange(4, dtype=">f2") / 4)
def v2(path, a):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, a, version=(2, 0))
save("version2", np.arange(7, dtype=np.int16), v2)
arrays = {"x": np.arange(12, dtype=np.float32).reshape(3, 4), "y": np.arange(3, dtype=np.int64),
          "mask": np.array([True, False, True]), "zeros": np.zeros(200000, dtype=np.float32)}
np.savez(os.path.join(d, "stored.npz"), **arrays)
np.savez_compressed(os.path.join(d, "compressed.npz"), **arrays)
np.savez(os.path.join(d, "empty.npz"))
expected["npz"] = {k: {"shape": list(v.shape), "sum": float(v.astype(np.float64).sum())}
                   for k, v in arrays.items()}
# A deflated entry whose central and local headers claim a huge size.
with zipfile.ZipFile(os.path.join(d, "bomb.npz"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("x.npy", "w") as f:
        np.save(f, np.zeros(1000, dtype=np.float32))
raw = bytearray(open(os.path.join(d, "bomb.npz"), "rb").read())
huge = (0x7ff00000).to_bytes(4, "little")
raw[22:26] = huge  # local header: uncompressed size
cd = raw.rfind(b"PK\x01\x02")
raw[cd + 24:cd + 28] = huge  # central directory: uncompressed size
open(os.path.join(d, "bomb.npz"), "wb").write(bytes(raw))
# A stored entry lying about its size.
with zipfile.ZipFile(os.path.join(d, "liar.npz"), "w", zipfile.ZIP_STORED) as z:
    with z.open("x.npy", "w") as f:
        np.save(f, np.zeros(10, dtype=np.float32))
raw = bytearray(open(os.path.join(d, "liar.npz"), "rb").read())
cd = raw.rfind(b"PK\x01\x02")
raw[cd + 24:cd + 28] = (1 << 30).to_bytes(4, "little")
raw[22:26] = (1 << 30).to_bytes(4, "little")
open(os.path.join(d, "liar.npz"), "wb").write(bytes(raw))
json.dump(expected, open(os.path.join(d, "expected.json"), "w"))
)PY";

const char* kCheckBasinFiles = R"PY(
import os, sys
import numpy as np
d = sys.argv[1]
def arange(t, shape):
    n = int(np.prod(shape))
    a = np.arange(n) % 2 == 1 if t == "bool" else np.arange(n).astype(t)
    return a.reshape(shape)
for t in ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]:
    a = np.load(os.path.join(d, "basin_" + t + ".npy"))
    assert a.dtype == np.dtype(t), (t, a.dtype)
    assert np.array_equal(a, arange(t, (2, 3, 4))), t
    v = np.load(os.path.join(d, "basin_view_" + t + ".npy"))
    assert np.array_equal(v, arange(t, (3, 4)).T), t
s = np.load(os.path.join(d, "basin_scalar.npy"))
assert s.shape == () and s == 0.0
e = np.load(os.path.join(d, "basin_empty.npy"))
assert e.shape == (0, 3) and e.dtype == np.float32
with np.load(os.path.join(d, "basin.npz")) as z:
    assert sorted(z.files) == ["t", "x", "y"], z.files
    assert np.array_equal(z["x"], arange("float32", (2, 3)))
    assert np.array_equal(z["y"], arange("int64", (4,)))
    assert np.array_equal(z["t"], arange("float64", (3, 4)).T)
with np.load(os.path.join(d, "basin_empty.npz")) as z:
    assert z.files == []
print("ok")
)PY";

}  // namespace

class TestNumpyIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void npyRoundTripEveryDtype() {
        QTemporaryDir dir;
        for (const DType dtype : kNumpyDTypes) {
            const QString path = dir.filePath(QString("a_%1.npy").arg(dtypeName(dtype)));
            writeNpy(path.toStdString(), arange(dtype, {2, 3, 4}));
            const TensorData back = readNpy(path.toStdString());
            QCOMPARE(back.dtype, dtype);
            QCOMPARE(back.shape, (std::vector<std::int64_t>{2, 3, 4}));
            QVERIFY(back.isContiguous());
            QCOMPARE(back.toDoubles(), expectedArange(dtype, 24));
            // A transposed view is written in its logical (row-major) order.
            writeNpy(path.toStdString(), transposed(dtype));
            const TensorData view = readNpy(path.toStdString());
            QCOMPARE(view.shape, (std::vector<std::int64_t>{4, 3}));
            QCOMPARE(view.toDoubles(), transposed(dtype).toDoubles());
        }
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), qsizetype(9));  // no temp files
    }

    void npyScalarEmptyAndInMemory() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("s.npy").toStdString();
        writeNpy(path, arange(DType::Float32, {}));
        const TensorData scalar = readNpy(path);
        QVERIFY(scalar.shape.empty());
        QCOMPARE(scalar.toDoubles(), std::vector<double>{0.0});
        writeNpy(path, arange(DType::Int32, {0, 3}));
        const TensorData empty = readNpy(path);
        QCOMPARE(empty.shape, (std::vector<std::int64_t>{0, 3}));
        QCOMPARE(empty.numel(), std::int64_t(0));
        // parseNpy copies from the caller's bytes; header is padded to 64 bytes.
        std::ifstream in(path, std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
        QCOMPARE(bytes.size() % 64, std::size_t(0));
        const TensorData parsed =
            parseNpy(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "mem");
        QCOMPARE(parsed.shape, empty.shape);
    }

    void bfloat16IsRefusedClearly() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("b.npy").toStdString();
        const std::string e = errorOf([&] { writeNpy(path, arange(DType::BFloat16, {2})); });
        QVERIFY2(e.find("bfloat16") != std::string::npos, e.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
    }

    void npzRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.npz").toStdString();
        writeNpz(path, {{"x", arange(DType::Float32, {2, 3})},
                        {"y", arange(DType::Int64, {4})},
                        {"t", transposed(DType::Float64)}});
        const auto arrays = readNpz(path);
        QCOMPARE(arrays.size(), std::size_t(3));
        QCOMPARE(arrays[0].name, std::string("x"));
        QCOMPARE(arrays[1].name, std::string("y"));
        QCOMPARE(arrays[2].name, std::string("t"));
        QCOMPARE(arrays[0].tensor.toDoubles(), expectedArange(DType::Float32, 6));
        QCOMPARE(arrays[2].tensor.toDoubles(), transposed(DType::Float64).toDoubles());
        writeNpz(path, {});
        QVERIFY(readNpz(path).empty());
        const std::string dup = errorOf([&] {
            writeNpz(path, {{"x", arange(DType::Float32, {1})}, {"x", arange(DType::Int8, {1})}});
        });
        QVERIFY2(dup.find("'x'") != std::string::npos, dup.c_str());
    }

    void badNpyInputs() {
        auto parseError = [](const std::vector<std::uint8_t>& bytes) {
            return errorOf([&] { parseNpy(bytes.data(), bytes.size(), "bad.npy"); });
        };
        auto expectError = [&](const std::vector<std::uint8_t>& bytes, const char* needle) {
            const std::string e = parseError(bytes);
            QVERIFY2(e.find("bad.npy") != std::string::npos, e.c_str());
            QVERIFY2(e.find(needle) != std::string::npos, (needle + (" not in: " + e)).c_str());
        };
        const std::string good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        QVERIFY(parseError(npyWithHeader(good, 24)).empty());
        // Truncated data, truncated header, trailing bytes, no magic.
        expectError(npyWithHeader(good, 20), "truncated");
        auto cut = npyWithHeader(good, 24);
        cut.resize(30);
        expectError(cut, "beyond");
        expectError(npyWithHeader(good, 28), "needs 24 bytes");
        expectError(bytesOf("PK\3\4 not numpy"), "magic");
        expectError(bytesOf(""), "magic");
        // Bad dict literals.
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False}", 0), "'shape'");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}", 4),
                    "True or False");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", 12),
                    "not a tuple");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", 0),
                    "non-negative");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), "
                                  "'shape': ()}",
                                  4),
                    "twice");
        expectError(
            npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4),
            "unexpected key");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': ()} junk", 4),
                    "after the dict");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8),
                    "bad header");
        expectError(
            npyWithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", 4),
            "structured");
        expectError(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                  "(99999999999, 99999999999, 99999999999)}",
                                  0),
                    "too many elements");
        // Unsupported dtypes name the dtype.
        for (const char* descr : {"<u2", "<c8", "|O", "<U3", "<f16", "<M8[s]"}) {
            expectError(npyWithHeader(std::string("{'descr': '") + descr +
                                          "', 'fortran_order': False, 'shape': ()}",
                                      0),
                        descr);
        }
    }

    void npyFromNumpy() {
        if (!haveNumpy()) QSKIP("/usr/bin/python3 has no numpy");
        QTemporaryDir dir;
        QString out;
        QVERIFY2(runPython(kWriteFixtures, {dir.path()}, &out), qPrintable(out));
        QFile file(dir.filePath("expected.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject expected = QJsonDocument::fromJson(file.readAll()).object();
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            if (it.key() == "npz") continue;
            const QJsonObject e = it.value().toObject();
            const TensorData a = readNpy(dir.filePath(it.key() + ".npy").toStdString());
            std::vector<std::int64_t> shape;
            for (const auto& d : e["shape"].toArray())
                shape.push_back(d.toInteger());
            QCOMPARE(a.shape, shape);
            QCOMPARE(QString(dtypeName(a.dtype)), e["dtype"].toString());
            std::vector<double> values;
            for (const auto& v : e["values"].toArray())
                values.push_back(v.toDouble());
            QCOMPARE(a.toDoubles(), values);
        }
        // Fortran order: column-major strides over the file's bytes, no copy.
        const TensorData f = readNpy(dir.filePath("fortran.npy").toStdString());
        QCOMPARE(f.strides, (std::vector<std::int64_t>{1, 3}));

        for (const char* name : {"stored.npz", "compressed.npz"}) {
            const auto arrays = readNpz(dir.filePath(name).toStdString());
            const QJsonObject npz = expected["npz"].toObject();
            QCOMPARE(qsizetype(arrays.size()), npz.size());
            for (const auto& [key, array] : arrays) {
                const QJsonObject e = npz[QString::fromStdString(key)].toObject();
                QVERIFY2(!e.isEmpty(), key.c_str());
                double sum = 0;
                for (const double v : array.toDoubles())
                    sum += v;
                QCOMPARE(sum, e["sum"].toDouble());
                QCOMPARE(qsizetype(array.shape.size()), e["shape"].toArray().size());
            }
        }
        QVERIFY(readNpz(dir.filePath("empty.npz").toStdString()).empty());
        // A deflated entry claiming ~2 GB from a few bytes, a stored entry
        // claiming 1 GB: refused before any large allocation.
        const std::string bomb = errorOf([&] { readNpz(dir.filePath("bomb.npz").toStdString()); });
        QVERIFY2(bomb.find("bomb.npz") != std::string::npos, bomb.c_str());
        QVERIFY2(bomb.find("zip bomb") != std::string::npos ||
                     bomb.find("not a readable zip") != std::string::npos,
                 bomb.c_str());
        const std::string liar = errorOf([&] { readNpz(dir.filePath("liar.npz").toStdString()); });
        QVERIFY2(liar.find("liar.npz") != std::string::npos, liar.c_str());
        qInfo("bomb: %s\nliar: %s", bomb.c_str(), liar.c_str());
    }

    void numpyReadsBasinFiles() {
        if (!haveNumpy()) QSKIP("/usr/bin/python3 has no numpy");
        QTemporaryDir dir;
        for (const DType dtype : kNumpyDTypes) {
            writeNpy(dir.filePath(QString("basin_%1.npy").arg(dtypeName(dtype))).toStdString(),
                     arange(dtype, {2, 3, 4}));
            writeNpy(dir.filePath(QString("basin_view_%1.npy").arg(dtypeName(dtype))).toStdString(),
                     transposed(dtype));
        }
        writeNpy(dir.filePath("basin_scalar.npy").toStdString(), arange(DType::Float64, {}));
        writeNpy(dir.filePath("basin_empty.npy").toStdString(), arange(DType::Float32, {0, 3}));
        writeNpz(dir.filePath("basin.npz").toStdString(), {{"x", arange(DType::Float32, {2, 3})},
                                                           {"y", arange(DType::Int64, {4})},
                                                           {"t", transposed(DType::Float64)}});
        writeNpz(dir.filePath("basin_empty.npz").toStdString(), {});
        QString out;
        QVERIFY2(runPython(kCheckBasinFiles, {dir.path()}, &out), qPrintable(out));
        QVERIFY2(out.contains("ok"), qPrintable(out));
    }
};

BASIN_TEST_MAIN(TestNumpyIo)
#include "test_numpy_io.moc"
