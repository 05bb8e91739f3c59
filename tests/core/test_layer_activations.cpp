// Activations without hooks: the outputs of submodules of torchvision's
// ResNet-18 (scripted and saved by real PyTorch) exposed by editing a copy of
// forward()'s graph equal what PyTorch's forward hooks record, the logits
// stay the same, gradients reach the exposed activations, Grad-CAM and
// Grad-CAM++ equal hook-based PyTorch code, the layer list follows
// forward(), and layers that cannot be exposed are explained.

#include <torch/torch.h>

#include <QTemporaryDir>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "model/Model.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/ScriptGraph.h"
#include "model/detail/TorchTensor.h"
#include "saliency/Saliency.h"
#include "saliency/detail/LayerActivations.h"

using namespace basin;
using namespace basin::test;

namespace {

// resnet18.pt, an input, its logits and what forward hooks record at three
// submodules (raw float32 files named after them).
const char* kHooksScriptHead = R"PY(
import torch, torchvision
torch.manual_seed(0)
)PY";
const char* kHooksScriptTail = R"PY(
resnet = torchvision.models.resnet18(weights=None); settle(resnet, (4, 3, 64, 64))
torch.jit.save(torch.jit.script(resnet), 'resnet18.pt')
x = torch.randn(2, 3, 64, 64)
recorded = {}
def hook(name):
    def record(module, inputs, output):
        recorded[name] = output.detach().clone()
    return record
for name in ('layer4', 'layer4.1.conv2', 'layer3.0.downsample.0'):
    resnet.get_submodule(name).register_forward_hook(hook(name))
with torch.no_grad():
    logits = resnet(x)
x.numpy().tofile('x.bin')
logits.numpy().tofile('logits.bin')
for name, t in recorded.items():
    t.numpy().tofile(name + '.bin')
# Grad-CAM and Grad-CAM++ at layer4 for the first image's class 3, the way
# hook-based tools compute them.
kept = {}
def keep(module, inputs, output):
    kept['a'] = output
    output.register_hook(lambda g: kept.__setitem__('g', g))
resnet.layer4.register_forward_hook(keep)
resnet(x[:1].clone())[0, 3].backward()
a, g = kept['a'].detach(), kept['g'].detach()
torch.relu((g.mean((2, 3), keepdim=True) * a).sum(1))[0].numpy().tofile('gradcam.bin')
denominator = 2 * g ** 2 + a.sum((2, 3), keepdim=True) * g ** 3
alpha = torch.where(denominator != 0, g ** 2 / denominator, torch.zeros_like(g))
w = (alpha * torch.relu(g)).sum((2, 3), keepdim=True)
torch.relu((w * a).sum(1))[0].numpy().tofile('gradcampp.bin')
)PY";

torch::Tensor readTensor(const QString& path, std::vector<std::int64_t> shape) {
    return basin::detail::toTorch(readFloats(path, std::move(shape)), "fixture").clone();
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// A module built in C++ with the awkward cases: a layer called twice, one
// never called, one called inside an if, one returning a tuple (forward's
// output).
torch::jit::Module awkwardModule() {
    auto scale = [](const char* type, float factor) {
        torch::jit::Module m(type);
        m.register_buffer("factor", torch::full({1}, factor));
        m.define("def forward(self, x):\n    return x * self.factor\n");
        return m;
    };
    torch::jit::Module pair("Pair");
    pair.define("def forward(self, x):\n    return x, x + 1\n");
    torch::jit::Module root("Awkward");
    root.register_module("twice", scale("Twice", 2.0f));
    root.register_module("unused", scale("Unused", 3.0f));
    root.register_module("maybe", scale("Maybe", 5.0f));
    root.register_module("pair", pair);
    root.define(R"(
def forward(self, x):
    y = self.twice.forward(self.twice.forward(x) + 1.0)
    if bool(x.sum() > 0):
        y = self.maybe.forward(y)
    return self.pair.forward(y)
)");
    return root;
}

Model modelOf(torch::jit::Module module, const std::string& name) {
    auto impl = std::make_shared<Model::Impl>();
    impl->module = std::move(module);
    impl->name = name;
    return Model(impl);
}

template <typename F>
QString errorOf(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestLayerActivations : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    bool fixtures_ = false;

    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!pythonTorchAvailable()) return;
        const QString error =
            runPython(dir_.path(), QString(kHooksScriptHead) + kSettlePython + kHooksScriptTail);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        fixtures_ = true;
    }

    void resnet18LayersEqualForwardHooks() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        torch::jit::Module module = model.impl().module;
        module.eval();
        const basin::detail::LayerActivations exposed(
            module, {"layer4", "layer4.1.conv2", "layer3.0.downsample.0"}, model.name());
        c10::InferenceMode inference;
        const basin::detail::LayerOutputs out =
            exposed.run(readTensor(path("x.bin"), {2, 3, 64, 64}));
        const double logits =
            maxDiff(out.output.toTensor(), readTensor(path("logits.bin"), {2, 1000}));
        QVERIFY2(logits <= 1e-4, qPrintable(QString::number(logits)));
        const std::vector<std::pair<QString, std::vector<std::int64_t>>> expected{
            {"layer4", {2, 512, 2, 2}},
            {"layer4.1.conv2", {2, 512, 2, 2}},
            {"layer3.0.downsample.0", {2, 256, 4, 4}}};
        QCOMPARE(out.activations.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const auto& [name, shape] = expected[i];
            QCOMPARE(out.activations[i].sizes().vec(), shape);
            const double diff = maxDiff(out.activations[i], readTensor(path(name + ".bin"), shape));
            QVERIFY2(diff <= 1e-4, qPrintable(name + ": " + QString::number(diff)));
        }
        // The model's own forward() is untouched.
        const double own =
            maxDiff(module.forward({readTensor(path("x.bin"), {2, 3, 64, 64})}).toTensor(),
                    readTensor(path("logits.bin"), {2, 1000}));
        QVERIFY2(own <= 1e-4, qPrintable(QString::number(own)));
    }

    // layer4 → global average pool → fc: ∂y_c/∂A^k_ij = fc.weight[c, k] / (h·w).
    void gradientsReachExposedActivations() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        torch::jit::Module module = basin::detail::withOwnMethods(model.impl().module);
        module.eval();
        const basin::detail::LayerActivations exposed(module, {"layer4"}, model.name());
        const torch::Tensor x =
            readTensor(path("x.bin"), {2, 3, 64, 64}).slice(0, 0, 1).requires_grad_(true);
        const basin::detail::LayerOutputs out = exposed.run(x);
        const std::int64_t c = 7;
        const torch::Tensor g = torch::autograd::grad({out.output.toTensor().select(1, c).sum()},
                                                      {out.activations[0]})[0];
        const torch::Tensor w = module.attr("fc").toModule().attr("weight").toTensor()[c];
        const torch::Tensor expected = (w / 4.0).view({1, 512, 1, 1}).expand({1, 512, 2, 2});
        const double diff = maxDiff(g, expected);
        QVERIFY2(diff <= 1e-6, qPrintable(QString::number(diff)));
    }

    // computeSaliency's Grad-CAM family at the default layer (layer4) equals
    // what hook-based code computes in PyTorch.
    void resnet18GradCamEqualsHookBasedPyTorch() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        const TensorData image = basin::detail::fromTorch(
            readTensor(path("x.bin"), {2, 3, 64, 64}).slice(0, 0, 1), "image");
        SaliencyOptions o;
        o.target.kind = SaliencyTarget::Kind::Class;
        o.target.classIndex = 3;
        for (const auto& [method, file] : {std::pair{SaliencyMethod::GradCam, "gradcam.bin"},
                                           {SaliencyMethod::GradCamPlusPlus, "gradcampp.bin"}}) {
            o.method = method;
            const SaliencyMap map = computeSaliency(model, image, o);
            QCOMPARE(map.layer, std::string("layer4"));
            QCOMPARE(map.coarseHeight, std::int64_t(2));
            QCOMPARE(map.height, std::int64_t(64));
            const torch::Tensor expected = readTensor(path(file), {2, 2});
            const torch::Tensor coarse = torch::tensor(map.coarseValues).view({2, 2});
            const double scale = expected.abs().max().item<double>();
            QVERIFY(scale > 0.0);
            const double diff = maxDiff(coarse, expected) / scale;
            QVERIFY2(diff <= 1e-4, qPrintable(QString(file) + ": " + QString::number(diff)));
        }
    }

    void resnet18LayersInForwardOrder() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        const TensorData image = basin::detail::fromTorch(
            readTensor(path("x.bin"), {2, 3, 64, 64}).slice(0, 0, 1), "image");
        const std::vector<SaliencyLayer> layers = saliencyLayers(model, image);
        auto index = [&](const std::string& p) {
            for (std::size_t i = 0; i < layers.size(); ++i)
                if (layers[i].path == p) return int(i);
            return -1;
        };
        for (const char* p : {"conv1", "bn1", "relu", "maxpool", "layer1.0.conv1", "layer4.1.conv2",
                              "layer4.1.relu", "layer4.1", "layer4", "avgpool", "fc"})
            QVERIFY2(index(p) >= 0, p);
        QVERIFY(index("conv1") < index("bn1") && index("bn1") < index("maxpool"));
        QVERIFY(index("layer1.0.conv1") < index("layer1.0.bn1"));
        QVERIFY(index("layer3.0.downsample.0") < index("layer4.0.conv1"));
        QVERIFY(index("layer4.1.conv2") < index("layer4.1") && index("layer4.1") < index("layer4"));
        QVERIFY(index("layer4") < index("avgpool") && index("avgpool") < index("fc"));
        const SaliencyLayer& block = layers[std::size_t(index("layer4.1"))];
        QCOMPARE(block.kind, std::string("BasicBlock"));
        QCOMPARE(block.outputShape, (std::vector<std::int64_t>{512, 2, 2}));
        QCOMPARE(layers[std::size_t(index("layer4.1.conv2"))].kind, std::string("Conv2d"));
        QCOMPARE(layers[std::size_t(index("layer4"))].kind, std::string("Sequential"));
        QCOMPARE(layers[std::size_t(index("fc"))].outputShape, (std::vector<std::int64_t>{1000}));
        // avgpool's [512, 1, 1] is not spatial: the default is the stage before it.
        QCOMPARE(defaultCamLayer(layers), std::string("layer4"));
    }

    void badPathsAreExplained() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        const Model model = Model::load(path("resnet18.pt").toStdString());
        const torch::jit::Module& module = model.impl().module;
        const QString top =
            errorOf([&] { basin::detail::LayerActivations(module, {"layer9"}, model.name()); });
        QVERIFY2(top.contains("model 'resnet18.pt': no submodule 'layer9'; submodules are: conv1, "
                              "bn1, relu, maxpool, layer1"),
                 qPrintable(top));
        const QString deep =
            errorOf([&] { basin::detail::LayerActivations(module, {"layer4.7"}, model.name()); });
        QVERIFY2(deep.contains("no submodule 'layer4.7'; the submodules of 'layer4' are: 0, 1"),
                 qPrintable(deep));
        const QString leaf =
            errorOf([&] { basin::detail::LayerActivations(module, {"fc.x"}, model.name()); });
        QVERIFY2(leaf.contains("'fc' has no submodules"), qPrintable(leaf));
    }

    void awkwardLayersAreExplainedOrReadAtTheirLastCall() {
        torch::jit::Module module = awkwardModule();
        const torch::Tensor x = torch::full({1, 3, 2, 2}, 1.0f);
        const basin::detail::LayerActivations twice(module, {"twice"}, "awkward");
        const basin::detail::LayerOutputs out = twice.run(x);
        // twice(twice(x) + 1) = 2·(2x + 1): the last call's output is 6.
        QCOMPARE(out.activations[0].max().item<float>(), 6.0f);
        // forward() returns pair(maybe(6)) = (30, 31).
        QCOMPARE(out.output.toTuple()->elements()[1].toTensor().max().item<float>(), 31.0f);
        const QString never =
            errorOf([&] { basin::detail::LayerActivations(module, {"unused"}, "awkward"); });
        QVERIFY2(never.contains("model 'awkward': submodule 'unused' is never called by forward()"),
                 qPrintable(never));
        const QString inIf =
            errorOf([&] { basin::detail::LayerActivations(module, {"maybe"}, "awkward"); });
        QVERIFY2(inIf.contains("'maybe' is called only inside control flow (prim::If)"),
                 qPrintable(inIf));
        const QString tuple =
            errorOf([&] { basin::detail::LayerActivations(module, {"pair"}, "awkward"); });
        QVERIFY2(tuple.contains("'pair' returns Tuple[Tensor, Tensor], not a tensor"),
                 qPrintable(tuple));
        // The layer list leaves out what cannot be exposed.
        const std::vector<SaliencyLayer> layers =
            saliencyLayers(modelOf(module, "awkward"), basin::detail::fromTorch(x, "x"));
        QCOMPARE(layers.size(), std::size_t(1));
        QCOMPARE(layers[0].path, std::string("twice"));
        QCOMPARE(layers[0].kind, std::string("Twice"));
        QCOMPARE(layers[0].outputShape, (std::vector<std::int64_t>{3, 2, 2}));
        QCOMPARE(defaultCamLayer(layers), std::string("twice"));
    }
};

BASIN_TEST_MAIN(TestLayerActivations)
#include "test_layer_activations.moc"
