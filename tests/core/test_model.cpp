// Models: loading TorchScript written by real PyTorch (a small BatchNorm CNN
// and torchvision's ResNet-18) with outputs equal to PyTorch's, parameters and
// buffers, applying state dicts with precise reports, saving for Python,
// clones, and the zero-copy TensorData ↔ torch::Tensor conversions.

#include <torch/script.h>

#include <QTemporaryDir>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "model/Model.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

using namespace basin;
using namespace basin::test;

namespace {

// Writes cnn.pt and resnet18.pt (torch.jit.save of scripted modules), a
// state-dict checkpoint, inputs and PyTorch's logits for both.
const char* kModelsScriptHead = R"PY(
import torch, torchvision
torch.manual_seed(0)
)PY";
const char* kModelsScriptTail = R"PY(
cnn = SmallCNN(); settle(cnn, (8, 3, 16, 16))
resnet = torchvision.models.resnet18(weights=None); settle(resnet, (4, 3, 64, 64))
for name, model, shape in (('cnn', cnn, (4, 3, 16, 16)), ('resnet18', resnet, (2, 3, 64, 64))):
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, name + '.pt')
    x = torch.randn(*shape)
    with torch.no_grad():
        logits = scripted(x)
    x.numpy().tofile('x_' + name + '.bin')
    logits.numpy().tofile('logits_' + name + '.bin')
torch.save(cnn.state_dict(), 'cnn_state.pt')
)PY";
// The script: its imports, the shared SmallCNN and settle, the rest.
QString modelsScript() {
    return QString(kModelsScriptHead) + kSmallCnnPython + kSettlePython + kModelsScriptTail;
}

// Loads Basin's saved model in Python and writes its logits on the CNN input.
const char* kReloadScript = R"PY(
import numpy, torch
m = torch.jit.load('saved_by_basin.pt')
x = torch.from_numpy(numpy.fromfile('x_cnn.bin', dtype=numpy.float32).reshape(4, 3, 16, 16))
with torch.no_grad():
    m(x).numpy().tofile('logits_reloaded.bin')
)PY";

// fc: y = x Wᵀ + b, W [3, 4]; tiny and Python-free.
Model definedModel() {
    torch::jit::Module fc("Linear");
    fc.register_parameter("weight", torch::randn({3, 4}), false);
    fc.register_parameter("bias", torch::randn({3}), false);
    fc.define(R"(
def forward(self, x):
    return torch.matmul(x, self.weight.t()) + self.bias
)");
    torch::jit::Module root("Net");
    root.register_module("fc", fc);
    root.register_buffer("scale", torch::ones({3}));
    root.define(R"(
def forward(self, x):
    return self.fc.forward(x) * self.scale
)");
    auto impl = std::make_shared<Model::Impl>();
    impl->module = root;
    impl->name = "defined";
    return Model(impl);
}

TensorData floats(std::vector<std::int64_t> shape, std::vector<float> values) {
    TensorData t;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(values.size() * 4);
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * 4);
    return t;
}

TensorData filled(std::vector<std::int64_t> shape, float value) {
    TensorData t;
    t.shape = std::move(shape);
    return floats(t.shape, std::vector<float>(std::size_t(t.numel()), value));
}

}  // namespace

class TestModel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    bool fixtures_ = false;

    QString path(const char* name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase() {
        torch::manual_seed(1);
        QVERIFY(dir_.isValid());
        if (!pythonTorchAvailable()) return;
        const QString error = runPython(dir_.path(), modelsScript());
        QVERIFY2(error.isEmpty(), qPrintable(error));
        fixtures_ = true;
    }

    void cnnFromPyTorchGivesPyTorchsLogits() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("cnn.pt").toStdString());
        QCOMPARE(model.name(), std::string("cnn.pt"));
        const TensorData logits = model.forward(readFloats(path("x_cnn.bin"), {4, 3, 16, 16}));
        QCOMPARE(logits.shape, (std::vector<std::int64_t>{4, 5}));
        const double diff = maxAbsDiff(logits, readFloats(path("logits_cnn.bin"), {4, 5}));
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    }

    void resnet18FromTorchvisionGivesPyTorchsLogits() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        const TensorData logits = model.forward(readFloats(path("x_resnet18.bin"), {2, 3, 64, 64}));
        QCOMPARE(logits.shape, (std::vector<std::int64_t>{2, 1000}));
        const double diff = maxAbsDiff(logits, readFloats(path("logits_resnet18.bin"), {2, 1000}));
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    }

    void resnet18ListsParametersAndBuffers() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        const auto params = model.parameters(false);
        QCOMPARE(params.size(), std::size_t(62));  // torchvision resnet18.parameters()
        QCOMPARE(params.front().name, std::string("conv1.weight"));
        QCOMPARE(params.front().shape, (std::vector<std::int64_t>{64, 3, 7, 7}));
        QCOMPARE(params.back().name, std::string("fc.bias"));
        const auto all = model.parameters(true);
        QCOMPARE(all.size(), std::size_t(62 + 20 * 3));  // 20 BatchNorms × 3 buffers
        bool sawTracked = false;
        for (const auto& p : all)
            if (p.name == "layer4.1.bn2.num_batches_tracked") {
                sawTracked = true;
                QVERIFY(p.isBuffer);
                QCOMPARE(p.dtype, DType::Int64);
                QVERIFY(p.shape.empty());
            }
        QVERIFY(sawTracked);
    }

    void checkpointIsNotAModel() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        try {
            Model::load(path("cnn_state.pt").toStdString());
            QFAIL("loaded a state dict as a model");
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("holds a checkpoint") != std::string::npos, e.what());
            QVERIFY2(what.find("cnn_state.pt") != std::string::npos, e.what());
        }
    }

    void badFilesGiveSentences() {
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, Model::load(path("missing.pt").toStdString()));
        QFile garbage(path("garbage.pt"));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("this is not a model at all");
        garbage.close();
        try {
            Model::load(path("garbage.pt").toStdString());
            QFAIL("loaded garbage");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("garbage.pt") != std::string::npos, e.what());
        }
        QFile truncated(path("truncated.pt"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write("PK\x03\x04 truncated zip");
        truncated.close();
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 Model::load(path("truncated.pt").toStdString()));
    }

    void stateDictRoundTripsThroughApply() {
        Model a = definedModel();
        Model b = definedModel();  // other random weights
        const TensorData x = filled({2, 4}, 0.5f);
        QVERIFY(maxAbsDiff(a.forward(x), b.forward(x)) > 1e-3);
        const ApplyReport report = b.applyStateDict(a.stateDict(), true);
        QVERIFY2(report.ok(), report.describe().c_str());
        QCOMPARE(report.applied.size(), std::size_t(3));
        QCOMPARE(maxAbsDiff(a.forward(x), b.forward(x)), 0.0);
    }

    void applyReportsMissingUnexpectedAndShapes() {
        Model model = definedModel();
        const auto before = model.stateDict();
        std::vector<NamedTensor> ckpt = {
            {"fc.weight", filled({3, 5}, 1.0f)},  // model has [3, 4]
            {"fc.extra", filled({2}, 1.0f)},
            {"scale", filled({3}, 2.0f)},
        };
        const ApplyReport report = model.applyStateDict(ckpt);
        QCOMPARE(report.missing, std::vector<std::string>{"fc.bias"});
        QCOMPARE(report.unexpected, std::vector<std::string>{"fc.extra"});
        QCOMPARE(report.shapeMismatches.size(), std::size_t(1));
        QCOMPARE(report.shapeMismatches[0].modelShape, (std::vector<std::int64_t>{3, 4}));
        QCOMPARE(report.shapeMismatches[0].checkpointShape, (std::vector<std::int64_t>{3, 5}));
        const std::string text = report.describe();
        QVERIFY2(
            text.find("'fc.weight' has shape [3, 5] in the checkpoint but [3, 4] in the model") !=
                std::string::npos,
            text.c_str());
        QVERIFY2(text.find("fc.bias") != std::string::npos, text.c_str());
        QVERIFY2(text.find("fc.extra") != std::string::npos, text.c_str());
        // A shape mismatch blocks the whole checkpoint: nothing changed.
        QVERIFY(report.applied.empty());
        QCOMPARE(maxAbsDiff(model.stateDict()[2].tensor, before[2].tensor), 0.0);
    }

    void strictChangesNothingUnlessOk() {
        Model model = definedModel();
        std::vector<NamedTensor> partial = {{"scale", filled({3}, 2.0f)}};
        const ApplyReport strict = model.applyStateDict(partial, true);
        QVERIFY(!strict.ok());
        QVERIFY(strict.applied.empty());
        QCOMPARE(model.stateDict()[2].tensor.toDoubles(), (std::vector<double>{1, 1, 1}));
        const ApplyReport lenient = model.applyStateDict(partial, false);
        QCOMPARE(lenient.applied, std::vector<std::string>{"scale"});
        QCOMPARE(model.stateDict()[2].tensor.toDoubles(), (std::vector<double>{2, 2, 2}));
    }

    void dataParallelPrefixAndDtypesAreHandled() {
        Model model = definedModel();
        TensorData scale;
        scale.dtype = DType::Float64;
        scale.shape = {3};
        scale.storage = Storage::allocate(3 * 8);
        const double values[3] = {0.25, 0.5, 4.0};
        std::memcpy(scale.storage->mutableData(), values, sizeof values);
        std::vector<NamedTensor> ckpt;
        for (const auto& t : model.stateDict())
            ckpt.push_back({"module." + t.name, t.name == "scale" ? scale : t.tensor});
        const ApplyReport report = model.applyStateDict(ckpt, true);
        QVERIFY2(report.ok(), report.describe().c_str());
        QVERIFY(report.strippedModulePrefix);
        QCOMPARE(model.stateDict()[2].tensor.dtype, DType::Float32);
        QCOMPARE(model.stateDict()[2].tensor.toDoubles(), (std::vector<double>{0.25, 0.5, 4.0}));
    }

    void cloneIsIndependent() {
        Model model = definedModel();
        Model copy = model.clone();
        copy.applyStateDict({{"scale", filled({3}, 3.0f)}});
        QCOMPARE(model.stateDict()[2].tensor.toDoubles(), (std::vector<double>{1, 1, 1}));
        QCOMPARE(copy.stateDict()[2].tensor.toDoubles(), (std::vector<double>{3, 3, 3}));
    }

    void savedModelLoadsInPyTorch() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        Model model = Model::load(path("cnn.pt").toStdString());
        // Change the weights so the file must carry Basin's values.
        auto weights = model.stateDict();
        for (auto& t : weights)
            if (t.name == "fc.bias") t.tensor = filled({5}, 0.75f);
        QVERIFY(model.applyStateDict(weights, true).ok());
        model.save(path("saved_by_basin.pt").toStdString());
        const QString error = runPython(dir_.path(), kReloadScript);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const TensorData x = readFloats(path("x_cnn.bin"), {4, 3, 16, 16});
        const double diff =
            maxAbsDiff(model.forward(x), readFloats(path("logits_reloaded.bin"), {4, 5}));
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
        const double moved =
            maxAbsDiff(model.forward(x), readFloats(path("logits_cnn.bin"), {4, 5}));
        QVERIFY(moved > 1e-3);
    }

    void forwardErrorNamesTheShape() {
        const Model model = definedModel();
        try {
            model.forward(filled({2, 7}, 1.0f));
            QFAIL("ran on a wrong shape");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("[2, 7]") != std::string::npos, e.what());
        }
    }

    void tensorConversionIsZeroCopy() {
        const TensorData t = floats({2, 3}, {0, 1, 2, 3, 4, 5});
        const torch::Tensor a = basin::detail::toTorch(t, "t");
        QCOMPARE(static_cast<const void*>(a.data_ptr()),
                 static_cast<const void*>(t.storage->data()));
        // A transposed view of the same storage, offset by one element.
        TensorData view = t;
        view.shape = {2, 2};
        view.strides = {1, 3};
        view.storageOffset = 1;
        const torch::Tensor v = basin::detail::toTorch(view, "view");
        QCOMPARE(v[0][1].item<float>(), 4.0f);
        QCOMPARE(v[1][0].item<float>(), 2.0f);
        const TensorData back = basin::detail::fromTorch(v, "v");
        QVERIFY(back.isContiguous());
        QCOMPARE(back.toDoubles(), (std::vector<double>{1, 4, 2, 5}));
        // The storage outlives the TensorData through the tensor's deleter.
        torch::Tensor kept;
        {
            const TensorData temporary = floats({1}, {7});
            kept = basin::detail::toTorch(temporary, "temporary");
        }
        QCOMPARE(kept.item<float>(), 7.0f);
        // Every dtype round-trips.
        for (DType d : {DType::Float64, DType::Float16, DType::BFloat16, DType::Int64, DType::Int32,
                        DType::Int16, DType::Int8, DType::UInt8, DType::Bool}) {
            const torch::Tensor c = a.to(basin::detail::toScalarType(d));
            const TensorData r = basin::detail::fromTorch(c, "c");
            QCOMPARE(r.dtype, d);
            QVERIFY(basin::detail::toTorch(r, "r").equal(c));
        }
        TensorData outside = t;
        outside.shape = {3, 3};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, basin::detail::toTorch(outside, "outside"));
    }
};

BASIN_TEST_MAIN(TestModel)
#include "test_model.moc"
