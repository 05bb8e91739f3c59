// `mpirun -np 2 basin landscape …`: two ranks on this machine share one grid
// and write one surface equal to a single-process run's.

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <cmath>

#include "BasinTest.h"
#include "landscape/Surface.h"

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

// Like a CI machine: no display, possibly root, loopback only.
QProcessEnvironment environment() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1");
    env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    return env;
}

Run run(const QString& program, const QStringList& args) {
    QProcess p;
    p.setProcessEnvironment(environment());
    p.start(program, args);
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        return {-1, QString::fromUtf8(p.readAllStandardOutput()),
                QStringLiteral("timed out: ") + QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Run runBasin(const QStringList& args) {
    return run(QStringLiteral(BASIN_EXECUTABLE), args);
}

// Two ranks on this machine, over shared memory (no network needed).
Run mpirunBasin(const QStringList& args) {
    QStringList all{"-np",
                    "2",
                    "--oversubscribe",
                    "--allow-run-as-root",
                    "--mca",
                    "btl",
                    "self,vader",
                    "--mca",
                    "btl_vader_single_copy_mechanism",
                    "none",
                    QStringLiteral(BASIN_EXECUTABLE)};
    return run(QStringLiteral(BASIN_MPIEXEC), all + args);
}

basin::Surface surfaceAt(const QString& path) {
    return basin::readSurface(path.toStdString());
}

// Every metric of `b` equals `a`'s to 1e-6 (accuracies exactly: same samples).
void compareSurfaces(const basin::Surface& a, const basin::Surface& b) {
    QCOMPARE(b.pointCount(), a.pointCount());
    for (int m = 0; m < 4; ++m) {
        const auto metric = basin::SurfaceMetric(m);
        QVERIFY(a.has(metric) && b.has(metric));
        for (std::size_t k = 0; k < a.pointCount(); ++k) {
            const double x = a.metric(metric)[k], y = b.metric(metric)[k];
            QVERIFY2(x >= 0 && std::abs(x - y) <= 1e-6,
                     qPrintable(QStringLiteral("%1 at point %2: %3 (one process) vs %4 (MPI)")
                                    .arg(basin::surfaceMetricName(metric))
                                    .arg(k)
                                    .arg(x, 0, 'g', 17)
                                    .arg(y, 0, 'g', 17)));
        }
    }
}

}  // namespace

class TestMpi : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString single_;  // the single-process surface; its directions serve every run

    QStringList recipe(const QString& surface) const {
        const QString d = dir_.path();
        return {"landscape",
                "--model",
                d + "/models/mlp_spirals.pt",
                "--checkpoint",
                d + "/runs/mlp_spirals_seed0/epoch_003.pt",
                "--data",
                d + "/datasets/spirals_train.npz",
                "--test-data",
                d + "/datasets/spirals_test.npz",
                "--x=-1:1:9",
                "--y=-1:1:7",
                "--directions",
                d + "/directions.h5",
                "--out",
                surface};
    }

    // "points per rank: 0: 40 1: 23" from rank 0's output.
    static QList<int> pointsPerRank(const QString& out) {
        QList<int> counts;
        const QRegularExpression line(QStringLiteral("points per rank:((?: \\d+: \\d+)+)"));
        const QRegularExpressionMatch m = line.match(out);
        if (!m.hasMatch()) return counts;
        const QRegularExpression pair(QStringLiteral(" (\\d+): (\\d+)"));
        for (auto it = pair.globalMatch(m.captured(1)); it.hasNext();)
            counts.append(it.next().captured(2).toInt());
        return counts;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        Run r = runBasin({"demo", dir_.path(), "--quick", "--no-open"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        single_ = dir_.path() + "/single.h5";
        r = runBasin(recipe(single_));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("63 points computed now, 63 in all"), qPrintable(r.out));
        QVERIFY(!r.out.contains("points per rank"));  // one process: no MPI
    }

    void twoRanksWriteTheSingleProcessSurface() {
        const QString surface = dir_.path() + "/mpi.h5";
        const Run r = mpirunBasin(recipe(surface));
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("63 points computed now, 63 in all"), qPrintable(r.out));
        // Rank 0 alone reports; both ranks computed points.
        QCOMPARE(r.out.count(QStringLiteral("points computed now")), 1);
        const QList<int> counts = pointsPerRank(r.out);
        QCOMPARE(counts.size(), 2);
        QVERIFY2(counts[0] > 0 && counts[1] > 0, qPrintable(r.out));
        QCOMPARE(counts[0] + counts[1], 63);
        compareSurfaces(surfaceAt(single_), surfaceAt(surface));
    }

    void twoRanksResumeMissingPoints() {
        // A surface with every other point not computed, as a stopped run leaves it.
        const QString surface = dir_.path() + "/resume.h5";
        basin::Surface partial = surfaceAt(single_);
        std::size_t missing = 0;
        for (std::size_t k = 0; k < partial.pointCount(); k += 2, ++missing)
            for (auto& values : partial.values)
                values[k] = basin::Surface::kNotComputed;
        basin::writeSurface(partial, surface.toStdString());
        const Run r = mpirunBasin(recipe(surface));
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("%1 points computed now, 63 in all").arg(missing)),
                 qPrintable(r.out));
        const QList<int> counts = pointsPerRank(r.out);
        QCOMPARE(counts.size(), 2);
        QCOMPARE(std::size_t(counts[0] + counts[1]), missing);
        compareSurfaces(surfaceAt(single_), surfaceAt(surface));
    }

    void workersFollowRankZeroErrors() {
        // Rank 0 fails before the directions are ready: every rank stops.
        QStringList args = recipe(dir_.path() + "/broken.h5");
        args[args.indexOf("--model") + 1] = dir_.path() + "/models/missing.pt";
        const Run r = mpirunBasin(args);
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("missing.pt"), qPrintable(r.err));
    }
};

BASIN_TEST_MAIN(TestMpi)
#include "test_mpi.moc"
