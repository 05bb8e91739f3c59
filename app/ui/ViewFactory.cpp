#include "ui/ViewFactory.h"

#include <QFileInfo>
#include <QLabel>
#include <QPointer>
#include <memory>

#include "checkpoint/CheckpointBrowser.h"
#include "eval/EvaluationView.h"
#include "gl/GlView.h"
#include "gl/HeatmapLayer.h"
#include "landscape/AnalyticLandscape.h"
#include "landscape/ContourMapView.h"
#include "model/WeightsFile.h"
#include "project/Session.h"
#include "ui/Avatars.h"
#include "ui/BlockMnistView.h"
#include "ui/Connectivity.h"
#include "ui/Curvature.h"
#include "ui/DatasetView.h"
#include "ui/Evaluation.h"
#include "ui/Landscape.h"
#include "ui/ProbeLinks.h"
#include "ui/Saliency.h"
#include "ui/SurfaceViewMenu.h"
#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

namespace basin::app {
namespace {

const QString kSurface = QStringLiteral("surface3d");
const QString kMap = QStringLiteral("map2d");
const QString kCheckpoint = QStringLiteral("checkpoint");
const QString kContour = QStringLiteral("contour2d");

// Landscapes whose values span decades read better on a log scale.
bool prefersLogScale(AnalyticLandscape kind) {
    return kind == AnalyticLandscape::Himmelblau || kind == AnalyticLandscape::Rosenbrock;
}

bool landscapeOf(const ViewSpec& spec, AnalyticLandscape* kind) {
    try {
        *kind = analyticLandscapeByName(spec.settings.value("landscape").toString().toStdString());
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

Grid2D gridFor(const ViewSpec& spec, AnalyticLandscape kind, int defaultResolution) {
    const int n = std::clamp(spec.settings.value("resolution").toInt(defaultResolution), 2, 2001);
    return sampleAnalytic(kind, std::size_t(n), std::size_t(n));
}

QWidget* createSurface(const ViewSpec& spec, AnalyticLandscape kind, Session* session) {
    auto* view = new SurfaceView;
    widgets::SurfaceScene* scene = view->scene();
    widgets::SurfaceScene::Options options;
    options.logScale = spec.settings.value("logScale").toBool(prefersLogScale(kind));
    options.contours = spec.settings.value("contours").toBool(false);
    scene->setGrid(gridFor(spec, kind, 101), options);
    linkSurfaceToProbe(view, session, QString::fromLatin1(info(kind).title));
    addSurfaceViewMenu(view);
    return view;
}

QWidget* createMap(const ViewSpec& spec, AnalyticLandscape kind) {
    auto* view = new widgets::GlView;
    auto* layer = view->addLayer(std::make_unique<widgets::HeatmapLayer>());
    layer->setGrid(gridFor(spec, kind, 201));
    layer->setLogScale(spec.settings.value("logScale").toBool(prefersLogScale(kind)));
    layer->setIsolinesVisible(spec.settings.value("isolines").toBool(true));
    return view;
}

// The contour map follows the probe when it lies on this landscape, and a
// click moves the probe there.
QWidget* createContour(const ViewSpec& spec, AnalyticLandscape kind, Session* session) {
    auto* view = new widgets::ContourMapView;
    widgets::ContourMapView::Options options;
    options.logScale = spec.settings.value("logScale").toBool(prefersLogScale(kind));
    view->setGrid(gridFor(spec, kind, 151), options);
    view->setAxisLabels(QStringLiteral("x"), QStringLiteral("y"));
    linkContourToProbe(view, session, QString::fromLatin1(info(kind).title));
    return view;
}

ViewSpec analyticSpec(const QString& type, const QString& landscape, const QString& what) {
    QString title = landscape;
    try {
        title = QString::fromLatin1(info(analyticLandscapeByName(landscape.toStdString())).title);
    } catch (const std::invalid_argument&) {
    }
    return {type, QStringLiteral("%1 %2").arg(title, what), QJsonObject{{"landscape", landscape}}};
}

// A checkpoint browser, or a sentence saying why the file cannot be shown.
QWidget* createCheckpointView(const ViewSpec& spec) {
    const QString path = spec.settings.value("path").toString();
    const QString other = spec.settings.value("compare").toString();
    try {
        auto* browser = new widgets::CheckpointBrowser;
        std::unique_ptr<QWidget> guard(browser);
        browser->setCheckpoint(loadWeightsFile(path.toStdString()));
        if (spec.settings.contains("root"))
            browser->setRoot(spec.settings.value("root").toString());
        if (!other.isEmpty()) browser->setComparison(loadCheckpoint(other.toStdString()));
        return guard.release();
    } catch (const std::exception& e) {
        auto* label = new QLabel(
            QObject::tr("Cannot show this checkpoint:\n%1").arg(QString::fromStdString(e.what())));
        label->setObjectName(QStringLiteral("viewError"));
        label->setWordWrap(true);
        label->setAlignment(Qt::AlignCenter);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return label;
    }
}

}  // namespace

QWidget* createView(const ViewSpec& spec, Session* session) {
    if (spec.type == kCheckpoint) return createCheckpointView(spec);
    if (QWidget* landscape = createLandscapeView(spec, session)) return landscape;
    if (QWidget* curvature = createCurvatureView(spec)) return curvature;
    if (QWidget* connectivity = createConnectivityView(spec, session)) return connectivity;
    if (QWidget* saliency = createSaliencyView(spec, session)) return saliency;
    if (QWidget* avatar = createAvatarView(spec, session)) return avatar;
    if (QWidget* dataset = createDatasetView(spec)) return dataset;
    if (QWidget* blockMnist = createBlockMnistView(spec, session)) return blockMnist;
    if (spec.type == QLatin1String("evaluation")) {
        auto* view = new widgets::EvaluationView;
        view->setResults(spec.settings.value("title").toString(), evaluationResults(spec.settings));
        return view;
    }
    AnalyticLandscape kind;
    if (!landscapeOf(spec, &kind)) return nullptr;
    if (spec.type == kSurface) return createSurface(spec, kind, session);
    if (spec.type == kMap) return createMap(spec, kind);
    if (spec.type == kContour) return createContour(spec, kind, session);
    return nullptr;
}

ViewSpec analyticSurfaceSpec(const QString& landscape) {
    return analyticSpec(kSurface, landscape, QStringLiteral("surface"));
}

ViewSpec analyticMapSpec(const QString& landscape) {
    return analyticSpec(kMap, landscape, QStringLiteral("map"));
}

ViewSpec analyticContourSpec(const QString& landscape) {
    return analyticSpec(kContour, landscape, QStringLiteral("contours"));
}

ViewSpec checkpointSpec(const QString& path, const QString& compareWith) {
    QJsonObject settings{{"path", path}};
    QString title = QFileInfo(path).completeBaseName();
    if (!compareWith.isEmpty()) {
        settings["compare"] = compareWith;
        title += QStringLiteral(" vs ") + QFileInfo(compareWith).completeBaseName();
    }
    return {kCheckpoint, title, settings};
}

QList<ViewSpec> builtinViewSpecs() {
    QList<ViewSpec> specs;
    for (const auto& l : analyticLandscapes())
        specs << analyticSurfaceSpec(QString::fromLatin1(l.name));
    for (const auto& l : analyticLandscapes())
        specs << analyticMapSpec(QString::fromLatin1(l.name));
    for (const auto& l : analyticLandscapes())
        specs << analyticContourSpec(QString::fromLatin1(l.name));
    return specs;
}

}  // namespace basin::app
