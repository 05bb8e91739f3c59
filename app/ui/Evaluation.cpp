#include "ui/Evaluation.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QPointer>
#include <optional>

#include "data/DatasetFiles.h"
#include "jobs/JobsPanel.h"
#include "project/Session.h"
#include "ui/EvaluateDialog.h"
#include "ui/MainWindow.h"

namespace basin::app {
namespace {

// Loads the model and the data inside the job (both can take a while), then
// evaluates.
class EvaluateFilesJob : public Job {
public:
    EvaluateFilesJob(QString model, QString data, QStringList checkpoints, QString batchNormData)
        : model_(std::move(model)),
          data_(std::move(data)),
          batchNormData_(std::move(batchNormData)),
          checkpoints_(std::move(checkpoints)) {}
    std::string title() const override {
        return "Evaluate " + QFileInfo(model_).fileName().toStdString() + " on " +
               QFileInfo(data_).fileName().toStdString();
    }
    void run(JobContext& context) override {
        context.report(0, "loading the model and the dataset");
        Model model = Model::load(model_.toStdString());
        const Dataset data = loadDatasetFile(data_.toStdString());
        std::optional<Dataset> batchNorm;
        CheckpointEvaluationOptions options;
        if (!batchNormData_.isEmpty()) {
            batchNorm = loadDatasetFile(batchNormData_.toStdString());
            options.batchNormData = &*batchNorm;
        }
        std::vector<std::string> paths;
        for (const QString& c : checkpoints_)
            paths.push_back(c.toStdString());
        CheckpointEvaluationJob job(model, paths, data, options);
        job.run(context);
        results_ = job.results();
    }
    const std::vector<CheckpointEvaluation>& results() const { return results_; }
    QString description() const {
        const QString what = QStringLiteral("%1 on %2")
                                 .arg(QFileInfo(model_).fileName(), QFileInfo(data_).fileName());
        return batchNormData_.isEmpty() ? what
                                        : QObject::tr("%1, BatchNorm re-estimated on %2")
                                              .arg(what, QFileInfo(batchNormData_).fileName());
    }

private:
    QString model_, data_, batchNormData_;
    QStringList checkpoints_;
    std::vector<CheckpointEvaluation> results_;
};

}  // namespace

void startEvaluation(MainWindow* window, const QString& modelPath, const QString& datasetPath,
                     const QStringList& checkpoints, const QString& batchNormDataPath) {
    auto job =
        std::make_shared<EvaluateFilesJob>(modelPath, datasetPath, checkpoints, batchNormDataPath);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        guard->viewArea()->addView(evaluationSpec(job->description(), job->results()));
    });
}

void evaluateItems(MainWindow* window, const QList<int>& checkpointItems) {
    const Project& project = window->session()->project();
    if (project.itemsOfKind(ItemKind::Model).isEmpty() ||
        project.itemsOfKind(ItemKind::Dataset).isEmpty()) {
        window->showError(
            QObject::tr("Evaluating needs a model and a dataset in the project "
                        "(File › Add model…, Add dataset…)."));
        return;
    }
    EvaluateDialog dialog(project, checkpointItems, window);
    if (dialog.exec() != QDialog::Accepted) return;
    startEvaluation(window, dialog.modelPath(), dialog.datasetPath(), dialog.checkpoints(),
                    dialog.batchNormDataPath());
}

ViewSpec evaluationSpec(const QString& title, const std::vector<CheckpointEvaluation>& results) {
    QJsonArray rows;
    for (const auto& r : results) {
        QJsonObject row{{"checkpoint", QString::fromStdString(r.checkpoint)}};
        if (r.error.empty()) {
            row["loss"] = r.result.loss;
            if (std::isfinite(r.result.accuracy)) row["accuracy"] = r.result.accuracy;
            row["samples"] = double(r.result.samples);
        } else {
            row["error"] = QString::fromStdString(r.error);
        }
        rows.append(row);
    }
    return {QStringLiteral("evaluation"), QObject::tr("Evaluation: %1").arg(title),
            QJsonObject{{"title", title}, {"results", rows}}};
}

std::vector<CheckpointEvaluation> evaluationResults(const QJsonObject& settings) {
    std::vector<CheckpointEvaluation> out;
    for (const QJsonValue& v : settings.value("results").toArray()) {
        const QJsonObject row = v.toObject();
        CheckpointEvaluation r;
        r.checkpoint = row.value("checkpoint").toString().toStdString();
        r.error = row.value("error").toString().toStdString();
        r.result.loss = row.value("loss").toDouble(std::nan(""));
        r.result.accuracy = row.value("accuracy").toDouble(std::nan(""));
        r.result.samples = std::int64_t(row.value("samples").toDouble());
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace basin::app
