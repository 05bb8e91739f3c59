// Datasets in files: .npz/.npy/.pt written by NumPy and PyTorch, default and
// chosen keys, conversion to float32/int64, the npz round trip that np.load
// reads, and errors that name the file, the key and the shape.

#include <QTemporaryDir>
#include <cstring>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "data/DatasetFiles.h"
#include "data/GeneratedDatasets.h"
#include "io/Numpy.h"

using namespace basin;

namespace {

template <typename T>
TensorData tensorOf(DType dtype, std::vector<std::int64_t> shape, const std::vector<T>& values) {
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(values.size() * sizeof(T));
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(T));
    return t;
}

QString errorOf(const std::string& path, const DatasetFileOptions& options = {}) {
    try {
        loadDatasetFile(path, options);
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestDatasetFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void npzRoundTripAndNumpyReadsIt() {
        QTemporaryDir dir;
        SyntheticDigitsOptions o;
        o.trainPerClass = 3;
        o.testPerClass = 1;
        const Dataset digits = makeSyntheticDigits(o).split.train;
        const std::string path = dir.path().toStdString() + "/digits.npz";
        writeDatasetNpz(path, digits);
        const Dataset back = loadDatasetFile(path);
        back.validate();
        QCOMPARE(back.name, std::string("digits.npz"));
        QCOMPARE(back.inputs.shape, digits.inputs.shape);
        QCOMPARE(back.inputs.toDoubles(), digits.inputs.toDoubles());
        QCOMPARE(back.targets.toDoubles(), digits.targets.toDoubles());
        QCOMPARE(back.targets.dtype, DType::Int64);

        if (!test::pythonTorchAvailable()) QSKIP("/usr/bin/python3 with numpy is not available");
        double sum = 0;
        for (double v : digits.inputs.toDoubles())
            sum += v;
        const QString error = test::runPython(dir.path(), QString(R"(
import numpy as np
d = np.load('digits.npz')
assert d['x'].dtype == np.float32 and d['x'].shape == (30, 1, 28, 28), (d['x'].dtype, d['x'].shape)
assert d['y'].dtype == np.int64 and sorted(d['y'].tolist()) == sorted(list(range(10)) * 3)
assert abs(float(d['x'].astype(np.float64).sum()) - %1) < 1e-3
)")
                                                              .arg(sum, 0, 'g', 17));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void readsFilesFromNumpyAndPyTorch() {
        if (!test::pythonTorchAvailable()) QSKIP("/usr/bin/python3 with torch is not available");
        QTemporaryDir dir;
        const QString error = test::runPython(dir.path(), R"(
import numpy as np, torch
x = np.arange(10 * 4, dtype=np.uint8).reshape(10, 1, 2, 2)
np.savez('images.npz', inputs=x, targets=np.arange(10, dtype=np.int32) % 3)
np.savez_compressed('custom.npz', feats=np.ones((5, 3)), cls=np.array([0., 1., 2., 1., 0.]))
np.save('x.npy', np.arange(12, dtype=np.float64).reshape(4, 3).T.copy().T)
np.save('y.npy', np.array([[1], [0], [1], [1]], dtype=np.int16))
torch.save({'data': torch.linspace(0, 1, 18, dtype=torch.float64).reshape(6, 3),
            'labels': torch.tensor([0, 1, 2, 0, 1, 2]), 'epoch': 3}, 'dict.pt')
torch.save((torch.randn(4, 2).t().contiguous().t(), torch.tensor([True, False, True, True])), 'tuple.pt')
)");
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::string d = dir.path().toStdString();

        const Dataset images = loadDatasetFile(d + "/images.npz");
        QCOMPARE(images.inputs.dtype, DType::Float32);
        QCOMPARE(images.inputs.shape, (std::vector<std::int64_t>{10, 1, 2, 2}));
        QCOMPARE(images.inputs.toDoubles()[39], 39.0);
        QCOMPARE(images.targets.dtype, DType::Int64);
        QCOMPARE(images.targets.toDoubles()[5], 2.0);
        QCOMPARE(images.classCount(), std::int64_t(3));

        DatasetFileOptions keys;
        keys.inputsKey = "feats";
        keys.targetsKey = "cls";
        const Dataset custom = loadDatasetFile(d + "/custom.npz", keys);
        QCOMPARE(custom.targets.toDoubles(), (std::vector<double>{0, 1, 2, 1, 0}));
        QCOMPARE(custom.inputs.dtype, DType::Float32);

        DatasetFileOptions npy;
        npy.targetsFile = d + "/y.npy";
        const Dataset pair = loadDatasetFile(d + "/x.npy", npy);
        QCOMPARE(pair.inputs.shape, (std::vector<std::int64_t>{4, 3}));
        QCOMPARE(pair.inputs.toDoubles()[4], 4.0);
        QCOMPARE(pair.targets.shape, (std::vector<std::int64_t>{4}));

        const Dataset dict = loadDatasetFile(d + "/dict.pt");
        QCOMPARE(dict.inputs.shape, (std::vector<std::int64_t>{6, 3}));
        QCOMPARE(float(dict.inputs.toDoubles()[17]), 1.0f);
        QCOMPARE(dict.targets.toDoubles()[2], 2.0);

        const Dataset tuple = loadDatasetFile(d + "/tuple.pt");
        QCOMPARE(tuple.inputs.shape, (std::vector<std::int64_t>{4, 2}));
        QCOMPARE(tuple.targets.toDoubles(), (std::vector<double>{1, 0, 1, 1}));
    }

    void errorsNameFileKeyAndShape() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        const auto x = tensorOf<float>(DType::Float32, {3, 2}, {1, 2, 3, 4, 5, 6});
        writeNpz(d + "/odd.npz",
                 {{"a", x}, {"b", tensorOf<std::int64_t>(DType::Int64, {3}, {0, 1, 0})}});
        QString m = errorOf(d + "/odd.npz");
        QVERIFY2(m.contains("odd.npz") && m.contains("x/y") && m.contains("a [3, 2]") &&
                     m.contains("b [3]"),
                 qPrintable(m));
        DatasetFileOptions keys;
        keys.inputsKey = "a";
        keys.targetsKey = "c";
        m = errorOf(d + "/odd.npz", keys);
        QVERIFY2(m.contains("no array 'c'"), qPrintable(m));
        keys.targetsKey = "b";
        QVERIFY(errorOf(d + "/odd.npz", keys).isEmpty());

        writeNpz(d + "/short.npz",
                 {{"x", x}, {"y", tensorOf<std::int64_t>(DType::Int64, {2, 2}, {0, 1, 0, 1})}});
        m = errorOf(d + "/short.npz");
        QVERIFY2(m.contains("short.npz") && m.contains("'y'") && m.contains("[2, 2]") &&
                     m.contains("[3, 2]"),
                 qPrintable(m));

        writeNpz(d + "/soft.npz",
                 {{"x", x}, {"y", tensorOf<float>(DType::Float32, {3}, {0.0f, 0.5f, 1.0f})}});
        m = errorOf(d + "/soft.npz");
        QVERIFY2(m.contains("soft.npz") && m.contains("float32") && m.contains("not a class"),
                 qPrintable(m));

        writeNpz(d + "/negative.npz",
                 {{"x", x}, {"y", tensorOf<std::int64_t>(DType::Int64, {3}, {0, -1, 0})}});
        m = errorOf(d + "/negative.npz");
        QVERIFY2(m.contains("label -1"), qPrintable(m));

        writeNpy(d + "/alone.npy", x);
        m = errorOf(d + "/alone.npy");
        QVERIFY2(m.contains("alone.npy") && m.contains("labels"), qPrintable(m));
        m = errorOf(d + "/missing.npz");
        QVERIFY2(m.contains("missing.npz"), qPrintable(m));
    }
};

BASIN_TEST_MAIN(TestDatasetFiles)
#include "test_dataset_files.moc"
