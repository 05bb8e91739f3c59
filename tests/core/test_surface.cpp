// Surfaces: the range syntax, the HDF5 round trip, Grid2D conversion, and
// files of the loss-landscape tool's layout both ways: written by h5py the
// way its plot_surface.py fills them (numpy.meshgrid order), read by Basin;
// written by Basin, read back the way its plot_2D.py / h52vtp.py read them.

#include <QTemporaryDir>

#include <cmath>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "landscape/GridRange.h"
#include "landscape/Surface.h"

using namespace basin;

namespace {

// The test function both sides use: distinct in x and y, so a transposed
// or misordered read cannot pass.
double f(double x, double y) {
    return 1.0 + x * x + 3.0 * y + 0.5 * x * y;
}

bool pythonWithH5py() {
    QProcess p;
    p.start(test::kPython, {"-c", "import h5py, numpy"});
    return p.waitForFinished(60000) && p.exitCode() == 0;
}

}  // namespace

class TestSurface : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rangeSyntax() {
        const GridRange r = parseGridRange("-1:1:51");
        QCOMPARE(r.num, std::size_t(51));
        QCOMPARE(r.coordinates().front(), -1.0);
        QCOMPARE(r.coordinates()[25], 0.0);
        QCOMPARE(r.coordinates().back(), 1.0);
        QCOMPARE(parseGridRange("0.5:0.5:1").coordinates().size(), std::size_t(1));
        // fit:num[:margin] covers given checkpoint coordinates and the centre.
        const GridRange fit = parseGridRange("fit:21");
        QVERIFY(fit.fit);
        QCOMPARE(fit.num, std::size_t(21));
        QCOMPARE(fit.toString(), std::string("fit:21:0.25"));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, fit.coordinates());
        const GridRange covered = fitted(fit, {0.5, 2.0, -0.2});
        QVERIFY(!covered.fit);
        QVERIFY(std::abs(covered.min - (-0.2 - 0.25 * 2.2)) < 1e-12);
        QVERIFY(std::abs(covered.max - (2.0 + 0.25 * 2.2)) < 1e-12);
        QCOMPARE(covered.coordinates().size(), std::size_t(21));
        const GridRange positive = fitted(parseGridRange("fit:5:0"), {1.0, 3.0});
        QCOMPARE(positive.min, 0.0);  // the centre stays covered
        QCOMPARE(positive.max, 3.0);
        const GridRange flat = fitted(parseGridRange("fit:5"), {0.0});
        QCOMPARE(flat.min, -1.0);
        QCOMPARE(flat.max, 1.0);
        QCOMPARE(fitted(parseGridRange("-2:2:3"), {9.0}).max, 2.0);  // not a fit range
        for (const char* bad :
             {"-1:1", "-1:1:0", "a:1:5", "1:-1:5", "-1:1:2.5", "-1:1:51:3", "", "-1:1:", "-1:inf:5",
              "fit", "fit:1", "fit:x", "fit:5:-1", "fit:5:0.2:1"}) {
            try {
                parseGridRange(bad, "y");
                QFAIL(bad);
            } catch (const std::invalid_argument& e) {
                QVERIFY2(QString(e.what()).startsWith("y range"), e.what());
            }
        }
    }

    void roundTripAndGrid() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/s.h5").toStdString();
        Surface s(linspace(-1, 1, 3), linspace(0, 2, 4));  // not square on purpose
        auto& loss = s.metric(SurfaceMetric::TrainLoss);
        for (std::size_t ix = 0; ix < 3; ++ix)
            for (std::size_t iy = 0; iy < 4; ++iy)
                loss[ix * 4 + iy] = f(s.x[ix], s.y[iy]);
        loss[5] = Surface::kNotComputed;
        s.metric(SurfaceMetric::TrainAccuracy)[0] = 87.5;
        s.metadata.model = "mlp.pt";
        s.metadata.seed = 99;
        s.metadata.normalization = "filter";
        s.metadata.includeBuffers = true;
        writeSurface(s, path);
        const Surface back = readSurface(path);
        QCOMPARE(back.x, s.x);
        QCOMPARE(back.y, s.y);
        QCOMPARE(back.metric(SurfaceMetric::TrainLoss), loss);
        QCOMPARE(back.metric(SurfaceMetric::TrainAccuracy)[0], 87.5);
        QVERIFY(!back.has(SurfaceMetric::TestLoss));
        QCOMPARE(back.metadata.model, std::string("mlp.pt"));
        QCOMPARE(back.metadata.seed, std::uint64_t(99));
        QVERIFY(back.metadata.includeBuffers);
        QCOMPARE(back.missingCount(SurfaceMetric::TrainLoss), std::size_t(1));

        Grid2D g = toGrid(back, SurfaceMetric::TrainLoss);
        QVERIFY(std::isnan(g.value(1, 1)));  // point 5 = (ix 1, iy 1)
        QCOMPARE(g.value(2, 3), f(1, 2));
        g.value(1, 1) = 4.0;
        Surface copy = back;
        setFromGrid(copy, SurfaceMetric::TrainLoss, g);
        QCOMPARE(copy.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
    }

    void badFilesAreSentences() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/not.h5").toStdString();
        QFile junk(QString::fromStdString(path));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not an hdf5 file");
        junk.close();
        try {
            readSurface(path);
            QFAIL("read junk");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("not.h5"), e.what());
        }
    }

    void filesOfTheReferenceLayout() {
        if (!pythonWithH5py()) QSKIP("needs /usr/bin/python3 with h5py (python3-h5py)");
        QTemporaryDir dir;
        // As plot_surface.py does: coordinates by linspace, values by
        // losses.ravel()[k] at meshgrid(x, y)'s k-th point, accuracy in percent.
        const QString err = test::runPython(dir.path(), R"(
import h5py, numpy as np
def f(x, y): return 1.0 + x * x + 3.0 * y + 0.5 * x * y
x = np.linspace(-1, 1, 5); y = np.linspace(0, 2, 3)
with h5py.File('ref2d.h5', 'w') as h:
    h['dir_file'] = 'dirs.h5'
    h['xcoordinates'] = x; h['ycoordinates'] = y
    losses = -np.ones((len(x), len(y))); accs = -np.ones((len(x), len(y)))
    X, Y = np.meshgrid(x, y)
    for k in range(losses.size):
        if k == 4: continue   # left not computed
        losses.ravel()[k] = f(X.ravel()[k], Y.ravel()[k]); accs.ravel()[k] = 50.0
    h['train_loss'] = losses; h['train_acc'] = accs
with h5py.File('ref1d.h5', 'w') as h:
    h['dir_file'] = 'dirs.h5'
    h['xcoordinates'] = x
    h['train_loss'] = f(x, 0.0)
with h5py.File('bad.h5', 'w') as h:
    h['xcoordinates'] = x; h['ycoordinates'] = y
    h['train_loss'] = np.zeros((3, 5))
)");
        if (!err.isEmpty()) QFAIL(qPrintable(err));
        const std::string d = dir.path().toStdString();
        const Surface s = readSurface(d + "/ref2d.h5");
        QCOMPARE(s.nx(), std::size_t(5));
        QCOMPARE(s.ny(), std::size_t(3));
        QCOMPARE(s.metadata.directionsFile, std::string("dirs.h5"));
        const Grid2D g = toGrid(s, SurfaceMetric::TrainLoss);
        for (std::size_t ix = 0; ix < 5; ++ix)
            for (std::size_t iy = 0; iy < 3; ++iy) {
                if (iy * 5 + ix == 4) {
                    QVERIFY(std::isnan(g.value(ix, iy)));
                    continue;
                }
                QVERIFY(std::abs(g.value(ix, iy) - f(s.x[ix], s.y[iy])) < 1e-12);
            }
        QCOMPARE(s.missingCount(SurfaceMetric::TrainLoss), std::size_t(1));
        const Surface one = readSurface(d + "/ref1d.h5");
        QVERIFY(!one.twoDimensional());
        QVERIFY(std::abs(one.metric(SurfaceMetric::TrainLoss)[1] - f(-0.5, 0)) < 1e-12);
        try {
            readSurface(d + "/bad.h5");
            QFAIL("read a train_loss of the wrong shape");
        } catch (const std::runtime_error& e) {
            QVERIFY2(
                QString(e.what()).contains("train_loss") && QString(e.what()).contains("[3, 5]"),
                e.what());
        }

        // Basin writes; the reference tool's readers see f at the meshgrid points.
        writeSurface(s, d + "/basin.h5");
        const QString check = test::runPython(dir.path(), R"(
import h5py, numpy as np
def f(x, y): return 1.0 + x * x + 3.0 * y + 0.5 * x * y
with h5py.File('basin.h5', 'r') as h:
    x = h['xcoordinates'][:]; y = h['ycoordinates'][:]
    Z = h['train_loss'][:]
    assert Z.shape == (len(x), len(y)), Z.shape
    X, Y = np.meshgrid(x, y)
    for k in range(Z.size):
        if k == 4: assert Z.ravel()[k] == -1, Z.ravel()[k]; continue
        assert abs(Z.ravel()[k] - f(X.ravel()[k], Y.ravel()[k])) < 1e-12, k
    assert h['train_acc'][:].ravel()[0] == 50.0
    d = h['dir_file'][()]
    assert (d.decode() if isinstance(d, bytes) else d) == 'dirs.h5', d
)");
        QVERIFY2(check.isEmpty(), qPrintable(check));
    }
};

BASIN_TEST_MAIN(TestSurface)
#include "test_surface.moc"
