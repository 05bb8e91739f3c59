// TrainingJob: learns two spirals, writes one checkpoint per epoch that real
// PyTorch and Basin's own reader open, resumes after a cancel to the same
// bits as an uninterrupted run, and explains data that do not fit the model.

#include <QTemporaryDir>
#include <atomic>
#include <filesystem>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "data/GeneratedDatasets.h"
#include "io/Checkpoint.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

using namespace basin;

namespace {

// Counts progress reports and asks to cancel after `cancelAfter` of them.
class CountingContext : public JobContext {
public:
    explicit CountingContext(int cancelAfter = -1) : cancelAfter_(cancelAfter) {}
    void report(double fraction, const std::string&) override {
        QVERIFY(fraction >= lastFraction - 1e-12 && fraction <= 1.0);
        lastFraction = fraction;
        ++reports;
    }
    bool cancelRequested() const override { return cancelAfter_ >= 0 && reports >= cancelAfter_; }
    int reports = 0;
    double lastFraction = 0.0;

private:
    int cancelAfter_;
};

DatasetSplit spirals() {
    TwoSpiralsOptions o;
    o.trainPerClass = 500;
    o.testPerClass = 200;
    o.noise = 0.03;
    o.turns = 1.25;
    return makeTwoSpirals(o);
}

MlpOptions spiralMlp() {
    MlpOptions o;
    o.hidden = {64, 64};
    o.seed = 3;
    return o;
}

TrainingOptions adam(int epochs) {
    TrainingOptions o;
    o.optimizer = TrainingOptions::Optimizer::Adam;
    o.learningRate = 0.01;
    o.epochs = epochs;
    o.batchSize = 32;
    o.seed = 11;
    o.threads = 1;
    return o;
}

bool sameState(const Model& a, const Model& b) {
    const auto x = a.stateDict(), y = b.stateDict();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].name != y[i].name || x[i].tensor.toDoubles() != y[i].tensor.toDoubles())
            return false;
    return true;
}

}  // namespace

class TestTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void learnsSpiralsAndWritesCheckpoints() {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString() + "/run";
        Model model = makeMlp(spiralMlp());
        TrainingJob job(model, spirals(), folder, adam(8));
        CountingContext context;
        job.run(context);
        QCOMPARE(job.records().size(), std::size_t(9));
        for (const auto& r : job.records()) {
            qInfo("epoch %d: train loss %.4f acc %.3f, test loss %.4f acc %.3f", r.epoch,
                  r.trainLoss, r.trainAccuracy, r.testLoss, r.testAccuracy);
            QVERIFY(std::filesystem::exists(r.checkpointPath));
            QVERIFY(!r.resumed);
        }
        const auto& last = job.records().back();
        QVERIFY(last.trainLoss < job.records()[1].trainLoss);
        QVERIFY2(last.trainAccuracy > 0.9, "the MLP should fit two spirals in a few epochs");
        QVERIFY(last.testAccuracy > 0.9);
        // 32 batches per epoch, one report each, plus the start and the end.
        QVERIFY(context.reports >= 8 * 32);
        QCOMPARE(context.lastFraction, 1.0);
        QCOMPARE(TrainingJob::checkpointPath(folder, 7), folder + "/epoch_007.pt");

        // Basin's own reader sees the state dict and the metrics.
        const Checkpoint ck = loadCheckpoint(last.checkpointPath);
        QVERIFY(!ck.weightRoots.empty());
        QCOMPARE(ck.weightRoots.front(), std::string("state_dict"));
        const auto sd = ck.stateDict();
        Model reloaded = makeMlp(spiralMlp());
        QVERIFY(reloaded.applyStateDict(sd, /*strict=*/true).ok());
        QVERIFY(sameState(reloaded, model));
        bool hasEpoch = false;
        for (const auto& [key, value] : ck.metadata)
            hasEpoch |= key == "epoch" && value == "8";
        QVERIFY(hasEpoch);

        // A rerun finds every epoch done and trains nothing.
        Model again = makeMlp(spiralMlp());
        TrainingJob rerun(again, spirals(), folder, adam(8));
        CountingContext quiet;
        rerun.run(quiet);
        QCOMPARE(rerun.records().size(), std::size_t(9));
        QVERIFY(rerun.records().back().resumed);
        QCOMPARE(rerun.records().back().testAccuracy, last.testAccuracy);
        QVERIFY(sameState(again, model));
    }

    void resumesAfterCancelToTheSameBits() {
        QTemporaryDir dir;
        const std::string full = dir.path().toStdString() + "/full";
        const std::string cut = dir.path().toStdString() + "/cut";
        for (auto optimizer : {TrainingOptions::Optimizer::Sgd, TrainingOptions::Optimizer::Adam}) {
            TrainingOptions o = adam(4);
            o.optimizer = optimizer;
            o.weightDecay = 1e-3;
            if (optimizer == TrainingOptions::Optimizer::Sgd) o.learningRate = 0.05;
            const std::string tag = optimizer == TrainingOptions::Optimizer::Sgd ? "sgd" : "adam";

            Model reference = makeMlp(spiralMlp());
            CountingContext context;
            TrainingJob(reference, spirals(), full + tag, o).run(context);

            // Cancel in the middle of epoch 3 (after 2 epochs of 32 batches).
            Model interrupted = makeMlp(spiralMlp());
            TrainingJob first(interrupted, spirals(), cut + tag, o);
            CountingContext cancelling(1 + 2 * 32 + 10);
            QVERIFY_THROWS_EXCEPTION(JobCancelled, first.run(cancelling));
            QVERIFY(std::filesystem::exists(TrainingJob::checkpointPath(cut + tag, 2)));
            QVERIFY(!std::filesystem::exists(TrainingJob::checkpointPath(cut + tag, 3)));

            // A new process would start from fresh initial weights: resume from epoch 2.
            Model resumed = makeMlp(spiralMlp());
            TrainingJob second(resumed, spirals(), cut + tag, o);
            CountingContext rest;
            second.run(rest);
            QCOMPARE(second.records().size(), std::size_t(5));
            QVERIFY(second.records()[2].resumed);
            QVERIFY(!second.records()[3].resumed);
            QVERIFY2(sameState(resumed, reference), tag.c_str());
        }
    }

    // The jobs panel's Resume: run() again on the same object (the model
    // handle it trains in place) after a cancel in the middle of epoch 3.
    void sameObjectResumesToTheSameBits() {
        QTemporaryDir dir;
        const std::string full = dir.path().toStdString() + "/full";
        const std::string cut = dir.path().toStdString() + "/cut";
        TrainingOptions o = adam(4);
        Model reference = makeMlp(spiralMlp());
        CountingContext context;
        TrainingJob(reference, spirals(), full, o).run(context);

        Model trained = makeMlp(spiralMlp());
        TrainingJob job(trained, spirals(), cut, o);
        QVERIFY(job.resumable());
        CountingContext cancelling(1 + 2 * 32 + 10);
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(cancelling));
        QVERIFY(!std::filesystem::exists(TrainingJob::checkpointPath(cut, 3)));
        CountingContext rest;
        job.run(rest);
        QCOMPARE(job.records().size(), std::size_t(5));
        QVERIFY(job.records()[2].resumed);
        QVERIFY(!job.records()[3].resumed);
        QVERIFY(sameState(trained, reference));
    }

    void pythonLoadsCheckpoints() {
        if (!test::pythonTorchAvailable()) QSKIP("/usr/bin/python3 with torch is not available");
        QTemporaryDir dir;
        const QString d = dir.path();
        SmallCnnOptions cnnOptions;
        cnnOptions.baseWidth = 4;
        Model cnn = makeSmallCnn(cnnOptions);
        cnn.save((d + "/cnn.pt").toStdString());
        SyntheticDigitsOptions digits;
        digits.trainPerClass = 10;
        digits.testPerClass = 3;
        TrainingOptions o = adam(2);
        o.optimizer = TrainingOptions::Optimizer::Sgd;
        TrainingJob job(cnn, makeSyntheticDigits(digits).split, (d + "/run").toStdString(), o);
        CountingContext context;
        job.run(context);
        const QString error = test::runPython(d, R"(
import torch
ck = torch.load('run/epoch_002.pt')
assert ck['epoch'] == 2, ck['epoch']
assert isinstance(ck['train_loss'], float) and 0 <= ck['test_acc'] <= 1
assert ck['optimizer']['name'] == 'sgd' and ck['optimizer']['step'] == 8, ck['optimizer']
m = torch.jit.load('cnn.pt')
assert list(ck['state_dict'].keys()) == list(m.state_dict().keys()), list(ck['state_dict'].keys())
assert ck['state_dict']['bn1.num_batches_tracked'].item() == 8
m.load_state_dict(ck['state_dict'])
first = torch.load('run/epoch_000.pt')
assert not torch.equal(first['state_dict']['conv1.weight'], ck['state_dict']['conv1.weight'])
)");
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void explainsDataThatDoNotFit() {
        QTemporaryDir dir;
        SyntheticDigitsOptions digits;
        digits.trainPerClass = 2;
        digits.testPerClass = 1;
        Model mlp = makeMlp(spiralMlp());  // expects 2 features, gets 784
        TrainingJob job(mlp, makeSyntheticDigits(digits).split, dir.path().toStdString(), adam(1));
        CountingContext context;
        try {
            job.run(context);
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            const QString m = e.what();
            qInfo("%s", e.what());
            QVERIFY2(m.contains("mlp-2-64-64-2") && m.contains("[20, 1, 28, 28]") &&
                         m.contains("cannot be multiplied"),
                     e.what());
        }
        TrainingOptions bad = adam(1);
        bad.learningRate = 0;
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            TrainingJob(mlp, spirals(), dir.path().toStdString(), bad).run(context));
    }
};

BASIN_TEST_MAIN(TestTraining)
#include "test_training.moc"
