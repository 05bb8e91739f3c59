// `basin lmc A B --align …` as a user runs it on the quick demo's two spirals
// MLP seeds: B aligned to A is written beside the path (it computes B's
// function, so the aligned path ends at B's loss), the path to it too, and the
// summary holds the barrier before and after, the aligned one lower; a
// PNG figure draws both paths; between A and an exactly permuted copy of A,
// weight matching finds A again and the barrier vanishes; a chain of three
// or an unknown method is refused.

#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <numeric>

#include "BasinRun.h"
#include "BasinTest.h"
#include "connectivity/PathSamples.h"
#include "connectivity/PermutationSpec.h"
#include "model/StateDictFile.h"

namespace {

double trainBarrier(const QJsonObject& withSplits) {
    return withSplits["train"].toObject()["linear"].toDouble();
}

}  // namespace

class TestLmcAlignCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        QVERIFY(dir_.isValid());
        const BasinRun r = runBasin({"demo", dir_.path() + "/demo", "--quick", "--no-open"}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        demo_ = dir_.path() + "/demo";
    }

    void alignmentLowersTheBarrierBetweenSeeds() {
        using namespace basin;
        const QString out = dir_.path() + "/seeds";
        const BasinRun r = runBasin(
            {"lmc", demo_ + "/runs/mlp_spirals_seed0/epoch_003.pt",
             demo_ + "/runs/mlp_spirals_seed1/epoch_003.pt", "--model",
             demo_ + "/models/mlp_spirals.pt", "--data", demo_ + "/datasets/spirals_train.npz",
             "--test-data", demo_ + "/datasets/spirals_test.npz", "--points", "13", "--align",
             "weights", "--out", out, "--figure", out + "/path.png", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFileInfo::exists(out + "/B_aligned.pt"));
        QVERIFY(QFileInfo::exists(out + "/path_aligned.h5"));
        QFile file(out + "/summary.json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject summary = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject aligned = summary["aligned"].toObject();
        QCOMPARE(aligned["method"].toString(), QStringLiteral("weights"));
        QCOMPARE(aligned["groups"].toArray().size(), 2);  // fc1 and fc2; the output stays
        QVERIFY(aligned["groups"][0].toObject()["moved"].toDouble() > 0);
        QVERIFY(aligned["distance_after"].toDouble() < aligned["distance_before"].toDouble());
        const double before = trainBarrier(aligned["before"].toObject());
        const double after = trainBarrier(aligned["after"].toObject());
        QCOMPARE(before, trainBarrier(summary["segments"][0].toObject()));
        qInfo("train-loss barrier (i) between the seeds: %.4f before alignment, %.4f after", before,
              after);
        QVERIFY(before > 0.05);
        QVERIFY(after < 0.5 * before);
        QVERIFY(aligned["after"].toObject().contains("test"));

        // The aligned B computes B's function: both paths end at B's loss.
        const PathSamples line = readPathSamples((out + "/path.h5").toStdString());
        const PathSamples s = readPathSamples((out + "/path_aligned.h5").toStdString());
        QCOMPARE(s.t, line.t);
        QCOMPARE(s.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        QVERIFY(std::abs(s.row(SurfaceMetric::TrainLoss, 0).back() -
                         line.row(SurfaceMetric::TrainLoss, 0).back()) < 1e-5);
        QCOMPARE(s.checkpoints.back(), (out + "/B_aligned.pt").toStdString());

        // The figure: the GUI's path plot, its CSV with both paths.
        QVERIFY(!QImage(out + "/path.png").isNull());
        QFile csv(out + "/path.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(csv.readAll());
        QVERIFY2(text.contains("\nlinear,") && text.contains("\naligned,"), qPrintable(text));

        // A table names the barriers before and after.
        const BasinRun table = runBasin({"lmc", demo_ + "/runs/mlp_spirals_seed0/epoch_003.pt",
                                         demo_ + "/runs/mlp_spirals_seed1/epoch_003.pt", "--model",
                                         demo_ + "/models/mlp_spirals.pt", "--data",
                                         demo_ + "/datasets/spirals_train.npz", "--points", "13",
                                         "--align", "activations", "--out", out});
        QVERIFY2(table.code == 0, qPrintable(table.err));
        QVERIFY2(table.out.contains("before") && table.out.contains("after") &&
                     table.out.contains("activation matching"),
                 qPrintable(table.out));
    }

    void aPermutedCopyHasNoBarrierAfterWeightMatching() {
        using namespace basin;
        const QString modelPath = demo_ + "/models/mlp_spirals.pt";
        const QString a = demo_ + "/runs/mlp_spirals_seed0/epoch_003.pt";
        const Model model = Model::load(modelPath.toStdString());
        const PermutationSpec spec = PermutationSpec::derive(model);
        std::vector<Permutation> reversed;
        for (const PermutationGroup& g : spec.groups) {
            Permutation p(static_cast<std::size_t>(g.size));
            std::iota(p.rbegin(), p.rend(), 0);
            reversed.push_back(p);
        }
        const QString permuted = dir_.path() + "/a_permuted.pt";
        saveStateDict(
            permuted.toStdString(),
            permuteStateDict(spec, loadCheckpoint(a.toStdString()).stateDict(), reversed));
        const QString out = dir_.path() + "/permuted";
        const BasinRun r = runBasin({"lmc", a, permuted, "--model", modelPath, "--data",
                                     demo_ + "/datasets/spirals_train.npz", "--points", "9",
                                     "--align", "weights", "--out", out, "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject aligned =
            QJsonDocument::fromJson(r.out.toUtf8()).object()["aligned"].toObject();
        QVERIFY(aligned["distance_before"].toDouble() > 1.0);
        QVERIFY(aligned["distance_after"].toDouble() < 1e-6);
        const double before = trainBarrier(aligned["before"].toObject());
        const double after = trainBarrier(aligned["after"].toObject());
        qInfo("A and a permuted A: barrier %.4g before alignment, %.3g after", before, after);
        QVERIFY(before > 0.05);
        QVERIFY(std::abs(after) < 1e-5);
    }

    void alignmentNeedsExactlyTwoCheckpoints() {
        const QStringList common{"--model", demo_ + "/models/mlp_spirals.pt",
                                 "--data",  demo_ + "/datasets/spirals_train.npz",
                                 "--out",   dir_.path() + "/refused"};
        const QString run = demo_ + "/runs/mlp_spirals_seed0/";
        BasinRun r = runBasin(QStringList{"lmc", run + "epoch_001.pt", run + "epoch_002.pt",
                                          run + "epoch_003.pt", "--align", "weights"} +
                              common);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("two checkpoints"), qPrintable(r.err));
        r = runBasin(
            QStringList{"lmc", run + "epoch_001.pt", run + "epoch_002.pt", "--align", "magic"} +
            common);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("weights or activations"), qPrintable(r.err));
    }

private:
    QTemporaryDir dir_;
    QString demo_;
};

BASIN_TEST_MAIN(TestLmcAlignCli)
#include "test_lmc_align_cli.moc"
