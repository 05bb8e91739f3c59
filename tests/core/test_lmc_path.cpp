// Linear mode connectivity paths (connectivity/PathJob.h and friends):
//  - a linear model under MSE is a quadratic in its weights, so along the
//    line L(t) = mean (r_A + t·u)² with r_A the residuals at A and u the
//    change of the outputs: the job's values, the barrier definitions and the
//    second-order prediction are checked against that closed form, in double;
//  - the path's ends equal evaluate() at A and B; a chain of three checkpoints
//    passes through the middle one; a cancelled run resumes with only the
//    missing points and equals an uninterrupted one; points come coarse to fine;
//  - layer-wise LMC: interpolating every layer at once is the plain path;
//    BatchNorm buffers go with their layer;
//  - BatchNorm re-estimation on a trained small CNN changes the statistics and
//    the loss in the middle of the path (stale statistics).

#include <QTemporaryDir>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <vector>

#include "BasinTest.h"
#include "connectivity/Barrier.h"
#include "connectivity/InterpolationPath.h"
#include "connectivity/LayerwiseLmc.h"
#include "connectivity/PathJob.h"
#include "connectivity/SecondOrderBarrier.h"
#include "data/GeneratedDatasets.h"
#include "io/Safetensors.h"
#include "model/WeightVector.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

using namespace basin;

namespace {

constexpr std::int64_t kIn = 3, kOut = 2, kSamples = 48;

TensorData floatTensor(std::vector<std::int64_t> shape, const std::vector<float>& v) {
    TensorData t;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(v.size() * sizeof(float));
    std::copy(v.begin(), v.end(), reinterpret_cast<float*>(t.storage->mutableData()));
    return t;
}

// Targets a smooth function of the inputs the linear model cannot fit exactly.
Dataset regression() {
    Pcg32 rng(21);
    std::vector<float> x(kSamples * kIn), y(kSamples * kOut);
    for (auto& v : x)
        v = float(rng.normal());
    for (std::int64_t n = 0; n < kSamples; ++n) {
        const float* xn = &x[std::size_t(n * kIn)];
        y[std::size_t(n * kOut)] = 0.5f * xn[0] - xn[1] + 0.2f * xn[2] * xn[2];
        y[std::size_t(n * kOut + 1)] = std::sin(xn[0]) + 0.3f * xn[2];
    }
    Dataset d;
    d.name = "regression";
    d.inputs = floatTensor({kSamples, kIn}, x);
    d.targets = floatTensor({kSamples, kOut}, y);
    return d;
}

Model mlp(std::vector<std::int64_t> hidden, std::uint64_t seed) {
    MlpOptions o;
    o.inputs = kIn;
    o.hidden = std::move(hidden);
    o.classes = kOut;
    o.seed = seed;
    return makeMlp(o);
}

// Residuals z(θ) − y of the linear model θ = (fc1.weight [k, in], fc1.bias [k]), in double.
std::vector<double> residuals(const WeightVector& theta, const Dataset& data) {
    const float* W = theta.data(0);
    const float* c = theta.data(1);
    const auto* x = reinterpret_cast<const float*>(data.inputs.storage->data());
    const auto* y = reinterpret_cast<const float*>(data.targets.storage->data());
    std::vector<double> r;
    for (std::int64_t n = 0; n < kSamples; ++n)
        for (std::int64_t o = 0; o < kOut; ++o) {
            double z = c[o];
            for (std::int64_t i = 0; i < kIn; ++i)
                z += double(W[o * kIn + i]) * x[n * kIn + i];
            r.push_back(z - y[n * kOut + o]);
        }
    return r;
}

// L(t) = α + β t + γ t² along the line from A to B.
struct Quadratic {
    double alpha = 0, beta = 0, gamma = 0;
    double at(double t) const { return alpha + beta * t + gamma * t * t; }
};

Quadratic lineQuadratic(const WeightVector& a, const WeightVector& b, const Dataset& data) {
    const std::vector<double> ra = residuals(a, data), rb = residuals(b, data);
    Quadratic q;
    for (std::size_t k = 0; k < ra.size(); ++k) {
        const double u = rb[k] - ra[k];
        q.alpha += ra[k] * ra[k];
        q.beta += 2 * ra[k] * u;
        q.gamma += u * u;
    }
    const double n = double(ra.size());
    q.alpha /= n;
    q.beta /= n;
    q.gamma /= n;
    return q;
}

class Context : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return cancel.load(); }
    std::atomic<bool> cancel{false};
};

bool close(double got, double want, double tolerance) {
    return std::abs(got - want) <= tolerance * std::max(1.0, std::abs(want));
}

// A model file and checkpoints (safetensors) of the given weights in `dir`.
struct Files {
    std::string model;
    std::vector<std::string> checkpoints;
};
Files writeFiles(const QString& dir, const Model& model, const std::vector<WeightVector>& weights) {
    Files f;
    f.model = (dir + "/model.pt").toStdString();
    model.save(f.model);
    for (std::size_t k = 0; k < weights.size(); ++k) {
        f.checkpoints.push_back((dir + "/ck" + QString::number(k) + ".safetensors").toStdString());
        writeSafetensors(f.checkpoints.back(), weights[k].toStateDict());
    }
    return f;
}

PathSamples runRecipe(const LmcRecipe& recipe, const Dataset& data,
                      std::size_t* computed = nullptr) {
    PathJob job(recipe, data);
    Context context;
    job.run(context);
    if (computed) *computed = job.pointsComputed();
    return job.samples();
}

double evaluateAt(Model model, const WeightVector& theta, const Dataset& data) {
    theta.applyTo(model);
    return evaluate(model, data).loss;
}

}  // namespace

class TestLmcPath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void quadraticPathMatchesClosedForm() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = mlp({}, 3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(mlp({}, 7), true);
        const Files f = writeFiles(dir.path(), model, {a, b});
        LmcRecipe r;
        r.modelPath = f.model;
        r.checkpoints = f.checkpoints;
        r.outPath = (dir.path() + "/path.h5").toStdString();
        std::size_t computed = 0;
        const PathSamples s = runRecipe(r, data, &computed);
        QCOMPARE(s.nt(), std::size_t(25));
        QCOMPARE(computed, std::size_t(25));
        const Quadratic q = lineQuadratic(a, b, data);
        QVERIFY(q.gamma > 0.1);
        const std::vector<double> loss = s.row(SurfaceMetric::TrainLoss, 0);
        for (std::size_t i = 0; i < s.nt(); ++i)
            QVERIFY2(close(loss[i], q.at(s.t[i]), 1e-6),
                     qPrintable(QStringLiteral("t = %1: %2 vs %3")
                                    .arg(s.t[i])
                                    .arg(loss[i], 0, 'g', 10)
                                    .arg(q.at(s.t[i]), 0, 'g', 10)));
        // The ends are the checkpoints, evaluated as evaluate() does.
        QVERIFY(close(loss.front(), evaluateAt(model.clone(), a, data), 1e-7));
        QVERIFY(close(loss.back(), evaluateAt(model.clone(), b, data), 1e-7));

        // Barriers by hand: the gap to the chord is −γ t(1 − t).
        const double la = q.at(0), lb = q.at(1), h = 1.0 / 24;
        const Barrier bar = measureBarrier(s.t, loss);
        QVERIFY(std::abs(bar.linear) < 1e-6);
        QVERIFY(close(bar.maxAboveMeanOfEnds, std::abs(la - lb) / 2, 1e-6));
        QCOMPARE(bar.maxT, la > lb ? 0.0 : 1.0);
        QVERIFY(close(bar.midpoint, -q.gamma / 4, 1e-6));
        QVERIFY2(close(bar.area, -q.gamma * (1 - h * h) / 6, 1e-6),
                 qPrintable(QString::number(bar.area)));

        // The file is a 1-D surface over t (the loss-landscape tool's layout).
        const Surface surface = readSurface(r.outPath);
        QCOMPARE(surface.x, s.t);
        QCOMPARE(surface.metric(SurfaceMetric::TrainLoss), loss);
        const PathSamples back = readPathSamples(r.outPath);
        QCOMPARE(back.checkpoints, f.checkpoints);
        QCOMPARE(back.knots, (std::vector<double>{0.0, 1.0}));
        QCOMPARE(back.kind, std::string("linear path"));
        // The model keeps its own weights.
        const WeightVector after = WeightVector::fromModel(model, true);
        for (std::int64_t i = 0; i < after.size(); ++i)
            QCOMPARE(after.data()[i], a.data()[i]);
    }

    void secondOrderPredictionIsExactOnAQuadratic() {
        const Dataset data = regression();
        Model model = mlp({}, 3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(mlp({}, 7), true);
        const Quadratic q = lineQuadratic(a, b, data);
        const std::vector<double> t = InterpolationPath::uniformT(25);
        // Measured: the path's losses.
        const InterpolationPath path({a, b}, {"A", "B"});
        WeightVector theta = a;
        std::vector<double> measured;
        Model eval = model.clone();
        for (double x : t) {
            path.weightsAt(x, theta);
            measured.push_back(evaluateAt(eval, theta, data));
        }
        Context context;
        const SecondOrderPrediction p =
            predictBarrier(model, a, b, data, t, measured.front(), measured.back(), {}, &context);
        // ΔᵀHΔ = d²L/dt² = 2γ everywhere on a quadratic.
        QVERIFY2(close(p.curvatureA, 2 * q.gamma, 1e-5), qPrintable(QString::number(p.curvatureA)));
        QVERIFY(close(p.curvatureMidpoint, 2 * q.gamma, 1e-5));
        QVERIFY(close(p.curvatureB, 2 * q.gamma, 1e-5));
        QCOMPARE(p.used, CurvaturePoint::Midpoint);
        for (std::size_t i = 0; i < t.size(); ++i)
            QVERIFY2(close(p.loss[i], measured[i], 1e-6),
                     qPrintable(QStringLiteral("t = %1: predicted %2, measured %3")
                                    .arg(t[i])
                                    .arg(p.loss[i], 0, 'g', 10)
                                    .arg(measured[i], 0, 'g', 10)));
        const Barrier m = measureBarrier(t, measured);
        QVERIFY(std::abs(p.barrier.midpoint - m.midpoint) < 1e-6);
        QVERIFY(std::abs(p.barrier.area - m.area) < 1e-6);
        // The model can still be evaluated after the Hessian products.
        QVERIFY(close(evaluateAt(model, a, data), measured.front(), 1e-7));
    }

    void chainOfThreeCheckpoints() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = mlp({}, 3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(mlp({}, 7), true);
        const WeightVector c = WeightVector::fromModel(mlp({}, 11), true);
        const Files f = writeFiles(dir.path(), model, {a, b, c});
        LmcRecipe r;
        r.modelPath = f.model;
        r.checkpoints = f.checkpoints;
        r.points = 24;  // raised to 25 so that B is a point
        r.outPath = (dir.path() + "/chain.h5").toStdString();
        const PathSamples s = runRecipe(r, data);
        QCOMPARE(s.nt(), std::size_t(25));
        QCOMPARE(s.knots, (std::vector<double>{0.0, 0.5, 1.0}));
        const std::vector<double> loss = s.row(SurfaceMetric::TrainLoss, 0);
        QVERIFY(close(loss[12], evaluateAt(model.clone(), b, data), 1e-7));
        QVERIFY(close(loss[24], evaluateAt(model.clone(), c, data), 1e-7));
        // Each segment is the quadratic of its own two checkpoints.
        const Quadratic ab = lineQuadratic(a, b, data), bc = lineQuadratic(b, c, data);
        for (std::size_t i = 0; i <= 12; ++i) {
            QVERIFY(close(loss[i], ab.at(2 * s.t[i]), 1e-6));
            QVERIFY(close(loss[12 + i], bc.at(2 * s.t[12 + i] - 1), 1e-6));
        }
        std::vector<double> st, sl;
        segmentSamples(s.t, loss, {}, 0.5, 1.0, &st, &sl, nullptr);
        QCOMPARE(st.size(), std::size_t(13));
        QVERIFY(close(measureBarrier(st, sl).midpoint, -bc.gamma / 4, 1e-6));

        const InterpolationPath five({a, b, c, a, b, c}, {"1", "2", "3", "4", "5", "6"});
        QCOMPARE(five.pointsWithCheckpoints(25), std::size_t(26));
        QCOMPARE(five.pointsWithCheckpoints(1), std::size_t(6));
        const InterpolationPath two({a, b}, {"A", "B"});
        QCOMPARE(two.pointsWithCheckpoints(25), std::size_t(25));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, InterpolationPath({a}, {"A"}));
    }

    void resumeAfterCancelComputesOnlyMissingPoints() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = mlp({4}, 3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(mlp({4}, 5), true);
        const Files f = writeFiles(dir.path(), model, {a, b});
        LmcRecipe r;
        r.modelPath = f.model;
        r.checkpoints = f.checkpoints;
        r.outPath = (dir.path() + "/whole.h5").toStdString();
        const PathSamples whole = runRecipe(r, data);

        r.outPath = (dir.path() + "/resumed.h5").toStdString();
        std::vector<std::size_t> order;
        {
            PathJob job(r, data);
            Context context;
            job.setPointObserver([&](std::size_t, std::size_t i, const PathSamples&) {
                order.push_back(i);
                if (order.size() == 7) context.cancel = true;
            });
            QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(context));
            QCOMPARE(job.pointsComputed(), std::size_t(7));
        }
        // Coarse to fine: every 8th point first, then every 4th.
        QCOMPARE(order, (std::vector<std::size_t>{0, 8, 16, 24, 4, 12, 20}));
        QCOMPARE(readPathSamples(r.outPath).missingCount(SurfaceMetric::TrainLoss),
                 std::size_t(18));
        std::size_t computed = 0;
        const PathSamples resumed = runRecipe(r, data, &computed);
        QCOMPARE(computed, std::size_t(18));
        const auto w = whole.row(SurfaceMetric::TrainLoss, 0);
        const auto v = resumed.row(SurfaceMetric::TrainLoss, 0);
        for (std::size_t i = 0; i < w.size(); ++i)
            QVERIFY(close(v[i], w[i], 1e-7));
        // Another point count on the same file is refused, not overwritten.
        r.points = 13;
        PathJob other(r, data);
        Context context;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, other.run(context));
    }

    // The jobs panel's Resume: run() again on the same object after a cancel.
    void sameObjectResumesAfterCancel() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = mlp({4}, 3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(mlp({4}, 5), true);
        const Files f = writeFiles(dir.path(), model, {a, b});
        LmcRecipe r;
        r.modelPath = f.model;
        r.checkpoints = f.checkpoints;
        r.outPath = (dir.path() + "/whole.h5").toStdString();
        const PathSamples whole = runRecipe(r, data);

        r.outPath = (dir.path() + "/resumed.h5").toStdString();
        PathJob job(r, data);
        QVERIFY(job.resumable());
        Context first;
        std::size_t points = 0;
        job.setPointObserver([&](std::size_t, std::size_t, const PathSamples&) {
            if (++points == 9) first.cancel = true;
        });
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(first));
        QCOMPARE(job.pointsComputed(), std::size_t(9));
        Context second;
        job.run(second);
        QCOMPARE(job.pointsComputed(), std::size_t(16));
        const PathSamples resumed = readPathSamples(r.outPath);
        const auto w = whole.row(SurfaceMetric::TrainLoss, 0);
        const auto v = resumed.row(SurfaceMetric::TrainLoss, 0);
        QCOMPARE(v.size(), w.size());
        for (std::size_t i = 0; i < w.size(); ++i)
            QVERIFY(close(v[i], w[i], 1e-7));
    }

    void layerwiseWithEveryLayerIsThePlainPath() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = mlp({4}, 3);
        const WeightVector a = WeightVector::fromModel(model, true);
        const WeightVector b = WeightVector::fromModel(mlp({4}, 9), true);
        const Files f = writeFiles(dir.path(), model, {a, b});
        LmcRecipe r;
        r.modelPath = f.model;
        r.checkpoints = f.checkpoints;
        r.points = 9;
        r.outPath = (dir.path() + "/plain.h5").toStdString();
        const PathSamples plain = runRecipe(r, data);
        r.layerwise = true;
        r.outPath = (dir.path() + "/layers.h5").toStdString();
        const PathSamples layers = runRecipe(r, data);
        QCOMPARE(layers.rows,
                 (std::vector<std::string>{"at_a/fc1", "at_a/fc2", "at_b/fc1", "at_b/fc2",
                                           "cumulative/fc1", "cumulative/fc2"}));
        const auto p = plain.row(SurfaceMetric::TrainLoss, 0);
        const auto all = layers.row(SurfaceMetric::TrainLoss, 5);
        for (std::size_t i = 0; i < p.size(); ++i)
            QVERIFY(close(all[i], p[i], 1e-7));
        // Rows that leave the rest at A start at A; those at B end at B.
        for (std::size_t row : {0u, 1u, 4u})
            QVERIFY(close(layers.row(SurfaceMetric::TrainLoss, row).front(), p.front(), 1e-7));
        for (std::size_t row : {2u, 3u})
            QVERIFY(close(layers.row(SurfaceMetric::TrainLoss, row).back(), p.back(), 1e-7));
        // Moving fc1 alone, then fc2 alone, differs from moving both.
        QVERIFY(std::abs(layers.row(SurfaceMetric::TrainLoss, 0)[4] - p[4]) > 1e-4);

        const std::vector<LayerBarrier> barriers = layerBarriers(readPathSamples(r.outPath));
        QCOMPARE(barriers.size(), std::size_t(6));
        QCOMPARE(barriers[3].layer, std::string("fc2"));
        QCOMPARE(barriers[3].variant, LayerwiseVariant::OthersAtB);
        QVERIFY(!barriers[5].test.has_value());
        QVERIFY(close(barriers[5].train.area, measureBarrier(plain.t, p).area, 1e-6));
    }

    void batchNormBuffersGoWithTheirLayer() {
        SmallCnnOptions o;
        o.baseWidth = 4;
        const std::vector<LayerGroup> groups =
            layerGroups(WeightVector::fromModel(makeSmallCnn(o), true));
        std::vector<std::string> names;
        for (const LayerGroup& g : groups)
            names.push_back(g.name);
        QCOMPARE(names, (std::vector<std::string>{"conv1", "bn1", "conv2", "bn2", "fc"}));
        const WeightVector layout = WeightVector::fromModel(makeSmallCnn(o), true);
        std::vector<std::string> bn1;
        for (std::size_t e : groups[1].entries)
            bn1.push_back(layout.entries()[e].name);
        QCOMPARE(bn1, (std::vector<std::string>{"bn1.weight", "bn1.bias", "bn1.running_mean",
                                                "bn1.running_var"}));
    }

    void batchNormReestimationRemovesStaleStatistics() {
        QTemporaryDir dir;
        SyntheticDigitsOptions digits;
        digits.trainPerClass = 20;
        digits.testPerClass = 5;
        const DatasetSplit split = makeSyntheticDigits(digits).split;
        SmallCnnOptions cnn;
        cnn.baseWidth = 4;
        std::vector<std::string> ends;
        Model model = makeSmallCnn(cnn);
        for (std::uint64_t seed : {1u, 2u}) {
            cnn.seed = seed;
            Model m = makeSmallCnn(cnn);
            TrainingOptions t;
            t.epochs = 4;
            t.batchSize = 32;
            t.seed = seed;
            t.learningRate = 0.05;
            const std::string folder = (dir.path() + "/seed" + QString::number(seed)).toStdString();
            TrainingJob job(m, split, folder, t);
            Context context;
            job.run(context);
            ends.push_back(TrainingJob::checkpointPath(folder, t.epochs));
        }
        model.save((dir.path() + "/cnn.pt").toStdString());
        LmcRecipe r;
        r.modelPath = (dir.path() + "/cnn.pt").toStdString();
        r.checkpoints = ends;
        r.points = 5;
        r.outPath = (dir.path() + "/stale.h5").toStdString();
        const PathSamples stale = runRecipe(r, split.train);
        r.options.reestimateBatchNorm = true;
        r.outPath = (dir.path() + "/fresh.h5").toStdString();
        const PathSamples fresh = runRecipe(r, split.train);
        QVERIFY(fresh.batchNormReestimated && readPathSamples(r.outPath).batchNormReestimated);
        const double before = stale.row(SurfaceMetric::TrainLoss, 0)[2];
        const double after = fresh.row(SurfaceMetric::TrainLoss, 0)[2];
        qInfo("train loss at t = 0.5: %.4f with interpolated statistics, %.4f re-estimated", before,
              after);
        // At a trained end, exact statistics are about the running ones
        // (Training's momentum 0.1 averages): the loss stays close. (A
        // momentum read wrongly scales the statistics and breaks this.)
        const double atA = stale.row(SurfaceMetric::TrainLoss, 0)[0];
        QVERIFY2(std::abs(fresh.row(SurfaceMetric::TrainLoss, 0)[0] - atA) < 0.25 * atA,
                 qPrintable(QString::number(fresh.row(SurfaceMetric::TrainLoss, 0)[0])));
        QVERIFY(std::abs(before - after) > 1e-3);
        QVERIFY2(after < before, "re-estimated statistics should lower the barrier");
        // The statistics themselves move.
        const InterpolationPath path = InterpolationPath::load(model, ends);
        WeightVector middle = path.checkpoint(0);
        path.weightsAt(0.5, middle);
        middle.applyTo(model);
        const WeightVector interpolated = WeightVector::fromModel(model, true);
        reestimateBatchNorm(model, split.train);
        const WeightVector estimated = WeightVector::fromModel(model, true);
        double change = 0;
        for (const WeightEntry& e : interpolated.entries())
            if (e.isBuffer)
                for (std::int64_t k = 0; k < e.numel(); ++k)
                    change += std::abs(estimated.data()[e.offset + k] -
                                       interpolated.data()[e.offset + k]);
        QVERIFY(change > 1e-2);
    }
};

BASIN_TEST_MAIN(TestLmcPath)
#include "test_lmc_path.moc"
