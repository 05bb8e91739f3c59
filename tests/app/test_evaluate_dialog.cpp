// Evaluate on a dataset… from the GUI: the dialog suggests the checkpoint's
// own model and a test split, and re-estimates BatchNorm statistics on the
// dataset chosen for it — a checkpoint whose running statistics were never
// updated (a freshly initialised BN CNN) then gives exactly the loss core's
// CheckpointEvaluationJob gives with that dataset, and another than without.

#include <QComboBox>
#include <QTemporaryDir>
#include <functional>

#include "BasinGuiTest.h"
#include "DialogDriver.h"
#include "ImageCompare.h"
#include "ProjectItems.h"
#include "data/DatasetFiles.h"
#include "data/GeneratedDatasets.h"
#include "eval/CheckpointEvaluation.h"
#include "eval/EvaluationView.h"
#include "jobs/JobHandle.h"
#include "model/StateDictFile.h"
#include "project/Session.h"
#include "ui/EvaluateDialog.h"
#include "ui/Evaluation.h"
#include "ui/MainWindow.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::app;

namespace {

double coreLoss(const QString& model, const QString& checkpoint, const Dataset& data,
                const Dataset* batchNorm) {
    CheckpointEvaluationOptions options;
    options.batchNormData = batchNorm;
    CheckpointEvaluationJob job(Model::load(model.toStdString()), {checkpoint.toStdString()}, data,
                                options);
    JobHandle handle(job.title());
    if (runJob(job, handle).state != JobState::Succeeded) return -1;
    return job.results().front().result.loss;
}

}  // namespace

class TestEvaluateDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reestimatesBatchNormOnTheChosenData() {
        QTemporaryDir dir;
        const QString d = dir.path();
        SyntheticDigitsOptions digits;
        digits.trainPerClass = 12;
        digits.testPerClass = 4;
        const DatasetSplit data = makeSyntheticDigits(digits).split;
        writeDatasetNpz((d + "/digits_train.npz").toStdString(), data.train);
        writeDatasetNpz((d + "/digits_test.npz").toStdString(), data.test);
        SmallCnnOptions cnn;
        cnn.baseWidth = 4;
        const Model model = makeSmallCnn(cnn);
        model.save((d + "/cnn.pt").toStdString());
        saveStateDict((d + "/cnn_init.pt").toStdString(), model.stateDict());

        MainWindow w;
        w.setConfirmDiscard(false);
        Session* s = w.session();
        s->addItem(projectItem(ItemKind::Model, "mlp", d + "/mlp.pt"));
        s->addItem(projectItem(ItemKind::Model, "cnn", d + "/cnn.pt"));
        s->addItem(projectItem(ItemKind::Dataset, "digits_train", d + "/digits_train.npz"));
        s->addItem(projectItem(ItemKind::Dataset, "digits_test", d + "/digits_test.npz"));
        s->addItem(projectItem(ItemKind::Checkpoint, "cnn_init", d + "/cnn_init.pt",
                               {{"model", d + "/cnn.pt"}}));
        const int checkpoint = int(s->project().items.size()) - 1;

        whenModalOpens<EvaluateDialog>([&](EvaluateDialog& dialog) {
            // The checkpoint's model and the test split by default.
            QCOMPARE(dialog.modelPath(), d + "/cnn.pt");
            QCOMPARE(dialog.datasetPath(), d + "/digits_test.npz");
            QCOMPARE(dialog.batchNormDataPath(), QString());
            auto* batchNorm = field<QComboBox>(dialog, "evaluateBatchNorm");
            batchNorm->setCurrentIndex(batchNorm->findText("re-estimate on digits_train"));
            QCOMPARE(dialog.batchNormDataPath(), d + "/digits_train.npz");
            QVERIFY(dialog.grab().save(basin::test::testOutputDir() + "/evaluate_dialog.png"));
        });
        evaluateItems(&w, {checkpoint});
        QVERIFY(QTest::qWaitFor([&] { return w.findChild<widgets::EvaluationView*>(); }, 60000));
        auto* view = w.findChild<widgets::EvaluationView*>();
        QCOMPARE(view->results().size(), std::size_t(1));
        const double shown = view->results().front().result.loss;
        const double reestimated =
            coreLoss(d + "/cnn.pt", d + "/cnn_init.pt", data.test, &data.train);
        const double kept = coreLoss(d + "/cnn.pt", d + "/cnn_init.pt", data.test, nullptr);
        QVERIFY2(std::abs(shown - reestimated) < 1e-6,
                 qPrintable(QStringLiteral("%1 vs %2").arg(shown).arg(reestimated)));
        QVERIFY2(std::abs(shown - kept) > 1e-4,
                 qPrintable(QStringLiteral("%1 vs %2").arg(shown).arg(kept)));
        QVERIFY(w.viewArea()->specOf(view).title.contains("BatchNorm re-estimated on"));
    }
};

BASIN_GUI_TEST_MAIN(TestEvaluateDialog)
#include "test_evaluate_dialog.moc"
