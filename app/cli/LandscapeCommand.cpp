// `basin landscape`: a 1D or 2D loss-landscape slice around a checkpoint,
// written to a surface file (the loss-landscape tool's HDF5 layout) and,
// optionally, drawn as a figure.

#include <QFileInfo>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "data/DatasetFiles.h"
#include "landscape/ContourMapView.h"
#include "landscape/DistributedGrid.h"
#include "landscape/LandscapeJob.h"
#include "landscape/SliceView.h"
#include "vtk/SurfaceExport.h"

namespace basin::app {
namespace {

DirectionKind directionKindByName(const QString& name) {
    for (DirectionKind k :
         {DirectionKind::Random, DirectionKind::CheckpointLine, DirectionKind::CheckpointPlane,
          DirectionKind::TrajectoryPca, DirectionKind::HessianEigenvectors}) {
        if (name == QLatin1String(directionKindName(k))) return k;
    }
    throw std::invalid_argument("unknown direction kind '" + name.toStdString() +
                                "' (known: random, line, plane, pca, hessian)");
}

SurfaceMetric metricByName(const QString& name) {
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy}) {
        if (name == QLatin1String(surfaceMetricName(m))) return m;
    }
    throw std::invalid_argument("unknown metric '" + name.toStdString() +
                                "' (known: train_loss, train_acc, test_loss, test_acc)");
}

// Draws a 2D surface as a contour map with the projected checkpoints and the
// centre, a 1D one as line plots of every metric with the checkpoints
// marked, and saves it by the file's extension (the CSV beside it).
void writeFigure(const Surface& surface, const Directions& directions, SurfaceMetric metric,
                 const QString& path, QSize size) {
    QString error;
    if (!surface.twoDimensional()) {
        widgets::SliceView view;
        view.resize(size);
        view.setSurface(surface);
        std::vector<widgets::SliceView::Marker> markers;
        for (const ProjectedPoint& p : directions.points) {
            markers.push_back(
                {p.a, p.b, QFileInfo(QString::fromStdString(p.label)).completeBaseName()});
        }
        if (markers.empty())
            markers.push_back({0, 0,
                               QFileInfo(QString::fromStdString(surface.metadata.checkpoint))
                                   .completeBaseName()});
        view.setMarkers(markers);
        if (!view.exportFigure(path, size, &error)) throw std::runtime_error(error.toStdString());
        return;
    }
    widgets::ContourMapView view;
    view.resize(size);
    widgets::ContourMapView::Options options;
    options.logScale = metric == SurfaceMetric::TrainLoss || metric == SurfaceMetric::TestLoss;
    view.setGrid(toGrid(surface, metric), options);
    std::vector<widgets::ContourMapView::Marker> points;
    for (const ProjectedPoint& p : directions.points) {
        points.push_back({p.a, p.b, QFileInfo(QString::fromStdString(p.label)).completeBaseName()});
    }
    view.setTrajectory(points);
    view.setProbe(0, 0);  // the centre θ₀
    if (!view.exportFigure(path, size, &error)) throw std::runtime_error(error.toStdString());
}

int runLandscape(const QCommandLineParser& p) {
    for (const char* required : {"model", "data", "out"}) {
        if (!p.isSet(QString::fromLatin1(required))) {
            std::fprintf(stderr, "basin landscape: --%s is required (see --help)\n", required);
            return 2;
        }
    }
    LandscapeRecipe recipe;
    recipe.modelPath = p.value(QStringLiteral("model")).toStdString();
    recipe.checkpoint = p.value(QStringLiteral("checkpoint")).toStdString();
    recipe.weightRoot = p.value(QStringLiteral("root")).toStdString();
    recipe.directions = directionKindByName(p.value(QStringLiteral("dir")));
    for (const QString& c : p.values(QStringLiteral("other")))
        recipe.checkpoints.push_back(c.toStdString());
    recipe.random.normalization =
        normalizationByName(p.value(QStringLiteral("norm")).toStdString());
    recipe.random.keepOneDimensional = p.isSet(QStringLiteral("keep-1d"));
    recipe.random.seed = p.value(QStringLiteral("seed")).toULongLong();
    recipe.includeBuffers = p.isSet(QStringLiteral("buffers"));
    recipe.hessian.samples = p.value(QStringLiteral("hessian-samples")).toLongLong();
    recipe.hessian.bottom = p.isSet(QStringLiteral("hessian-bottom"));
    recipe.directionsFile = p.value(QStringLiteral("directions")).toStdString();
    recipe.x = parseGridRange(p.value(QStringLiteral("x")).toStdString(), "x");
    if (p.isSet(QStringLiteral("y")))
        recipe.y = parseGridRange(p.value(QStringLiteral("y")).toStdString(), "y");
    recipe.random.twoDimensional = recipe.y.has_value();
    recipe.surfacePath = p.value(QStringLiteral("out")).toStdString();
    recipe.options.reestimateBatchNorm = p.isSet(QStringLiteral("bn-reset"));
    recipe.options.eval.batchSize = p.value(QStringLiteral("batch")).toLongLong();

    const Dataset train = loadDatasetFile(p.value(QStringLiteral("data")).toStdString());
    std::optional<Dataset> test;
    if (p.isSet(QStringLiteral("test-data")))
        test = loadDatasetFile(p.value(QStringLiteral("test-data")).toStdString());
    // Under `mpirun -np N` (N > 1) the ranks share the grid; rank 0 reports
    // and writes the file, the workers stay quiet unless they fail.
    std::unique_ptr<DistributedGrid> grid;
    if (DistributedGrid::launchedWithSeveralRanks()) {
        grid = std::make_unique<DistributedGrid>();
        // The ranks on one machine share its cores rather than each taking all.
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        recipe.options.eval.threads = std::max(1, cores / DistributedGrid::ranksOnThisMachine());
    }
    LandscapeJob job(recipe, train, test);
    job.setDistributedGrid(grid.get());
    if (grid && !grid->coordinator()) {
        JobHandle handle(job.title());
        const JobStatus status = runJob(job, handle);
        if (status.state == JobState::Failed)
            std::fprintf(stderr, "basin landscape: rank %d: %s\n", grid->rank(),
                         status.error.c_str());
        return status.state == JobState::Succeeded ? 0 : 1;
    }
    const JobStatus status = runJobInTerminal(job);
    if (status.state == JobState::Cancelled) {
        std::fprintf(stderr, "basin landscape: stopped; run the same command again to resume\n");
        return 1;
    }
    if (status.state != JobState::Succeeded) return 1;
    std::printf("%s  (%zu points computed now, %zu in all)\n", recipe.surfacePath.c_str(),
                job.pointsComputed(), job.surface().pointCount());
    if (job.pointsComputed() > 0) std::printf("evaluated: %s\n", job.evaluationPath().c_str());
    if (grid) {
        std::printf("points per rank:");
        for (std::size_t r = 0; r < grid->pointsPerRank().size(); ++r)
            std::printf(" %zu: %zu", r, grid->pointsPerRank()[r]);
        std::printf("\n");
    }
    if (p.isSet(QStringLiteral("vts"))) {
        QString error;
        if (!widgets::writeSurfaceVts(job.surface(),
                                      metricByName(p.value(QStringLiteral("metric"))),
                                      p.value(QStringLiteral("vts")), &error)) {
            throw std::runtime_error(error.toStdString());
        }
        std::printf("%s\n", qPrintable(p.value(QStringLiteral("vts"))));
    }
    if (p.isSet(QStringLiteral("figure"))) {
        const QStringList size = p.value(QStringLiteral("figure-size")).split(QLatin1Char('x'));
        const QSize pixels(size.value(0).toInt(), size.value(1).toInt());
        if (size.size() != 2 || pixels.width() < 50 || pixels.height() < 50) {
            std::fprintf(stderr, "basin landscape: --figure-size must look like 800x600\n");
            return 2;
        }
        const QString figure = p.value(QStringLiteral("figure"));
        writeFigure(job.surface(), job.directions(),
                    metricByName(p.value(QStringLiteral("metric"))), figure, pixels);
        std::printf("%s\n", qPrintable(figure));
    }
    return 0;
}

}  // namespace

Subcommand landscapeSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("landscape");
    s.summary = QStringLiteral("Loss landscape slice around a checkpoint (HDF5 surface, figure)");
    s.kind = Subcommand::Kind::Raster;
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Evaluates loss and accuracy on a 1D (--x) or 2D (--x and --y) grid of weights "
            "theta0 + a*dx + b*dy around a checkpoint (Li et al. 2018), with filter-normalized "
            "random directions, the line or plane through checkpoints (--other), or the top-2 "
            "PCA directions of a training trajectory (--other: the checkpoints in order, the last "
            "being the centre). Writes the loss-landscape tool's HDF5 layout (-1 = not computed) "
            "plus the directions next to it; an interrupted run resumes when run again. Points "
            "are computed coarse to fine. Under mpirun -np N the ranks share the grid (rank 0 "
            "writes the file). --figure draws the surface (PNG, SVG or PDF; a 2D one as a "
            "contour map, a 1D one as loss and accuracy plots) and writes its CSV beside it."));
        addOption(p, "model", "TorchScript model.", "MODEL");
        addOption(p, "checkpoint", "The centre's weights (default: the model's own).", "CKPT");
        addOption(p, "root", "Which dict in the checkpoints holds the weights.", "KEY");
        addOption(p, "data", "Training data (.npz/.npy/.pt).", "DATA");
        addOption(p, "test-data", "Test data, for test_loss/test_acc.", "DATA");
        addOption(p, "x",
                  "Range min:max:num along the first direction, or fit:num[:margin] to cover "
                  "the checkpoints of a line, plane or pca slice (margin 0.25 of their span).",
                  "RANGE", "-1:1:21");
        addOption(p, "y", "Range along the second direction (makes the slice 2D).", "RANGE");
        addOption(p, "dir", "Directions: random, line, plane, pca or hessian.", "KIND", "random");
        addOption(p, "hessian-samples", "Training samples for the Hessian directions.", "N",
                  "1000");
        addOption(p, "hessian-bottom", "Hessian: the second direction is the most negative one.");
        addOption(p, "other",
                  "Checkpoints for line (1), plane (2) or pca (the trajectory); repeat.", "CKPT");
        addOption(p, "norm", "Random direction normalization: filter, layer, whole or none.",
                  "NORM", "filter");
        addOption(p, "keep-1d", "Give biases and BatchNorm parameters a direction too.");
        addOption(p, "buffers", "Directions also move BatchNorm running statistics.");
        addOption(p, "seed", "Seed of the random directions.", "N", "0");
        addOption(p, "directions", "Directions file to use or create (default: OUT.directions.h5).",
                  "FILE");
        addOption(p, "bn-reset", "Re-estimate BatchNorm statistics at every point.");
        addOption(p, "batch", "Samples per batch.", "N", "1000");
        addOption(p, "out", "Surface file to write (HDF5).", "SURFACE.h5");
        addOption(p, "figure", "Also draw the surface into this PNG, SVG or PDF.", "FILE");
        addOption(p, "vts", "Also export the surface for ParaView (VTK XML structured grid).",
                  "FILE");
        addOption(p, "figure-size", "Figure size in pixels.", "WxH", "800x600");
        addOption(p, "metric",
                  "What a 2D figure shows: train_loss, train_acc, test_loss, test_acc (a 1D one "
                  "shows all).",
                  "NAME", "train_loss");
    };
    s.run = &runLandscape;
    return s;
}

}  // namespace basin::app
