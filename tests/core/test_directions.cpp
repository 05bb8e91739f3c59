// Directions: filter/layer/whole normalization against brute force, the 1-D
// rule, seeded independent x and y, the checkpoint line and the Gram–Schmidt
// plane (which contains its three checkpoints), the trajectory PCA against an
// SVD of the full matrix, and the HDF5 round trip.

#include <Eigen/Dense>

#include <QTemporaryDir>

#include <cmath>

#include "BasinTest.h"
#include "landscape/Directions.h"
#include "landscape/DirectionsFile.h"
#include "landscape/TrajectoryPca.h"
#include "model/WeightVector.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

WeightVector cnnWeights(std::uint64_t seed = 1, bool buffers = false) {
    SmallCnnOptions o;
    o.height = o.width = 8;
    o.baseWidth = 4;
    o.seed = seed;
    return WeightVector::fromModel(makeSmallCnn(o), buffers);
}

WeightVector mlpWeights(std::uint64_t seed) {
    MlpOptions o;
    o.inputs = 4;
    o.hidden = {8};
    o.classes = 3;
    o.seed = seed;
    return WeightVector::fromModel(makeMlp(o));
}

// ‖slice k along dim 0 of entry i‖, element by element.
double sliceNorm(const WeightVector& v, std::size_t i, std::int64_t k) {
    const auto& e = v.entries()[i];
    const std::int64_t length = e.numel() / e.shape[0];
    double s = 0.0;
    for (std::int64_t j = 0; j < length; ++j) {
        const double x = v.data(i)[k * length + j];
        s += x * x;
    }
    return std::sqrt(s);
}

double entryNorm(const WeightVector& v, std::size_t i) {
    double s = 0.0;
    for (std::int64_t j = 0; j < v.entries()[i].numel(); ++j)
        s += double(v.data(i)[j]) * v.data(i)[j];
    return std::sqrt(s);
}

double maxAbsDiff(const WeightVector& a, const WeightVector& b) {
    double m = 0.0;
    for (std::int64_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::abs(double(a.data()[i]) - b.data()[i]));
    return m;
}

}  // namespace

class TestDirections : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void filterNormalizationMatchesEveryFilter() {
        const WeightVector theta = cnnWeights();
        const Directions d = randomDirections(theta, {});
        QVERIFY(d.twoDimensional());
        for (const WeightVector* v : {&d.x.vector, &d.y->vector})
            for (std::size_t i = 0; i < theta.entries().size(); ++i) {
                const auto& e = theta.entries()[i];
                if (e.shape.size() <= 1) {
                    QCOMPARE(entryNorm(*v, i), 0.0);  // biases and BatchNorm zeroed
                    continue;
                }
                for (std::int64_t k = 0; k < e.shape[0]; ++k) {
                    const double want = sliceNorm(theta, i, k);
                    QVERIFY2(std::abs(sliceNorm(*v, i, k) - want) <= 1e-5 * want,
                             qPrintable(QString::fromStdString(e.name) + " filter " +
                                        QString::number(k)));
                }
            }
    }

    void keptOneDimensionalTensorsAreTheWeights() {
        const WeightVector theta = cnnWeights(1, true);  // with running statistics
        RandomDirectionOptions o;
        o.keepOneDimensional = true;
        const Directions d = randomDirections(theta, o);
        QVERIFY(d.includeBuffers);
        for (std::size_t i = 0; i < theta.entries().size(); ++i)
            if (theta.entries()[i].shape.size() <= 1)
                for (std::int64_t j = 0; j < theta.entries()[i].numel(); ++j)
                    QCOMPARE(d.x.vector.data(i)[j], theta.data(i)[j]);
    }

    void layerAndWholeNormalization() {
        const WeightVector theta = cnnWeights();
        RandomDirectionOptions o;
        o.normalization = Normalization::Layer;
        const Directions layer = randomDirections(theta, o);
        for (std::size_t i = 0; i < theta.entries().size(); ++i)
            if (theta.entries()[i].shape.size() > 1)
                QVERIFY(std::abs(entryNorm(layer.x.vector, i) - entryNorm(theta, i)) <=
                        1e-5 * entryNorm(theta, i));
        o.normalization = Normalization::Whole;
        const Directions whole = randomDirections(theta, o);
        QVERIFY(std::abs(whole.x.vector.norm() - theta.norm()) <= 1e-5 * theta.norm());
    }

    // x and y are drawn independently (not orthogonalized): in n dimensions
    // their cosine is about 1/√n.
    void randomDirectionsAreSeededAndNearlyOrthogonal() {
        const WeightVector theta = cnnWeights();
        RandomDirectionOptions o;
        o.seed = 7;
        const Directions a = randomDirections(theta, o), b = randomDirections(theta, o);
        QCOMPARE(maxAbsDiff(a.x.vector, b.x.vector), 0.0);
        QCOMPARE(maxAbsDiff(a.y->vector, b.y->vector), 0.0);
        o.seed = 8;
        QVERIFY(maxAbsDiff(randomDirections(theta, o).x.vector, a.x.vector) > 0.0);
        const double cosine =
            a.x.vector.dot(a.y->vector) / (a.x.vector.norm() * a.y->vector.norm());
        QVERIFY2(std::abs(cosine) < 0.1, qPrintable(QString::number(cosine)));
    }

    void sameDirectionTwiceIsRejected() {
        Directions d = randomDirections(cnnWeights(), {});
        d.y->vector = d.x.vector;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, d.validate());
        d.y->vector.scale(-2.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, d.validate());
    }

    void lineThroughTwoCheckpoints() {
        const WeightVector a = mlpWeights(1), b = mlpWeights(2);
        const Directions d = basin::checkpointLine(a, b, "A", "B");
        QVERIFY(!d.twoDimensional());
        WeightVector end = a;
        end.axpy(1.0, d.x.vector);
        QVERIFY(maxAbsDiff(end, b) < 1e-6);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, basin::checkpointLine(a, a));
    }

    void planeContainsItsThreeCheckpoints() {
        const WeightVector p0 = mlpWeights(1), p1 = mlpWeights(2), p2 = mlpWeights(3);
        const Directions d = checkpointPlane(p0, p1, p2, {"e1", "e2", "e3"});
        QVERIFY(std::abs(d.x.vector.norm() - 1.0) < 1e-6);
        QVERIFY(std::abs(d.y->vector.norm() - 1.0) < 1e-6);
        QVERIFY(std::abs(d.x.vector.dot(d.y->vector)) < 1e-6);
        QCOMPARE(d.points.size(), std::size_t(3));
        const WeightVector* p[] = {&p0, &p1, &p2};
        for (std::size_t i = 0; i < 3; ++i) {
            WeightVector q = p0;
            q.axpy(d.points[i].a, d.x.vector);
            q.axpy(d.points[i].b, d.y->vector);
            QVERIFY2(maxAbsDiff(q, *p[i]) < 1e-5,
                     qPrintable(QString::number(maxAbsDiff(q, *p[i]))));
        }
        QCOMPARE(d.points[1].label, std::string("e2"));
        WeightVector mid = p0;
        mid.axpy(0.5, p1 - p0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, checkpointPlane(p0, p1, mid));
    }

    // Independent computation: the full m × n matrix of centred offsets in
    // double, its thin SVD, V's first two columns.
    void pcaMatchesSvdOfTheFullMatrix() {
        std::vector<WeightVector> trajectory;
        const WeightVector start = mlpWeights(1), end = mlpWeights(2), wobble = mlpWeights(3);
        for (int i = 0; i < 7; ++i) {
            const double t = i / 6.0;
            WeightVector w = start;
            w.scale(1.0 - t);
            w.axpy(t, end);
            w.axpy(0.3 * std::sin(3.0 * t), wobble);
            trajectory.push_back(w);
        }
        const Directions d = trajectoryPca(trajectory);
        const std::size_t m = trajectory.size();
        const auto n = Eigen::Index(start.size());
        Eigen::MatrixXd rows(Eigen::Index(m), n);
        for (std::size_t i = 0; i < m; ++i) {
            WeightVector r = trajectory[i] - trajectory.back();
            r.zeroOneDimensional();
            for (Eigen::Index j = 0; j < n; ++j)
                rows(Eigen::Index(i), j) = r.data()[j];
        }
        const Eigen::MatrixXd centred = rows.rowwise() - rows.colwise().mean();
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
        const Eigen::VectorXd s2 = svd.singularValues().array().square();
        QVERIFY(std::abs(d.explainedVarianceRatio[0] - s2(0) / s2.sum()) < 1e-6);
        QVERIFY(std::abs(d.explainedVarianceRatio[1] - s2(1) / s2.sum()) < 1e-6);
        for (int k = 0; k < 2; ++k) {
            const WeightVector& v = k == 0 ? d.x.vector : d.y->vector;
            double same = 0.0, flipped = 0.0;
            for (Eigen::Index j = 0; j < n; ++j) {
                same = std::max(same, std::abs(v.data()[j] - svd.matrixV()(j, k)));
                flipped = std::max(flipped, std::abs(v.data()[j] + svd.matrixV()(j, k)));
            }
            QVERIFY2(std::min(same, flipped) < 1e-4, qPrintable(QString::number(k)));
            // Projections of every checkpoint: r_i · v_k.
            for (std::size_t i = 0; i < m; ++i) {
                double want = 0.0;
                for (Eigen::Index j = 0; j < n; ++j)
                    want += rows(Eigen::Index(i), j) * v.data()[j];
                const double got = k == 0 ? d.points[i].a : d.points[i].b;
                QVERIFY(std::abs(got - want) < 1e-5 * (1.0 + std::abs(want)));
            }
        }
        QCOMPARE(d.points.back().a, 0.0);
        QVERIFY(std::abs(d.x.vector.dot(d.y->vector)) < 1e-5);
    }

    void hdf5RoundTrip() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/dirs.h5").toStdString();
        const WeightVector theta = cnnWeights(1, true);
        RandomDirectionOptions o;
        o.seed = 12345678901234ULL;
        Directions d = randomDirections(theta, o);
        d.points = {{"epoch 1", 0.5, -0.25}, {"epoch 2", 0.0, 0.0}};
        d.explainedVarianceRatio = {0.7, 0.2};
        saveDirections(d, path);
        QVERIFY(directionsIncludeBuffers(path));
        const Directions back = loadDirections(path, theta);
        QCOMPARE(maxAbsDiff(back.x.vector, d.x.vector), 0.0);
        QCOMPARE(maxAbsDiff(back.y->vector, d.y->vector), 0.0);
        QCOMPARE(back.seed, o.seed);
        QVERIFY(back.kind == DirectionKind::Random);
        QVERIFY(back.normalization == Normalization::Filter);
        QVERIFY(back.includeBuffers);
        QCOMPARE(back.points.size(), std::size_t(2));
        QCOMPARE(back.points[0].label, std::string("epoch 1"));
        QCOMPARE(back.points[0].b, -0.25);
        QCOMPARE(back.explainedVarianceRatio[0], 0.7);
        // Another model's layout: a sentence, not a crash.
        try {
            loadDirections(path, mlpWeights(1));
            QFAIL("loaded directions for another model");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("dirs.h5"), e.what());
        }
    }
};

BASIN_TEST_MAIN(TestDirections)
#include "test_directions.moc"
