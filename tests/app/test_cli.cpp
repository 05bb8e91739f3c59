// The `basin` executable's command line, run as a user would run it.

#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "BasinRun.h"
#include "BasinTest.h"

namespace {

using Run = BasinRun;

Run basin(const QStringList& args,
          const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    return runBasin(args, env);
}

}  // namespace

// Two randomly initialised MLPs on two spirals: mlp.pt, seed1.safetensors,
// seed2.safetensors and train.npz in `dir`. Defined at the end of the file,
// after core's headers, whose namespace basin would make the basin() calls
// above ambiguous.
void writeLmcFixture(const QString& dir);

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void versionAndHelp() {
        Run r = basin({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("basin " BASIN_VERSION));
        r = basin({"--help"});
        QCOMPARE(r.code, 0);
        for (const char* sub : {"open", "demo", "screenshot", "inspect", "evaluate", "landscape",
                                "hessian", "lmc", "fingerprint"}) {
            QVERIFY2(r.out.contains(QStringLiteral("  %1 ").arg(sub)), qPrintable(r.out));
        }
    }

    void everySubcommandHasHelp() {
        for (const char* sub : {"open", "demo", "screenshot", "inspect", "evaluate", "landscape",
                                "hessian", "lmc", "fingerprint"}) {
            // --help is answered before any window or display is needed.
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("DISPLAY", ":987654");
            const Run r = basin({sub, "--help"}, env);
            QVERIFY2(r.code == 0, qPrintable(QStringLiteral("%1: %2").arg(sub, r.err)));
            QVERIFY2(r.out.contains("Usage:") && r.out.contains("--help"), qPrintable(r.out));
        }
    }

    void unknownSubcommandAndOption() {
        Run r = basin({"frobnicate"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown subcommand 'frobnicate'"));
        r = basin({"fingerprint", "--no-such-option", "x"});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("no-such-option"));
    }

    void guiWithoutDisplaySaysSo() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("DISPLAY", ":987654");  // nothing listens there
        const Run r = basin({"demo"}, env);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot open the X display") && r.err.contains("basin screenshot"),
                 qPrintable(r.err));
    }

    void fingerprintIsSha256sumCompatible() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/ckpt.pt";
        QByteArray bytes(5'000'000, '\0');
        for (int i = 0; i < bytes.size(); ++i)
            bytes[i] = char(i * 7 + (i >> 9));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        const QString expected =
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();

        Run r = basin({"fingerprint", file});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, expected + "  " + file + "\n");
        QVERIFY(r.err.contains("100%"));  // progress went to stderr

        r = basin({"fingerprint", "--json", file});
        QCOMPARE(r.code, 0);
        const QJsonArray array = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(array.size(), 1);
        QCOMPARE(array[0].toObject()["sha256"].toString(), expected);
        QCOMPARE(array[0].toObject()["size"].toDouble(), double(bytes.size()));
    }

    void fingerprintErrorNamesTheFile() {
        const Run r = basin({"fingerprint", "/nonexistent/epoch_3.pt"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("/nonexistent/epoch_3.pt"), qPrintable(r.err));
        QCOMPARE(basin({"fingerprint"}).code, 2);
    }

    void inspectListsTensorsAndDifferences() {
        // Two checkpoints written by real PyTorch: a nested training dict and
        // a plain state dict of the same model, one weight nudged.
        QTemporaryDir dir;
        const QString a = dir.path() + "/a.pt", b = dir.path() + "/b.pt";
        QProcess py;
        py.start(
            "/usr/bin/python3",
            {"-c", QStringLiteral(
                       "import torch, argparse\n"
                       "torch.manual_seed(0)\n"
                       "m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))\n"
                       "torch.save({'epoch': 7, 'state_dict': m.state_dict(), 'args': "
                       "argparse.Namespace(lr=0.1)}, '%1')\n"
                       "with torch.no_grad(): m[0].weight.mul_(2)\n"
                       "torch.save(m.state_dict(), '%2')\n")
                       .arg(a, b)});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());

        Run r = basin({"inspect", a});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("weights: state_dict"));
        QVERIFY(r.out.contains("epoch = 7"));
        QVERIFY(r.out.contains("not loaded: argparse.Namespace"));
        QVERIFY(r.out.contains("0.weight") && r.out.contains("[3, 4]"));

        r = basin({"inspect", "--json", "--diff", b, a});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json["root"].toString(), QStringLiteral("state_dict"));
        QCOMPARE(json["metadata"].toObject()["epoch"].toString(), QStringLiteral("7"));
        const QJsonArray tensors = json["tensors"].toArray();
        QCOMPARE(tensors.size(), 7);  // Linear weight/bias + BatchNorm's 5
        for (const QJsonValue& v : tensors) {
            const QJsonObject t = v.toObject();
            if (t["name"].toString() == QLatin1String("0.weight")) {
                // The other file's weight is 2 a: |a - 2a| / |a| = 1, cosine 1.
                QVERIFY(std::abs(t["relativeChange"].toDouble() - 1.0) < 1e-6);
                QVERIFY(std::abs(t["cosine"].toDouble() - 1.0) < 1e-6);
            } else if (t["name"].toString() == QLatin1String("0.bias")) {
                QCOMPARE(t["relativeChange"].toDouble(), 0.0);
            }
        }

        r = basin({"inspect", "--root", "optimizer", a});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no weights under 'optimizer'") && r.err.contains("state_dict"),
                 qPrintable(r.err));
        r = basin({"inspect", dir.path() + "/missing.pt"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("missing.pt"));
    }

    void lmcBetweenTwoNetworks() {
        QTemporaryDir dir;
        const QString d = dir.path();
        writeLmcFixture(d);
        const QStringList lmc{"lmc",
                              d + "/seed1.safetensors",
                              d + "/seed2.safetensors",
                              "--model",
                              d + "/mlp.pt",
                              "--data",
                              d + "/train.npz",
                              "--points",
                              "9",
                              "--layerwise",
                              "--second-order",
                              "--out",
                              d + "/lmc",
                              "--figure",
                              d + "/path.svg",
                              "--json"};
        Run r = basin(lmc);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary["t"].toArray().size(), 9);
        const QJsonObject train = summary["segments"].toArray()[0].toObject()["train"].toObject();
        for (const char* key : {"linear", "linear_t", "max_above_mean_of_ends", "max_t", "midpoint",
                                "area", "accuracy_drop", "accuracy_t"})
            QVERIFY2(train[QLatin1String(key)].isDouble(), key);
        QVERIFY(train["linear"].toDouble() >= 0.0);
        // fc1, fc2, fc3 with the others at A, at B, and cumulatively.
        const QJsonArray layers = summary["layerwise"].toObject()["barriers"].toArray();
        QCOMPARE(layers.size(), 9);
        QCOMPARE(layers[0].toObject()["layer"].toString(), QStringLiteral("fc1"));
        QCOMPARE(layers[8].toObject()["variant"].toString(), QStringLiteral("cumulative"));
        const QJsonObject second = summary["second_order"].toObject();
        QCOMPARE(second["predicted_train_loss"].toArray().size(), 9);
        QVERIFY(second["curvature_at_midpoint"].isDouble());
        for (const char* file :
             {"/lmc/path.h5", "/lmc/layerwise.h5", "/lmc/summary.json", "/path.svg", "/path.csv"})
            QVERIFY2(QFile::exists(d + file), file);
        // A second run finds every point computed.
        r = basin({"lmc", d + "/seed1.safetensors", d + "/seed2.safetensors", "--model",
                   d + "/mlp.pt", "--data", d + "/train.npz", "--points", "9", "--out",
                   d + "/lmc"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("0 points computed now, 9 in all"), qPrintable(r.out));
        QVERIFY(r.out.contains("barrier"));
        QCOMPARE(basin({"lmc", d + "/seed1.safetensors", "--model", d + "/mlp.pt", "--data",
                        d + "/train.npz"})
                     .code,
                 2);
    }

    void demoWritesAProjectHeadless() {
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");  // --no-open needs no display
        Run r = basin({"demo", dir.path(), "--quick", "--no-open"}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString file = dir.path() + "/demo.basin";
        QCOMPARE(r.out.trimmed(), file);
        QVERIFY(r.err.contains("100%"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject project = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(project["models"].toArray().size(), 2);
        QCOMPARE(project["datasets"].toArray().size(), 4);
        // Two seeds of two models, each with its initial checkpoint and one per epoch.
        QVERIFY(project["checkpoints"].toArray().size() >= 4 * 2);
        QCOMPARE(project["probe"].toObject()["kind"].toString(), QStringLiteral("checkpoint"));
        // Every checkpoint it lists opens with inspect.
        const QString first =
            dir.path() + "/" + project["checkpoints"].toArray()[0].toObject()["path"].toString();
        QCOMPARE(basin({"inspect", first}).code, 0);
        // The demo's models evaluate at their checkpoints; a checkpoint of the
        // other model is reported and fails the command, the rest still print.
        r = basin({"evaluate", "--json", "--model", dir.path() + "/models/mlp_spirals.pt", "--data",
                   dir.path() + "/datasets/spirals_test.npz",
                   dir.path() + "/runs/mlp_spirals_seed0/epoch_000.pt",
                   dir.path() + "/runs/mlp_spirals_seed0/epoch_003.pt",
                   dir.path() + "/runs/cnn_digits_seed0/epoch_001.pt"},
                  env);
        QCOMPARE(r.code, 1);
        const QJsonArray results =
            QJsonDocument::fromJson(r.out.toUtf8()).object()["results"].toArray();
        QCOMPARE(results.size(), 3);
        QVERIFY(results[0].toObject()["loss"].toDouble() >
                results[1].toObject()["loss"].toDouble());
        QCOMPARE(results[0].toObject()["samples"].toDouble(), 200.0);
        QVERIFY(results[2].toObject()["error"].toString().contains("fc1.weight"));
        r = basin({"evaluate", "--model", dir.path() + "/models/cnn_digits.pt", "--data",
                   dir.path() + "/datasets/digits_test.npz", "--bn-data",
                   dir.path() + "/datasets/digits_train.npz",
                   dir.path() + "/runs/cnn_digits_seed1/epoch_001.pt"},
                  env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("epoch_001.pt"));
        QCOMPARE(basin({"evaluate", "--model", first}, env).code, 2);  // no --data
        // A TorchScript model inspects as its parameters and buffers.
        r = basin({"inspect", "--json", dir.path() + "/models/cnn_digits.pt"}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject model = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(model["format"].toString(), QStringLiteral("TorchScript model"));
        QVERIFY(r.out.contains("bn1.running_mean"));
        // NumPy archives (the demo's datasets) inspect as their arrays.
        r = basin({"inspect", dir.path() + "/datasets/spirals_test.npz"}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("NumPy arrays") && r.out.contains("[200, 2]"));

        // A landscape around the trained spirals MLP, with its figure; a
        // second run finds every point computed and resumes nothing.
        const QString surface = dir.path() + "/landscape.h5";
        const QStringList landscape{"landscape",
                                    "--model",
                                    dir.path() + "/models/mlp_spirals.pt",
                                    "--checkpoint",
                                    dir.path() + "/runs/mlp_spirals_seed0/epoch_003.pt",
                                    "--data",
                                    dir.path() + "/datasets/spirals_test.npz",
                                    "--x=-1:1:5",
                                    "--y=-1:1:4",
                                    "--out",
                                    surface,
                                    "--figure",
                                    dir.path() + "/landscape.svg",
                                    "--vts",
                                    dir.path() + "/landscape.vts"};
        r = basin(landscape, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("20 points computed now, 20 in all"));
        QVERIFY(QFile::exists(surface) && QFile::exists(surface + ".directions.h5"));
        QVERIFY(QFile::exists(dir.path() + "/landscape.svg") &&
                QFile::exists(dir.path() + "/landscape.csv"));
        QFile vts(dir.path() + "/landscape.vts");
        QVERIFY(vts.open(QIODevice::ReadOnly) && vts.readAll().contains("StructuredGrid"));
        r = basin(landscape, env);
        QVERIFY(r.out.contains("0 points computed now, 20 in all"));
        r = basin({"landscape", "--model", dir.path() + "/models/mlp_spirals.pt", "--data",
                   dir.path() + "/datasets/spirals_test.npz", "--out", surface, "--x", "1:0"},
                  env);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("x range"), qPrintable(r.err));

        // Directions along the Hessian's top two eigenvectors.
        r = basin(
            {"landscape", "--dir", "hessian", "--model", dir.path() + "/models/mlp_spirals.pt",
             "--checkpoint", dir.path() + "/runs/mlp_spirals_seed0/epoch_003.pt", "--data",
             dir.path() + "/datasets/spirals_test.npz", "--x=-0.5:0.5:3", "--y=-0.5:0.5:3", "--out",
             dir.path() + "/hessian.h5"},
            env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("9 points computed now"));

        // The line to another checkpoint, 1D: the figure is the line plot of
        // every metric, its CSV one row per a.
        r = basin({"landscape", "--dir", "line", "--model", dir.path() + "/models/mlp_spirals.pt",
                   "--checkpoint", dir.path() + "/runs/mlp_spirals_seed0/epoch_003.pt", "--other",
                   dir.path() + "/runs/mlp_spirals_seed0/epoch_002.pt", "--data",
                   dir.path() + "/datasets/spirals_test.npz", "--x=-0.5:1.5:5", "--out",
                   dir.path() + "/line.h5", "--figure", dir.path() + "/line.png"},
                  env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QImage(dir.path() + "/line.png").size(), QSize(1600, 1200));
        QFile lineCsv(dir.path() + "/line.csv");
        QVERIFY(lineCsv.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = lineCsv.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 6);
        QVERIFY2(rows[0].startsWith("a,train_loss,train_acc"), rows[0].constData());
        QVERIFY(rows[3].startsWith("0.5,"));

        // Curvature at the same checkpoint: eigenvalues in descending order.
        r = basin(
            {"hessian", "--json", "--top", "2", "--model", dir.path() + "/models/mlp_spirals.pt",
             "--checkpoint", dir.path() + "/runs/mlp_spirals_seed0/epoch_003.pt", "--data",
             dir.path() + "/datasets/spirals_test.npz"},
            env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonArray eig =
            QJsonDocument::fromJson(r.out.toUtf8()).object()["topEigenvalues"].toArray();
        QCOMPARE(eig.size(), 2);
        QVERIFY(eig[0].toDouble() >= eig[1].toDouble());

        // Everything, saved and drawn as the GUI's spectrum view; the file is
        // what the GUI opens, and the one the demo wrote opens too.
        const QString spectrumFile = dir.path() + "/spectrum.json";
        r = basin({"hessian",       "--json",
                   "--top",         "3",
                   "--bottom",      "--trace",
                   "--density",     "--per-layer",
                   "--model",       dir.path() + "/models/mlp_spirals.pt",
                   "--checkpoint",  dir.path() + "/runs/mlp_spirals_seed0/epoch_003.pt",
                   "--data",        dir.path() + "/datasets/spirals_test.npz",
                   "--out",         spectrumFile,
                   "--figure",      dir.path() + "/spectrum.png",
                   "--figure-size", "500x400"},
                  env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject printed = QJsonDocument::fromJson(r.out.toUtf8()).object();
        auto readJson = [](const QString& path) {
            QFile json(path);
            return json.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(json.readAll()).object()
                                                  : QJsonObject();
        };
        QCOMPARE(readJson(spectrumFile), printed);
        QCOMPARE(printed["topEigenvalues"].toArray().size(), 3);
        QVERIFY(printed["bottomEigenvalue"].isDouble());
        QVERIFY(printed["trace"].toObject()["standardError"].toDouble() > 0);
        QCOMPARE(printed["density"].toObject()["grid"].toArray().size(),
                 printed["density"].toObject()["density"].toArray().size());
        QCOMPARE(printed["layers"].toArray().size(), 3);  // fc1, fc2, fc3
        QVERIFY(printed["checkpoint"].toString().endsWith("epoch_003.pt"));
        QCOMPARE(QImage(dir.path() + "/spectrum.png").size(), QSize(1000, 800));
        QFile spectrumCsv(dir.path() + "/spectrum.csv");
        QVERIFY(spectrumCsv.open(QIODevice::ReadOnly));
        const QByteArray csvText = spectrumCsv.readAll();
        QVERIFY(csvText.startsWith("series,label,x,value,standard_error\ntop_eigenvalue,1,1,"));
        QVERIFY(csvText.contains("\nlayer_trace,fc2,"));
        const QString demoSpectrum = dir.path() + "/runs/mlp_spirals_seed0/epoch_003.hessian.json";
        QCOMPARE(readJson(demoSpectrum)["layers"].toArray().size(), 3);
        QFile demoProjectFile(dir.path() + "/demo.basin");
        QVERIFY(demoProjectFile.open(QIODevice::ReadOnly));
        QVERIFY(demoProjectFile.readAll().contains("\"hessian-spectrum\""));

        // A second run reuses the files.
        r = basin({"demo", dir.path(), "--quick", "--no-open"}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void screenshotRendersHeadless() {
        QTemporaryDir dir;
        const QString png = dir.path() + "/window.png";
        // With no display at all, screenshot starts its own Xvfb.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        Run r = basin({"screenshot", "--demo", "--size", "1200x800", "--out", png}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 800));
        // Not a blank window: many distinct colours (the views' colormaps).
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7) {
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        }
        QVERIFY2(colours.size() > 200, qPrintable(QString::number(colours.size())));

        r = basin({"screenshot", "--demo", "--view", "9", "--out", png}, env);
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--view 9"));
        r = basin({"screenshot", "--size", "huge", "--out", png}, env);
        QCOMPARE(r.code, 2);
    }
};

BASIN_TEST_MAIN(TestCli)
#include "test_cli.moc"

#include "data/GeneratedDatasets.h"
#include "io/Numpy.h"
#include "io/Safetensors.h"
#include "model/WeightVector.h"
#include "zoo/ModelZoo.h"

void writeLmcFixture(const QString& dir) {
    using namespace basin;
    const DatasetSplit data = makeTwoSpirals();
    writeNpz((dir + "/train.npz").toStdString(),
             {{"x", data.train.inputs}, {"y", data.train.targets}});
    MlpOptions o;
    o.hidden = {8, 8};
    makeMlp(o).save((dir + "/mlp.pt").toStdString());
    for (std::uint64_t seed : {1u, 2u}) {
        o.seed = seed;
        writeSafetensors((dir + "/seed" + QString::number(seed) + ".safetensors").toStdString(),
                         WeightVector::fromModel(makeMlp(o)).toStateDict());
    }
}
