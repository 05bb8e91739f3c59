// `basin lmc A B --curve …` as a user runs it on the quick demo's two spirals
// MLP seeds: the trained curve's barrier is below the line's in the summary,
// its path file sits beside the line's (kind "curve", same t), the plane
// through A, B and the bend is a complete surface whose directions carry the
// curve, a rerun resumes instead of retraining and more epochs continue the
// file; PyTorch opens the curve file; a chain of three is refused.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "../core/PythonFixtures.h"
#include "BasinRun.h"
#include "BasinTest.h"
#include "connectivity/PathSamples.h"
#include "landscape/DirectionsFile.h"
#include "landscape/Surface.h"

class TestCurveCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void curveBetweenTheDemoSeeds() {
        using namespace basin;
        QTemporaryDir dir;
        const QString d = dir.path();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        BasinRun r = runBasin({"demo", d + "/demo", "--quick", "--no-open"}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString demo = d + "/demo";
        QStringList lmc{"lmc",
                        demo + "/runs/mlp_spirals_seed0/epoch_003.pt",
                        demo + "/runs/mlp_spirals_seed1/epoch_003.pt",
                        "--model",
                        demo + "/models/mlp_spirals.pt",
                        "--data",
                        demo + "/datasets/spirals_train.npz",
                        "--out",
                        d + "/lmc",
                        "--points",
                        "13",
                        "--curve",
                        "bezier:1",
                        "--curve-epochs",
                        "6",
                        "--curve-plane",
                        "--curve-plane-points",
                        "5",
                        "--json"};
        r = runBasin(lmc);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QJsonObject summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonObject curve = summary["curve"].toObject();
        QCOMPARE(curve["curve"].toString(), QStringLiteral("bezier:1"));
        QCOMPARE(curve["epochs"].toInt(), 6);
        const double line =
            summary["segments"][0].toObject()["train"].toObject()["linear"].toDouble();
        const double curved = curve["train"].toObject()["linear"].toDouble();
        qInfo("train-loss barrier (i): line %.4f, bezier:1 after 6 epochs %.4f", line, curved);
        QVERIFY(line > 0.05);
        QVERIFY(curved < 0.5 * line);

        const PathSamples s = readPathSamples((d + "/lmc/curve_bezier1.h5").toStdString());
        QCOMPARE(s.kind, std::string("curve"));
        QCOMPARE(s.t, readPathSamples((d + "/lmc/path.h5").toStdString()).t);
        QCOMPARE(s.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        const Surface plane = readSurface((d + "/lmc/curve_plane.h5").toStdString());
        QCOMPARE(plane.pointCount(), std::size_t(25));
        QCOMPARE(plane.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        const auto points = loadProjectedPoints(plane.metadata.directionsFile);
        QCOMPARE(points.size(), std::size_t(61));  // the curve, A first, B last
        QVERIFY(points.front().label.find("seed0") != std::string::npos);
        QVERIFY(points.back().label.find("seed1") != std::string::npos);

        // A rerun trains nothing and gives the same numbers; more epochs continue.
        r = runBasin(lmc);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary["curve"].toObject()["train"].toObject()["linear"].toDouble(), curved);
        lmc[lmc.indexOf("6")] = "8";
        r = runBasin(lmc);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary["curve"].toObject()["epoch_loss"].toArray().size(), 8);

        if (basin::test::pythonTorchAvailable()) {
            const QString error = basin::test::runPython(d, R"PY(
import torch
c = torch.load('lmc/curve_bezier1.pt')
assert c['kind'] == 'bezier' and c['bend_count'] == 1 and c['epoch'] == 8, c
assert len(c['bends']) == 1 and 'fc1.weight' in c['bends'][0]
assert c['epoch_loss'].shape == (8,)
)PY");
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }

        // A curve joins two checkpoints, not a chain.
        r = runBasin({"lmc", demo + "/runs/mlp_spirals_seed0/epoch_001.pt",
                      demo + "/runs/mlp_spirals_seed0/epoch_002.pt",
                      demo + "/runs/mlp_spirals_seed0/epoch_003.pt", "--model",
                      demo + "/models/mlp_spirals.pt", "--data",
                      demo + "/datasets/spirals_train.npz", "--curve", "bezier:1"});
        QCOMPARE(r.code, 2);
    }
};

BASIN_TEST_MAIN(TestCurveCli)
#include "test_curve_cli.moc"
