#pragma once
// The demo's setting for mode-connectivity tests: the two-spirals data and
// its MLP (2-64-64-2) trained from a seed as `basin demo` trains it, so two
// seeds give two minima to connect; and the largest elementwise difference
// of two weight vectors.

#include <QString>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "data/GeneratedDatasets.h"
#include "jobs/Job.h"
#include "model/WeightVector.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

namespace basin::test {

inline DatasetSplit spirals() {
    TwoSpiralsOptions o;
    o.trainPerClass = 500;
    o.testPerClass = 500;
    o.noise = 0.03;
    o.turns = 1.25;
    return makeTwoSpirals(o);
}

// 10 epochs of Adam (lr 0.01, batch 32) from `seed`, checkpoints in
// dir/run<seed>; *testAccuracy gets the last epoch's test accuracy.
inline Model trainedSpiralsMlp(const DatasetSplit& data, int seed, const QString& dir,
                               double* testAccuracy = nullptr) {
    MlpOptions mlp;
    mlp.hidden = {64, 64};
    mlp.seed = std::uint64_t(seed);
    Model m = makeMlp(mlp);
    TrainingOptions o;
    o.optimizer = TrainingOptions::Optimizer::Adam;
    o.learningRate = 0.01;
    o.batchSize = 32;
    o.epochs = 10;
    o.seed = std::uint64_t(seed);
    TrainingJob job(m, data, (dir + "/run" + QString::number(seed)).toStdString(), o);
    struct Quiet : JobContext {
        void report(double, const std::string&) override {}
        bool cancelRequested() const override { return false; }
    } quiet;
    job.run(quiet);
    if (testAccuracy) *testAccuracy = job.records().back().testAccuracy;
    return m;
}

inline double maxDifference(const WeightVector& x, const WeightVector& y) {
    double m = 0.0;
    for (std::int64_t i = 0; i < x.size(); ++i)
        m = std::max(m, std::abs(double(x.data()[i]) - double(y.data()[i])));
    return m;
}

}  // namespace basin::test
