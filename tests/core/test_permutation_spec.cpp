// PermutationSpec::derive: the permutation groups of the zoo's MLP, BatchNorm
// CNN (flatten into a linear layer: blocks) and ResNet (residual streams
// unified, downsample shortcuts), and of modules scripted by real PyTorch
// (nn.Sequential MLP and CNN, torchvision's ResNet-18); permuting every group
// at random leaves the outputs unchanged; units that meet the network's input
// or output stay fixed; operations Basin cannot follow are refused with an
// error naming the operation and the units.

#include <QTemporaryDir>

#include "AlignmentFixtures.h"
#include "BasinTest.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::test;

namespace {

const PermutationGroup* findGroup(const PermutationSpec& spec, const std::string& name) {
    for (const PermutationGroup& g : spec.groups)
        if (g.name == name) return &g;
    return nullptr;
}

bool hasAxis(const PermutationGroup& g, const std::string& tensor, int dim,
             std::int64_t block = 1) {
    for (const PermutedAxis& a : g.axes)
        if (a.tensor == tensor && a.dim == dim && a.block == block) return true;
    return false;
}

// Every group permuted at random: the outputs stay the same.
void checkPermutationKeepsFunction(const Model& model, std::vector<std::int64_t> inputShape) {
    const PermutationSpec spec = PermutationSpec::derive(model);
    QVERIFY(!spec.groups.empty());
    const TensorData x = randomInput(inputShape, 5);
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
        const std::vector<NamedTensor> state = randomState(model, seed);
        const std::vector<NamedTensor> permuted =
            permuteStateDict(spec, state, randomPermutations(spec, seed));
        // Something moved...
        bool changed = false;
        for (std::size_t i = 0; i < state.size(); ++i)
            changed = changed || maxAbsDiff(state[i].tensor, permuted[i].tensor) > 0;
        QVERIFY(changed);
        // ...and the function did not.
        const double d = relativeOutputDifference(model, state, permuted, x);
        QVERIFY2(d < 1e-5, qPrintable(QString("%1: relative output difference %2\n%3")
                                          .arg(QString::fromStdString(model.name()))
                                          .arg(d)
                                          .arg(QString::fromStdString(spec.describe()))));
    }
}

// The error of derive(), or "" when it succeeds.
std::string deriveError(const Model& model) {
    try {
        PermutationSpec::derive(model);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

torch::Tensor randn(std::vector<std::int64_t> shape) {
    return torch::randn(shape);
}

// fc1 (4 → 6) then something on its hidden units, then fc2 (6 → 3).
Model twoLayer(const std::string& name, const std::string& middle, const std::string& tail = "") {
    return scriptedModel(name,
                         "def forward(self, x: Tensor) -> Tensor:\n"
                         "    h = torch.relu(torch.linear(x, self.w1, self.b1))\n" +
                             middle + "    return torch.linear(h, self.w2, self.b2)" + tail + "\n",
                         {{"w1", randn({6, 4})},
                          {"b1", randn({6})},
                          {"w2", randn({3, 6})},
                          {"b2", randn({3})},
                          {"w3", randn({6, 6})}});
}

}  // namespace

class TestPermutationSpec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mlpGroups() {
        MlpOptions o;
        o.inputs = 5;
        o.hidden = {7, 6};
        o.classes = 3;
        const Model model = makeMlp(o);
        const PermutationSpec spec = PermutationSpec::derive(model);
        QCOMPARE(spec.describe(),
                 std::string("fc1: 7 units, fc1.weight[0], fc1.bias[0], fc2.weight[1]\n"
                             "fc2: 6 units, fc2.weight[0], fc2.bias[0], fc3.weight[1]\n"
                             "fc3: not permuted, they are the network's output\n"));
        checkPermutationKeepsFunction(model, {9, 5});
    }

    void cnnGroupsWithBatchNormAndFlatten() {
        SmallCnnOptions o;
        o.channels = 2;
        o.height = 12;
        o.width = 8;
        o.baseWidth = 3;
        o.classes = 4;
        const Model model = makeSmallCnn(o);
        const PermutationSpec spec = PermutationSpec::derive(model);
        QCOMPARE(spec.describe(),
                 std::string("conv1: 3 units, conv1.weight[0], bn1.weight[0], bn1.bias[0], "
                             "bn1.running_mean[0], bn1.running_var[0], conv2.weight[1]\n"
                             "conv2: 6 units, conv2.weight[0], bn2.weight[0], bn2.bias[0], "
                             "bn2.running_mean[0], bn2.running_var[0], fc.weight[1] in blocks "
                             "of 6\n"
                             "fc: not permuted, they are the network's output\n"));
        const PermutationGroup* conv1 = findGroup(spec, "conv1");
        QVERIFY(conv1);
        for (const PermutedAxis& a : conv1->axes)
            QCOMPARE(a.isBuffer, a.tensor.find("running") != std::string::npos);
        checkPermutationKeepsFunction(model, {3, 2, 12, 8});
    }

    void resnetResidualStreamsAreUnified() {
        SmallResNetOptions o;
        o.baseWidth = 4;
        o.classes = 3;
        o.blocksPerStage = 2;
        const Model model = makeSmallResNet(o);
        const PermutationSpec spec = PermutationSpec::derive(model);
        // Three residual streams and one group inside each block.
        QCOMPARE(spec.groups.size(), std::size_t(3 + 6));
        const PermutationGroup* stream1 = findGroup(spec, "conv1");
        QVERIFY(stream1);
        QCOMPARE(stream1->size, std::int64_t(4));
        for (const char* t : {"conv1.weight", "bn1.running_var", "layer1.0.conv2.weight",
                              "layer1.0.bn2.bias", "layer1.1.conv2.weight"})
            QVERIFY2(hasAxis(*stream1, t, 0), t);
        for (const char* t : {"layer1.0.conv1.weight", "layer1.1.conv1.weight",
                              "layer2.0.conv1.weight", "layer2.0.downsample.conv.weight"})
            QVERIFY2(hasAxis(*stream1, t, 1), t);
        // The downsample shortcut joins the second stream.
        const PermutationGroup* stream2 = findGroup(spec, "layer2.0.conv2");
        QVERIFY2(stream2, spec.describe().c_str());
        QVERIFY(hasAxis(*stream2, "layer2.0.downsample.conv.weight", 0));
        QVERIFY(hasAxis(*stream2, "layer2.0.downsample.bn.running_mean", 0));
        QVERIFY(hasAxis(*stream2, "layer2.1.conv2.weight", 0));
        const PermutationGroup* stream3 = findGroup(spec, "layer3.0.conv2");
        QVERIFY(stream3);
        QVERIFY(hasAxis(*stream3, "fc.weight", 1));  // after global average pooling
        QVERIFY(findGroup(spec, "layer2.1.conv1"));
        checkPermutationKeepsFunction(model, {2, 3, 8, 8});
    }

    void unitsMeetingTheInputStayFixed() {
        // h + x: fc1's units line up with the input features, which never move.
        const Model model =
            scriptedModel("input-skip",
                          "def forward(self, x: Tensor) -> Tensor:\n"
                          "    h = torch.relu(torch.linear(x, self.w1, self.b1))\n"
                          "    h = torch.relu(torch.linear(h + x, self.w2, self.b2))\n"
                          "    return torch.linear(h, self.w3, self.b3)\n",
                          {{"w1", randn({4, 4})},
                           {"b1", randn({4})},
                           {"w2", randn({5, 4})},
                           {"b2", randn({5})},
                           {"w3", randn({2, 5})},
                           {"b3", randn({2})}});
        const PermutationSpec spec = PermutationSpec::derive(model);
        QCOMPARE(spec.groups.size(), std::size_t(1));
        QCOMPARE(spec.groups[0].name, std::string("w2"));
        QCOMPARE(spec.fixed.size(), std::size_t(2));
        QCOMPARE(spec.fixed[0].name, std::string("w1"));
        QVERIFY(spec.fixed[0].reason.find("aten::add") != std::string::npos);
        checkPermutationKeepsFunction(model, {3, 4});
    }

    void unsupportedOperationsAreNamed() {
        struct Case {
            const char* middle;
            const char* operation;
        };
        for (const Case& c : std::vector<Case>{
                 {"    h = torch.cat([h, h], 1)[:, :6]\n", "aten::cat"},
                 {"    h = torch.layer_norm(h, [6])\n", "aten::layer_norm"},
                 {"    h = h.softmax(1)\n", "aten::softmax"},
                 {"    if bool(h.sum() > 0):\n        h = h * 2.0\n", "aten::sum"},
                 {"    h = h.flip([1])\n", "aten::flip"},
                 {"    h = torch.mean(h, [1], False).unsqueeze(1) + torch.zeros([1, 6])\n",
                  "aten::mean"}}) {
            const std::string error = deriveError(twoLayer("unsupported", c.middle));
            QVERIFY2(error.find(c.operation) != std::string::npos, error.c_str());
            QVERIFY2(error.find("'w1'") != std::string::npos, error.c_str());  // the units
            QVERIFY2(error.find("model 'unsupported'") != std::string::npos, error.c_str());
        }
        // A permuted parameter read elsewhere is named with what reads it.
        const std::string shared = deriveError(twoLayer(
            "shared", "    s = torch.linear(x, self.w1 * 2.0, None).sum(1, True)\n", " + s"));
        QVERIFY2(shared.find("'w1'") != std::string::npos &&
                     shared.find("aten::mul") != std::string::npos,
                 shared.c_str());
        // Grouped convolutions on hidden channels.
        const Model grouped =
            scriptedModel("grouped",
                          "def forward(self, x: Tensor) -> Tensor:\n"
                          "    h = torch.conv2d(x, self.w1, None, [1, 1], [0, 0], [1, 1], 1)\n"
                          "    h = torch.conv2d(h, self.w2, None, [1, 1], [0, 0], [1, 1], 2)\n"
                          "    return torch.flatten(h, 1)\n",
                          {{"w1", randn({4, 3, 1, 1})}, {"w2", randn({4, 2, 1, 1})}});
        const std::string error = deriveError(grouped);
        QVERIFY2(error.find("aten::conv2d") != std::string::npos &&
                     error.find("groups = 2") != std::string::npos,
                 error.c_str());
    }

    void modulesScriptedByPyTorch() {
        if (!pythonTorchAvailable()) QSKIP("needs /usr/bin/python3 with torch");
        QTemporaryDir dir;
        const QString error =
            runPython(dir.path(), QString("import torch, torchvision\n") + kSmallCnnPython + R"PY(
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 16), torch.nn.ReLU(),
                          torch.nn.Dropout(0.1), torch.nn.Linear(16, 8), torch.nn.Tanh(),
                          torch.nn.Linear(8, 3))
torch.jit.script(mlp.eval()).save('mlp.pt')
torch.jit.script(SmallCNN().eval()).save('cnn.pt')
seq = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 3, padding=1, bias=False),
                          torch.nn.BatchNorm2d(6), torch.nn.ReLU(inplace=True),
                          torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                          torch.nn.Linear(6, 4))
torch.jit.script(seq.eval()).save('seq.pt')
torch.jit.script(torchvision.models.resnet18(weights=None, num_classes=5).eval()).save('resnet18.pt')
)PY");
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const Model mlp = Model::load((dir.path() + "/mlp.pt").toStdString());
        const PermutationSpec mlpSpec = PermutationSpec::derive(mlp);
        QCOMPARE(mlpSpec.groups.size(), std::size_t(2));
        QVERIFY(hasAxis(mlpSpec.groups[0], "4.weight", 1));  // through ReLU and Dropout
        checkPermutationKeepsFunction(mlp, {4, 3, 4});

        const Model cnn = Model::load((dir.path() + "/cnn.pt").toStdString());
        const PermutationSpec cnnSpec = PermutationSpec::derive(cnn);
        QCOMPARE(cnnSpec.groups.size(), std::size_t(1));
        QVERIFY(hasAxis(cnnSpec.groups[0], "conv.bias", 0));
        QVERIFY(hasAxis(cnnSpec.groups[0], "bn.running_var", 0));
        QVERIFY(hasAxis(cnnSpec.groups[0], "fc.weight", 1, 64));
        checkPermutationKeepsFunction(cnn, {2, 3, 16, 16});

        const Model seq = Model::load((dir.path() + "/seq.pt").toStdString());
        checkPermutationKeepsFunction(seq, {2, 3, 8, 8});

        const Model resnet = Model::load((dir.path() + "/resnet18.pt").toStdString());
        const PermutationSpec resnetSpec = PermutationSpec::derive(resnet);
        // 4 residual streams + 8 blocks' inner groups.
        QCOMPARE(resnetSpec.groups.size(), std::size_t(12));
        const PermutationGroup* stem = findGroup(resnetSpec, "conv1");
        QVERIFY(stem);
        QVERIFY(hasAxis(*stem, "layer1.1.bn2.running_mean", 0));
        QVERIFY(hasAxis(*stem, "layer2.0.downsample.0.weight", 1));
        checkPermutationKeepsFunction(resnet, {1, 3, 32, 32});
    }
};

BASIN_TEST_MAIN(TestPermutationSpec)
#include "test_permutation_spec.moc"
