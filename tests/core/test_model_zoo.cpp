// The model zoo: TorchScript compiled in C++ — forward shapes, parameter
// names and counts, PyTorch's default initialisation, seeds, BatchNorm in
// training mode, and files that real PyTorch loads with the same logits.

#include <QTemporaryDir>
#include <cmath>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

// A deterministic input: element i is sin(0.37 i) (the Python side computes
// the same in float64 and rounds to float32).
TensorData sineInput(std::vector<std::int64_t> shape) {
    TensorData t;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(std::size_t(t.numel()) * sizeof(float));
    auto* p = reinterpret_cast<float*>(t.storage->mutableData());
    for (std::int64_t i = 0; i < t.numel(); ++i)
        p[i] = float(std::sin(0.37 * double(i)));
    return t;
}

std::int64_t parameterCount(const Model& model) {
    std::int64_t n = 0;
    for (const auto& p : model.parameters(/*includeBuffers=*/false)) {
        std::int64_t k = 1;
        for (auto d : p.shape)
            k *= d;
        n += k;
    }
    return n;
}

const NamedTensor* find(const std::vector<NamedTensor>& tensors, const std::string& name) {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace

class TestModelZoo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mlp() {
        MlpOptions o;  // 2 -> 64 -> 64 -> 2
        const Model m = makeMlp(o);
        QCOMPARE(m.name(), std::string("mlp-2-64-64-2"));
        // 2*64+64 + 64*64+64 + 64*2+2
        QCOMPARE(parameterCount(m), std::int64_t(4482));
        const auto params = m.parameters();
        QCOMPARE(params.front().name, std::string("fc1.weight"));
        QCOMPARE(params.front().shape, (std::vector<std::int64_t>{64, 2}));
        QCOMPARE(params.back().name, std::string("fc3.bias"));
        QCOMPARE(m.forward(sineInput({5, 2})).shape, (std::vector<std::int64_t>{5, 2}));

        // nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), filling the range.
        const auto state = m.stateDict();
        const auto w = find(state, "fc2.weight")->tensor.toDoubles();
        double lo = 1, hi = -1;
        for (double v : w)
            lo = std::min(lo, v), hi = std::max(hi, v);
        QVERIFY(lo >= -0.125 && hi <= 0.125 && lo < -0.12 && hi > 0.12);
        // Seeds: same weights for the same seed, different for another.
        QCOMPARE(makeMlp(o).stateDict()[0].tensor.toDoubles(), state[0].tensor.toDoubles());
        o.seed = 1;
        QVERIFY(makeMlp(o).stateDict()[0].tensor.toDoubles() != state[0].tensor.toDoubles());
    }

    void smallCnn() {
        const Model m = makeSmallCnn({});
        // conv1 16*1*9, bn1 2*16, conv2 32*16*9, bn2 2*32, fc 32*7*7*10 + 10
        QCOMPARE(parameterCount(m), std::int64_t(144 + 32 + 4608 + 64 + 15690));
        QCOMPARE(m.forward(sineInput({4, 1, 28, 28})).shape, (std::vector<std::int64_t>{4, 10}));
        std::vector<std::string> buffers;
        for (const auto& p : m.parameters())
            if (p.isBuffer) buffers.push_back(p.name);
        QVERIFY(std::find(buffers.begin(), buffers.end(), "bn2.num_batches_tracked") !=
                buffers.end());
        QVERIFY(std::find(buffers.begin(), buffers.end(), "bn1.running_var") != buffers.end());
    }

    void smallResNet() {
        const Model m = makeSmallResNet({});
        // stem 432 + 32; stage 1: 2*2304 + 2*32; stage 2: 4608 + 9216 + 512 + 3*64;
        // stage 3: 18432 + 36864 + 2048 + 3*128; fc 650
        QCOMPARE(parameterCount(m), std::int64_t(78042));
        QCOMPARE(m.forward(sineInput({2, 3, 32, 32})).shape, (std::vector<std::int64_t>{2, 10}));
        bool hasDownsample = false;
        for (const auto& p : m.parameters())
            hasDownsample |= p.name == "layer2.0.downsample.conv.weight";
        QVERIFY(hasDownsample);
        SmallResNetOptions deeper;
        deeper.blocksPerStage = 2;
        deeper.channels = 1;
        QCOMPARE(makeSmallResNet(deeper).forward(sineInput({1, 1, 12, 12})).shape,
                 (std::vector<std::int64_t>{1, 10}));
    }

    void invalidOptions() {
        MlpOptions o;
        o.hidden = {0};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeMlp(o));
        SmallCnnOptions c;
        c.height = 2;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeSmallCnn(c));
    }

    // Model::save output loads in real PyTorch with the same names and logits,
    // and its BatchNorm still works in training mode there.
    void pythonLoadsSavedModels() {
        if (!test::pythonTorchAvailable()) QSKIP("/usr/bin/python3 with torch is not available");
        QTemporaryDir dir;
        const QString d = dir.path();
        struct Case {
            const char* file;
            Model model;
            std::vector<std::int64_t> inputShape;
        };
        std::vector<Case> cases{{"mlp.pt", makeMlp({}), {3, 2}},
                                {"cnn.pt", makeSmallCnn({}), {2, 1, 28, 28}},
                                {"resnet.pt", makeSmallResNet({}), {2, 3, 16, 16}}};
        QString script = R"(
import torch, sys
torch.set_num_threads(1)
def sine(shape):
    n = 1
    for s in shape: n *= s
    return torch.sin(0.37 * torch.arange(n, dtype=torch.float64)).float().reshape(shape)
)";
        for (const Case& c : cases) {
            c.model.save((d + "/" + c.file).toStdString());
            QString shape;
            for (auto s : c.inputShape)
                shape += QString::number(s) + ",";
            QString names;
            for (const auto& p : c.model.parameters())
                names += "'" + QString::fromStdString(p.name) + "',";
            script += QString(R"(
m = torch.jit.load('%1')
assert list(m.state_dict().keys()) == [%3] or sorted(m.state_dict().keys()) == sorted([%3]), list(m.state_dict().keys())
m.eval()
with torch.no_grad():
    m(sine((%2))).numpy().astype('float32').tofile('%1.logits')
m.train()
m(sine((%2)))
for k, v in m.state_dict().items():
    if k.endswith('num_batches_tracked'): assert int(v) == 1, (k, v)
)")
                          .arg(c.file, shape, names);
        }
        const QString error = test::runPython(d, script);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const Case& c : cases) {
            const TensorData ours = c.model.forward(sineInput(c.inputShape));
            const TensorData theirs = test::readFloats(d + "/" + c.file + ".logits", ours.shape);
            const double diff = test::maxAbsDiff(ours, theirs);
            qInfo("%s: max |logit difference| to PyTorch = %.3g", c.file, diff);
            QVERIFY2(diff <= 1e-5, c.file);
        }
    }
};

BASIN_TEST_MAIN(TestModelZoo)
#include "test_model_zoo.moc"
