#include "ui/Connectivity.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPointer>
#include <algorithm>
#include <filesystem>
#include <memory>

#include "cli/CheckpointAlignment.h"
#include "connectivity/BarrierTable.h"
#include "connectivity/CurvePath.h"
#include "connectivity/CurvePlane.h"
#include "connectivity/CurveTraining.h"
#include "connectivity/LayerwiseHeatmapView.h"
#include "connectivity/PathJob.h"
#include "connectivity/PathPlotView.h"
#include "connectivity/SecondOrderBarrier.h"
#include "data/DatasetFiles.h"
#include "jobs/JobsPanel.h"
#include "landscape/LandscapeJob.h"
#include "plot/PlotFigure.h"
#include "project/Session.h"
#include "ui/ConnectivityDialog.h"
#include "ui/Landscape.h"
#include "ui/MainWindow.h"
#include "ui/ProjectReactions.h"

namespace basin::app {
namespace {

const QString kPathPlot = QStringLiteral("lmc-path");
const QString kBarriers = QStringLiteral("lmc-barriers");
const QString kLayerwise = QStringLiteral("lmc-layerwise");

QStringList pathsOf(const ViewSpec& spec) {
    QStringList out;
    for (const QJsonValue& v : spec.settings.value("paths").toArray())
        out << v.toString();
    if (out.isEmpty() && spec.settings.contains("path"))
        out << spec.settings.value("path").toString();
    return out;
}

// A file beside a path file: "DIR/path.h5" (basin lmc --out DIR) → DIR/cliName;
// "DIR/x.path.h5" → DIR/x + suffix.
QString besidePathFile(const QString& pathFile, const QString& cliName, const QString& suffix) {
    const QFileInfo info(pathFile);
    if (info.fileName() == QLatin1String("path.h5")) return info.dir().filePath(cliName);
    QString stem = info.fileName();
    if (stem.endsWith(QLatin1String(".path.h5"))) {
        stem.chop(8);
    } else {
        stem = info.completeBaseName();
    }
    return info.dir().filePath(stem + suffix);
}

std::vector<double> doubles(const QJsonArray& values) {
    std::vector<double> out;
    for (const QJsonValue& v : values)
        out.push_back(v.isDouble() ? v.toDouble() : std::nan(""));
    return out;
}

QJsonArray jsonArray(const std::vector<double>& values) {
    QJsonArray out;
    for (double v : values)
        out.append(std::isfinite(v) ? QJsonValue(v) : QJsonValue());
    return out;
}

// "linear[, BN re-estimated]", with the checkpoints ("a → b, …") when the
// paths of a view do not all join the same ones (the barrier table's segments
// and the checkpoint labels name them otherwise).
QString pathName(const PathSamples& s, bool withCheckpoints) {
    QString name = QObject::tr("linear");
    if (withCheckpoints && !s.checkpoints.empty()) {
        QStringList names;
        for (const QString& n : widgets::checkpointShortNames(s.checkpoints))
            names << n;
        name = names.join(QStringLiteral(" → "));
    }
    if (s.batchNormReestimated) name += QObject::tr(", BN re-estimated");
    return name;
}

// The aligned path (also REPAIRed) of a dialog's run or of `basin lmc
// --align`'s folder.
bool isAlignedPathFile(const QString& file) {
    const QString name = QFileInfo(file).fileName();
    return name == QLatin1String("path_aligned.h5") ||
           name == QLatin1String("path_aligned_repaired.h5") ||
           name.endsWith(QLatin1String(".aligned.path.h5")) ||
           name.endsWith(QLatin1String(".aligned.repaired.path.h5"));
}

// A REPAIRed path of a dialog's run or of `basin lmc --repair`'s folder.
bool isRepairedPathFile(const QString& file) {
    const QString name = QFileInfo(file).fileName();
    return name == QLatin1String("path_repaired.h5") ||
           name == QLatin1String("path_aligned_repaired.h5") ||
           name.endsWith(QLatin1String(".repaired.path.h5"));
}

// A trained curve's path (CurvePath.h), also before its file is written.
bool isCurvePathFile(const QString& file, const PathSamples& samples) {
    const QString name = QFileInfo(file).fileName();
    return samples.kind == "curve" || name.contains(QLatin1String(".curve-")) ||
           name.startsWith(QLatin1String("curve_"));
}

// The curves of the path files (the live samples of `liveFile` instead of its
// file), with their predictions; a file not written yet is an empty curve.
std::vector<widgets::PathCurve> pathCurves(const QStringList& files, const QString& liveFile = {},
                                           const PathSamples* live = nullptr) {
    std::vector<widgets::PathCurve> curves;
    for (const QString& f : files) {
        widgets::PathCurve c;
        if (live && f == liveFile) {
            c.samples = *live;
        } else if (QFileInfo::exists(f)) {
            c.samples = readPathSamples(f.toStdString());
        }
        SecondOrderCurve prediction;
        if (readSecondOrderBeside(f, &prediction)) {
            c.predictionT = prediction.t;
            c.prediction = prediction.loss;
        }
        curves.push_back(std::move(c));
    }
    // Aligned paths are named so; the checkpoints name the others when they differ.
    bool sameCheckpoints = true;
    const std::vector<std::string>* first = nullptr;
    for (std::size_t i = 0; i < curves.size(); ++i) {
        if (isAlignedPathFile(files[int(i)]) || isRepairedPathFile(files[int(i)]) ||
            isCurvePathFile(files[int(i)], curves[i].samples))
            continue;
        if (!first) first = &curves[i].samples.checkpoints;
        sameCheckpoints = sameCheckpoints && curves[i].samples.checkpoints == *first;
    }
    for (std::size_t i = 0; i < curves.size(); ++i) {
        widgets::PathCurve& c = curves[i];
        const bool aligned = isAlignedPathFile(files[int(i)]);
        const bool curve = isCurvePathFile(files[int(i)], c.samples);
        c.name = pathName(c.samples, !sameCheckpoints && !aligned && !curve);
        if (aligned) c.name.replace(0, QObject::tr("linear").size(), QObject::tr("aligned"));
        if (isRepairedPathFile(files[int(i)])) c.name += QObject::tr(", REPAIRed");
        if (curve)  // "curve bezier:1", as `basin lmc --figure` names it
            c.name.replace(
                0, QObject::tr("linear").size(),
                QObject::tr("curve") +
                    (c.samples.rows.empty() || c.samples.nt() == 0
                         ? QString()
                         : QLatin1Char(' ') + QString::fromStdString(c.samples.rows[0])));
    }
    // Two paths of the same checkpoints and options: their file names tell them apart.
    for (std::size_t i = 0; i < curves.size(); ++i)
        for (std::size_t j = i + 1; j < curves.size(); ++j)
            if (curves[j].name == curves[i].name)
                curves[j].name += QStringLiteral(" (%1)").arg(QFileInfo(files[int(j)]).fileName());
    return curves;
}

std::vector<widgets::BarrierRow> barrierRows(const QStringList& files,
                                             const std::vector<widgets::PathCurve>& curves) {
    std::vector<widgets::BarrierRow> rows;
    for (std::size_t k = 0; k < curves.size(); ++k) {
        std::vector<widgets::BarrierRow> path =
            widgets::pathBarrierRows(curves[k].name, curves[k].samples, curves[k].row);
        SecondOrderCurve prediction;
        if (!path.empty() && readSecondOrderBeside(files[int(k)], &prediction))
            path.push_back({curves[k].name, path.front().segment,
                            QObject::tr("second order (train)"), prediction.barrier});
        rows.insert(rows.end(), path.begin(), path.end());
    }
    return rows;
}

QWidget* errorLabel(const QString& what, const std::exception& e) {
    auto* label =
        new QLabel(QObject::tr("Cannot show %1:\n%2").arg(what, QString::fromStdString(e.what())));
    label->setObjectName(QStringLiteral("viewError"));
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

// The path plot's cursor and the probe (DESIGN.md rule 6): the cursor shows a
// Path probe on any of the view's files; releasing it sets the probe there
// (on the probe's file when it is one of the view's, else on the first).
void linkPathPlotToProbe(widgets::PathPlotView* view, Session* session, const QStringList& files) {
    if (!session || files.isEmpty()) return;
    QStringList names;
    for (const QString& f : files)
        names << QFileInfo(f).fileName();
    auto onView = [names](const Probe& p) {
        return p.kind == Probe::Kind::Path && names.contains(p.result);
    };
    auto follow = [view, onView](const Probe& p) {
        if (onView(p)) {
            view->setProbe(p.t);
        } else {
            view->clearProbe();
        }
    };
    follow(session->project().probe);
    QObject::connect(session, &Session::probeChanged, view, follow);
    QPointer<Session> guard(session);
    QObject::connect(view, &widgets::PathPlotView::probeReleased, view,
                     [guard, names, onView](double t) {
                         if (!guard) return;
                         Probe probe;
                         probe.kind = Probe::Kind::Path;
                         probe.t = t;
                         const Probe& now = guard->project().probe;
                         probe.result = onView(now) ? now.result : names.front();
                         guard->setProbe(probe);
                     });
}

// Shows the samples of `file` (live while a job runs, else read from disk) in
// every view of it.
void refreshViews(MainWindow* window, const QString& file, const PathSamples* live = nullptr) {
    for (QWidget* v : window->viewArea()->views()) {
        const ViewSpec spec = window->viewArea()->specOf(v);
        const QStringList files = pathsOf(spec);
        if (!files.contains(file)) continue;
        try {
            if (auto* plot = qobject_cast<widgets::PathPlotView*>(v)) {
                plot->setPaths(pathCurves(files, file, live));
            } else if (auto* table = qobject_cast<widgets::BarrierTable*>(v)) {
                table->setRows(barrierRows(files, pathCurves(files, file, live)));
            } else if (auto* heatmap = qobject_cast<widgets::LayerwiseHeatmapView*>(v)) {
                heatmap->setSamples(live ? *live : readPathSamples(file.toStdString()));
            }
        } catch (const std::exception&) {
            // Another file of the view is unreadable: the next update tries again.
        }
    }
}

bool viewShows(MainWindow* window, const QString& type, const QString& file) {
    for (QWidget* v : window->viewArea()->views()) {
        const ViewSpec spec = window->viewArea()->specOf(v);
        if (spec.type == type && pathsOf(spec).contains(file)) return true;
    }
    return false;
}

void addResult(MainWindow* window, const QString& path, const QString& name) {
    for (const ProjectItem& item : window->session()->project().items)
        if (item.path == path) return;
    ProjectItem result;
    result.kind = ItemKind::Result;
    result.name = name;
    result.path = path;
    window->session()->addItem(result);
}

// Views of `file` fill in while the job computes: at most every 300 ms a
// copy of the samples goes from the job's thread to the GUI thread.
void fillViewsLive(PathJob& job, MainWindow* window, const QString& file) {
    QPointer<MainWindow> guard(window);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    job.setPointObserver([guard, timer, file](std::size_t, std::size_t, const PathSamples& s) {
        if (timer->elapsed() < 300 || !guard) return;
        timer->restart();
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, s, file] {
                if (guard) refreshViews(guard.data(), file, &s);
            },
            Qt::QueuedConnection);
    });
}

std::vector<std::string> stdStrings(const QStringList& list) {
    std::vector<std::string> out;
    for (const QString& s : list)
        out.push_back(s.toStdString());
    return out;
}

QString pathTitle(const LmcRequest& r) {
    QStringList names;
    for (const QString& n : widgets::checkpointShortNames(stdStrings(r.checkpoints)))
        names << n;
    return names.join(QStringLiteral(" → ")) +
           (r.reestimateBatchNorm ? QObject::tr(", BN re-estimated") : QString());
}

// The prediction computed and written (atomically) inside the job, so a
// finished job always has its file.
class SecondOrderFileJob : public Job {
public:
    SecondOrderFileJob(const LmcRequest& r, Dataset train, const PathSamples& path)
        : file_(lmcSecondOrderFile(r.pathFile)) {
        const std::vector<double> loss = path.row(SurfaceMetric::TrainLoss, 0);
        job_ = std::make_unique<SecondOrderBarrierJob>(
            r.model.toStdString(), r.checkpoints[0].toStdString(), r.checkpoints[1].toStdString(),
            std::string(), std::move(train), path.t, loss.front(), loss.back());
    }
    std::string title() const override { return job_->title(); }
    void run(JobContext& context) override {
        job_->run(context);
        const SecondOrderPrediction& p = job_->result();
        const QJsonObject secondOrder{{"curvature_at_a", p.curvatureA},
                                      {"curvature_at_midpoint", p.curvatureMidpoint},
                                      {"curvature_at_b", p.curvatureB},
                                      {"curvature_used", QLatin1String(curvaturePointName(p.used))},
                                      {"predicted_train_loss", jsonArray(p.loss)},
                                      {"barrier", widgets::barrierToJson(p.barrier)}};
        const QJsonObject json{{"t", jsonArray(p.t)}, {"second_order", secondOrder}};
        QString error;
        if (!widgets::writeFileAtomically(file_, QJsonDocument(json).toJson(), &error))
            throw std::runtime_error(error.toStdString());
    }

private:
    QString file_;
    std::unique_ptr<SecondOrderBarrierJob> job_;
};

void startLayerwise(MainWindow* window, const LmcRequest& r, Dataset train,
                    std::optional<Dataset> test) {
    LmcRecipe recipe;
    recipe.modelPath = r.model.toStdString();
    recipe.checkpoints = {r.checkpoints[0].toStdString(), r.checkpoints[1].toStdString()};
    recipe.points = std::size_t(r.points);
    recipe.layerwise = true;
    recipe.options.reestimateBatchNorm = r.reestimateBatchNorm;
    const QString file = lmcLayerwiseFile(r.pathFile);
    recipe.outPath = file.toStdString();
    auto job = std::make_shared<PathJob>(recipe, std::move(train), std::move(test));
    if (!viewShows(window, kLayerwise, file)) window->viewArea()->addView(lmcLayerwiseSpec(file));
    fillViewsLive(*job, window, file);
    QPointer<MainWindow> guard(window);
    const QString name = QObject::tr("LMC %1 layer-wise").arg(pathTitle(r));
    window->jobs()->submit(job, [guard, job, file, name](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        addResult(guard.data(), file, name);
        refreshViews(guard.data(), file, &job->samples());
    });
}

// After the path: the prediction, then the layer-wise rows, as asked.
void continueAfterPath(MainWindow* window, const LmcRequest& r, const Dataset& train,
                       const std::optional<Dataset>& test, const PathSamples& path) {
    if (r.secondOrder) {
        auto job = std::make_shared<SecondOrderFileJob>(r, train, path);
        QPointer<MainWindow> guard(window);
        window->jobs()->submit(job, [guard, r, train, test](const JobStatus& status) {
            if (!guard || status.state == JobState::Cancelled) return;
            if (status.state == JobState::Succeeded) {
                addResult(guard.data(), lmcSecondOrderFile(r.pathFile),
                          QObject::tr("LMC %1 second order").arg(pathTitle(r)));
                refreshViews(guard.data(), r.pathFile);
            }
            if (r.layerwise) startLayerwise(guard.data(), r, train, test);
        });
    } else if (r.layerwise) {
        startLayerwise(window, r, train, test);
    }
}

// The aligned B added to the project as a checkpoint of the model (written
// again: its fingerprint is redone).
void addAlignedCheckpoint(MainWindow* window, const LmcRequest& r, const QString& file) {
    Session* session = window->session();
    const QList<ProjectItem>& items = session->project().items;
    for (int i = 0; i < items.size(); ++i) {
        if (items[i].kind == ItemKind::Checkpoint && items[i].path == file) {
            fingerprintItems(window, {i});
            return;
        }
    }
    ProjectItem item;
    item.kind = ItemKind::Checkpoint;
    item.path = file;
    item.name = QFileInfo(file).completeBaseName();
    item.extra[QStringLiteral("model")] = r.model;
    item.extra[QStringLiteral("weights")] =
        QObject::tr("%1 aligned to %2 (%3 matching)")
            .arg(QFileInfo(r.checkpoints[1]).completeBaseName(),
                 QFileInfo(r.checkpoints[0]).completeBaseName(),
                 r.alignment == QLatin1String("weights") ? QObject::tr("weight")
                                                         : QObject::tr("activation"));
    session->addItem(item);
    fingerprintItems(window, {int(session->project().items.size()) - 1});
}

void startCurve(MainWindow* window, const LmcRequest& r, const Dataset& train,
                const std::optional<Dataset>& test);
void startRepairedPath(MainWindow* window, const LmcRequest& r, const Dataset& train,
                       const std::optional<Dataset>& test, bool aligned);

// The path A → aligned B, after the alignment (then the curve, when asked).
void startAlignedPath(MainWindow* window, const LmcRequest& r, const Dataset& train,
                      const std::optional<Dataset>& test, bool stale, bool thenCurve) {
    const QString file = lmcAlignedPathFile(r.pathFile);
    if (stale) QFile::remove(file);  // computed from another aligned B
    LmcRecipe recipe;
    recipe.modelPath = r.model.toStdString();
    recipe.checkpoints = {r.checkpoints[0].toStdString(),
                          lmcAlignedCheckpointFile(r.pathFile).toStdString()};
    recipe.points = std::size_t(r.points);
    recipe.outPath = file.toStdString();
    recipe.options.reestimateBatchNorm = r.reestimateBatchNorm;
    auto job = std::make_shared<PathJob>(recipe, train, test);
    fillViewsLive(*job, window, file);
    QPointer<MainWindow> guard(window);
    const QString name = QObject::tr("LMC %1, aligned").arg(pathTitle(r));
    window->jobs()->submit(
        job, [guard, job, file, name, r, train, test, thenCurve](const JobStatus& status) {
            if (!guard || status.state != JobState::Succeeded) return;
            addResult(guard.data(), file, name);
            refreshViews(guard.data(), file, &job->samples());
            if (r.repair) startRepairedPath(guard.data(), r, train, test, true);
            if (thenCurve) startCurve(guard.data(), r, train, test);
        });
}

// A REPAIRed path (A → B, or A → aligned B), after the plain one.
void startRepairedPath(MainWindow* window, const LmcRequest& r, const Dataset& train,
                       const std::optional<Dataset>& test, bool aligned) {
    const QString file = lmcRepairedPathFile(r.pathFile, aligned);
    LmcRecipe recipe;
    recipe.modelPath = r.model.toStdString();
    recipe.checkpoints = stdStrings(r.checkpoints);
    if (aligned) recipe.checkpoints[1] = lmcAlignedCheckpointFile(r.pathFile).toStdString();
    recipe.points = std::size_t(r.points);
    recipe.outPath = file.toStdString();
    recipe.options.reestimateBatchNorm = r.reestimateBatchNorm;
    recipe.options.repair = true;
    auto job = std::make_shared<PathJob>(recipe, train, test);
    fillViewsLive(*job, window, file);
    QPointer<MainWindow> guard(window);
    const QString name = QObject::tr("LMC %1%2, REPAIRed")
                             .arg(pathTitle(r), aligned ? QObject::tr(", aligned") : QString());
    window->jobs()->submit(job, [guard, job, file, name](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        addResult(guard.data(), file, name);
        refreshViews(guard.data(), file, &job->samples());
    });
}

// The curve's B: the aligned B when aligning (the curve then joins the
// minima the literature joins), else B.
QString curveB(const LmcRequest& r) {
    return r.alignment.isEmpty() ? r.checkpoints[1] : lmcAlignedCheckpointFile(r.pathFile);
}

QString curvePathFileOf(const LmcRequest& r) {
    return lmcCurvePathFile(r.pathFile, r.curveKind, r.curveBends);
}

// Curve training as `basin lmc --curve` runs it, with the model and the
// starting curve loaded in the job's thread; the curve file is resumed (a
// rerun after a cancel continues it).
class CurveFileJob : public Job {
public:
    CurveFileJob(const LmcRequest& r, Dataset train)
        : modelPath_(r.model.toStdString()),
          a_(r.checkpoints[0].toStdString()),
          b_(curveB(r).toStdString()),
          file_(lmcCurveFile(curvePathFileOf(r)).toStdString()),
          spec_(parseCurveSpec(r.curveKind.toStdString() + ":" + std::to_string(r.curveBends))),
          train_(std::move(train)) {
        TrainingOptions& o = options_.training;
        o.optimizer = r.curveOptimizer == QLatin1String("sgd") ? TrainingOptions::Optimizer::Sgd
                                                               : TrainingOptions::Optimizer::Adam;
        o.epochs = r.curveEpochs;
        o.learningRate = r.curveLearningRate;
        options_.schedule = parseCurveLrSchedule(r.curveSchedule.toStdString());
        o.batchSize = 64;  // basin lmc's --curve-batch
        o.weightDecay = 0.0;
    }
    std::string title() const override {
        return std::string("Train ") + curveKindName(spec_.kind) + " curve " +
               std::filesystem::path(file_).filename().string();
    }
    // Each run loads the model again and trains on from the curve file the
    // last run saved (CurveTrainingJob resumes it), so Resume continues.
    bool resumable() const override { return true; }
    void run(JobContext& context) override {
        context.report(0.0, "loading " + modelPath_);
        model_ = Model::load(modelPath_);
        CurveTrainingJob training(*model_, curveOnLineBetween(*model_, spec_, a_, b_), train_,
                                  file_, options_, modelPath_);
        training.run(context);
        curve_ = std::make_shared<const Curve>(training.result().curve);
        moved_ = training.epochsTrained() > 0;
    }

    // After run(): the model, the trained curve, and whether it moved (its
    // path and plane are then stale).
    Model& model() { return *model_; }
    std::shared_ptr<const Curve> curve() const { return curve_; }
    bool moved() const { return moved_; }

private:
    std::string modelPath_, a_, b_, file_;
    CurveSpec spec_;
    Dataset train_;
    CurveTrainingOptions options_;
    std::optional<Model> model_;
    std::shared_ptr<const Curve> curve_;
    bool moved_ = false;
};

// The plane through the curve's ends and middle bend, as `basin lmc
// --curve-plane` computes it, in a contour view that fills in.
void startCurvePlane(MainWindow* window, const LmcRequest& r, const Curve& curve, Model& model) {
    const QString plane = lmcCurvePlaneFile(curvePathFileOf(r));
    PathOptions options;
    options.reestimateBatchNorm = r.reestimateBatchNorm;
    LandscapeRecipe recipe;
    try {
        recipe = curvePlaneRecipe(curve, model, r.model.toStdString(), plane.toStdString(),
                                  std::size_t(r.curvePlanePoints), options);
    } catch (const std::exception& e) {
        window->showError(QString::fromStdString(e.what()));
        return;
    }
    window->viewArea()->addView(landscapeContourSpec(plane));
    startLandscape(window, recipe, r.trainData, r.testData);
}

// The low-loss curve: its training, then its path (the views fill in), the
// curve and path files project results, then the plane when asked.
void startCurve(MainWindow* window, const LmcRequest& r, const Dataset& train,
                const std::optional<Dataset>& test) {
    auto job = std::make_shared<CurveFileJob>(r, train);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job, r, train, test](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        const QString file = curvePathFileOf(r);
        const QString plane = lmcCurvePlaneFile(file);
        if (job->moved())  // earlier results of this curve are stale
            for (const QString& f : {file, plane, plane + QStringLiteral(".directions.h5")})
                QFile::remove(f);
        const QString name =
            QObject::tr("LMC %1, curve %2")
                .arg(pathTitle(r), QString::fromStdString(curveName(*job->curve())));
        addResult(guard.data(), lmcCurveFile(file), name);
        PathOptions options;
        options.reestimateBatchNorm = r.reestimateBatchNorm;
        std::shared_ptr<PathJob> along =
            makeCurvePathJob(job->model(), job->curve(), std::size_t(r.points),
                             r.model.toStdString(), file.toStdString(), train, test, options);
        fillViewsLive(*along, guard.data(), file);
        guard->jobs()->submit(along, [guard, job, along, r, file, name](const JobStatus& done) {
            if (!guard || done.state != JobState::Succeeded) return;
            addResult(guard.data(), file, name + QObject::tr(" (path)"));
            refreshViews(guard.data(), file, &along->samples());
            if (r.curvePlane) startCurvePlane(guard.data(), r, *job->curve(), job->model());
        });
    });
}

// "Align B to A first": the alignment as a job, its file a project
// checkpoint, then the aligned path.
void startAlignment(MainWindow* window, const LmcRequest& r, const Dataset& train,
                    const std::optional<Dataset>& test) {
    const std::optional<AlignmentMethod> method = alignmentMethodFromName(r.alignment);
    if (!method || r.checkpoints.size() != 2) return;
    const QString file = lmcAlignedCheckpointFile(r.pathFile);
    auto job = std::make_shared<CheckpointAlignmentJob>(r.model, r.checkpoints[0], r.checkpoints[1],
                                                        *method, file, train);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job, r, train, test, file](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        addAlignedCheckpoint(guard.data(), r, file);
        // A curve to another aligned B than its file's starts again.
        if (r.curve && job->changedFile()) QFile::remove(lmcCurveFile(curvePathFileOf(r)));
        startAlignedPath(guard.data(), r, train, test, job->changedFile(), r.curve);
    });
}

}  // namespace

QString lmcPathFileFor(const QStringList& checkpoints, bool reestimateBatchNorm) {
    if (checkpoints.isEmpty()) return {};
    QStringList names;
    for (QString n : widgets::checkpointShortNames(stdStrings(checkpoints)))
        names << n.replace(QLatin1Char('/'), QLatin1Char('-'));
    const QDir folder(QFileInfo(checkpoints.front()).dir().filePath(QStringLiteral("lmc")));
    return folder.filePath(names.join(QStringLiteral("--")) +
                           (reestimateBatchNorm ? QStringLiteral("-bn") : QString()) +
                           QStringLiteral(".path.h5"));
}

QString lmcPathFileToUse(const QStringList& checkpoints, bool reestimateBatchNorm, int points) {
    const QString suggested = lmcPathFileFor(checkpoints, reestimateBatchNorm);
    if (suggested.isEmpty()) return {};
    // The path job's t: raised so that every checkpoint is a point.
    const int segments = std::max<int>(int(checkpoints.size()) - 1, 1);
    const int intervals = std::max(points, 2) - 1;
    const std::size_t nt = std::size_t((intervals + segments - 1) / segments * segments + 1);
    const std::vector<std::string> chain = stdStrings(checkpoints);
    auto usable = [&](const QString& file) {
        if (!QFileInfo::exists(file)) return true;
        try {
            const PathSamples s = readPathSamples(file.toStdString());
            return s.kind == "linear path" && s.checkpoints == chain && s.nt() == nt &&
                   s.batchNormReestimated == reestimateBatchNorm;
        } catch (const std::exception&) {
            return false;  // not a path file: never overwritten
        }
    };
    QString stem = suggested;
    stem.chop(int(qstrlen(".path.h5")));
    QString candidate = suggested;
    for (int n = 2; !usable(candidate); ++n)
        candidate = stem + QStringLiteral("-%1.path.h5").arg(n);
    return candidate;
}

QString lmcLayerwiseFile(const QString& pathFile) {
    return besidePathFile(pathFile, QStringLiteral("layerwise.h5"),
                          QStringLiteral(".layerwise.h5"));
}

QString lmcSecondOrderFile(const QString& pathFile) {
    return besidePathFile(pathFile, QStringLiteral("second_order.json"),
                          QStringLiteral(".second_order.json"));
}

QString lmcAlignedCheckpointFile(const QString& pathFile) {
    return besidePathFile(pathFile, QStringLiteral("B_aligned.pt"), QStringLiteral(".aligned.pt"));
}

QString lmcRepairedPathFile(const QString& pathFile, bool aligned) {
    return aligned ? besidePathFile(pathFile, QStringLiteral("path_aligned_repaired.h5"),
                                    QStringLiteral(".aligned.repaired.path.h5"))
                   : besidePathFile(pathFile, QStringLiteral("path_repaired.h5"),
                                    QStringLiteral(".repaired.path.h5"));
}

QString lmcAlignedPathFile(const QString& pathFile) {
    return besidePathFile(pathFile, QStringLiteral("path_aligned.h5"),
                          QStringLiteral(".aligned.path.h5"));
}

QString lmcCurvePathFile(const QString& pathFile, const QString& kind, int bends) {
    const QString name = kind + QString::number(bends);
    return besidePathFile(pathFile, QStringLiteral("curve_%1.h5").arg(name),
                          QStringLiteral(".curve-%1.path.h5").arg(name));
}

QString lmcCurveFile(const QString& curvePathFile) {
    return QString::fromStdString(curveFileOfPath(curvePathFile.toStdString()));
}

QString lmcCurvePlaneFile(const QString& curvePathFile) {
    return besidePathFile(curvePathFile, QStringLiteral("curve_plane.h5"),
                          QStringLiteral(".plane.h5"));
}

bool readSecondOrderBeside(const QString& pathFile, SecondOrderCurve* out) {
    QString file = lmcSecondOrderFile(pathFile);
    if (!QFileInfo::exists(file) && QFileInfo(pathFile).fileName() == QLatin1String("path.h5"))
        file = QFileInfo(pathFile).dir().filePath(QStringLiteral("summary.json"));
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) return false;
    const QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject secondOrder = json.value("second_order").toObject();
    SecondOrderCurve curve;
    curve.t = doubles(json.value("t").toArray());
    curve.loss = doubles(secondOrder.value("predicted_train_loss").toArray());
    curve.barrier = widgets::barrierFromJson(secondOrder.value("barrier").toObject());
    if (curve.t.empty() || curve.t.size() != curve.loss.size()) return false;
    *out = std::move(curve);
    return true;
}

QString pathFileKind(const QString& path) {
    if (!path.endsWith(QLatin1String(".h5"), Qt::CaseInsensitive) || !QFileInfo::exists(path))
        return {};
    try {
        const PathSamples s = readPathSamples(path.toStdString());
        // A 1-D landscape reads as samples too, but names no checkpoints.
        return s.checkpoints.empty() ? QString() : QString::fromStdString(s.kind);
    } catch (const std::exception&) {
        return {};
    }
}

ViewSpec lmcPathSpec(const QStringList& pathFiles) {
    return {kPathPlot,
            QObject::tr("%1 (path)").arg(QFileInfo(pathFiles.value(0)).completeBaseName()),
            QJsonObject{{"paths", QJsonArray::fromStringList(pathFiles)}}};
}

ViewSpec lmcBarrierSpec(const QStringList& pathFiles) {
    return {kBarriers,
            QObject::tr("%1 (barriers)").arg(QFileInfo(pathFiles.value(0)).completeBaseName()),
            QJsonObject{{"paths", QJsonArray::fromStringList(pathFiles)}}};
}

ViewSpec lmcLayerwiseSpec(const QString& layerwiseFile) {
    return {kLayerwise, QObject::tr("%1").arg(QFileInfo(layerwiseFile).completeBaseName()),
            QJsonObject{{"path", layerwiseFile}}};
}

QWidget* createConnectivityView(const ViewSpec& spec, Session* session) {
    if (spec.type != kPathPlot && spec.type != kBarriers && spec.type != kLayerwise) return nullptr;
    const QStringList files = pathsOf(spec);
    try {
        if (spec.type == kLayerwise) {
            auto* view = new widgets::LayerwiseHeatmapView;
            std::unique_ptr<QWidget> guard(view);
            if (QFileInfo::exists(files.value(0)))
                view->setSamples(readPathSamples(files.value(0).toStdString()));
            return guard.release();
        }
        const std::vector<widgets::PathCurve> curves = pathCurves(files);
        if (spec.type == kBarriers) {
            auto* table = new widgets::BarrierTable;
            table->setRows(barrierRows(files, curves));
            return table;
        }
        auto* view = new widgets::PathPlotView;
        view->setPaths(curves);
        linkPathPlotToProbe(view, session, files);
        return view;
    } catch (const std::exception& e) {
        return errorLabel(QFileInfo(files.value(0)).fileName(), e);
    }
}

void startLinearModeConnectivity(MainWindow* window, const LmcRequest& r) {
    Dataset train;
    std::optional<Dataset> test;
    try {
        train = loadDatasetFile(r.trainData.toStdString());
        if (!r.testData.isEmpty()) test = loadDatasetFile(r.testData.toStdString());
    } catch (const std::exception& e) {
        window->showError(QString::fromStdString(e.what()));
        return;
    }
    if (!QDir().mkpath(QFileInfo(r.pathFile).path())) {
        window->showError(QObject::tr("Cannot create the folder of '%1'.").arg(r.pathFile));
        return;
    }
    LmcRecipe recipe;
    recipe.modelPath = r.model.toStdString();
    recipe.checkpoints = stdStrings(r.checkpoints);
    recipe.points = std::size_t(r.points);
    recipe.outPath = r.pathFile.toStdString();
    recipe.options.reestimateBatchNorm = r.reestimateBatchNorm;
    auto job = std::make_shared<PathJob>(recipe, train, test);
    // The views are there at once and fill in as the job computes; with
    // alignment they show the aligned path too.
    QStringList files{r.pathFile};
    if (r.repair) files << lmcRepairedPathFile(r.pathFile, false);
    if (!r.alignment.isEmpty()) files << lmcAlignedPathFile(r.pathFile);
    if (r.repair && !r.alignment.isEmpty()) files << lmcRepairedPathFile(r.pathFile, true);
    if (r.curve) files << curvePathFileOf(r);
    if (!viewShows(window, kPathPlot, files.back()))
        window->viewArea()->addView(lmcPathSpec(files));
    if (!viewShows(window, kBarriers, files.back()))
        window->viewArea()->addView(lmcBarrierSpec(files));
    fillViewsLive(*job, window, r.pathFile);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job, r, train, test](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        addResult(guard.data(), r.pathFile, QObject::tr("LMC %1").arg(pathTitle(r)));
        refreshViews(guard.data(), r.pathFile, &job->samples());
        continueAfterPath(guard.data(), r, train, test, job->samples());
        if (r.repair) startRepairedPath(guard.data(), r, train, test, false);
        if (!r.alignment.isEmpty()) {
            startAlignment(guard.data(), r, train, test);
        } else if (r.curve) {
            startCurve(guard.data(), r, train, test);
        }
    });
}

void linearModeConnectivityForItem(MainWindow* window, int checkpointItem) {
    const Project& project = window->session()->project();
    if (project.itemsOfKind(ItemKind::Model).isEmpty() ||
        project.itemsOfKind(ItemKind::Dataset).isEmpty() ||
        project.itemsOfKind(ItemKind::Checkpoint).size() < 2) {
        window->showError(
            QObject::tr("Linear mode connectivity needs a model, a dataset and two checkpoints "
                        "in the project (File › Add model…, Add checkpoints…, Add dataset…)."));
        return;
    }
    ConnectivityDialog dialog(project, checkpointItem, window);
    if (dialog.exec() != QDialog::Accepted || !dialog.isValid()) return;
    startLinearModeConnectivity(window, dialog.request());
}

}  // namespace basin::app
