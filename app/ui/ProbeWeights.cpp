#include "ui/ProbeWeights.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QPointer>
#include <QStatusBar>
#include <cmath>
#include <memory>

#include "connectivity/PathPoint.h"
#include "connectivity/PathSamples.h"
#include "data/DatasetFiles.h"
#include "eval/Evaluation.h"
#include "jobs/JobsPanel.h"
#include "jobs/SubtaskContext.h"
#include "landscape/PlanePoint.h"
#include "model/StateDictFile.h"
#include "project/Session.h"
#include "ui/InspectorPanel.h"
#include "ui/MainWindow.h"
#include "ui/ProjectReactions.h"

namespace basin::app {
namespace {

bool onResult(const Probe& probe) {
    return probe.kind == Probe::Kind::Plane || probe.kind == Probe::Kind::Path;
}

// The network at the probe. A path file shown as a 1-D slice gives a plane
// probe whose a is the path's t.
PointWeights weightsAtProbe(const QString& file, const Probe& probe) {
    const std::string path = file.toStdString();
    if (probe.kind == Probe::Kind::Path) return weightsOnPath(path, probe.t);
    if (isPathFile(path)) return weightsOnPath(path, probe.a);
    return weightsOnPlane(path, probe.a, probe.b);
}

// Rebuilds the weights at the probe inside the job (loading the model and the
// directions takes a moment), then does the job's own part.
class ProbeWeightsJob : public Job {
public:
    ProbeWeightsJob(QString result, Probe probe) : result_(std::move(result)), probe_(probe) {}
    void run(JobContext& context) override {
        context.report(0, "rebuilding the weights at " + describeProbe(probe_).toStdString());
        const PointWeights weights = weightsAtProbe(result_, probe_);
        context.throwIfCancelled();
        description_ = QString::fromStdString(weights.description);
        modelPath_ = QFileInfo(QString::fromStdString(weights.modelPath)).absoluteFilePath();
        useWeights(weights, context);
    }
    const Probe& probe() const { return probe_; }
    const QString& description() const { return description_; }
    const QString& modelPath() const { return modelPath_; }

protected:
    virtual void useWeights(const PointWeights& weights, JobContext& context) = 0;

private:
    QString result_;
    Probe probe_;
    QString description_, modelPath_;
};

class EvaluateProbeJob : public ProbeWeightsJob {
public:
    EvaluateProbeJob(QString result, Probe probe, QList<ProjectItem> datasets)
        : ProbeWeightsJob(std::move(result), probe), datasets_(std::move(datasets)) {}
    std::string title() const override {
        return "Evaluate the weights at " + describeProbe(probe()).toStdString();
    }
    const QList<ProbeEvaluation>& results() const { return results_; }

protected:
    void useWeights(const PointWeights& weights, JobContext& context) override {
        Model model = weights.model;
        const double n = double(datasets_.size());
        for (int i = 0; i < datasets_.size(); ++i) {
            const ProjectItem& d = datasets_[i];
            SubtaskContext sub(context, 0.05 + 0.95 * i / n, 0.05 + 0.95 * (i + 1) / n,
                               d.name.toStdString() + ": ");
            ProbeEvaluation row;
            row.dataset = d.name;
            try {
                sub.report(0, "loading");
                const EvalResult r =
                    evaluate(model, loadDatasetFile(d.path.toStdString()), {}, &sub);
                row.loss = r.loss;
                row.accuracy = r.accuracy;
                row.samples = r.samples;
            } catch (const JobCancelled&) {
                throw;
            } catch (const std::exception& e) {
                // A dataset of another model: said in its row, the others go on.
                row.error = QString::fromStdString(e.what());
            }
            results_.push_back(row);
        }
    }

private:
    QList<ProjectItem> datasets_;
    QList<ProbeEvaluation> results_;
};

class SaveProbeWeightsJob : public ProbeWeightsJob {
public:
    SaveProbeWeightsJob(QString result, Probe probe, QString out)
        : ProbeWeightsJob(std::move(result), probe), out_(std::move(out)) {}
    std::string title() const override {
        return "Save the weights at " + describeProbe(probe()).toStdString();
    }
    const QString& out() const { return out_; }

protected:
    void useWeights(const PointWeights& weights, JobContext& context) override {
        context.report(0.5, "writing " + out_.toStdString());
        saveStateDict(out_.toStdString(), weights.model.stateDict());
    }

private:
    QString out_;
};

QString number(double v) {
    return QString::number(v, 'g', 6);
}

// The saved file as a checkpoint of the project, linked to its model.
void addSavedCheckpoint(MainWindow* window, const SaveProbeWeightsJob& job) {
    Session* session = window->session();
    const QString path = QFileInfo(job.out()).absoluteFilePath();
    bool haveModel = false;
    for (const ProjectItem& m : session->project().itemsOfKind(ItemKind::Model))
        haveModel = haveModel || QFileInfo(m.path) == QFileInfo(job.modelPath());
    if (!haveModel) addFilesToProject(window, ItemKind::Model, {job.modelPath()});
    const QList<ProjectItem>& items = session->project().items;
    for (int i = 0; i < items.size(); ++i) {
        if (items[i].kind == ItemKind::Checkpoint && items[i].path == path) {
            fingerprintItems(window, {i});  // written again: the old fingerprint is stale
            return;
        }
    }
    ProjectItem item;
    item.kind = ItemKind::Checkpoint;
    item.path = path;
    item.name = QFileInfo(path).completeBaseName();
    item.extra[QStringLiteral("model")] = job.modelPath();
    item.extra[QStringLiteral("weights")] = job.description();
    session->addItem(item);
    fingerprintItems(window, {int(session->project().items.size()) - 1});
}

}  // namespace

QString probeResultPath(const Project& project, const Probe& probe) {
    if (!onResult(probe) || probe.result.isEmpty()) return {};
    for (const ProjectItem& item : project.items) {
        if (item.kind == ItemKind::Result && QFileInfo(item.path).fileName() == probe.result)
            return item.path;
    }
    return {};
}

QList<ProbeValue> resultValuesAtProbe(const QString& resultPath, const Probe& probe) {
    const std::string file = resultPath.toStdString();
    const bool path = probe.kind == Probe::Kind::Path;
    const Surface s = path ? readPathSamples(file).rowSurface(0) : readSurface(file);
    const double a = path ? probe.t : probe.a, b = path ? 0.0 : probe.b;
    QList<ProbeValue> out;
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy}) {
        const double v = surfaceValueAt(s, m, a, b);
        if (std::isnan(v)) continue;
        const bool train = m == SurfaceMetric::TrainLoss || m == SurfaceMetric::TrainAccuracy;
        const bool accuracy = m == SurfaceMetric::TrainAccuracy || m == SurfaceMetric::TestAccuracy;
        out.push_back({QStringLiteral("%1 %2").arg(
                           train ? QStringLiteral("train") : QStringLiteral("test"),
                           accuracy ? QStringLiteral("accuracy") : QStringLiteral("loss")),
                       QString::fromStdString(train ? s.metadata.dataset : s.metadata.testDataset),
                       v, accuracy});
    }
    return out;
}

void startProbeEvaluation(MainWindow* window) {
    const Project& project = window->session()->project();
    const QString result = probeResultPath(project, project.probe);
    if (result.isEmpty()) {
        window->showError(QObject::tr("The probe is not on a landscape or path of the project."));
        return;
    }
    const QList<ProjectItem> datasets = project.itemsOfKind(ItemKind::Dataset);
    if (datasets.isEmpty()) {
        window->showError(
            QObject::tr("Evaluating the weights at the probe needs a dataset in the "
                        "project (File › Add dataset…)."));
        return;
    }
    auto job = std::make_shared<EvaluateProbeJob>(result, project.probe, datasets);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        guard->inspector()->setProbeEvaluation(job->probe(), job->description(), job->results());
    });
}

void startSavingProbeWeights(MainWindow* window, const QString& path) {
    const Project& project = window->session()->project();
    const QString result = probeResultPath(project, project.probe);
    if (result.isEmpty()) {
        window->showError(QObject::tr("The probe is not on a landscape or path of the project."));
        return;
    }
    auto job = std::make_shared<SaveProbeWeightsJob>(result, project.probe, path);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        addSavedCheckpoint(guard, *job);
        guard->statusBar()->showMessage(
            QObject::tr("Saved %1 to %2").arg(job->description(), job->out()), 10000);
    });
}

QString suggestedProbeWeightsPath(const Project& project) {
    const Probe& probe = project.probe;
    const QFileInfo result(probeResultPath(project, probe));
    const QString at = probe.kind == Probe::Kind::Path
                           ? QStringLiteral("t%1").arg(number(probe.t))
                           : QStringLiteral("a%1_b%2").arg(number(probe.a), number(probe.b));
    return result.dir().filePath(QStringLiteral("%1_%2.pt").arg(result.completeBaseName(), at));
}

ProbeReaction::ProbeReaction(QAction* action, MainWindow* window)
    : Reaction(action), window_(window) {
    Session* session = window->session();
    connect(session, &Session::probeChanged, this, [this] { updateEnableState(); });
    connect(session, &Session::itemsChanged, this, [this] { updateEnableState(); });
    connect(session, &Session::projectReplaced, this, [this] { updateEnableState(); });
    updateEnableState();
}

void ProbeReaction::updateEnableState() {
    const Project& project = window_->session()->project();
    action()->setEnabled(!probeResultPath(project, project.probe).isEmpty());
}

void EvaluateProbeReaction::onTriggered() {
    startProbeEvaluation(window_);
}

void SaveProbeWeightsReaction::onTriggered() {
    const QString path = QFileDialog::getSaveFileName(
        window_, tr("Save the weights at the probe"),
        suggestedProbeWeightsPath(window_->session()->project()),
        QStringLiteral("PyTorch state dicts (*.pt *.pth);;All files (*)"));
    if (!path.isEmpty()) startSavingProbeWeights(window_, path);
}

}  // namespace basin::app
