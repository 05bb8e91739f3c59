// Curved connectors (connectivity/Curve.h, CurveTraining.h, CurvePath.h,
// CurvePlane.h), Garipov et al. 2018:
//  - both kinds start at A and end at B; a Bezier curve with one bend is
//    ¼A + ½bend + ¼B at t = ½; a polygonal chain passes through its bends;
//    dθ/dt matches finite differences; a curve on the line is the line;
//  - the gradient training backpropagates into the bends through the
//    TorchScript module's parameter slots equals central finite differences
//    of evaluate() at θ(t);
//  - on the demo's two spirals MLP seeds a trained curve has a lower barrier
//    than the straight line (the method's central claim), measured by the
//    same PathJob and barrier definitions;
//  - the curve file round-trips, rejects other ends, and a cancelled training
//    resumes to the same bits as an uninterrupted one;
//  - the plane through A, B and the bend holds a quadratic Bezier curve, and
//    the landscape engine computes it.

#include <QTemporaryDir>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "BasinTest.h"
#include "SpiralsSeeds.h"
#include "connectivity/Barrier.h"
#include "connectivity/Curve.h"
#include "connectivity/CurvePath.h"
#include "connectivity/CurvePlane.h"
#include "connectivity/CurveTraining.h"
#include "connectivity/InterpolationPath.h"
#include "connectivity/PathJob.h"
#include "data/GeneratedDatasets.h"
#include "landscape/LandscapeJob.h"
#include "model/StateDictFile.h"
#include "model/WeightVector.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

using namespace basin;

namespace {

// Asks to cancel once `cancelAfter` reports have been made (never when < 0).
class Context : public JobContext {
public:
    explicit Context(int cancelAfter = -1) : cancelAfter_(cancelAfter) {}
    void report(double, const std::string&) override { ++reports; }
    bool cancelRequested() const override { return cancelAfter_ >= 0 && reports >= cancelAfter_; }
    std::atomic<int> reports{0};

private:
    int cancelAfter_;
};

WeightVector randomLike(const WeightVector& layout, std::uint64_t seed) {
    WeightVector v = WeightVector::zerosLike(layout);
    Pcg32 rng(seed);
    for (std::int64_t i = 0; i < v.size(); ++i)
        v.data()[i] = float(rng.normal());
    return v;
}

Model tinyMlp(std::uint64_t seed) {
    MlpOptions o;
    o.inputs = 2;
    o.hidden = {5};
    o.classes = 2;
    o.seed = seed;
    return makeMlp(o);
}

// A curve with bends off the line, for the formula and gradient checks.
Curve bentCurve(CurveKind kind, std::size_t bends, const WeightVector& a, const WeightVector& b) {
    Curve c = Curve::onLine(kind, bends, a, b);
    for (std::size_t i = 0; i < bends; ++i)
        c.bend(i).axpy(0.5, randomLike(a, 100 + i));
    return c;
}

CurveTrainingOptions curveOptions(int epochs) {
    CurveTrainingOptions o;
    o.training.optimizer = TrainingOptions::Optimizer::Adam;
    o.training.learningRate = 0.01;
    o.training.batchSize = 32;
    o.training.epochs = epochs;
    o.training.seed = 5;
    o.training.threads = 1;
    return o;
}

PathSamples runPath(PathJob& job) {
    Context context;
    job.run(context);
    return job.samples();
}

}  // namespace

class TestCurve : public QObject {
    Q_OBJECT

    // The demo's spirals MLP trained from two seeds (as `basin demo` does).
    DatasetSplit data_;
    Model model_ = makeMlp();
    WeightVector a_, b_;

private Q_SLOTS:
    void initTestCase() {
        data_ = test::spirals();
        QTemporaryDir dir;
        for (int seed : {0, 1}) {
            double accuracy = 0.0;
            Model m = test::trainedSpiralsMlp(data_, seed, dir.path(), &accuracy);
            QVERIFY(accuracy > 0.9);
            (seed == 0 ? a_ : b_) = WeightVector::fromModel(m, true);
            if (seed == 0) model_ = m;
        }
    }

    void endsAndBendsAreWhereTheFormulasSay() {
        const WeightVector a = randomLike(a_, 1), b = randomLike(a_, 2);
        WeightVector theta, next, back;
        for (CurveKind kind : {CurveKind::Bezier, CurveKind::PolygonalChain})
            for (std::size_t k : {1u, 2u, 3u}) {
                const Curve c = bentCurve(kind, k, a, b);
                c.weightsAt(0.0, theta);
                QVERIFY(test::maxDifference(theta, a) < 1e-6);
                c.weightsAt(1.0, theta);
                QVERIFY(test::maxDifference(theta, b) < 1e-6);
                for (double t : {0.0, 0.13, 0.5, 0.77, 1.0}) {
                    const auto coefficients = curveCoefficients(kind, k, t);
                    double sum = 0.0;
                    for (double x : coefficients)
                        sum += x;
                    QVERIFY(std::abs(sum - 1.0) < 1e-12);
                }
                if (kind == CurveKind::PolygonalChain)
                    for (std::size_t i = 0; i < k; ++i) {
                        c.weightsAt(double(i + 1) / double(k + 1), theta);
                        QVERIFY2(
                            test::maxDifference(theta, c.bend(i)) < 1e-5,
                            qPrintable(QString::number(test::maxDifference(theta, c.bend(i)))));
                    }
                // dθ/dt against a central difference (inside a chain's segment).
                const double t = 0.3, h = 1e-3;
                WeightVector derivative;
                c.derivativeAt(t, derivative);
                c.weightsAt(t + h, next);
                c.weightsAt(t - h, back);
                next -= back;
                next.scale(1.0 / (2 * h));
                QVERIFY2(test::maxDifference(next, derivative) <
                             2e-2 * (1 + derivative.norm() / std::sqrt(double(derivative.size()))),
                         qPrintable(QString::number(test::maxDifference(next, derivative))));
                // On the line, both kinds are the line.
                const Curve line = Curve::onLine(kind, k, a, b);
                for (double s : {0.2, 0.5, 0.9}) {
                    line.weightsAt(s, theta);
                    WeightVector expected = a;
                    expected.scale(1 - s).axpy(s, b);
                    QVERIFY(test::maxDifference(theta, expected) < 1e-5);
                }
            }
        // Quadratic Bezier at ½: ¼A + ½bend + ¼B.
        const Curve q = bentCurve(CurveKind::Bezier, 1, a, b);
        q.weightsAt(0.5, theta);
        WeightVector expected = a;
        expected.scale(0.25).axpy(0.5, q.bend(0)).axpy(0.25, b);
        QVERIFY(test::maxDifference(theta, expected) < 1e-6);

        QCOMPARE(parseCurveSpec("bezier:3").bends, std::size_t(3));
        QVERIFY(parseCurveSpec("polychain").kind == CurveKind::PolygonalChain);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseCurveSpec("spline:2"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseCurveSpec("bezier:0"));
    }

    void gradientsReachTheBends() {
        XorClustersOptions xo;
        xo.trainPerCluster = 16;
        const Dataset data = makeXorClusters(xo).train;
        Model model = tinyMlp(3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(tinyMlp(4), true);
        for (CurveKind kind : {CurveKind::Bezier, CurveKind::PolygonalChain}) {
            Curve c = bentCurve(kind, 2, a, b);
            const double t = 0.8;  // on a chain, the segment bend 2 → B: bend 1 gets no gradient
            const CurveGradient g = curveLossGradient(model, c, t, data);
            auto lossAt = [&](const Curve& curve) {
                WeightVector theta;
                curve.weightsAt(t, theta);
                Model m = model.clone();
                theta.applyTo(m);
                return evaluate(m, data).loss;
            };
            QVERIFY(std::abs(g.loss - lossAt(c)) < 1e-5);
            double scale = 0.0;
            for (const WeightVector& v : g.bends)
                scale = std::max(scale, v.norm());
            QVERIFY(scale > 1e-3);
            for (std::size_t i = 0; i < 2; ++i)
                for (std::int64_t j = 0; j < c.bend(i).size(); ++j) {
                    const float keep = c.bend(i).data()[j];
                    const double h = 1e-2;
                    c.bend(i).data()[j] = keep + float(h);
                    const double up = lossAt(c);
                    c.bend(i).data()[j] = keep - float(h);
                    const double down = lossAt(c);
                    c.bend(i).data()[j] = keep;
                    const double fd = (up - down) / (2 * h);
                    const double got = g.bends[i].data()[j];
                    QVERIFY2(std::abs(fd - got) < 2e-3 * std::max(1.0, scale),
                             qPrintable(QStringLiteral("%1 bend %2 [%3]: %4 vs %5")
                                            .arg(curveKindName(kind))
                                            .arg(i)
                                            .arg(j)
                                            .arg(got)
                                            .arg(fd)));
                }
            if (kind == CurveKind::PolygonalChain) QCOMPARE(g.bends[0].norm(), 0.0);
        }
    }

    void trainedCurveHasALowerBarrierThanTheLine() {
        QTemporaryDir dir;
        Dataset train = data_.train;
        const auto line = std::make_shared<InterpolationPath>(
            std::vector<WeightVector>{a_, b_}, std::vector<std::string>{"seed0", "seed1"});
        PathSamples samples;
        samples.t = InterpolationPath::uniformT(25);
        samples.knots = {0.0, 1.0};
        PathJob lineJob(
            model_.clone(), samples,
            [line](std::size_t, double t, WeightVector& out) { line->weightsAt(t, out); },
            (dir.path() + "/line.h5").toStdString(), train, data_.test);
        const PathSamples s = runPath(lineJob);
        const Barrier lineBarrier = measureBarrier(s.t, s.row(SurfaceMetric::TestLoss, 0),
                                                   s.row(SurfaceMetric::TestAccuracy, 0));

        Curve start = Curve::onLine(CurveKind::Bezier, 1, a_, b_);
        start.labelA = "seed0";
        start.labelB = "seed1";
        const std::string curvePath = (dir.path() + "/curve.pt").toStdString();
        CurveTrainingJob training(model_, start, train, curvePath, curveOptions(8));
        Context context;
        training.run(context);
        const CurveFile& trained = training.result();
        QCOMPARE(trained.epoch, 8);
        QVERIFY(trained.epochLoss.back() < trained.epochLoss.front());
        QVERIFY(std::filesystem::exists(curvePath));

        auto curve = std::make_shared<const Curve>(trained.curve);
        auto job = makeCurvePathJob(model_.clone(), curve, 25, "mlp",
                                    (dir.path() + "/curve.h5").toStdString(), train, data_.test);
        const PathSamples cs = runPath(*job);
        QCOMPARE(cs.kind, std::string("curve"));
        QCOMPARE(cs.rows, std::vector<std::string>{"bezier:1"});
        const Barrier curveBarrier = measureBarrier(cs.t, cs.row(SurfaceMetric::TestLoss, 0),
                                                    cs.row(SurfaceMetric::TestAccuracy, 0));
        // The ends are the checkpoints on both paths.
        QVERIFY(std::abs(curveBarrier.lossA - lineBarrier.lossA) < 1e-5);
        QVERIFY(std::abs(curveBarrier.lossB - lineBarrier.lossB) < 1e-5);
        qInfo(
            "test-loss barrier (i): line %.4f at t = %.2f, bezier:1 curve %.4f at t = %.2f; "
            "accuracy drop %.2f%% vs %.2f%%",
            lineBarrier.linear, lineBarrier.linearT, curveBarrier.linear, curveBarrier.linearT,
            lineBarrier.accuracyDrop, curveBarrier.accuracyDrop);
        QVERIFY(lineBarrier.linear > 0.1);
        QVERIFY(curveBarrier.linear < 0.25 * lineBarrier.linear);
        QVERIFY(curveBarrier.accuracyDrop < lineBarrier.accuracyDrop);

        // The plane through A, B and the bend holds the quadratic Bezier curve.
        const WeightVector layout = WeightVector::fromModel(model_, false);
        const Directions plane = curvePlane(trained.curve, layout, 21);
        QCOMPARE(plane.points.size(), std::size_t(21));
        QCOMPARE(plane.points.front().label, std::string("seed0"));
        QVERIFY(std::abs(plane.points.front().a) < 1e-6 && std::abs(plane.points.front().b) < 1e-6);
        QVERIFY(std::abs(plane.points.back().a - (b_ - a_).norm()) < 1e-3 * (b_ - a_).norm());
        QVERIFY(std::abs(plane.points.back().b) < 1e-3 * (b_ - a_).norm());
        WeightVector theta, inPlane;
        for (std::size_t i : {5u, 10u, 15u}) {
            trained.curve.weightsAt(double(i) / 20.0, theta);
            theta = WeightVector::fromStateDict(theta.toStateDict(), layout);
            inPlane = WeightVector::fromStateDict(a_.toStateDict(), layout);
            inPlane.axpy(plane.points[i].a, plane.x.vector)
                .axpy(plane.points[i].b, plane.y->vector);
            QVERIFY2((theta - inPlane).norm() < 1e-4 * theta.norm(),
                     qPrintable(QString::number((theta - inPlane).norm())));
        }
        // ... and the landscape engine computes the loss on it.
        const auto [x, y] = curvePlaneGrid(plane, 3);
        QVERIFY(x.min < 0 && x.max > (b_ - a_).norm());
        Surface surface(x.coordinates(), y.coordinates());
        Model centre = model_.clone();
        LandscapeJob landscape(centre, plane, surface, (dir.path() + "/plane.h5").toStdString(),
                               train);
        Context lc;
        landscape.run(lc);
        QCOMPARE(landscape.surface().missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
    }

    void curveFileRoundTripsAndRejectsOtherEnds() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/c.pt").toStdString();
        Curve c = bentCurve(CurveKind::PolygonalChain, 3, a_, b_);
        c.labelA = "runs/a/epoch_010.pt";
        c.labelB = "runs/b/epoch_010.pt";
        CurveFile f(c);
        f.model = "models/mlp.pt";
        f.epoch = 2;
        f.epochLoss = {0.5, 0.25};
        f.optimizer = "sgd";
        f.optimizerState = {{"momentum_buffer.0.fc1.weight", a_.toStateDict()[0].tensor}};
        saveCurve(f, path);
        const CurveFile g = loadCurve(path, a_, b_);
        QVERIFY(g.curve.kind() == CurveKind::PolygonalChain);
        QCOMPARE(g.curve.bendCount(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i)
            QCOMPARE(test::maxDifference(g.curve.bend(i), c.bend(i)), 0.0);
        QCOMPARE(g.curve.labelA, c.labelA);
        QCOMPARE(g.curve.labelB, c.labelB);
        QCOMPARE(g.model, f.model);
        QCOMPARE(g.epoch, 2);
        QCOMPARE(g.epochLoss, f.epochLoss);
        QCOMPARE(g.optimizer, std::string("sgd"));
        QCOMPARE(g.optimizerState.size(), std::size_t(1));
        QCOMPARE(g.optimizerState[0].name, std::string("momentum_buffer.0.fc1.weight"));
        QCOMPARE(g.optimizerState[0].tensor.toDoubles(), a_.toStateDict()[0].tensor.toDoubles());
        // Not the ends it was trained between; not a curve file.
        try {
            loadCurve(path, b_, a_);
            QFAIL("loaded a curve for other ends");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("runs/a/epoch_010.pt") != std::string::npos,
                     e.what());
        }
        const std::string other = (dir.path() + "/weights.pt").toStdString();
        saveStateDict(other, a_.toStateDict());  // a plain state dict, not a curve
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadCurve(other, a_, b_));
    }

    void garipovScheduleLowersTheRateLate() {
        // Garipov et al.'s factor at α = (epoch − 1)/epochs: 1 up to 0.5,
        // linear to 0.01 at 0.9, 0.01 after.
        const struct {
            int epoch;
            double factor;
        } cases[] = {{1, 1.0},
                     {6, 1.0},
                     {7, 1.0 - 0.1 / 0.4 * 0.99},
                     {8, 0.505},
                     {9, 1.0 - 0.3 / 0.4 * 0.99},
                     {10, 0.01}};
        for (const auto& c : cases)
            QVERIFY(std::abs(curveLearningRate(0.2, c.epoch, 10, CurveLrSchedule::Garipov) -
                             0.2 * c.factor) < 1e-12);
        QCOMPARE(curveLearningRate(0.2, 10, 10, CurveLrSchedule::Constant), 0.2);
        QCOMPARE(parseCurveLrSchedule("garipov"), CurveLrSchedule::Garipov);
        QCOMPARE(std::string(curveLrScheduleName(CurveLrSchedule::Constant)), "constant");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseCurveLrSchedule("cosine"));

        // In training: epochs 1 and 2 of 3 run at the base rate either way,
        // the third at 0.5875 of it under the schedule.
        QTemporaryDir dir;
        const Curve start = Curve::onLine(CurveKind::PolygonalChain, 1, a_, b_);
        CurveTrainingJob constant(model_, start, data_.train,
                                  (dir.path() + "/constant.pt").toStdString(), curveOptions(3));
        CurveTrainingOptions scheduled = curveOptions(3);
        scheduled.schedule = CurveLrSchedule::Garipov;
        CurveTrainingJob garipov(model_, start, data_.train,
                                 (dir.path() + "/garipov.pt").toStdString(), scheduled);
        Context c1, c2;
        constant.run(c1);
        garipov.run(c2);
        const std::vector<double>& x = constant.result().epochLoss;
        const std::vector<double>& y = garipov.result().epochLoss;
        QCOMPARE(y.size(), std::size_t(3));
        QCOMPARE(y[0], x[0]);
        QCOMPARE(y[1], x[1]);
        QVERIFY(y[2] != x[2]);
        QVERIFY(test::maxDifference(garipov.result().curve.bend(0),
                                    constant.result().curve.bend(0)) > 0);
    }

    void cancelledTrainingResumesToTheSameBits() {
        QTemporaryDir dir;
        const Curve start = Curve::onLine(CurveKind::PolygonalChain, 1, a_, b_);
        const Dataset train = data_.train;
        const std::string whole = (dir.path() + "/whole.pt").toStdString();
        CurveTrainingJob uninterrupted(model_, start, train, whole, curveOptions(3));
        Context context;
        uninterrupted.run(context);

        const std::string parts = (dir.path() + "/parts.pt").toStdString();
        CurveTrainingJob first(model_, start, train, parts, curveOptions(3));
        Context cancelling(45);  // 32 batches an epoch: stops in the second epoch
        QVERIFY_THROWS_EXCEPTION(JobCancelled, first.run(cancelling));
        QCOMPARE(loadCurve(parts, a_, b_).epoch, 1);
        CurveTrainingJob second(model_, start, train, parts, curveOptions(3));
        Context resuming;
        second.run(resuming);
        QCOMPARE(second.epochsTrained(), 2);
        const CurveFile& x = uninterrupted.result();
        const CurveFile& y = second.result();
        QCOMPARE(y.epoch, 3);
        QCOMPARE(y.epochLoss, x.epochLoss);
        QCOMPARE(test::maxDifference(y.curve.bend(0), x.curve.bend(0)), 0.0);
        // A file of another kind is refused.
        CurveTrainingJob other(model_, Curve::onLine(CurveKind::Bezier, 1, a_, b_), train, parts,
                               curveOptions(4));
        Context c2;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, other.run(c2));
    }

    // The jobs panel's Resume: run() again on the same object, cancelled
    // first in epoch 1 (no file yet), then in epoch 2, then to the end.
    void sameObjectResumesToTheSameBits() {
        QTemporaryDir dir;
        const Curve start = Curve::onLine(CurveKind::PolygonalChain, 1, a_, b_);
        const Dataset train = data_.train;
        CurveTrainingJob uninterrupted(model_, start, train,
                                       (dir.path() + "/whole.pt").toStdString(), curveOptions(3));
        Context context;
        uninterrupted.run(context);

        const std::string parts = (dir.path() + "/parts.pt").toStdString();
        CurveTrainingJob job(model_, start, train, parts, curveOptions(3));
        QVERIFY(job.resumable());
        Context inFirstEpoch(10);
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(inFirstEpoch));
        QVERIFY(!std::filesystem::exists(parts));
        Context inSecondEpoch(45);  // 32 batches an epoch
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(inSecondEpoch));
        QCOMPARE(loadCurve(parts, a_, b_).epoch, 1);
        Context rest;
        job.run(rest);
        QCOMPARE(job.epochsTrained(), 2);
        const CurveFile& x = uninterrupted.result();
        const CurveFile& y = job.result();
        QCOMPARE(y.epoch, 3);
        QCOMPARE(y.epochLoss, x.epochLoss);
        QCOMPARE(test::maxDifference(y.curve.bend(0), x.curve.bend(0)), 0.0);
        QCOMPARE(test::maxDifference(loadCurve(parts, a_, b_).curve.bend(0), x.curve.bend(0)), 0.0);
    }
};

BASIN_TEST_MAIN(TestCurve)
#include "test_curve.moc"
