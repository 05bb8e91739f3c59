// `basin align` as a user runs it: B is A with its hidden units permuted at
// random, so weight matching must give A back exactly; the aligned file loads
// in Basin and in PyTorch (torch.load + load_state_dict into the scripted
// model) and computes B's outputs; activation matching on a dataset keeps
// B's outputs and brings it near A; wrong
// arguments exit with status 2.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <numeric>

#include "../core/PythonFixtures.h"
#include "BasinRun.h"
#include "BasinTest.h"
#include "connectivity/PermutationSpec.h"
#include "data/GeneratedDatasets.h"
#include "io/Numpy.h"
#include "model/StateDictFile.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"

namespace {

// The model's state dict with every hidden unit group shuffled (same function).
std::vector<basin::NamedTensor> shuffled(const basin::Model& model, std::uint64_t seed) {
    using namespace basin;
    const PermutationSpec spec = PermutationSpec::derive(model);
    Pcg32 rng(seed);
    std::vector<Permutation> perms;
    for (const PermutationGroup& g : spec.groups) {
        Permutation p(static_cast<std::size_t>(g.size));
        std::iota(p.begin(), p.end(), 0);
        for (std::size_t i = p.size(); i > 1; --i)
            std::swap(p[i - 1], p[rng.below(std::uint32_t(i))]);
        perms.push_back(p);
    }
    return permuteStateDict(spec, model.stateDict(), perms);
}

}  // namespace

class TestAlignCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void weightMatchingRecoversAPermutedCnn() {
        using namespace basin;
        QTemporaryDir dir;
        const QString d = dir.path();
        SmallCnnOptions o;
        o.channels = 1;
        o.height = 12;
        o.width = 12;
        o.baseWidth = 4;
        o.classes = 3;
        o.seed = 5;
        const Model model = makeSmallCnn(o);
        model.save((d + "/cnn.pt").toStdString());
        const std::vector<NamedTensor> a = model.stateDict(), b = shuffled(model, 9);
        saveStateDict((d + "/a.pt").toStdString(), a);
        saveStateDict((d + "/b.pt").toStdString(), b);

        const BasinRun r = runBasin({"align", d + "/a.pt", d + "/b.pt", "--model", d + "/cnn.pt",
                                     "--out", d + "/b_aligned.pt", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray groups = report["groups"].toArray();
        QCOMPARE(groups.size(), 2);  // conv1 and conv2 channels; fc's outputs stay
        QCOMPARE(groups[0].toObject()["name"].toString(), QStringLiteral("conv1"));
        QVERIFY(groups[1].toObject()["movedFraction"].toDouble() > 0.0);
        QCOMPARE(report["fixed"].toArray()[0].toObject()["name"].toString(), QStringLiteral("fc"));
        QVERIFY(report["distanceBefore"].toDouble() > 0.1);
        QCOMPARE(report["distanceAfter"].toDouble(), 0.0);

        // Basin reads the aligned file back: A exactly, and B's outputs.
        const std::vector<NamedTensor> aligned =
            loadCheckpoint((d + "/b_aligned.pt").toStdString()).stateDict();
        QCOMPARE(aligned.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(aligned[i].name, a[i].name);
            QCOMPARE(basin::test::maxAbsDiff(aligned[i].tensor, a[i].tensor), 0.0);
        }

        // A table without --json names the groups and the distances.
        const BasinRun table = runBasin({"align", d + "/a.pt", d + "/b.pt", "--model",
                                         d + "/cnn.pt", "--out", d + "/b_aligned2.pt"});
        QVERIFY2(table.code == 0, qPrintable(table.err));
        QVERIFY(table.out.contains("conv2") && table.out.contains("before"));

        // PyTorch: torch.load reads it; loaded into the model it gives B's outputs.
        if (!basin::test::pythonTorchAvailable()) QSKIP("needs /usr/bin/python3 with torch");
        const QString error = basin::test::runPython(d, R"PY(
import torch
model = torch.jit.load('cnn.pt').eval()
x = torch.randn(6, 1, 12, 12)
outputs = []
for name in ('b.pt', 'b_aligned.pt'):
    model.load_state_dict(torch.load(name))
    with torch.no_grad():
        outputs.append(model(x))
assert torch.allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-6), (outputs[0] - outputs[1]).abs().max()
)PY");
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void activationMatchingOnADataset() {
        using namespace basin;
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        writeNpz((d + "/train.npz").toStdString(),
                 {{"x", data.train.inputs}, {"y", data.train.targets}});
        MlpOptions o;
        o.hidden = {16, 16};
        o.seed = 3;
        const Model model = makeMlp(o);
        model.save((d + "/mlp.pt").toStdString());
        saveStateDict((d + "/a.pt").toStdString(), model.stateDict());
        saveStateDict((d + "/b.pt").toStdString(), shuffled(model, 4));
        const BasinRun r = runBasin({"align", d + "/a.pt", d + "/b.pt", "--model", d + "/mlp.pt",
                                     "--method", "activations", "--data", d + "/train.npz", "--out",
                                     d + "/b_aligned.pt", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(report["method"].toString(), QStringLiteral("activations"));
        QCOMPARE(report["groups"].toArray().size(), 2);
        // Units that never fire on the data cannot be told apart by their
        // activations, so A need not come back exactly; the rest does.
        QVERIFY(report["distanceAfter"].toDouble() < 0.6 * report["distanceBefore"].toDouble());
        // The aligned B computes B's function.
        Model withB = Model::load((d + "/mlp.pt").toStdString());
        QVERIFY(withB.applyStateDict(loadCheckpoint((d + "/b.pt").toStdString()).stateDict(), true)
                    .ok());
        Model aligned = Model::load((d + "/mlp.pt").toStdString());
        QVERIFY(aligned
                    .applyStateDict(loadCheckpoint((d + "/b_aligned.pt").toStdString()).stateDict(),
                                    true)
                    .ok());
        QVERIFY(basin::test::maxAbsDiff(withB.forward(data.test.inputs),
                                        aligned.forward(data.test.inputs)) < 1e-5);
    }

    void wrongArgumentsExitWithStatusTwo() {
        QTemporaryDir dir;
        const QString a = dir.path() + "/a.pt";
        QCOMPARE(runBasin({"align", a, a, "--model", a}).code, 2);           // no --out
        QCOMPARE(runBasin({"align", a, "--model", a, "--out", a}).code, 2);  // no B
        QCOMPARE(runBasin({"align", a, a, "--model", a, "--out", a, "--method", "magic"}).code, 2);
        QCOMPARE(
            runBasin({"align", a, a, "--model", a, "--out", a, "--method", "activations"}).code,
            2);  // no --data
        const BasinRun missing = runBasin({"align", a, a, "--model", a, "--out", a + ".out"});
        QCOMPARE(missing.code, 1);  // files that do not exist: an error, named
        QVERIFY2(missing.err.contains("a.pt"), qPrintable(missing.err));
    }
};

BASIN_TEST_MAIN(TestAlignCli)
#include "test_align_cli.moc"
