// Weight matching and activation matching: a network and a randomly permuted
// copy of itself are aligned exactly (the permuted-back copy equals the
// original element by element, distance 0) for the zoo's MLP, BatchNorm CNN
// and ResNet; two independent networks get closer and the aligned one
// computes the same outputs as before (1e-5); the run is reproducible from
// its seed; models with operations Basin cannot permute and checkpoints that
// do not fit are refused with the reason; the aligned state dict saved by
// saveStateDict loads in PyTorch (torch.load + load_state_dict) and gives B's
// outputs there.

#include <QTemporaryDir>

#include "AlignmentFixtures.h"
#include "BasinTest.h"
#include "connectivity/WeightMatching.h"
#include "io/Checkpoint.h"
#include "model/StateDictFile.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::test;

namespace {

Permutation inverse(const Permutation& p) {
    Permutation q(p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        q[std::size_t(p[i])] = std::int64_t(i);
    return q;
}

double maxStateDifference(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
    double m = 0.0;
    for (const NamedTensor& t : a) {
        const NamedTensor* u = findTensor(b, t.name);
        if (!u) return 1e300;
        m = std::max(m, maxAbsDiff(t.tensor, u->tensor));
    }
    return m;
}

Dataset randomData(std::vector<std::int64_t> shape, std::uint64_t seed) {
    Dataset d;
    d.name = "random";
    d.inputs = randomInput(shape, seed);
    d.targets = basin::detail::fromTorch(torch::zeros({shape[0]}, torch::kInt64), "y");
    return d;
}

enum class Method { Weights, Activations };

// B = π(A): alignment finds π⁻¹ and gives A back exactly.
void recoversPermutedCopy(const Model& model, std::vector<std::int64_t> inputShape, Method method) {
    // Activation matching cannot tell apart units that never fire on the data
    // (random BatchNorm shifts kill some); the zoo's initialisation has none.
    const std::vector<NamedTensor> a =
        method == Method::Weights ? randomState(model, 11) : model.stateDict();
    const PermutationSpec spec = PermutationSpec::derive(model);
    const std::vector<Permutation> pi = randomPermutations(spec, 3);
    const std::vector<NamedTensor> b = permuteStateDict(spec, a, pi);
    const AlignmentResult r =
        method == Method::Weights
            ? matchWeights(model, a, b)
            : matchActivations(model, a, b, randomData(inputShape, 4), {64, 0, 1});
    QCOMPARE(r.permutations.size(), spec.groups.size());
    for (std::size_t g = 0; g < pi.size(); ++g) {
        QVERIFY2(r.permutations[g] == inverse(pi[g]), spec.groups[g].name.c_str());
        QVERIFY(r.groups[g].moved > 0);
        QCOMPARE(r.groups[g].size, spec.groups[g].size);
    }
    QCOMPARE(maxStateDifference(a, r.alignedB), 0.0);
    QVERIFY(r.distanceBefore > 1.0);
    QCOMPARE(r.distanceAfter, 0.0);
    if (method == Method::Weights) QVERIFY(r.passes >= 2);  // the last pass changes nothing
}

// Two independent networks: B aligned computes B's function and is nearer A.
void alignsIndependentNetworks(const Model& model, std::vector<std::int64_t> inputShape) {
    const std::vector<NamedTensor> a = randomState(model, 21), b = randomState(model, 22);
    const AlignmentResult r = matchWeights(model, a, b, {5, 100});
    const TensorData x = randomInput(inputShape, 6);
    const double d = relativeOutputDifference(model, b, r.alignedB, x);
    QVERIFY2(d < 1e-5, qPrintable(QString("relative output difference %1").arg(d)));
    QVERIFY2(r.distanceAfter < r.distanceBefore,
             qPrintable(QString("%1 → %2").arg(r.distanceBefore).arg(r.distanceAfter)));
    bool moved = false;
    for (const GroupMatch& g : r.groups)
        moved = moved || g.moved > 0;
    QVERIFY(moved);
    // The same seed gives the same alignment.
    QVERIFY(matchWeights(model, a, b, {5, 100}).permutations == r.permutations);

    const Dataset data = randomData(inputShape, 7);
    const AlignmentResult act = matchActivations(model, a, b, data, {50, 0, 1});
    const double da = relativeOutputDifference(model, b, act.alignedB, x);
    QVERIFY2(da < 1e-5, qPrintable(QString("activations: relative output difference %1").arg(da)));
}

Model mlp() {
    MlpOptions o;
    o.inputs = 12;
    o.hidden = {32, 24};
    o.classes = 5;
    return makeMlp(o);
}

Model cnn() {
    SmallCnnOptions o;
    o.channels = 3;
    o.height = 12;
    o.width = 12;
    o.baseWidth = 6;
    o.classes = 4;
    return makeSmallCnn(o);
}

Model resnet() {
    SmallResNetOptions o;
    o.baseWidth = 6;
    o.classes = 4;
    return makeSmallResNet(o);
}

}  // namespace

class TestWeightMatching : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void weightMatchingRecoversPermutedMlp() {
        recoversPermutedCopy(mlp(), {64, 12}, Method::Weights);
    }
    void weightMatchingRecoversPermutedCnn() {
        recoversPermutedCopy(cnn(), {16, 3, 12, 12}, Method::Weights);
    }
    void weightMatchingRecoversPermutedResNet() {
        recoversPermutedCopy(resnet(), {8, 3, 8, 8}, Method::Weights);
    }
    void activationMatchingRecoversPermutedMlp() {
        recoversPermutedCopy(mlp(), {256, 12}, Method::Activations);
    }
    void activationMatchingRecoversPermutedCnn() {
        recoversPermutedCopy(cnn(), {32, 3, 12, 12}, Method::Activations);
    }
    void activationMatchingRecoversPermutedResNet() {
        recoversPermutedCopy(resnet(), {16, 3, 8, 8}, Method::Activations);
    }

    void independentMlpsAlignWithoutChangingB() { alignsIndependentNetworks(mlp(), {16, 12}); }
    void independentCnnsAlignWithoutChangingB() {
        alignsIndependentNetworks(cnn(), {8, 3, 12, 12});
    }
    void independentResNetsAlignWithoutChangingB() {
        alignsIndependentNetworks(resnet(), {8, 3, 8, 8});
    }

    void unsupportedOperationIsNamed() {
        const Model model =
            scriptedModel("layer-norm-mlp",
                          "def forward(self, x: Tensor) -> Tensor:\n"
                          "    h = torch.layer_norm(torch.linear(x, self.w1, self.b1), [6])\n"
                          "    return torch.linear(h, self.w2, self.b2)\n",
                          {{"w1", torch::randn({6, 4})},
                           {"b1", torch::randn({6})},
                           {"w2", torch::randn({3, 6})},
                           {"b2", torch::randn({3})}});
        const std::vector<NamedTensor> state = model.stateDict();
        try {
            matchWeights(model, state, state);
            QFAIL("a model with LayerNorm on hidden units was aligned");
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("aten::layer_norm") != std::string::npos &&
                         what.find("'w1'") != std::string::npos,
                     e.what());
        }
    }

    void checkpointThatDoesNotFitIsRefused() {
        const Model model = mlp();
        std::vector<NamedTensor> b = model.stateDict();
        b.pop_back();  // fc3.bias missing
        try {
            matchWeights(model, model.stateDict(), b);
            QFAIL("a checkpoint without fc3.bias was aligned");
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("checkpoint B") != std::string::npos &&
                         what.find("fc3.bias") != std::string::npos,
                     e.what());
        }
    }

    void alignedCheckpointLoadsInPyTorch() {
        if (!pythonTorchAvailable()) QSKIP("needs /usr/bin/python3 with torch");
        QTemporaryDir dir;
        const Model model = cnn();
        const std::vector<NamedTensor> a = randomState(model, 1), b = randomState(model, 2);
        const AlignmentResult r = matchWeights(model, a, b);
        model.save((dir.path() + "/model.pt").toStdString());
        saveStateDict((dir.path() + "/b.pt").toStdString(), b);
        saveStateDict((dir.path() + "/b_aligned.pt").toStdString(), r.alignedB);
        // Basin reads it back as it wrote it.
        const Checkpoint back = loadCheckpoint((dir.path() + "/b_aligned.pt").toStdString());
        QCOMPARE(maxStateDifference(r.alignedB, back.stateDict()), 0.0);
        // PyTorch loads both into the scripted model; same outputs.
        const QString error = runPython(dir.path(), R"PY(
import torch
model = torch.jit.load('model.pt').eval()
x = torch.randn(5, 3, 12, 12)
outputs = []
for name in ('b.pt', 'b_aligned.pt'):
    state = torch.load(name)
    assert isinstance(state, dict), type(state)
    model.load_state_dict(state)
    with torch.no_grad():
        outputs.append(model(x))
moved = torch.load('b_aligned.pt')['conv1.weight'].ne(torch.load('b.pt')['conv1.weight']).any()
assert bool(moved), 'alignment moved nothing'
diff = (outputs[0] - outputs[1]).abs().max() / outputs[0].abs().max()
assert diff < 1e-5, float(diff)
)PY");
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
};

BASIN_TEST_MAIN(TestWeightMatching)
#include "test_weight_matching.moc"
