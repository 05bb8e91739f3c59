// `basin weights` as a user runs it: a landscape and an LMC path computed by
// basin landscape and basin lmc, then the weights at a grid point saved; the
// file evaluates (basin evaluate, and PyTorch: torch.load + load_state_dict
// into the scripted model) to the result's own value there; wrong arguments
// exit with status 2, missing files with a sentence.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>

#include "../core/PythonFixtures.h"
#include "BasinRun.h"
#include "BasinTest.h"
#include "connectivity/PathSamples.h"
#include "data/GeneratedDatasets.h"
#include "io/Numpy.h"
#include "landscape/Surface.h"
#include "model/StateDictFile.h"
#include "zoo/ModelZoo.h"

namespace {

// basin evaluate's loss of one checkpoint.
double evaluatedLoss(const QString& d, const QString& checkpoint) {
    const BasinRun r = runBasin(
        {"evaluate", "--json", "--model", d + "/mlp.pt", "--data", d + "/train.npz", checkpoint});
    if (r.code != 0) return std::nan("");
    return QJsonDocument::fromJson(r.out.toUtf8())
        .object()["results"]
        .toArray()[0]
        .toObject()["loss"]
        .toDouble(std::nan(""));
}

}  // namespace

class TestWeightsCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void weightsOnASurfaceAndAPath() {
        using namespace basin;
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        writeNpz((d + "/train.npz").toStdString(),
                 {{"x", data.train.inputs}, {"y", data.train.targets}});
        MlpOptions o;
        o.hidden = {16, 16};
        makeMlp(o).save((d + "/mlp.pt").toStdString());
        for (std::uint64_t seed : {1u, 2u}) {
            o.seed = seed;
            saveStateDict((d + "/seed" + QString::number(seed) + ".pt").toStdString(),
                          makeMlp(o).stateDict());
        }
        BasinRun r = runBasin({"landscape", "--model", d + "/mlp.pt", "--checkpoint",
                               d + "/seed1.pt", "--data", d + "/train.npz", "--x=-1:1:5",
                               "--y=-1:1:5", "--out", d + "/plane.h5"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const Surface surface = readSurface((d + "/plane.h5").toStdString());
        const double want = surface.metric(SurfaceMetric::TrainLoss)[3 * 5 + 1];  // (0.5, −0.5)

        r = runBasin(
            {"weights", d + "/plane.h5", "--a", "0.5", "--b", "-0.5", "--out", d + "/w.pt"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("θ₀ + a·d_x + b·d_y of plane.h5 at (a, b) = (0.5, -0.5)"),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains("the surface there: train_loss " + QString::number(want)),
                 qPrintable(r.out));
        QVERIFY(std::abs(evaluatedLoss(d, d + "/w.pt") - want) < 1e-5);

        // The path: t = 0.25 is its second point.
        r = runBasin({"lmc", d + "/seed1.pt", d + "/seed2.pt", "--model", d + "/mlp.pt", "--data",
                      d + "/train.npz", "--points", "5", "--out", d + "/lmc"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = runBasin({"weights", d + "/lmc/path.h5", "--t", "0.25", "--out", d + "/t.pt"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("(1 − t)·θ_A + t·θ_B of path.h5 at t = 0.25"), qPrintable(r.out));
        const PathSamples path = readPathSamples((d + "/lmc/path.h5").toStdString());
        QVERIFY(std::abs(evaluatedLoss(d, d + "/t.pt") - path.row(SurfaceMetric::TrainLoss, 0)[1]) <
                1e-5);

        // PyTorch reads the file; the scripted model with it has the surface's loss.
        if (!basin::test::pythonTorchAvailable()) QSKIP("needs /usr/bin/python3 with torch");
        const QString error = basin::test::runPython(d, QStringLiteral(R"PY(
import numpy as np, torch
model = torch.jit.load('mlp.pt').eval()
model.load_state_dict(torch.load('w.pt'))
data = np.load('train.npz')
with torch.no_grad():
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(data['x'])),
                                             torch.from_numpy(data['y']).long()).item()
assert abs(loss - %1) < 1e-5, (loss, %1)
)PY")
                                                            .arg(want, 0, 'g', 17));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void wrongArgumentsAndMissingFiles() {
        QTemporaryDir dir;
        const QString s = dir.path() + "/s.h5";
        QCOMPARE(runBasin({"weights", s, "--a", "1"}).code, 2);          // no --out
        QCOMPARE(runBasin({"weights", s, "--out", s + ".pt"}).code, 2);  // no point
        QCOMPARE(runBasin({"weights", s, "--a", "1", "--t", "0", "--out", "w"}).code, 2);
        QCOMPARE(runBasin({"weights", s, "--b", "1", "--out", "w"}).code, 2);  // b alone
        QCOMPARE(runBasin({"weights", s, "--a", "x", "--out", "w"}).code, 2);
        const BasinRun missing = runBasin({"weights", s, "--a", "1", "--out", s + ".pt"});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("s.h5"), qPrintable(missing.err));
    }
};

BASIN_TEST_MAIN(TestWeightsCli)
#include "test_weights_cli.moc"
