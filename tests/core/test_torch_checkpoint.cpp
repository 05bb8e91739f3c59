// Reading torch.save checkpoints without libtorch: the restricted pickle
// machine on hand-assembled streams (every opcode, the memo, errors), and
// loadCheckpoint on files written at test time by real PyTorch
// (tests/core/fixtures/torch_checkpoints.py), compared with what PyTorch
// reports about them in expected.json.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <cmath>
#include <cstring>

#include "BasinTest.h"
#include "io/Checkpoint.h"
#include "io/CheckpointTree.h"
#include "io/Pickle.h"
#include "io/TorchZip.h"

using namespace basin;
using namespace std::string_literals;
using Kind = PickleValue::Kind;

namespace {

PickleDocument unpickle(const std::string& bytes, const PersistentLoader& loader = {}) {
    return parsePickle(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                       "test.pkl", loader);
}

// The error message parsePickle gives, or "" when it succeeds.
QString pickleError(const std::string& bytes, const PersistentLoader& loader = {}) {
    try {
        unpickle(bytes, loader);
    } catch (const std::runtime_error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString loadError(const QString& path) {
    try {
        loadCheckpoint(path.toStdString());
    } catch (const std::runtime_error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// A loader that serves one float32 storage of six elements, 0..5, for any key.
TypedStorage sixFloats(const PickleValue&) {
    auto s = Storage::allocate(6 * sizeof(float));
    for (int i = 0; i < 6; ++i) {
        const float v = float(i);
        std::memcpy(s->mutableData() + i * sizeof(float), &v, sizeof v);
    }
    return {DType::Float32, s, "archive/data/0"};
}

// _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 6) , 0, size, stride, False, ())
std::string tensorPickle(const std::string& size, const std::string& stride) {
    return "\x80\x02"
           "ctorch._utils\n_rebuild_tensor_v2\n"
           "((X\x07\x00\x00\x00storage"
           "ctorch\nFloatStorage\n"
           "X\x01\x00\x00\x00"
           "0"
           "X\x03\x00\x00\x00"
           "cpuK\x06tQ"
           "K\x00"s +
           size + stride + "\x89)tR."s;
}

}  // namespace

class TestTorchCheckpoint : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QJsonObject expected_;
    bool haveFixtures_ = false;

    QString fixture(const char* name) const { return dir_.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QProcess python;
        python.start("/usr/bin/python3",
                     {QStringLiteral(BASIN_SOURCE_DIR "/tests/core/fixtures/torch_checkpoints.py"),
                      dir_.path()});
        QVERIFY(python.waitForFinished(240000));
        if (python.exitCode() == 77) return;  // no PyTorch: the interop tests skip
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QFile f(fixture("expected.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        expected_ = QJsonDocument::fromJson(f.readAll()).object();
        haveFixtures_ = true;
    }

    // --- the pickle machine on hand-assembled streams ---------------------

    void scalars() {
        // [None, True, False, -2, 255, 65535, LONG1 -129, LONG1 2^63-1, LONG1 9 bytes, 1.5]
        const auto doc = unpickle(
            "\x80\x02(N\x88\x89J\xfe\xff\xff\xffK\xffM\xff\xff"
            "\x8a\x02\x7f\xff"
            "\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f"
            "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01"
            "G\x3f\xf8\x00\x00\x00\x00\x00\x00"
            "l."s);
        const PickleValue& l = doc.root();
        QCOMPARE(int(l.kind), int(Kind::List));
        QCOMPARE(l.items.size(), std::size_t(10));
        QCOMPARE(int(l.items[0]->kind), int(Kind::None));
        QVERIFY(l.items[1]->boolean && !l.items[2]->boolean);
        QCOMPARE(l.items[3]->integer, std::int64_t(-2));
        QCOMPARE(l.items[4]->integer, std::int64_t(255));
        QCOMPARE(l.items[5]->integer, std::int64_t(65535));
        QCOMPARE(l.items[6]->integer, std::int64_t(-129));
        QCOMPARE(l.items[7]->integer, std::int64_t(INT64_MAX));
        QCOMPARE(describePickleValue(*l.items[8]),
                 std::string("not loaded: int (more than 64 bits)"));
        QCOMPARE(l.items[9]->number, 1.5);
        QCOMPARE(describePickleValue(*l.items[9]), std::string("1.5"));
    }

    void stringsAndBytes() {
        const auto doc = unpickle(
            "\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00"
            "(\x8c\x02hiX\x03\x00\x00\x00"
            "abc"
            "\x8d\x01\x00\x00\x00\x00\x00\x00\x00z"
            "C\x01\x00"
            "B\x02\x00\x00\x00xy"
            "\x8e\x01\x00\x00\x00\x00\x00\x00\x00q"
            "\x96\x00\x00\x00\x00\x00\x00\x00\x00"
            "c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1\x86R"
            "t."s);
        const PickleValue& t = doc.root();
        QCOMPARE(int(t.kind), int(Kind::Tuple));
        QCOMPARE(t.items.size(), std::size_t(8));
        QCOMPARE(t.items[0]->text, "hi"s);
        QCOMPARE(t.items[1]->text, "abc"s);
        QCOMPARE(t.items[2]->text, "z"s);
        QCOMPARE(int(t.items[3]->kind), int(Kind::Bytes));
        QCOMPARE(t.items[3]->text, "\x00"s);
        QCOMPARE(t.items[4]->text, "xy"s);
        QCOMPARE(t.items[5]->text, "q"s);
        QCOMPARE(t.items[6]->text, ""s);
        QCOMPARE(t.items[7]->text, "\xe9"s);  // U+00E9 as one Latin-1 byte
    }

    void containersAndMemo() {
        // d = {'a': [1, 2, 3] (memo 1), 'b': ((a, (1, 2), {4}),) via MEMOIZE/BINGET/POP,
        //      'c': ((), ()) after POP_MARK and DUP, 'd': {'k': 7}, 'e': frozenset({5})}
        const auto doc = unpickle(
            "\x80\x02}q\x00(X\x01\x00\x00\x00"
            "a"
            "]r\x01\x00\x00\x00K\x01"
            "a(K\x02K\x03"
            "e"
            "X\x01\x00\x00\x00"
            "b"
            "j\x01\x00\x00\x00"
            "K\x01K\x02\x86"
            "\x8f(K\x04\x90"
            "\x87"
            "\x94"
            "h\x02"
            "0"
            "\x85"
            "u"
            "X\x01\x00\x00\x00"
            "c"
            "(K\x09\x31"
            ")"
            "2"
            "\x86"
            "s"
            "X\x01\x00\x00\x00"
            "d"
            "(X\x01\x00\x00\x00kK\x07"
            "d"
            "s"
            "X\x01\x00\x00\x00"
            "e"
            "(K\x05\x91"
            "s"
            "."s);
        const PickleValue& d = doc.root();
        QCOMPARE(int(d.kind), int(Kind::Dict));
        QCOMPARE(d.entries.size(), std::size_t(5));
        const PickleValue& a = *d.entries[0].second;
        QCOMPARE(a.items.size(), std::size_t(3));
        QCOMPARE(a.items[2]->integer, std::int64_t(3));
        const PickleValue& b = *d.entries[1].second;  // ((list a, (1, 2), {4}, {5}),)
        QCOMPARE(b.items.size(), std::size_t(1));
        const PickleValue& inner = *b.items[0];
        QCOMPARE(inner.items.size(), std::size_t(3));
        QCOMPARE(inner.items[0], &a);  // the memo shares, never copies
        QCOMPARE(int(inner.items[1]->kind), int(Kind::Tuple));
        QCOMPARE(int(inner.items[2]->kind), int(Kind::Set));
        QCOMPARE(inner.items[2]->items[0]->integer, std::int64_t(4));
        const PickleValue& c = *d.entries[2].second;  // ((), ()) after POP_MARK and DUP
        QCOMPARE(c.items.size(), std::size_t(2));
        QCOMPARE(c.items[0], c.items[1]);
        QCOMPARE(d.entries[3].second->entries.size(), std::size_t(1));
        QCOMPARE(int(d.entries[4].second->kind), int(Kind::Set));
    }

    void globalsAreNeverCalled() {
        // os.system('touch ...'), NEWOBJ of argparse.Namespace with BUILD state,
        // STACK_GLOBAL + NEWOBJ_EX, OrderedDict, torch.float32.
        const auto doc = unpickle(
            "\x80\x04(cos\nsystem\nX\x02\x00\x00\x00rm\x85R"
            "cargparse\nNamespace\n)\x81}(X\x02\x00\x00\x00lrG\x3f\xb9\x99\x99\x99\x99\x99\x9au"
            "b"
            "\x8c\x03"
            "zoo"
            "\x8c\x04"
            "Lion"
            "\x93)}\x92"
            "ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00kK\x01u"
            "ctorch\nfloat32\n"
            "l."s);
        const PickleValue& l = doc.root();
        QCOMPARE(describePickleValue(*l.items[0]), "not loaded: os.system"s);
        QCOMPARE(l.items[0]->items[0]->text, "rm"s);
        QCOMPARE(describePickleValue(*l.items[1]), "not loaded: argparse.Namespace"s);
        QVERIFY(l.items[1]->state && l.items[1]->state->entries.size() == 1);
        QCOMPARE(describePickleValue(*l.items[2]), "not loaded: zoo.Lion"s);
        QCOMPARE(int(l.items[3]->kind), int(Kind::Dict));
        QCOMPARE(l.items[3]->entries.size(), std::size_t(1));
        QCOMPARE(describePickleValue(*l.items[4]), "torch.float32"s);
        const Checkpoint c = checkpointFromPickle(l, "x.pt");
        QVERIFY(c.tensors.empty() && c.weightRoots.empty());
        QCOMPARE(c.metadata[0], std::make_pair("0"s, "not loaded: os.system"s));
        QCOMPARE(c.metadata[1], std::make_pair("1"s, "not loaded: argparse.Namespace"s));
        QCOMPARE(c.metadata[2], std::make_pair("1.lr"s, "0.1"s));
    }

    void libtorchTypeTagsAreUnwrapped() {
        // torch::pickle_save (C++) wraps typed containers:
        // torch.jit._pickle.restore_type_tag({'epoch': 3}, 'Dict[str, int]').
        const auto doc = unpickle(
            "\x80\x02"
            "ctorch.jit._pickle\nrestore_type_tag\n"
            "}X\x05\x00\x00\x00"
            "epochK\x03s"
            "X\x0e\x00\x00\x00"
            "Dict[str, int]\x86R."s);
        QCOMPARE(int(doc.root().kind), int(Kind::Dict));
        QCOMPARE(doc.root().entries.size(), std::size_t(1));
        QCOMPARE(doc.root().entries[0].second->integer, std::int64_t(3));
    }

    void tensorsFromPersistentIds() {
        // A [2, 3] view with strides (1, 2): the transpose of a [3, 2] tensor.
        const auto doc = unpickle(tensorPickle("K\x02K\x03\x86"s, "K\x01K\x02\x86"s), sixFloats);
        QCOMPARE(int(doc.root().kind), int(Kind::Tensor));
        QCOMPARE(doc.root().tensor.toDoubles(), (std::vector<double>{0, 2, 4, 1, 3, 5}));
        // A view that reaches past its storage is refused, naming the record.
        const QString e =
            pickleError(tensorPickle("K\x02K\x04\x86"s, "K\x04K\x01\x86"s), sixFloats);
        QVERIFY2(e.contains("archive/data/0") && e.contains("[2, 4]"), qPrintable(e));
        QVERIFY(pickleError(tensorPickle("K\x02K\x03\x86"s, "K\x01K\x02\x86"s))
                    .contains("persistent id"));
    }

    void malformedStreams() {
        const std::pair<std::string, const char*> cases[] = {
            {"\x80\x02X\xff\xff\xff\x7f"
             "abc."s,
             "needs 2147483647 bytes"},
            {"\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\xff."s, "needs"},
            {"\x80\x02."s, "stack underflow"},
            {"\x80\x02K\x01(a."s, "stack underflow"},
            {"\x80\x02h\x05."s, "memo entry 5"},
            {"\x80\x02K\x01"s, "without STOP"},
            {"\x80\x02I1\n."s, "unknown or unsupported opcode 'I'"},
            {"\x80\x09N."s, "protocol 9"},
            {"\x80\x02K\x01K\x02\x93."s, "two strings"},
            {"\x80\x02K\x01)R."s, "not loaded"},  // calling a non-global is opaque, not an error
            {"\x80\x02K\x00K\x01K\x02s."s, "not a dict"},
            {"\x80\x02"
             "cos\nsys"s,
             "GLOBAL"},
            {"\x80\x02\x97."s, "out-of-band"},
            {""s, "without STOP"},
        };
        for (const auto& [bytes, message] : cases) {
            const QString e = pickleError(bytes);
            if (QString(message) == "not loaded") {
                QVERIFY2(e.isEmpty(), qPrintable(e));
                continue;
            }
            QVERIFY2(e.startsWith("test.pkl: ") && e.contains(message),
                     qPrintable(e + " / expected: " + message));
        }
    }

    void cyclesAndSharingStayBounded() {
        // l = []; l.append(l): shown as text, not followed forever.
        const auto cyclic = unpickle(
            "\x80\x02]q\x00h\x00"
            "a."s);
        const Checkpoint c = checkpointFromPickle(cyclic.root(), "x.pt");
        QCOMPARE(c.metadata.size(), std::size_t(1));
        QCOMPARE(c.metadata[0].second, "(refers to an enclosing object)"s);
        // 30 levels of l = [l, l]: 2^30 paths from 92 bytes must be refused.
        std::string bomb = "\x80\x02]q\x00"s;
        for (int i = 0; i < 30; ++i)
            bomb += "(h\x00h\x00lq\x00"s;
        bomb += ".";
        const auto doc = unpickle(bomb);
        try {
            checkpointFromPickle(doc.root(), "x.pt");
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("more than"), e.what());
        }
    }

    void weightRootsAndStateDict() {
        Checkpoint c;
        c.path = "x.pt";
        auto t = [](const char* n) { return NamedTensor{n, TensorData{}}; };
        c.tensors = {t("model.module.fc.weight"), t("model.module.fc.bias"), t("ema.fc.weight")};
        const auto sd = c.stateDict("model");
        QCOMPARE(sd.size(), std::size_t(2));
        QCOMPARE(sd[0].name, "fc.weight"s);  // DataParallel's prefix stripped
        QCOMPARE(c.stateDict("ema")[0].name, "fc.weight"s);
        QCOMPARE(c.stateDict("").size(), std::size_t(3));
        QVERIFY_EXCEPTION_THROWN(c.stateDict("nothing"), std::runtime_error);
        QVERIFY_EXCEPTION_THROWN(c.stateDict(), std::runtime_error);  // no weight roots
    }

    // --- files written by real PyTorch -----------------------------------

    void filesMatchPyTorch() {
        if (!haveFixtures_) QSKIP("/usr/bin/python3 has no torch");
        for (auto it = expected_.begin(); it != expected_.end(); ++it) {
            const QString file = it.key();
            const QJsonObject want = it.value().toObject();
            const Checkpoint c = loadCheckpoint(dir_.filePath(file).toStdString());
            const QJsonArray tensors = want["tensors"].toArray();
            QVERIFY2(c.tensors.size() == std::size_t(tensors.size()), qPrintable(file));
            for (int i = 0; i < tensors.size(); ++i) {
                const QJsonObject w = tensors[i].toObject();
                const NamedTensor& got = c.tensors[std::size_t(i)];
                const QString where = file + " " + QString::fromStdString(got.name);
                QCOMPARE(QString::fromStdString(got.name), w["name"].toString());
                QCOMPARE(QString(dtypeName(got.tensor.dtype)), w["dtype"].toString());
                std::vector<std::int64_t> shape;
                for (const auto d : w["shape"].toArray())
                    shape.push_back(d.toInteger());
                QVERIFY2(got.tensor.shape == shape, qPrintable(where));
                const std::vector<double> values = got.tensor.toDoubles();
                for (const auto pick : w["values"].toArray()) {
                    const auto index = std::size_t(pick.toArray()[0].toInteger());
                    QVERIFY2(index < values.size() && values[index] == pick.toArray()[1].toDouble(),
                             qPrintable(where + " element " + QString::number(index)));
                }
                double sum = 0;
                for (double v : values)
                    sum += v;
                const double wantSum = w["sum"].toDouble();
                QVERIFY2(std::abs(sum - wantSum) <= 1e-9 * std::max(1.0, std::abs(wantSum)),
                         qPrintable(where + " sum"));
            }
            QVERIFY2(!c.weightRoots.empty(), qPrintable(file));
            QCOMPARE(QString::fromStdString(c.weightRoots.front()), want["root"].toString());
            const QJsonObject metadata = want["metadata"].toObject();
            for (auto m = metadata.begin(); m != metadata.end(); ++m) {
                const auto found = std::find_if(
                    c.metadata.begin(), c.metadata.end(),
                    [&](const auto& p) { return QString::fromStdString(p.first) == m.key(); });
                QVERIFY2(found != c.metadata.end(), qPrintable(file + " " + m.key()));
                QCOMPARE(QString::fromStdString(found->second), m.value().toString());
            }
            // Views and tied weights share one storage, read once.
            for (const auto pair : want["shared"].toArray()) {
                auto storageOf = [&](const QString& name) {
                    for (const auto& t : c.tensors) {
                        if (QString::fromStdString(t.name) == name) return t.tensor.storage.get();
                    }
                    return static_cast<Storage*>(nullptr);
                };
                const Storage* a = storageOf(pair.toArray()[0].toString());
                QVERIFY2(a && a == storageOf(pair.toArray()[1].toString()), qPrintable(file));
            }
        }
    }

    void stateDictsOfRealFiles() {
        if (!haveFixtures_) QSKIP("/usr/bin/python3 has no torch");
        const auto plain = loadCheckpoint(fixture("state_dict.pt").toStdString()).stateDict();
        const auto nested = loadCheckpoint(fixture("training.pt").toStdString()).stateDict();
        const auto parallel = loadCheckpoint(fixture("dataparallel.pt").toStdString()).stateDict();
        QCOMPARE(plain.size(), nested.size());
        QCOMPARE(plain.size(), parallel.size());
        for (std::size_t i = 0; i < plain.size(); ++i) {
            QCOMPARE(nested[i].name, plain[i].name);
            QCOMPARE(parallel[i].name, plain[i].name);
        }
        QCOMPARE(plain.front().name, "conv1.weight"s);
        QCOMPARE(plain.back().name, "fc.bias"s);
    }

    void maliciousPickleDoesNothing() {
        if (!haveFixtures_) QSKIP("/usr/bin/python3 has no torch");
        const Checkpoint c = loadCheckpoint(fixture("malicious.pt").toStdString());
        QVERIFY(c.tensors.empty());
        QCOMPARE(c.metadata.size(), std::size_t(1));
        QCOMPARE(c.metadata[0].second, "not loaded: os.system"s);
        QFile raw(fixture("malicious.pkl"));
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray bytes = raw.readAll();
        const auto doc = unpickle(bytes.toStdString());
        QCOMPARE(describePickleValue(doc.root()), "not loaded: os.system"s);
        QVERIFY(!QFile::exists(fixture("PWNED")));
    }

    void badFilesGiveClearErrors() {
        if (!haveFixtures_) QSKIP("/usr/bin/python3 has no torch");
        const std::pair<const char*, QStringList> cases[] = {
            {"truncated.pt", {"truncated.pt", "not a readable zip archive"}},
            {"short_storage.pt", {"short_storage.pt", "/data/0", "holds", "declares"}},
            {"legacy.pt", {"legacy.pt", "legacy torch.save format"}},
            {"scripted.pt", {"scripted.pt", "TorchScript model", "open it as a model"}},
            {"expected.json", {"expected.json", "not a checkpoint"}},
        };
        for (const auto& [file, parts] : cases) {
            const QString e = loadError(fixture(file));
            for (const QString& part : parts)
                QVERIFY2(e.contains(part), qPrintable(QString(file) + ": " + e));
        }
        QVERIFY(loadError(fixture("missing.pt")).contains("cannot be opened"));
    }

    void archiveFromMemory() {
        if (!haveFixtures_) QSKIP("/usr/bin/python3 has no torch");
        QFile f(fixture("views.pt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        const auto doc = parseTorchZip(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                       std::size_t(bytes.size()), "views.pt");
        const Checkpoint c = checkpointFromPickle(doc.root(), "views.pt");
        QCOMPARE(c.tensors.size(), std::size_t(6));
        QCOMPARE(c.tensors[1].tensor.toDoubles(),
                 (std::vector<double>{6, 8, 10, 12, 14, 16, 18, 20, 22}));
    }
};

BASIN_TEST_MAIN(TestTorchCheckpoint)
#include "test_torch_checkpoint.moc"
