// `basin blockmnist` end to end: the dataset and trained model are written,
// the JSON reports the accuracy and a null-block mass in [0, 1] per method
// (CAM-style methods with their layer), a rerun resumes from the checkpoints,
// and bad options are usage errors that name the option.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "BasinRun.h"
#include "BasinTest.h"

class TestBlockMnistCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsExplainsAndScores() {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("bm"));
        const QStringList args{"blockmnist",        "--out", out,        "--epochs", "2",
                               "--train-per-class", "60",    "--images", "12",       "--method",
                               "gradient,gradcam",  "--json"};
        const BasinRun run = runBasin(args);
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonObject o = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("images")).toInt(), 12);
        QVERIFY(o.value(QStringLiteral("test_accuracy")).toDouble() > 0.3);
        const QJsonArray methods = o.value(QStringLiteral("methods")).toArray();
        QCOMPARE(methods.size(), 2);
        QCOMPARE(methods[0].toObject().value(QStringLiteral("method")).toString(),
                 QStringLiteral("gradient"));
        QCOMPARE(methods[1].toObject().value(QStringLiteral("layer")).toString(),
                 QStringLiteral("bn2"));
        for (const QJsonValue& m : methods) {
            const double mass = m.toObject().value(QStringLiteral("null_block_mass")).toDouble();
            QVERIFY2(mass > 0.0 && mass < 1.0, qPrintable(QString::number(mass)));
        }
        for (const char* file : {"blockmnist_train.npz", "blockmnist_test.npz",
                                 "blockmnist_model.pt", "checkpoints/epoch_002.pt"})
            QVERIFY2(QFile::exists(out + QLatin1Char('/') + QLatin1String(file)), file);

        // The rerun reads the checkpoints back and gives the same scores.
        const BasinRun again = runBasin(args);
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QCOMPARE(QJsonDocument::fromJson(again.out.toUtf8()).object(), o);
    }

    void badOptionsAreUsageErrors() {
        QTemporaryDir dir;
        const BasinRun method = runBasin({"blockmnist", "--out", dir.path(), "--method", "magic"});
        QCOMPARE(method.code, 2);
        QVERIFY2(method.err.contains(QStringLiteral("magic")), qPrintable(method.err));
        const BasinRun epochs = runBasin({"blockmnist", "--out", dir.path(), "--epochs", "0"});
        QCOMPARE(epochs.code, 2);
        QVERIFY2(epochs.err.contains(QStringLiteral("--epochs")), qPrintable(epochs.err));
        const BasinRun noOut = runBasin({"blockmnist"});
        QCOMPARE(noOut.code, 2);
        QVERIFY2(noOut.err.contains(QStringLiteral("--out")), qPrintable(noOut.err));
    }
};

BASIN_TEST_MAIN(TestBlockMnistCli)
#include "test_blockmnist_cli.moc"
