// Checkpoint series: a training run's point_cloud/iteration_N/point_cloud.ply
// folders listed by iteration, sorted as numbers (500 < 7000 < 30000, where a
// string sort would put 30000 first), from the run folder or point_cloud/.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include "BasinTest.h"
#include "splats/CheckpointSeries.h"

using namespace basin;

class TestSplatSeries : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    void touch(const QString& relative) {
        QVERIFY(QDir(dir_.path()).mkpath(QFileInfo(dir_.filePath(relative)).path()));
        QFile f(dir_.filePath(relative));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("ply\n");
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        for (const char* n : {"30000", "500", "7000", "0"})
            touch(QString("run/point_cloud/iteration_%1/point_cloud.ply").arg(n));
        // Not checkpoints: no PLY, a name that is not iteration_<digits>, a
        // file instead of a folder, a negative number, another PLY name.
        QVERIFY(QDir(dir_.path()).mkpath("run/point_cloud/iteration_100"));
        touch("run/point_cloud/iteration_abc/point_cloud.ply");
        touch("run/point_cloud/iteration_12x/point_cloud.ply");
        touch("run/point_cloud/iteration_-5/point_cloud.ply");
        touch("run/point_cloud/iteration_9");
        touch("run/point_cloud/iteration_42/other.ply");
        touch("run/cameras.json");
    }

    void listsByIterationNumerically() {
        const CheckpointSeries s = listCheckpointSeries(dir_.filePath("run").toStdString());
        QCOMPARE(s.entries.size(), std::size_t(4));
        const std::int64_t expected[] = {0, 500, 7000, 30000};
        for (std::size_t i = 0; i < 4; ++i) {
            QCOMPARE(s.entries[i].iteration, expected[i]);
            QCOMPARE(
                QString::fromStdString(s.entries[i].plyPath),
                QDir(dir_.filePath(
                         QString("run/point_cloud/iteration_%1/point_cloud.ply").arg(expected[i])))
                    .path());
            QVERIFY(QFile::exists(QString::fromStdString(s.entries[i].plyPath)));
        }
        QCOMPARE(QDir(QString::fromStdString(s.folder)).canonicalPath(),
                 QDir(dir_.filePath("run/point_cloud")).canonicalPath());
        QVERIFY(s.find(7000) && s.find(7000)->iteration == 7000);
        QVERIFY(!s.find(100));
    }

    void pointCloudFolderItself() {
        const CheckpointSeries s =
            listCheckpointSeries(dir_.filePath("run/point_cloud").toStdString());
        QCOMPARE(s.entries.size(), std::size_t(4));
        QCOMPARE(s.entries.back().iteration, std::int64_t(30000));
    }

    void emptyAndMissingFolders() {
        QVERIFY(QDir(dir_.path()).mkpath("empty"));
        QVERIFY(listCheckpointSeries(dir_.filePath("empty").toStdString()).entries.empty());
        const std::string missing = dir_.filePath("nowhere").toStdString();
        try {
            listCheckpointSeries(missing);
            QFAIL("no error for a missing folder");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()),
                     missing +
                         ": not a folder (expected a 3DGS run folder holding "
                         "point_cloud/iteration_N/point_cloud.ply)");
        }
    }
};

BASIN_TEST_MAIN(TestSplatSeries)
#include "test_splat_series.moc"
