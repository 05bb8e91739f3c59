// REPAIR (Jordan et al. 2023): at the endpoints the statistics already match
// and the weights stay as they are (1e-5); at t = ½ every corrected layer's
// per-unit mean and standard deviation equal the interpolated targets
// (1e-4); on the demo's spirals MLP trained from two seeds, the aligned and
// REPAIRed path (PathJob with PathOptions::repair) has a barrier no higher
// than the aligned one; a layer without bias is refused naming it.

#include <QTemporaryDir>
#include <algorithm>
#include <cmath>

#include "BasinTest.h"
#include "ScriptedModel.h"
#include "SpiralsSeeds.h"
#include "connectivity/Barrier.h"
#include "connectivity/PathJob.h"
#include "connectivity/Repair.h"
#include "connectivity/WeightMatching.h"
#include "data/GeneratedDatasets.h"
#include "model/WeightVector.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

using namespace basin;

namespace {

class Context : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

Model withWeights(const Model& model, const WeightVector& w) {
    Model m = model.clone();
    w.applyTo(m);
    return m;
}

WeightVector mix(const WeightVector& a, const WeightVector& b, double t) {
    WeightVector w = a;
    w.scale(1.0 - t);
    w.axpy(t, b);
    return w;
}

// Barrier (i) of the train loss along A → B (optionally REPAIRed); the file
// records whether it was, and a run of the other kind refuses to resume it.
double pathBarrier(const Model& model, const WeightVector& a, const WeightVector& b,
                   const Dataset& train, bool repair) {
    PathSamples s;
    for (int i = 0; i <= 12; ++i)
        s.t.push_back(i / 12.0);
    s.rows = {"path"};
    s.knots = {0.0, 1.0};
    PathOptions options;
    options.repair = repair;
    QTemporaryDir dir;
    PathJob job(
        model.clone(), s, [=](std::size_t, double t, WeightVector& out) { out = mix(a, b, t); },
        (dir.path() + "/path.h5").toStdString(), train, std::nullopt, options);
    Context context;
    job.run(context);
    const std::string file = (dir.path() + "/path.h5").toStdString();
    if (readPathSamples(file).repaired != repair) qFatal("the path file's REPAIR flag is wrong");
    PathOptions other = options;
    other.repair = !repair;
    PathJob mixed(
        model.clone(), s, [=](std::size_t, double t, WeightVector& out) { out = mix(a, b, t); },
        file, train, std::nullopt, other);
    try {
        mixed.run(context);
        qFatal("a path file was resumed with and without REPAIR");
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("REPAIR") == std::string::npos) qFatal("%s", e.what());
    }
    return measureBarrier(job.samples().t, job.samples().row(SurfaceMetric::TrainLoss, 0)).linear;
}

}  // namespace

class TestRepair : public QObject {
    Q_OBJECT

    DatasetSplit data_;
    Model model_ = makeMlp();
    WeightVector a_, b_;

private Q_SLOTS:
    void initTestCase() {
        data_ = test::spirals();
        QTemporaryDir dir;
        const Model a = test::trainedSpiralsMlp(data_, 0, dir.path());
        const Model b = test::trainedSpiralsMlp(data_, 1, dir.path());
        model_ = a.clone();
        a_ = WeightVector::fromModel(a, true);
        b_ = WeightVector::fromModel(b, true);
    }

    void endpointsAreUnchanged() {
        const Model a = withWeights(model_, a_), b = withWeights(model_, b_);
        const UnitStatistics sa = unitStatistics(a, data_.train);
        const UnitStatistics sb = unitStatistics(b, data_.train);
        QCOMPARE(sa.size(), std::size_t(2));  // fc1 and fc2; the output layer stays
        for (const auto& [m, w, t] : {std::tuple{&a, &a_, 0.0}, std::tuple{&b, &b_, 1.0}}) {
            const WeightVector repaired = WeightVector::fromStateDict(
                repairedWeights(*m, interpolateStatistics(sa, sb, t), data_.train), *w);
            QVERIFY2(test::maxDifference(repaired, *w) < 1e-5,
                     qPrintable(QString::number(test::maxDifference(repaired, *w))));
        }
    }

    void midpointHasTheTargetStatistics() {
        const UnitStatistics sa = unitStatistics(withWeights(model_, a_), data_.train);
        const UnitStatistics sb = unitStatistics(withWeights(model_, b_), data_.train);
        const UnitStatistics target = interpolateStatistics(sa, sb, 0.5);
        const Model mid = withWeights(model_, mix(a_, b_, 0.5));
        const UnitStatistics before = unitStatistics(mid, data_.train);
        Model repaired = model_.clone();
        QVERIFY(repaired.applyStateDict(repairedWeights(mid, target, data_.train), true).ok());
        const UnitStatistics after = unitStatistics(repaired, data_.train);
        QCOMPARE(after.size(), target.size());
        double collapse = 0.0;  // variance collapse before REPAIR: the largest std shortfall
        for (std::size_t k = 0; k < target.size(); ++k) {
            QCOMPARE(after[k].layer, target[k].layer);
            for (std::size_t u = 0; u < target[k].mean.size(); ++u) {
                const double scale = std::max(1.0, std::abs(target[k].std[u]));
                QVERIFY2(std::abs(after[k].mean[u] - target[k].mean[u]) < 1e-4 * scale,
                         qPrintable(QString::fromStdString(target[k].layer)));
                QVERIFY2(std::abs(after[k].std[u] - target[k].std[u]) < 1e-4 * scale,
                         qPrintable(QString::fromStdString(target[k].layer)));
                collapse = std::max(collapse, target[k].std[u] - before[k].std[u]);
            }
        }
        QVERIFY(collapse > 1e-3);  // the midpoint's statistics did need correcting
    }

    void alignedAndRepairedBarrierIsNoHigher() {
        const AlignmentResult aligned = matchWeights(model_, a_.toStateDict(), b_.toStateDict());
        const WeightVector b = WeightVector::fromStateDict(aligned.alignedB, a_);
        const double plain = pathBarrier(model_, a_, b_, data_.train, false);
        const double alignedBarrier = pathBarrier(model_, a_, b, data_.train, false);
        const double repaired = pathBarrier(model_, a_, b, data_.train, true);
        qInfo(
            "train-loss barrier (i) between the seeds: plain %.4f, aligned %.4f, aligned + "
            "REPAIR %.4f",
            plain, alignedBarrier, repaired);
        QVERIFY(repaired <= alignedBarrier);
    }

    void layerWithoutBiasIsNamed() {
        const Model m =
            basin::test::scriptedModel("nobias",
                                       "def forward(self, x):\n"
                                       "    return torch.linear(torch.relu(torch.linear(x, "
                                       "self.w1, None)), self.w2, self.b2)\n",
                                       {{"w1", torch::randn({8, 2})},
                                        {"w2", torch::randn({2, 8})},
                                        {"b2", torch::randn({2})}});
        try {
            unitStatistics(m, data_.train);
            QFAIL("a layer without bias was accepted");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("layer 'w1'") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("no bias") != std::string::npos, e.what());
        }
    }
};

BASIN_TEST_MAIN(TestRepair)
#include "test_repair.moc"
