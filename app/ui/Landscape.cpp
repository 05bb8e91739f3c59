#include "ui/Landscape.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QPointer>
#include <memory>

#include "data/DatasetFiles.h"
#include "jobs/JobsPanel.h"
#include "landscape/ContourMapView.h"
#include "landscape/DirectionsFile.h"
#include "landscape/LandscapeJob.h"
#include "landscape/SliceView.h"
#include "project/Session.h"
#include "ui/LandscapeDialog.h"
#include "ui/MainWindow.h"
#include "ui/ProbeLinks.h"
#include "ui/SurfaceViewMenu.h"
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

const QString kSlice = QStringLiteral("landscape-slice");

constexpr SurfaceMetric kMetrics[] = {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                                      SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy};

// The metrics the surface has any value of (no test metrics without test data).
std::vector<SurfaceMetric> metricsOf(const Surface& s) {
    std::vector<SurfaceMetric> out;
    for (SurfaceMetric m : kMetrics) {
        if (s.has(m) && s.missingCount(m) < s.pointCount()) out.push_back(m);
    }
    return out;
}

// A contour map keeps the metric it shows in a property ("train_loss", ...).
SurfaceMetric contourMetric(const QWidget* contour) {
    return metricOf(ViewSpec{{}, {}, {{"metric", contour->property("metric").toString()}}});
}

bool isLossMetric(SurfaceMetric m) {
    return m == SurfaceMetric::TrainLoss || m == SurfaceMetric::TestLoss;
}

void showOnContour(widgets::ContourMapView* contour, const Surface& s) {
    const std::vector<SurfaceMetric> metrics = metricsOf(s);
    SurfaceMetric shown = contourMetric(contour);
    QStringList labels;
    int current = 0;
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        labels << widgets::surfaceMetricLabel(metrics[i]);
        if (metrics[i] == shown) current = int(i);
    }
    contour->setMetricChoices(labels, current);
    widgets::ContourMapView::Options options;
    // Loss spans orders of magnitude; accuracy is shown as it is.
    options.logScale = isLossMetric(shown);
    contour->setGrid(toGrid(s, shown), options);
}

// Shows the surface `s` in whichever landscape view `w` is.
void showSurface(QWidget* w, const Surface& s) {
    if (auto* contour = qobject_cast<widgets::ContourMapView*>(w)) {
        showOnContour(contour, s);
    } else if (auto* slice = qobject_cast<widgets::SliceView*>(w)) {
        slice->setSurface(s);
    } else if (auto* surface = dynamic_cast<SurfaceView*>(w)) {
        // The options the user chose in the view's menu stay.
        surface->scene()->setGrid(toGrid(s, SurfaceMetric::TrainLoss), surface->scene()->options(),
                                  false);
        surface->requestRender();
    }
}

// Draws the checkpoints of the surface's directions file: the trajectory on
// a contour map or a 3D surface, markers on a slice (the centre alone when the directions
// have no checkpoints, e.g. random ones).
void showCheckpoints(QWidget* w, const QString& surfacePath, const Surface& s) {
    const std::vector<ProjectedPoint> points = trajectoryOf(surfacePath);
    std::vector<widgets::ContourMapView::Marker> trajectory;
    for (const ProjectedPoint& p : points)
        trajectory.push_back({p.a, p.b, QString::fromStdString(p.label)});
    if (auto* contour = qobject_cast<widgets::ContourMapView*>(w)) {
        contour->setTrajectory(trajectory);
    } else if (auto* surface = dynamic_cast<SurfaceView*>(w)) {
        surface->scene()->setTrajectory(trajectory);  // the same markers, on the surface
    } else if (auto* slice = qobject_cast<widgets::SliceView*>(w)) {
        std::vector<widgets::SliceView::Marker> markers;
        for (const ProjectedPoint& p : points)
            markers.push_back({p.a, p.b, QString::fromStdString(p.label)});
        if (markers.empty() && !s.metadata.checkpoint.empty())
            markers.push_back(
                {0, 0,
                 QFileInfo(QString::fromStdString(s.metadata.checkpoint)).completeBaseName()});
        slice->setMarkers(markers);
    }
}

ViewArea* viewAreaOf(QWidget* view) {
    for (QWidget* w = view; w; w = w->parentWidget()) {
        if (auto* area = qobject_cast<ViewArea*>(w)) return area;
    }
    return nullptr;
}

QWidget* createSliceView(const ViewSpec& spec, const Surface& surface, bool haveFile,
                         Session* session) {
    const QString path = spec.settings.value("path").toString();
    auto* view = new widgets::SliceView;
    view->setSlice(spec.settings.value("axis").toString() == QLatin1String("b")
                       ? widgets::SliceAxis::B
                       : widgets::SliceAxis::A,
                   spec.settings.value("at").toDouble());
    if (haveFile) {
        view->setSurface(surface);
        showCheckpoints(view, path, surface);
    }
    linkSliceToProbe(view, session, QFileInfo(path).fileName());
    return view;
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

ViewSpec landscapeSliceSpec(const QString& surfacePath, const QString& axis, double at) {
    const QString name = QFileInfo(surfacePath).completeBaseName();
    const QString other = axis == QLatin1String("b") ? QStringLiteral("a") : QStringLiteral("b");
    return {kSlice,
            axis.isEmpty() ? QObject::tr("%1 (1D)").arg(name)
                           : QObject::tr("%1 (along %2 at %3 = %4)")
                                 .arg(name, axis, other, QString::number(at, 'g', 3)),
            QJsonObject{{"path", surfacePath}, {"axis", axis}, {"at", at}}};
}

std::vector<ProjectedPoint> trajectoryOf(const QString& surfacePath) {
    QString directions = surfacePath + QStringLiteral(".directions.h5");
    std::vector<ProjectedPoint> points;
    try {
        if (QFileInfo::exists(surfacePath)) {
            const std::string named =
                readSurface(surfacePath.toStdString()).metadata.directionsFile;
            if (!named.empty() && QFileInfo::exists(QString::fromStdString(named)))
                directions = QString::fromStdString(named);
        }
        if (!QFileInfo::exists(directions)) return {};
        points = loadProjectedPoints(directions.toStdString());
    } catch (const std::exception&) {
        return {};  // a view without the trajectory rather than none
    }
    for (ProjectedPoint& p : points)
        p.label = QFileInfo(QString::fromStdString(p.label)).completeBaseName().toStdString();
    return points;
}

QWidget* createLandscapeView(const ViewSpec& spec, Session* session) {
    if (spec.type != kContour && spec.type != kSurface3d && spec.type != kSlice) return nullptr;
    const QString path = spec.settings.value("path").toString();
    // A surface still being computed has no file yet: the view starts empty
    // and the job fills it in.
    Grid2D grid;
    Surface surface;
    const bool haveFile = QFileInfo::exists(path);
    if (haveFile) {
        try {
            surface = readSurface(path.toStdString());
            grid = toGrid(surface, metricOf(spec));
        } catch (const std::exception& e) {
            return errorLabel(QFileInfo(path).fileName(), e);
        }
    }
    // A 1D surface has no map: its contour spec shows the line plots.
    if (spec.type == kSlice || (spec.type == kContour && haveFile && !surface.twoDimensional()))
        return createSliceView(spec, surface, haveFile, session);
    if (spec.type == kSurface3d) {
        auto* view = new SurfaceView;
        widgets::SurfaceScene::Options options;
        options.logScale = spec.settings.value("logScale").toBool(true);
        options.contours = spec.settings.value("contours").toBool(false);
        options.zMax = spec.settings.value("zmax").toDouble(options.zMax);
        view->scene()->setGrid(grid, options);  // an empty grid keeps the options for later
        if (haveFile) showCheckpoints(view, path, surface);
        linkSurfaceToProbe(view, session, QFileInfo(path).fileName());
        addSurfaceViewMenu(view, path, metricOf(spec));
        return view;
    }
    auto* view = new widgets::ContourMapView;
    view->setProperty("metric", QString::fromLatin1(surfaceMetricName(metricOf(spec))));
    if (grid.nx() > 1) {
        showOnContour(view, surface);
        showCheckpoints(view, path, surface);
    }
    linkContourToProbe(view, session, QFileInfo(path).fileName());
    // The metric choice reads the file again (a running job rewrites it
    // every second, so it is current).
    QObject::connect(view, &widgets::ContourMapView::metricChosen, view, [view, path](int index) {
        try {
            const Surface now = readSurface(path.toStdString());
            const std::vector<SurfaceMetric> metrics = metricsOf(now);
            if (index < 0 || index >= int(metrics.size())) return;
            const QString name = QString::fromLatin1(surfaceMetricName(metrics[index]));
            view->setProperty("metric", name);
            view->setProperty(ViewArea::kSettingsProperty, QVariantMap{{"metric", name}});
            showOnContour(view, now);
        } catch (const std::exception&) {
            // Not written yet: the job's next update shows the choice.
        }
    });
    QObject::connect(view, &widgets::ContourMapView::sliceRequested, view,
                     [view, path](bool alongA, double at) {
                         if (ViewArea* area = viewAreaOf(view))
                             area->addView(landscapeSliceSpec(
                                 path, alongA ? QStringLiteral("a") : QStringLiteral("b"), at));
                     });
    return view;
}

void startLandscape(MainWindow* window, const LandscapeRecipe& recipe, const QString& trainData,
                    const QString& testData) {
    const QString surfacePath = QString::fromStdString(recipe.surfacePath);
    Dataset train;
    std::optional<Dataset> test;
    try {
        train = loadDatasetFile(trainData.toStdString());
        if (!testData.isEmpty()) test = loadDatasetFile(testData.toStdString());
    } catch (const std::exception& e) {
        window->showError(QString::fromStdString(e.what()));
        return;
    }
    auto job = std::make_shared<LandscapeJob>(recipe, std::move(train), std::move(test));
    // Views appear with the first points and fill in coarse to fine: the job
    // reports points from its worker thread; at most every 300 ms a copy of
    // the surface goes to the GUI thread.
    QPointer<MainWindow> guard(window);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto viewsOf = [guard, surfacePath] {
        QList<QWidget*> views;
        for (QWidget* v : guard->viewArea()->views()) {
            if (guard->viewArea()->specOf(v).settings.value("path").toString() == surfacePath)
                views << v;
        }
        return views;
    };
    job->setPointObserver([guard, timer, viewsOf](std::size_t, const Surface& s) {
        if (timer->elapsed() < 300) return;
        timer->restart();
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, s, viewsOf] {
                if (!guard) return;
                for (QWidget* v : viewsOf())
                    showSurface(v, s);
            },
            Qt::QueuedConnection);
    });
    window->jobs()->submit(job, [guard, job, surfacePath, viewsOf](const JobStatus& status) {
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
        const QList<QWidget*> views = viewsOf();
        for (QWidget* v : views) {
            showSurface(v, job->surface());
            showCheckpoints(v, surfacePath, job->surface());
        }
        if (views.isEmpty() && !job->surface().twoDimensional()) {
            guard->viewArea()->addView(landscapeSliceSpec(surfacePath));
        } else if (views.isEmpty()) {
            guard->viewArea()->addView(landscapeContourSpec(surfacePath));
            guard->viewArea()->addView(landscapeSurfaceSpec(surfacePath));
        }
    });
}

void computeLandscapeForItem(MainWindow* window, int checkpointItem) {
    const Project& project = window->session()->project();
    if (project.itemsOfKind(ItemKind::Model).isEmpty() ||
        project.itemsOfKind(ItemKind::Dataset).isEmpty()) {
        window->showError(
            QObject::tr("A landscape needs a model and a dataset in the project "
                        "(File › Add model…, Add dataset…)."));
        return;
    }
    LandscapeDialog dialog(project, checkpointItem, window);
    if (dialog.exec() != QDialog::Accepted || !dialog.isValid()) return;
    const LandscapeRecipe recipe = dialog.recipe();
    const QString surface = QString::fromStdString(recipe.surfacePath);
    // The view is there at once and fills in as the job computes.
    window->viewArea()->addView(recipe.y ? landscapeContourSpec(surface)
                                         : landscapeSliceSpec(surface));
    startLandscape(window, recipe, dialog.trainDataPath(), dialog.testDataPath());
}

}  // namespace basin::app
