// Evaluating a model at a series of checkpoints: the numbers match a direct
// evaluation and the training run's own test metrics; a checkpoint that does
// not fit is reported while the others go on; the model's weights come back.

#include <QTemporaryDir>
#include <cmath>

#include "BasinTest.h"
#include "data/GeneratedDatasets.h"
#include "eval/CheckpointEvaluation.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

using namespace basin;

namespace {

struct Silent : JobContext {
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

}  // namespace

class TestCheckpointEvaluation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTrainingMetricsAndDirectEvaluation() {
        QTemporaryDir dir;
        TwoSpiralsOptions spirals;
        spirals.trainPerClass = 100;
        spirals.testPerClass = 100;
        const DatasetSplit data = makeTwoSpirals(spirals);
        MlpOptions mlp;
        mlp.hidden = {16, 16};
        TrainingOptions training;
        training.epochs = 2;
        training.threads = 1;
        TrainingJob train(makeMlp(mlp), data, dir.path().toStdString(), training);
        Silent silent;
        train.run(silent);
        QCOMPARE(train.records().size(), std::size_t(3));  // epoch 0 = initial weights

        // A checkpoint of another architecture is in the list too.
        MlpOptions other = mlp;
        other.hidden = {8};
        TrainingOptions once = training;
        once.epochs = 0;
        const QString otherDir = dir.path() + "/other";
        TrainingJob foreign(makeMlp(other), data, otherDir.toStdString(), once);
        foreign.run(silent);

        Model model = makeMlp(mlp);
        const std::vector<NamedTensor> before = model.stateDict();
        std::vector<std::string> checkpoints;
        for (const EpochRecord& r : train.records())
            checkpoints.push_back(r.checkpointPath);
        checkpoints.insert(checkpoints.begin() + 1, foreign.records().front().checkpointPath);
        CheckpointEvaluationJob job(model, checkpoints, data.test);
        job.run(silent);
        const auto& results = job.results();
        QCOMPARE(results.size(), std::size_t(4));
        QVERIFY2(results[1].error.find("does not fit") != std::string::npos &&
                     results[1].error.find("fc1.weight") != std::string::npos,
                 results[1].error.c_str());
        const int epochs[] = {0, -1, 1, 2};
        for (int i : {0, 2, 3}) {
            QVERIFY2(results[i].error.empty(), results[i].error.c_str());
            const EpochRecord& r = train.records()[std::size_t(epochs[i])];
            QVERIFY2(
                std::abs(results[i].result.loss - r.testLoss) < 1e-4,
                qPrintable(QStringLiteral("%1 vs %2").arg(results[i].result.loss).arg(r.testLoss)));
            QVERIFY(std::abs(results[i].result.accuracy - r.testAccuracy) < 1e-9);
            QCOMPARE(results[i].result.samples, data.test.size());
        }
        // Training improved the test loss, and the model's own weights are back.
        QVERIFY(results[3].result.loss < results[0].result.loss);
        const std::vector<NamedTensor> after = model.stateDict();
        for (std::size_t t = 0; t < before.size(); ++t) {
            QCOMPARE(after[t].tensor.toDoubles(), before[t].tensor.toDoubles());
        }
    }

    void noCheckpointsEvaluatesTheModelItself() {
        TwoSpiralsOptions spirals;
        spirals.trainPerClass = 50;
        spirals.testPerClass = 50;
        const DatasetSplit data = makeTwoSpirals(spirals);
        Model model = makeMlp({});
        CheckpointEvaluationJob job(model, {}, data.test);
        Silent silent;
        job.run(silent);
        QCOMPARE(job.results().size(), std::size_t(1));
        const EvalResult direct = evaluate(model, data.test);
        QCOMPARE(job.results()[0].result.loss, direct.loss);
    }
};

BASIN_TEST_MAIN(TestCheckpointEvaluation)
#include "test_checkpoint_evaluation.moc"
