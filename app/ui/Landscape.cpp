#include "ui/Landscape.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QPointer>
#include <memory>

#include "data/DatasetFiles.h"
#include "jobs/JobsPanel.h"
#include "landscape/ContourMapView.h"
#include "landscape/LandscapeJob.h"
#include "project/Session.h"
#include "ui/MainWindow.h"
#include "ui/ProbeLinks.h"
#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

namespace basin::app {
namespace {

const QString kContour = QStringLiteral("landscape-contour");
const QString kSurface3d = QStringLiteral("landscape-surface");

SurfaceMetric metricOf(const ViewSpec& spec) {
    const QString name = spec.settings.value("metric").toString(QStringLiteral("train_loss"));
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy}) {
        if (name == QLatin1String(surfaceMetricName(m))) return m;
    }
    return SurfaceMetric::TrainLoss;
}

QWidget* errorLabel(const QString& what, const std::exception& e) {
    auto* label =
        new QLabel(QObject::tr("Cannot show %1:\n%2").arg(what, QString::fromStdString(e.what())));
    label->setObjectName(QStringLiteral("viewError"));
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    return label;
}

// Shows `grid` in whichever landscape view `w` is.
void showGrid(QWidget* w, const Grid2D& grid) {
    if (auto* contour = qobject_cast<widgets::ContourMapView*>(w)) {
        widgets::ContourMapView::Options options;
        options.logScale = true;
        contour->setGrid(grid, options);
    } else if (auto* surface = dynamic_cast<SurfaceView*>(w)) {
        widgets::SurfaceScene::Options options;
        options.logScale = true;
        surface->scene()->setGrid(grid, options, false);
        surface->requestRender();
    }
}

}  // namespace

ViewSpec landscapeContourSpec(const QString& surfacePath) {
    return {kContour, QObject::tr("%1 (contours)").arg(QFileInfo(surfacePath).completeBaseName()),
            QJsonObject{{"path", surfacePath}, {"metric", "train_loss"}}};
}

ViewSpec landscapeSurfaceSpec(const QString& surfacePath) {
    return {kSurface3d, QObject::tr("%1 (3D)").arg(QFileInfo(surfacePath).completeBaseName()),
            QJsonObject{{"path", surfacePath}, {"metric", "train_loss"}}};
}

QWidget* createLandscapeView(const ViewSpec& spec, Session* session) {
    if (spec.type != kContour && spec.type != kSurface3d) return nullptr;
    const QString path = spec.settings.value("path").toString();
    // A surface still being computed has no file yet: the view starts empty
    // and the job fills it in.
    Grid2D grid;
    if (QFileInfo::exists(path)) {
        try {
            grid = toGrid(readSurface(path.toStdString()), metricOf(spec));
        } catch (const std::exception& e) {
            return errorLabel(QFileInfo(path).fileName(), e);
        }
    }
    if (spec.type == kSurface3d) {
        auto* view = new SurfaceView;
        widgets::SurfaceScene::Options options;
        options.logScale = true;
        if (grid.nx() > 1) view->scene()->setGrid(grid, options);
        linkSurfaceToProbe(view, session, QFileInfo(path).fileName());
        return view;
    }
    auto* view = new widgets::ContourMapView;
    if (grid.nx() > 1) showGrid(view, grid);
    linkContourToProbe(view, session, QFileInfo(path).fileName());
    return view;
}

void startLandscape(MainWindow* window, const QString& modelPath, const QString& datasetPath,
                    const QString& checkpointPath, const QString& surfacePath,
                    bool hessianDirections) {
    LandscapeRecipe recipe;
    recipe.modelPath = modelPath.toStdString();
    recipe.checkpoint = checkpointPath.toStdString();
    recipe.x = parseGridRange("-1:1:21", "x");
    recipe.y = parseGridRange("-1:1:21", "y");
    recipe.surfacePath = surfacePath.toStdString();
    if (hessianDirections) recipe.directions = DirectionKind::HessianEigenvectors;
    Dataset data;
    try {
        data = loadDatasetFile(datasetPath.toStdString());
    } catch (const std::exception& e) {
        window->showError(QString::fromStdString(e.what()));
        return;
    }
    auto job = std::make_shared<LandscapeJob>(recipe, data);
    // Views appear with the first points and fill in coarse to fine: the job
    // reports points from its worker thread; at most every 300 ms a copy of
    // the surface goes to the GUI thread.
    QPointer<MainWindow> guard(window);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    job->setPointObserver([guard, timer, surfacePath](std::size_t, const Surface& s) {
        if (timer->elapsed() < 300) return;
        timer->restart();
        const Grid2D grid = toGrid(s, SurfaceMetric::TrainLoss);
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, grid, surfacePath] {
                if (!guard) return;
                for (QWidget* v : guard->viewArea()->views()) {
                    if (guard->viewArea()->specOf(v).settings.value("path").toString() ==
                        surfacePath)
                        showGrid(v, grid);
                }
            },
            Qt::QueuedConnection);
    });
    window->jobs()->submit(job, [guard, job, surfacePath](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        // The finished surface: add it to the project and show it.
        bool known = false;
        for (const ProjectItem& item : guard->session()->project().items)
            known = known || item.path == surfacePath;
        if (!known) {
            ProjectItem result;
            result.kind = ItemKind::Result;
            result.name = QFileInfo(surfacePath).completeBaseName();
            result.path = surfacePath;
            guard->session()->addItem(result);
        }
        bool shown = false;
        const Grid2D grid = toGrid(job->surface(), SurfaceMetric::TrainLoss);
        for (QWidget* v : guard->viewArea()->views()) {
            if (guard->viewArea()->specOf(v).settings.value("path").toString() == surfacePath) {
                showGrid(v, grid);
                shown = true;
            }
        }
        if (!shown) {
            guard->viewArea()->addView(landscapeContourSpec(surfacePath));
            guard->viewArea()->addView(landscapeSurfaceSpec(surfacePath));
        }
    });
}

void computeLandscapeForItem(MainWindow* window, int checkpointItem) {
    const Project& project = window->session()->project();
    const QList<ProjectItem> models = project.itemsOfKind(ItemKind::Model);
    const QList<ProjectItem> datasets = project.itemsOfKind(ItemKind::Dataset);
    if (models.isEmpty() || datasets.isEmpty()) {
        window->showError(
            QObject::tr("A landscape needs a model and a dataset in the project "
                        "(File › Add model…, Add dataset…)."));
        return;
    }
    const ProjectItem& checkpoint = project.items[checkpointItem];
    const QString suggested = checkpoint.extra.value(QStringLiteral("model")).toString();
    QStringList modelNames, datasetNames;
    int modelIndex = 0, datasetIndex = 0;
    for (const ProjectItem& m : models) {
        if (m.path == suggested) modelIndex = modelNames.size();
        modelNames << m.name;
    }
    for (const ProjectItem& d : datasets)
        datasetNames << d.name;
    bool ok = true;
    if (models.size() > 1 && suggested.isEmpty()) {
        const QString chosen =
            QInputDialog::getItem(window, QObject::tr("Loss landscape"), QObject::tr("Model:"),
                                  modelNames, modelIndex, false, &ok);
        if (!ok) return;
        modelIndex = int(modelNames.indexOf(chosen));
    }
    const QString chosen = QInputDialog::getItem(window, QObject::tr("Loss landscape"),
                                                 QObject::tr("Dataset to evaluate the loss on:"),
                                                 datasetNames, datasetIndex, false, &ok);
    if (!ok) return;
    datasetIndex = int(datasetNames.indexOf(chosen));
    const QStringList kinds{QObject::tr("random, filter-normalized (Li et al. 2018)"),
                            QObject::tr("the Hessian's top two eigenvectors")};
    const QString kind = QInputDialog::getItem(window, QObject::tr("Loss landscape"),
                                               QObject::tr("Directions:"), kinds, 0, false, &ok);
    if (!ok) return;
    const bool hessian = kind == kinds[1];
    const QFileInfo info(checkpoint.path);
    const QString surface =
        info.path() + QLatin1Char('/') + info.completeBaseName() +
        (hessian ? QStringLiteral(".hessian-landscape.h5") : QStringLiteral(".landscape.h5"));
    startLandscape(window, models[modelIndex].path, datasets[datasetIndex].path, checkpoint.path,
                   surface, hessian);
    window->viewArea()->addView(landscapeContourSpec(surface));
}

}  // namespace basin::app
