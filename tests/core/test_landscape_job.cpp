// LandscapeJob: coarse-to-fine order; the analytic landscape of a linear
// model under MSE (a quadratic in (a, b), computed in closed form in double);
// resume after a cancel (only the missing points are evaluated, and the
// result equals an uninterrupted run); weights restored; progress messages.

#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "BasinTest.h"
#include "landscape/Directions.h"
#include "landscape/LandscapeJob.h"
#include "model/WeightVector.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

TensorData floats(std::vector<std::int64_t> shape, const std::vector<float>& v) {
    TensorData t;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(v.size() * sizeof(float));
    std::copy(v.begin(), v.end(), reinterpret_cast<float*>(t.storage->mutableData()));
    return t;
}

constexpr std::int64_t kIn = 3, kOut = 2, kSamples = 64;

// Inputs x and targets t = A·x + noise: a regression the linear model fits
// only approximately, so the centre is not a zero of the loss.
Dataset regression() {
    Pcg32 rng(5);
    std::vector<float> x(kSamples * kIn), t(kSamples * kOut);
    for (auto& v : x)
        v = float(rng.normal());
    for (std::int64_t n = 0; n < kSamples; ++n)
        for (std::int64_t o = 0; o < kOut; ++o)
            t[std::size_t(n * kOut + o)] =
                float(0.7 * x[std::size_t(n * kIn)] - (o + 1) * x[std::size_t(n * kIn + 2)] +
                      0.1 * rng.normal());
    Dataset d;
    d.name = "regression";
    d.inputs = floats({kSamples, kIn}, x);
    d.targets = floats({kSamples, kOut}, t);
    return d;
}

Model linearModel() {
    MlpOptions o;
    o.inputs = kIn;
    o.hidden = {};
    o.classes = kOut;
    o.seed = 3;
    return makeMlp(o);
}

// L(θ) = 1/(N·k) Σ_n Σ_o (W x_n + c − t_n)_o² for θ = (W [k, in], c [k]) in
// the WeightVector layout fc1.weight, fc1.bias — in double.
double mse(const WeightVector& theta, const Dataset& data) {
    const float* W = theta.data(0);
    const float* c = theta.data(1);
    const auto* x = reinterpret_cast<const float*>(data.inputs.storage->data());
    const auto* t = reinterpret_cast<const float*>(data.targets.storage->data());
    double sum = 0.0;
    for (std::int64_t n = 0; n < kSamples; ++n)
        for (std::int64_t o = 0; o < kOut; ++o) {
            double z = c[o];
            for (std::int64_t i = 0; i < kIn; ++i)
                z += double(W[o * kIn + i]) * x[n * kIn + i];
            const double r = z - t[n * kOut + o];
            sum += r * r;
        }
    return sum / double(kSamples * kOut);
}

// The model is linear in its weights, so L(θ₀ + a d_x + b d_y) = mean (r₀ + a u + b v)²
// with r₀ = z(θ₀) − t, u and v the outputs' changes along d_x and d_y: a
// quadratic in (a, b), evaluated here in double from the weights directly,
// independently of libtorch and of the job.
double closedForm(const WeightVector& t0, const WeightVector& dx, const WeightVector& dy,
                  const Dataset& data, double a, double b) {
    WeightVector theta = t0;
    theta.axpy(a, dx);
    theta.axpy(b, dy);
    return mse(theta, data);
}

class Context : public JobContext {
public:
    void report(double, const std::string& message) override {
        if (message.rfind("point ", 0) == 0) sawPointMessage = true;
    }
    bool cancelRequested() const override { return cancel.load(); }
    std::atomic<bool> cancel{false};
    bool sawPointMessage = false;
};

}  // namespace

class TestLandscapeJob : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void coarseToFineVisitsEveryPointOnce() {
        const auto order = coarseToFineOrder(51, 51);
        QCOMPARE(order.size(), std::size_t(51 * 51));
        QCOMPARE(std::set<std::size_t>(order.begin(), order.end()).size(), order.size());
        for (std::size_t i = 0; i < 49; ++i)  // 7 × 7 points on every 8th row and column
            QVERIFY(order[i] / 51 % 8 == 0 && order[i] % 51 % 8 == 0);
        QVERIFY(order[49] / 51 % 4 == 0 && order[49] % 51 % 4 == 0);
        const auto line = coarseToFineOrder(17, 1);
        QCOMPARE(line[0], std::size_t(0));
        QCOMPARE(line[1], std::size_t(8));
        QCOMPARE(line[2], std::size_t(16));
        QCOMPARE(line[3], std::size_t(4));
    }

    void analyticQuadraticSurface() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = linearModel();
        const WeightVector theta0 = WeightVector::fromModel(model);
        RandomDirectionOptions o;
        o.keepOneDimensional = true;  // move the biases too
        o.seed = 4;
        const Directions d = randomDirections(theta0, o);
        Surface s(linspace(-1, 1, 9), linspace(-0.5, 1.5, 7));
        const std::string path = (dir.path() + "/analytic.h5").toStdString();
        LandscapeJob job(model, d, s, path, data);
        Context context;
        job.run(context);
        QVERIFY(context.sawPointMessage);
        QCOMPARE(job.pointsComputed(), std::size_t(63));
        const Surface out = readSurface(path);
        double worst = 0.0;
        for (std::size_t ix = 0; ix < 9; ++ix)
            for (std::size_t iy = 0; iy < 7; ++iy) {
                const double want =
                    closedForm(theta0, d.x.vector, d.y->vector, data, out.x[ix], out.y[iy]);
                const double got = out.metric(SurfaceMetric::TrainLoss)[ix * 7 + iy];
                worst = std::max(worst, std::abs(got - want) / std::max(1.0, want));
            }
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        // θ₀ is back in the model.
        const WeightVector after = WeightVector::fromModel(model);
        for (std::int64_t i = 0; i < after.size(); ++i)
            QCOMPARE(after.data()[i], theta0.data()[i]);
    }

    void resumeComputesOnlyMissingPoints() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = linearModel();
        const Directions d = randomDirections(WeightVector::fromModel(model), {});
        const Surface s(linspace(-1, 1, 11), linspace(-1, 1, 11));
        const std::string whole = (dir.path() + "/whole.h5").toStdString();
        const std::string resumed = (dir.path() + "/resumed.h5").toStdString();
        {
            LandscapeJob job(model, d, s, whole, data, data);
            Context context;
            job.run(context);
            QCOMPARE(job.pointsComputed(), std::size_t(121));
        }
        std::size_t first = 0;
        {
            LandscapeJob job(model, d, s, resumed, data, data);
            Context context;
            // Cancel once 30 points are done: the observer runs on the job's thread.
            job.setPointObserver([&](std::size_t, const Surface&) {
                if (++first == 30) context.cancel = true;
            });
            QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(context));
            QCOMPARE(job.pointsComputed(), std::size_t(30));
        }
        QCOMPARE(readSurface(resumed).missingCount(SurfaceMetric::TrainLoss), std::size_t(91));
        {
            LandscapeJob job(model, d, s, resumed, data, data);
            Context context;
            job.run(context);
            QCOMPARE(job.pointsComputed(), std::size_t(91));
        }
        const Surface a = readSurface(whole), b = readSurface(resumed);
        for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss})
            for (std::size_t k = 0; k < a.pointCount(); ++k)
                QVERIFY(std::abs(a.metric(m)[k] - b.metric(m)[k]) <= 1e-12 * (1 + a.metric(m)[k]));
        // A third run finds nothing to do.
        LandscapeJob again(model, d, s, resumed, data, data);
        Context context;
        again.run(context);
        QCOMPARE(again.pointsComputed(), std::size_t(0));
        // Other coordinates for the same file: a sentence, not a silent mix.
        LandscapeJob other(model, d, Surface(linspace(-2, 2, 11), linspace(-1, 1, 11)), resumed,
                           data);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, other.run(context));
    }

    // The jobs panel's Resume: run() again on the same object after a cancel.
    void sameObjectResumesAfterCancel() {
        QTemporaryDir dir;
        const Dataset data = regression();
        Model model = linearModel();
        const WeightVector theta0 = WeightVector::fromModel(model);
        const Directions d = randomDirections(theta0, {});
        const Surface s(linspace(-1, 1, 9), linspace(-1, 1, 9));
        const std::string whole = (dir.path() + "/whole.h5").toStdString();
        const std::string resumed = (dir.path() + "/resumed.h5").toStdString();
        {
            LandscapeJob job(model, d, s, whole, data, data);
            Context context;
            job.run(context);
        }
        LandscapeJob job(model, d, s, resumed, data, data);
        QVERIFY(job.resumable());
        Context first;
        std::size_t points = 0;
        job.setPointObserver([&](std::size_t, const Surface&) {
            if (++points == 20) first.cancel = true;
        });
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(first));
        QCOMPARE(job.pointsComputed(), std::size_t(20));
        Context second;
        job.run(second);
        QCOMPARE(job.pointsComputed(), std::size_t(61));
        const Surface a = readSurface(whole), b = readSurface(resumed);
        QCOMPARE(b.missingCount(SurfaceMetric::TrainLoss), std::size_t(0));
        for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss})
            for (std::size_t k = 0; k < a.pointCount(); ++k)
                QVERIFY(std::abs(a.metric(m)[k] - b.metric(m)[k]) <= 1e-12 * (1 + a.metric(m)[k]));
        // θ₀ is back in the model after both runs.
        const WeightVector after = WeightVector::fromModel(model);
        for (std::int64_t i = 0; i < after.size(); ++i)
            QCOMPARE(after.data()[i], theta0.data()[i]);
    }
};

BASIN_TEST_MAIN(TestLandscapeJob)
#include "test_landscape_job.moc"
