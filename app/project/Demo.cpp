#include "project/Demo.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>

#include "connectivity/PathJob.h"
#include "curvature/HessianSpectrumJob.h"
#include "data/DatasetFiles.h"
#include "jobs/SubtaskContext.h"
#include "ui/Avatars.h"
#include "ui/Connectivity.h"
#include "ui/Curvature.h"
#include "ui/Saliency.h"
#include "ui/ViewFactory.h"

namespace basin::app {
namespace {

QJsonObject viewJson(const ViewSpec& s) {
    return {{"type", s.type}, {"title", s.title}, {"settings", s.settings}};
}

// The first run and another seed of the same model, or nullptr.
const DemoRun* otherSeed(const DemoManifest& manifest) {
    if (manifest.runs.empty() || manifest.runs.front().checkpoints.empty()) return nullptr;
    const DemoRun& first = manifest.runs.front();
    for (const DemoRun& other : manifest.runs)
        if (&other != &first && other.modelPath == first.modelPath && !other.checkpoints.empty())
            return &other;
    return nullptr;
}

// The first training run of the digits CNN (the model a saliency map
// explains), or nullptr.
const DemoRun* cnnRun(const DemoManifest& manifest) {
    for (const DemoRun& run : manifest.runs)
        for (const DemoFile& m : manifest.models)
            if (m.kind == "cnn" && m.path == run.modelPath && !run.checkpoints.empty()) return &run;
    return nullptr;
}

// The test sample the demo's saliency view explains (a 3 in the default demo).
constexpr qint64 kDemoSaliencyDigit = 8;

ProjectItem item(ItemKind kind, const DemoFile& file, const QString& name) {
    ProjectItem i;
    i.kind = kind;
    i.path = QString::fromStdString(file.path);
    i.name = name;
    return i;
}

}  // namespace

QString defaultDemoDir() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("demo"));
}

DemoOptions quickDemoOptions() {
    DemoOptions o;
    o.mlpEpochs = 3;
    o.cnnEpochs = 1;
    o.spiralsPerClass = 100;
    o.digitsTrainPerClass = 40;
    o.digitsTestPerClass = 10;
    return o;
}

QString demoHessianPath(const DemoManifest& manifest) {
    if (manifest.runs.empty() || manifest.runs.front().checkpoints.empty()) return {};
    return hessianSpectrumPathFor(
        QString::fromStdString(manifest.runs.front().checkpoints.back().path));
}

void writeDemoHessian(const DemoManifest& manifest, JobContext& context) {
    const QString path = demoHessianPath(manifest);
    if (path.isEmpty() || QFileInfo::exists(path)) return;
    const DemoRun& run = manifest.runs.front();
    HessianRequest request;
    request.model = QString::fromStdString(run.modelPath);
    request.checkpoint = QString::fromStdString(run.checkpoints.back().path);
    request.dataset = QString::fromStdString(run.trainDatasetPath);
    request.perLayer = true;
    computeHessianFile(hessianRecipe(request), path, context);
}

QString demoLmcPath(const DemoManifest& manifest) {
    const DemoRun* other = otherSeed(manifest);
    if (!other) return {};
    return lmcPathFileFor({QString::fromStdString(manifest.runs.front().checkpoints.back().path),
                           QString::fromStdString(other->checkpoints.back().path)},
                          false);
}

void writeDemoLmc(const DemoManifest& manifest, JobContext& context) {
    const QString path = demoLmcPath(manifest);
    if (path.isEmpty()) return;
    const DemoRun& first = manifest.runs.front();
    LmcRecipe recipe;
    recipe.modelPath = first.modelPath;
    recipe.checkpoints = {first.checkpoints.back().path,
                          otherSeed(manifest)->checkpoints.back().path};
    recipe.outPath = path.toStdString();
    if (!QDir().mkpath(QFileInfo(path).path()))
        throw std::runtime_error("cannot create the folder of '" + recipe.outPath + "'");
    // A complete file is resumed with nothing left to compute.
    PathJob job(recipe, loadDatasetFile(first.trainDatasetPath),
                loadDatasetFile(first.testDatasetPath));
    job.run(context);
}

void DemoJob::run(JobContext& context) {
    SubtaskContext files(context, 0.0, 0.92, "");
    manifest_ = writeDemoFiles(dir_.toStdString(), options_, files);
    SubtaskContext hessian(context, 0.92, 0.97, "Hessian spectrum: ");
    writeDemoHessian(manifest_, hessian);
    SubtaskContext lmc(context, 0.97, 1.0, "Path between the seeds: ");
    writeDemoLmc(manifest_, lmc);
    context.report(1.0, "demo written to " + manifest_.dir);
}

Project demoProject(const DemoManifest& manifest) {
    Project p;
    p.title = QStringLiteral("Basin demo");
    for (const DemoFile& d : manifest.datasets) {
        p.items.push_back(item(ItemKind::Dataset, d, QString::fromStdString(d.name)));
    }
    for (const DemoFile& m : manifest.models) {
        p.items.push_back(item(ItemKind::Model, m, QString::fromStdString(m.name)));
    }
    for (const DemoRun& run : manifest.runs) {
        for (const DemoFile& c : run.checkpoints) {
            ProjectItem ck = item(ItemKind::Checkpoint, c,
                                  QStringLiteral("%1 %2").arg(QString::fromStdString(run.name),
                                                              QString::fromStdString(c.name)));
            ck.extra[QStringLiteral("run")] = QString::fromStdString(run.name);
            ck.extra[QStringLiteral("model")] = QString::fromStdString(run.modelPath);
            p.items.push_back(ck);
        }
    }

    QJsonArray views;
    if (!manifest.runs.empty() && !manifest.runs.front().checkpoints.empty()) {
        const DemoRun& first = manifest.runs.front();
        const QString last = QString::fromStdString(first.checkpoints.back().path);
        const QString init = QString::fromStdString(first.checkpoints.front().path);
        ViewSpec moved = checkpointSpec(last, init);
        moved.title =
            QStringLiteral("%1: trained vs initial").arg(QString::fromStdString(first.name));
        views.append(viewJson(moved));
        // The same architecture from another seed: how different are the minima?
        for (const DemoRun& other : manifest.runs) {
            if (&other == &first || other.modelPath != first.modelPath ||
                other.checkpoints.empty()) {
                continue;
            }
            ViewSpec seeds =
                checkpointSpec(last, QString::fromStdString(other.checkpoints.back().path));
            seeds.title =
                QStringLiteral("%1 vs %2")
                    .arg(QString::fromStdString(first.name), QString::fromStdString(other.name));
            views.append(viewJson(seeds));
            break;
        }
        // The curvature at the trained weights.
        const QString hessian = demoHessianPath(manifest);
        if (QFileInfo::exists(hessian)) {
            ProjectItem result;
            result.kind = ItemKind::Result;
            result.path = hessian;
            result.name = QStringLiteral("%1 %2 Hessian")
                              .arg(QString::fromStdString(first.name),
                                   QString::fromStdString(first.checkpoints.back().name));
            p.items.push_back(result);
            ViewSpec spectrum = hessianSpectrumSpec(hessian);
            spectrum.title = QStringLiteral("%1: Hessian").arg(QString::fromStdString(first.name));
            views.append(viewJson(spectrum));
        }
        // The loss along the straight line between the two seeds: a barrier?
        const QString lmc = demoLmcPath(manifest);
        if (QFileInfo::exists(lmc)) {
            const DemoRun* other = otherSeed(manifest);
            ProjectItem result;
            result.kind = ItemKind::Result;
            result.path = lmc;
            result.name =
                QStringLiteral("LMC %1 → %2")
                    .arg(QString::fromStdString(first.name), QString::fromStdString(other->name));
            p.items.push_back(result);
            ViewSpec path = lmcPathSpec({lmc});
            path.title =
                QStringLiteral("%1 ↔ %2: path")
                    .arg(QString::fromStdString(first.name), QString::fromStdString(other->name));
            views.append(viewJson(path));
        }
        // What the digits CNN looks at: Grad-CAM++ and Integrated Gradients
        // on a test digit, recomputed when the probe moves to another of its
        // checkpoints.
        if (const DemoRun* cnn = cnnRun(manifest)) {
            SaliencyRequest saliency;
            saliency.model = QString::fromStdString(cnn->modelPath);
            saliency.checkpoints = {QString::fromStdString(cnn->checkpoints.back().path)};
            saliency.dataset = QString::fromStdString(cnn->testDatasetPath);
            saliency.index = kDemoSaliencyDigit;
            saliency.methods = {QStringLiteral("gradcampp"), QStringLiteral("ig")};
            ViewSpec spec = saliencySpec(saliency);
            spec.title = QStringLiteral("%1: saliency").arg(QString::fromStdString(cnn->name));
            views.append(viewJson(spec));
        }
        p.probe.kind = Probe::Kind::Checkpoint;
        p.probe.checkpoint =
            QStringLiteral("%1 %2").arg(QString::fromStdString(first.name),
                                        QString::fromStdString(first.checkpoints.back().name));
    }
    // The analytic teaching landscapes beside them, in one tabbed pane.
    QJsonArray analytic;
    for (const QString& name : {QStringLiteral("himmelblau"), QStringLiteral("rastrigin")}) {
        analytic.append(viewJson(analyticSurfaceSpec(name)));
        analytic.append(viewJson(analyticMapSpec(name)));
    }
    // The built-in Gaussian avatar with its pose panel and statistics.
    analytic.append(viewJson(proceduralAvatarSpec()));
    p.layout = {{"root", QJsonObject{{"split", "horizontal"},
                                     {"children",
                                      QJsonArray{QJsonObject{{"views", views}, {"current", 0}},
                                                 QJsonObject{{"views", analytic}, {"current", 0}}}},
                                     {"sizes", QJsonArray{3, 2}}}}};
    return p;
}

}  // namespace basin::app
