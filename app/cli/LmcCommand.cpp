// `basin lmc`: linear mode connectivity between checkpoints — loss and
// accuracy along the straight path (or a chain), every barrier definition,
// optionally layer-wise LMC and a second-order prediction, as resumable path
// files, a JSON summary and a figure.

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <tuple>

#include "cli/CheckpointAlignment.h"
#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "connectivity/Barrier.h"
#include "connectivity/CurvePath.h"
#include "connectivity/CurvePlane.h"
#include "connectivity/CurveTraining.h"
#include "connectivity/InterpolationPath.h"
#include "connectivity/LayerwiseLmc.h"
#include "connectivity/PathJob.h"
#include "connectivity/PathPlotView.h"
#include "connectivity/SecondOrderBarrier.h"
#include "data/DatasetFiles.h"
#include "landscape/DirectionsFile.h"
#include "landscape/LandscapeJob.h"
#include "plot/PlotFigure.h"

namespace basin::app {
namespace {

QJsonValue number(double v) {
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

QJsonArray numbers(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v)
        a.append(x < 0 ? QJsonValue() : number(x));  // −1: not computed
    return a;
}

QJsonObject barrierJson(const Barrier& b) {
    return QJsonObject{{"linear", number(b.linear)},
                       {"linear_t", number(b.linearT)},
                       {"max_above_mean_of_ends", number(b.maxAboveMeanOfEnds)},
                       {"max_t", number(b.maxT)},
                       {"midpoint", number(b.midpoint)},
                       {"area", number(b.area)},
                       {"accuracy_drop", number(b.accuracyDrop)},
                       {"accuracy_t", number(b.accuracyT)},
                       {"loss_a", number(b.lossA)},
                       {"loss_b", number(b.lossB)}};
}

// The barrier of the samples of `s` between knots k and k + 1.
Barrier segmentBarrier(const PathSamples& s, SurfaceMetric loss, std::size_t k) {
    std::vector<double> t, l, a;
    segmentSamples(s.t, s.row(loss, 0), s.row(SurfaceMetric(int(loss) + 1), 0), s.knots[k],
                   s.knots[k + 1], &t, &l, &a);
    return measureBarrier(t, l, a);
}

void printBarrier(const char* split, const Barrier& b) {
    std::printf(
        "  %-5s loss %.4g → %.4g   barrier %.4g at t = %.3g   max − mean of ends %.4g   "
        "L(½) − mean %.4g   area %.4g",
        split, b.lossA, b.lossB, b.linear, b.linearT, b.maxAboveMeanOfEnds, b.midpoint, b.area);
    if (std::isfinite(b.accuracyDrop))
        std::printf("   accuracy drop %.2f%% at t = %.3g", b.accuracyDrop, b.accuracyT);
    std::printf("\n");
}

// Loss and accuracy against t of every path (the line, the aligned line, the
// curve), by the figure's extension: the GUI's path plot and its export
// (PNG/SVG/PDF with the CSV beside it).
void writeFigure(std::vector<widgets::PathCurve> paths, const QString& path, QSize size) {
    widgets::PathPlotView view;
    view.resize(size);
    view.setPaths(std::move(paths));
    QString error;
    if (!view.exportFigure(path, size, &error)) throw std::runtime_error(error.toStdString());
}

// --curve: trains a curve between the two checkpoints (or resumes its file),
// evaluates it along t like the line and, with --curve-plane, computes the
// plane through A, B and the middle bend as a landscape. Files go next to
// the path file: curve_<kind><k>.pt (the curve), .h5 (the path along it),
// curve_plane.h5 (the plane's surface). Returns false when a job stopped.
struct CurveResult {
    std::string name, file, pathFile, planeFile;
    int epochs = 0;
    std::vector<double> epochLoss;
    Barrier train;
    std::optional<Barrier> test;
};

bool runCurve(const QCommandLineParser& p, const LmcRecipe& recipe, const Dataset& train,
              const std::optional<Dataset>& test, const QString& out, CurveResult* result) {
    const CurveSpec spec = parseCurveSpec(p.value(QStringLiteral("curve")).toStdString());
    CurveTrainingOptions options;
    TrainingOptions& o = options.training;
    const QString optimizer = p.value(QStringLiteral("curve-optimizer"));
    if (optimizer != QLatin1String("adam") && optimizer != QLatin1String("sgd"))
        throw std::invalid_argument("--curve-optimizer must be adam or sgd");
    o.optimizer = optimizer == QLatin1String("adam") ? TrainingOptions::Optimizer::Adam
                                                     : TrainingOptions::Optimizer::Sgd;
    bool ok[4] = {};
    o.epochs = p.value(QStringLiteral("curve-epochs")).toInt(&ok[0]);
    o.learningRate = p.value(QStringLiteral("curve-lr")).toDouble(&ok[1]);
    o.batchSize = p.value(QStringLiteral("curve-batch")).toLongLong(&ok[2]);
    o.weightDecay = p.value(QStringLiteral("curve-wd")).toDouble(&ok[3]);
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3])
        throw std::invalid_argument(
            "--curve-epochs, --curve-lr, --curve-batch and --curve-wd take numbers");
    try {
        options.schedule =
            parseCurveLrSchedule(p.value(QStringLiteral("curve-schedule")).toStdString());
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--curve-schedule: ") + e.what());
    }

    Model model = Model::load(recipe.modelPath);
    const Curve start = curveOnLineBetween(model, spec, recipe.checkpoints[0],
                                           recipe.checkpoints[1], recipe.weightRoot);
    result->name = curveName(start);
    const QString base =
        QStringLiteral("curve_%1%2").arg(QLatin1String(curveKindName(spec.kind))).arg(spec.bends);
    result->pathFile = QDir(out).filePath(base + QStringLiteral(".h5")).toStdString();
    result->file = curveFileOfPath(result->pathFile);
    CurveTrainingJob training(model, start, train, result->file, options, recipe.modelPath);
    if (runJobInTerminal(training).state != JobState::Succeeded) return false;
    const CurveFile& trained = training.result();
    result->epochs = trained.epoch;
    result->epochLoss = trained.epochLoss;
    std::error_code ignored;
    const std::string planeFile =
        QDir(out).filePath(QStringLiteral("curve_plane.h5")).toStdString();
    if (training.epochsTrained() > 0) {  // the curve moved: earlier results are stale
        std::filesystem::remove(result->pathFile, ignored);
        std::filesystem::remove(planeFile, ignored);
        std::filesystem::remove(planeFile + ".directions.h5", ignored);
    }

    auto curve = std::make_shared<const Curve>(trained.curve);
    auto along = makeCurvePathJob(model, curve, recipe.points, recipe.modelPath, result->pathFile,
                                  train, test, recipe.options);
    if (runJobInTerminal(*along).state != JobState::Succeeded) return false;
    const PathSamples& s = along->samples();
    result->train = measureBarrier(s.t, s.row(SurfaceMetric::TrainLoss, 0),
                                   s.row(SurfaceMetric::TrainAccuracy, 0));
    if (test)
        result->test = measureBarrier(s.t, s.row(SurfaceMetric::TestLoss, 0),
                                      s.row(SurfaceMetric::TestAccuracy, 0));

    if (p.isSet(QStringLiteral("curve-plane"))) {
        const std::size_t n = p.value(QStringLiteral("curve-plane-points")).toULongLong();
        if (n < 2 || n > 1001)
            throw std::invalid_argument("--curve-plane-points must be 2 to 1001");
        const LandscapeRecipe plane = curvePlaneRecipe(*curve, model, recipe.modelPath, planeFile,
                                                       n, recipe.options, recipe.weightRoot);
        LandscapeJob job(plane, train, test);
        if (runJobInTerminal(job).state != JobState::Succeeded) return false;
        result->planeFile = planeFile;
    }
    return true;
}

// --repair: the same path with every point REPAIRed (Repair.h), into `file`.
struct RepairedPath {
    std::string file;
    PathSamples samples;
    std::vector<std::pair<Barrier, std::optional<Barrier>>> segments;  // train, test
};

bool runRepaired(LmcRecipe recipe, const std::string& file, const Dataset& train,
                 const std::optional<Dataset>& test, bool stale, RepairedPath* result) {
    recipe.options.repair = true;
    recipe.outPath = file;
    result->file = file;
    std::error_code ignored;
    if (stale) std::filesystem::remove(file, ignored);
    PathJob path(recipe, train, test);
    if (runJobInTerminal(path).state != JobState::Succeeded) return false;
    result->samples = path.samples();
    for (std::size_t k = 0; k + 1 < result->samples.knots.size(); ++k)
        result->segments.emplace_back(segmentBarrier(result->samples, SurfaceMetric::TrainLoss, k),
                                      test ? std::optional<Barrier>(segmentBarrier(
                                                 result->samples, SurfaceMetric::TestLoss, k))
                                           : std::nullopt);
    return true;
}

QJsonObject repairedJson(const RepairedPath& r) {
    QJsonArray segments;
    for (const auto& [train, test] : r.segments) {
        QJsonObject segment{{"train", barrierJson(train)}};
        if (test) segment["test"] = barrierJson(*test);
        segments.append(segment);
    }
    QJsonObject json{{"file", QString::fromStdString(r.file)}, {"segments", segments}};
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy})
        if (r.samples.has(m))
            json[QLatin1String(surfaceMetricName(m))] = numbers(r.samples.row(m, 0));
    return json;
}

void printRepaired(const char* what, const RepairedPath& r) {
    std::printf("%s, REPAIRed: %s\n", what, r.file.c_str());
    for (const auto& [train, test] : r.segments) {
        printBarrier("train", train);
        if (test) printBarrier("test", *test);
    }
}

// --align: B aligned to A (OUT/B_aligned.pt, a checkpoint computing B's
// function) and the straight path A → aligned B (OUT/path_aligned.h5, same
// points and options as the line). Returns false when a job stopped.
struct AlignedResult {
    AlignmentMethod method = AlignmentMethod::Weights;
    AlignmentResult alignment;
    std::string file, pathFile;
    PathSamples samples;
    std::size_t pointsComputed = 0;
    Barrier train;
    std::optional<Barrier> test;
    std::optional<RepairedPath> repaired;  // --repair: OUT/path_aligned_repaired.h5
};

bool runAligned(AlignmentMethod method, const LmcRecipe& recipe, const Dataset& train,
                const std::optional<Dataset>& test, const QString& out, bool repair,
                AlignedResult* result) {
    result->method = method;
    const QString file = QDir(out).filePath(QStringLiteral("B_aligned.pt"));
    result->file = file.toStdString();
    CheckpointAlignmentJob align(QString::fromStdString(recipe.modelPath),
                                 QString::fromStdString(recipe.checkpoints[0]),
                                 QString::fromStdString(recipe.checkpoints[1]), method, file, train,
                                 QString::fromStdString(recipe.weightRoot));
    if (runJobInTerminal(align).state != JobState::Succeeded) return false;
    result->alignment = align.result();
    LmcRecipe aligned = recipe;
    aligned.checkpoints[1] = result->file;
    aligned.outPath = QDir(out).filePath(QStringLiteral("path_aligned.h5")).toStdString();
    result->pathFile = aligned.outPath;
    std::error_code ignored;
    if (align.changedFile()) std::filesystem::remove(aligned.outPath, ignored);  // stale
    PathJob path(aligned, train, test);
    if (runJobInTerminal(path).state != JobState::Succeeded) return false;
    result->samples = path.samples();
    result->pointsComputed = path.pointsComputed();
    result->train = segmentBarrier(result->samples, SurfaceMetric::TrainLoss, 0);
    if (test) result->test = segmentBarrier(result->samples, SurfaceMetric::TestLoss, 0);
    if (repair) {
        result->repaired.emplace();
        return runRepaired(
            aligned, QDir(out).filePath(QStringLiteral("path_aligned_repaired.h5")).toStdString(),
            train, test, align.changedFile(), &*result->repaired);
    }
    return true;
}

QJsonObject alignedJson(const AlignedResult& a, const Barrier& trainBefore,
                        const std::optional<Barrier>& testBefore) {
    const AlignmentResult& r = a.alignment;
    QJsonObject before{{"train", barrierJson(trainBefore)}};
    if (testBefore) before["test"] = barrierJson(*testBefore);
    QJsonObject after{{"train", barrierJson(a.train)}};
    if (a.test) after["test"] = barrierJson(*a.test);
    QJsonObject json{{"method", QLatin1String(alignmentMethodName(a.method))},
                     {"file", QString::fromStdString(a.file)},
                     {"path_file", QString::fromStdString(a.pathFile)},
                     {"groups", alignmentGroupsJson(r)},
                     {"fixed", alignmentFixedJson(r)},
                     {"distance_before", number(r.distanceBefore)},
                     {"distance_after", number(r.distanceAfter)},
                     {"before", before},
                     {"after", after},
                     {"t", numbers(a.samples.t)}};
    if (r.passes > 0) json["passes"] = r.passes;
    if (a.repaired) json["repaired"] = repairedJson(*a.repaired);
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy})
        if (a.samples.has(m))
            json[QLatin1String(surfaceMetricName(m))] = numbers(a.samples.row(m, 0));
    return json;
}

void printAligned(const AlignedResult& a, const Barrier& trainBefore,
                  const std::optional<Barrier>& testBefore) {
    const AlignmentResult& r = a.alignment;
    std::printf("aligned B (%s matching): %s\n",
                a.method == AlignmentMethod::Weights ? "weight" : "activation", a.file.c_str());
    for (const GroupMatch& g : r.groups)
        std::printf("  %-30s %lld of %lld units moved\n", g.name.c_str(),
                    static_cast<long long>(g.moved), static_cast<long long>(g.size));
    std::printf("  ‖θ_A − θ_B‖ %.6g before, %.6g after\n", r.distanceBefore, r.distanceAfter);
    std::printf("%s  (%zu points computed now, %zu in all)\n", a.pathFile.c_str(), a.pointsComputed,
                a.samples.nt());
    std::printf("barrier (i), max_t [L(t) - chord]  %10s %10s\n", "before", "after");
    std::printf("  %-32s %10.4g %10.4g\n", "train loss", trainBefore.linear, a.train.linear);
    if (testBefore && a.test)
        std::printf("  %-32s %10.4g %10.4g\n", "test loss", testBefore->linear, a.test->linear);
    std::printf("A → aligned B\n");
    printBarrier("train", a.train);
    if (a.test) printBarrier("test", *a.test);
    if (a.repaired) printRepaired("A → aligned B", *a.repaired);
}

int runLmc(const QCommandLineParser& p) {
    const QStringList checkpoints = p.positionalArguments();
    if (checkpoints.size() < 2) {
        std::fprintf(stderr, "basin lmc: give two or more checkpoints (see --help)\n");
        return 2;
    }
    for (const char* required : {"model", "data"}) {
        if (!p.isSet(QString::fromLatin1(required))) {
            std::fprintf(stderr, "basin lmc: --%s is required (see --help)\n", required);
            return 2;
        }
    }
    const QString out = p.value(QStringLiteral("out"));
    if (!QDir().mkpath(out))
        throw std::runtime_error("cannot create folder '" + out.toStdString() + "'");
    LmcRecipe recipe;
    recipe.modelPath = p.value(QStringLiteral("model")).toStdString();
    for (const QString& c : checkpoints)
        recipe.checkpoints.push_back(c.toStdString());
    recipe.weightRoot = p.value(QStringLiteral("root")).toStdString();
    bool ok = false;
    recipe.points = p.value(QStringLiteral("points")).toULongLong(&ok);
    if (!ok || recipe.points < 2 || recipe.points > 100000) {
        std::fprintf(stderr, "basin lmc: --points must be a number from 2 to 100000\n");
        return 2;
    }
    recipe.options.reestimateBatchNorm = p.isSet(QStringLiteral("bn-reset"));
    recipe.options.eval.batchSize = p.value(QStringLiteral("batch")).toLongLong();
    recipe.outPath = QDir(out).filePath(QStringLiteral("path.h5")).toStdString();
    const bool layerwise = p.isSet(QStringLiteral("layerwise"));
    const bool repair = p.isSet(QStringLiteral("repair"));
    if (repair) {
        recipe.options.repairOptions.samples =
            p.value(QStringLiteral("repair-samples")).toLongLong(&ok);
        if (!ok || recipe.options.repairOptions.samples < 1) {
            std::fprintf(stderr, "basin lmc: --repair-samples must be a positive number\n");
            return 2;
        }
    }
    const bool secondOrder = p.isSet(QStringLiteral("second-order"));
    if ((layerwise || secondOrder) && checkpoints.size() != 2) {
        std::fprintf(stderr, "basin lmc: --layerwise and --second-order compare two checkpoints\n");
        return 2;
    }
    if (p.isSet(QStringLiteral("curve")) && checkpoints.size() != 2) {
        std::fprintf(stderr, "basin lmc: --curve connects two checkpoints\n");
        return 2;
    }
    std::optional<AlignmentMethod> alignment;
    if (p.isSet(QStringLiteral("align"))) {
        alignment = alignmentMethodFromName(p.value(QStringLiteral("align")));
        if (!alignment) {
            std::fprintf(stderr, "basin lmc: --align is weights or activations, not '%s'\n",
                         qPrintable(p.value(QStringLiteral("align"))));
            return 2;
        }
        if (checkpoints.size() != 2) {
            std::fprintf(stderr,
                         "basin lmc: --align aligns B to A: give exactly two checkpoints\n");
            return 2;
        }
    }

    const Dataset train = loadDatasetFile(p.value(QStringLiteral("data")).toStdString());
    std::optional<Dataset> test;
    if (p.isSet(QStringLiteral("test-data")))
        test = loadDatasetFile(p.value(QStringLiteral("test-data")).toStdString());
    auto stopped = [](const JobStatus& status) {
        if (status.state == JobState::Cancelled)
            std::fprintf(stderr, "basin lmc: stopped; run the same command again to resume\n");
        return status.state != JobState::Succeeded;
    };

    PathJob pathJob(recipe, train, test);
    if (stopped(runJobInTerminal(pathJob))) return 1;
    const PathSamples& s = pathJob.samples();

    QJsonObject summary{
        {"model", QString::fromStdString(recipe.modelPath)},
        {"data", p.value(QStringLiteral("data"))},
        {"test_data", test ? QJsonValue(p.value(QStringLiteral("test-data"))) : QJsonValue()},
        {"bn_reestimated", recipe.options.reestimateBatchNorm},
        {"file", QString::fromStdString(recipe.outPath)},
        {"t", numbers(s.t)},
        {"knots", numbers(s.knots)}};
    QJsonArray files;
    for (const QString& c : checkpoints)
        files.append(c);
    summary["checkpoints"] = files;
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy})
        if (s.has(m)) summary[QLatin1String(surfaceMetricName(m))] = numbers(s.row(m, 0));
    QJsonArray segments;
    std::vector<std::pair<Barrier, std::optional<Barrier>>> measured;
    for (std::size_t k = 0; k + 1 < s.knots.size(); ++k) {
        measured.emplace_back(segmentBarrier(s, SurfaceMetric::TrainLoss, k), std::nullopt);
        QJsonObject segment{{"from", checkpoints[int(k)]},
                            {"to", checkpoints[int(k + 1)]},
                            {"t0", s.knots[k]},
                            {"t1", s.knots[k + 1]},
                            {"train", barrierJson(measured.back().first)}};
        if (test) {
            measured.back().second = segmentBarrier(s, SurfaceMetric::TestLoss, k);
            segment["test"] = barrierJson(*measured.back().second);
        }
        segments.append(segment);
    }
    summary["segments"] = segments;

    std::optional<RepairedPath> repaired;
    if (repair) {
        repaired.emplace();
        const std::string file =
            QDir(out).filePath(QStringLiteral("path_repaired.h5")).toStdString();
        if (!runRepaired(recipe, file, train, test, false, &*repaired)) {
            std::fprintf(stderr, "basin lmc: stopped; run the same command again to resume\n");
            return 1;
        }
        summary["repaired"] = repairedJson(*repaired);
    }

    std::vector<LayerBarrier> layers;
    if (layerwise) {
        LmcRecipe lw = recipe;
        lw.layerwise = true;
        lw.outPath = QDir(out).filePath(QStringLiteral("layerwise.h5")).toStdString();
        PathJob job(lw, train, test);
        if (stopped(runJobInTerminal(job))) return 1;
        layers = layerBarriers(job.samples());
        QJsonArray rows;
        for (const LayerBarrier& b : layers) {
            QJsonObject row{{"layer", QString::fromStdString(b.layer)},
                            {"variant", QLatin1String(layerwiseVariantName(b.variant))},
                            {"train", barrierJson(b.train)}};
            if (b.test) row["test"] = barrierJson(*b.test);
            rows.append(row);
        }
        summary["layerwise"] =
            QJsonObject{{"file", QString::fromStdString(lw.outPath)}, {"barriers", rows}};
    }

    std::optional<SecondOrderPrediction> prediction;
    if (secondOrder) {
        const auto loss = s.row(SurfaceMetric::TrainLoss, 0);
        SecondOrderOptions o;
        o.hessian.batchSize = recipe.options.eval.batchSize;
        SecondOrderBarrierJob job(recipe.modelPath, recipe.checkpoints[0], recipe.checkpoints[1],
                                  recipe.weightRoot, train, s.t, loss.front(), loss.back(), o);
        if (stopped(runJobInTerminal(job))) return 1;
        prediction = job.result();
        summary["second_order"] =
            QJsonObject{{"curvature_at_a", number(prediction->curvatureA)},
                        {"curvature_at_midpoint", number(prediction->curvatureMidpoint)},
                        {"curvature_at_b", number(prediction->curvatureB)},
                        {"curvature_used", QLatin1String(curvaturePointName(prediction->used))},
                        {"predicted_train_loss", numbers(prediction->loss)},
                        {"barrier", barrierJson(prediction->barrier)}};
    }

    std::optional<CurveResult> curve;
    if (p.isSet(QStringLiteral("curve"))) {
        curve.emplace();
        if (!runCurve(p, recipe, train, test, out, &*curve)) {
            std::fprintf(stderr, "basin lmc: stopped; run the same command again to resume\n");
            return 1;
        }
        QJsonObject c{{"curve", QString::fromStdString(curve->name)},
                      {"file", QString::fromStdString(curve->file)},
                      {"path_file", QString::fromStdString(curve->pathFile)},
                      {"epochs", curve->epochs},
                      {"epoch_loss", numbers(curve->epochLoss)},
                      {"train", barrierJson(curve->train)}};
        if (curve->test) c["test"] = barrierJson(*curve->test);
        if (!curve->planeFile.empty()) c["plane"] = QString::fromStdString(curve->planeFile);
        summary["curve"] = c;
    }

    std::optional<AlignedResult> aligned;
    if (alignment) {
        aligned.emplace();
        if (!runAligned(*alignment, recipe, train, test, out, repair, &*aligned)) {
            std::fprintf(stderr, "basin lmc: stopped; run the same command again to resume\n");
            return 1;
        }
        summary["aligned"] = alignedJson(*aligned, measured[0].first, measured[0].second);
    }

    QString error;
    const QString summaryPath = QDir(out).filePath(QStringLiteral("summary.json"));
    if (!widgets::writeFileAtomically(summaryPath, QJsonDocument(summary).toJson(), &error))
        throw std::runtime_error(error.toStdString());
    if (p.isSet(QStringLiteral("figure"))) {
        const QStringList size = p.value(QStringLiteral("figure-size")).split(QLatin1Char('x'));
        const QSize pixels(size.value(0).toInt(), size.value(1).toInt());
        if (size.size() != 2 || pixels.width() < 50 || pixels.height() < 50) {
            std::fprintf(stderr, "basin lmc: --figure-size must look like 800x600\n");
            return 2;
        }
        std::vector<widgets::PathCurve> paths{{QStringLiteral("linear"), s, 0, {}, {}}};
        if (prediction) {
            paths[0].predictionT = prediction->t;
            paths[0].prediction = prediction->loss;
        }
        if (repaired) paths.push_back({QStringLiteral("REPAIRed"), repaired->samples, 0, {}, {}});
        if (aligned) paths.push_back({QStringLiteral("aligned"), aligned->samples, 0, {}, {}});
        if (aligned && aligned->repaired)
            paths.push_back(
                {QStringLiteral("aligned, REPAIRed"), aligned->repaired->samples, 0, {}, {}});
        if (curve)
            paths.push_back({QStringLiteral("curve ") + QString::fromStdString(curve->name),
                             readPathSamples(curve->pathFile),
                             0,
                             {},
                             {}});
        writeFigure(std::move(paths), p.value(QStringLiteral("figure")), pixels);
    }

    if (p.isSet(QStringLiteral("json"))) {
        std::printf("%s", QJsonDocument(summary).toJson().constData());
        return 0;
    }
    std::printf("%s  (%zu points computed now, %zu in all)\n", recipe.outPath.c_str(),
                pathJob.pointsComputed(), s.nt());
    const std::vector<QString> names = widgets::checkpointShortNames(recipe.checkpoints);
    for (std::size_t k = 0; k < measured.size(); ++k) {
        std::printf("%s → %s\n", qPrintable(names[k]), qPrintable(names[k + 1]));
        printBarrier("train", measured[k].first);
        if (measured[k].second) printBarrier("test", *measured[k].second);
    }
    if (repaired) printRepaired("A → B", *repaired);
    if (!layers.empty()) {
        std::printf("layer-wise barriers (train loss, definition (i)):\n  %-24s %10s %10s %10s\n",
                    "layer", "at A", "at B", "first k");
        const std::size_t n = layers.size() / 3;
        for (std::size_t l = 0; l < n; ++l)
            std::printf("  %-24s %10.4g %10.4g %10.4g\n", layers[l].layer.c_str(),
                        layers[l].train.linear, layers[n + l].train.linear,
                        layers[2 * n + l].train.linear);
    }
    if (prediction)
        std::printf(
            "second order: dᵀHd = %.4g at A, %.4g at the midpoint, %.4g at B; predicted "
            "barrier %.4g (measured %.4g)\n",
            prediction->curvatureA, prediction->curvatureMidpoint, prediction->curvatureB,
            prediction->barrier.linear, measured[0].first.linear);
    if (curve) {
        std::printf("curve %s (%s, %d epochs, training loss %.4g; along it %s)\n",
                    curve->name.c_str(), curve->file.c_str(), curve->epochs,
                    curve->epochLoss.empty() ? std::nan("") : curve->epochLoss.back(),
                    curve->pathFile.c_str());
        printBarrier("train", curve->train);
        if (curve->test) printBarrier("test", *curve->test);
        if (!curve->planeFile.empty())
            std::printf("plane through A, B and the middle bend: %s\n", curve->planeFile.c_str());
    }
    if (aligned) printAligned(*aligned, measured[0].first, measured[0].second);
    std::printf("%s\n", qPrintable(summaryPath));
    if (p.isSet(QStringLiteral("figure")))
        std::printf("%s\n", qPrintable(p.value(QStringLiteral("figure"))));
    return 0;
}

}  // namespace

Subcommand lmcSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("lmc");
    s.summary = QStringLiteral(
        "Linear mode connectivity: loss along the path between checkpoints, "
        "barriers");
    s.kind = Subcommand::Kind::Raster;
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Evaluates loss and accuracy along the straight line theta(t) = (1-t) A + t B between "
            "two checkpoints (or a chain A -> B -> C ..., t over the whole chain) at --points "
            "points, coarse to fine, into OUT/path.h5 (a 1-D surface over t in the "
            "loss-landscape tool's HDF5 layout, -1 = not computed; an interrupted run resumes). "
            "Prints every barrier definition per segment: (i) max_t [L(t) - ((1-t) L_A + t "
            "L_B)], (ii) max_t L(t) - (L_A + L_B)/2, (iii) L(1/2) - (L_A + L_B)/2, (iv) the "
            "largest accuracy drop below the chord, the area between the curve and the chord, "
            "and where the maxima are; OUT/summary.json has them all. --bn-reset re-estimates "
            "BatchNorm statistics at every point (without it BatchNorm networks show false "
            "barriers). --layerwise interpolates one layer at a time (the others at A, or at "
            "B) and the first k layers together (OUT/layerwise.h5). --second-order predicts the "
            "path from the curvature along it, L_A(1-t) + L_B t - t(1-t)/2 d'Hd, with "
            "Hessian-vector products at A, the midpoint and B. --figure draws loss and accuracy "
            "against t (PNG, SVG or PDF) with its CSV beside it. --curve bezier:K (or polychain:K) "
            "trains K bends between A and B from the straight line, one t ~ U(0, 1) per batch "
            "(OUT/curve_bezierK.pt, resumed when it exists), evaluates the curve at the same "
            "points (OUT/curve_bezierK.h5, a path file beside the line's) and prints its "
            "barriers; --curve-plane computes the plane through A, B and the middle bend as a "
            "landscape. --align weights (or activations) permutes B's hidden units to match A "
            "(as basin align; OUT/B_aligned.pt computes B's function), computes the path A -> "
            "aligned B with the same options (OUT/path_aligned.h5) and prints the barrier "
            "before and after; the figure draws both paths. --repair also evaluates the path "
            "with REPAIR (Jordan et al. 2023): at every point each hidden unit's mean and "
            "standard deviation on --repair-samples training samples are reset to the ones "
            "interpolated from the checkpoints, folded into the layer's weight and bias "
            "(OUT/path_repaired.h5, with --align also OUT/path_aligned_repaired.h5)."));
        addOption(p, "model", "TorchScript model.", "MODEL");
        addOption(p, "data", "Training data (.npz/.npy/.pt).", "DATA");
        addOption(p, "test-data", "Test data, for test_loss/test_acc.", "DATA");
        addOption(p, "root", "Which dict in the checkpoints holds the weights.", "KEY");
        addOption(p, "points",
                  "Points along the path, ends included (raised so that every "
                  "checkpoint is one).",
                  "N", "25");
        addOption(p, "bn-reset", "Re-estimate BatchNorm statistics at every point.");
        addOption(p, "layerwise", "Also layer-wise LMC (two checkpoints).");
        addOption(p, "second-order", "Also the second-order prediction (two checkpoints).");
        addOption(p, "batch", "Samples per batch.", "N", "1000");
        addOption(p, "curve",
                  "Also train a curve between the two checkpoints (Garipov et al. 2018) and "
                  "evaluate it along t: bezier:K or polychain:K with K bends.",
                  "KIND:K");
        addOption(p, "curve-epochs", "Epochs of curve training.", "N", "20");
        addOption(p, "curve-lr", "Learning rate of curve training.", "LR", "0.01");
        addOption(p, "curve-batch", "Batch size of curve training (one t per batch).", "N", "64");
        addOption(p, "curve-wd", "Weight decay on the curve's points.", "WD", "0");
        addOption(p, "curve-optimizer", "adam or sgd (momentum 0.9).", "NAME", "adam");
        addOption(p, "curve-schedule",
                  "constant, or garipov: the learning rate for half the epochs, then falling "
                  "linearly to 1% of it at 90% of them (Garipov et al.'s schedule).",
                  "NAME", "constant");
        addOption(p, "curve-plane",
                  "Also the loss on the plane through A, B and the curve's middle bend "
                  "(OUT/curve_plane.h5, the curve projected on it).");
        addOption(p, "curve-plane-points", "Grid points per axis of the plane.", "N", "21");
        addOption(p, "align",
                  "Also align B to A first (weights: weight matching, activations: activation "
                  "matching on --data), write OUT/B_aligned.pt and the path A -> aligned B "
                  "(OUT/path_aligned.h5); two checkpoints.",
                  "METHOD");
        addOption(p, "repair",
                  "Also the path with every point REPAIRed (OUT/path_repaired.h5; with --align "
                  "also OUT/path_aligned_repaired.h5).");
        addOption(p, "repair-samples", "Training samples REPAIR measures statistics on.", "N",
                  "1000");
        addOption(p, "out", "Folder for path.h5, layerwise.h5, the curve files and summary.json.",
                  "DIR", "lmc");
        addOption(p, "json", "Print the summary as JSON instead of a table.");
        addOption(p, "figure", "Also draw loss and accuracy against t into this PNG, SVG or PDF.",
                  "FILE");
        addOption(p, "figure-size", "Figure size in pixels.", "WxH", "800x600");
        p.addPositionalArgument(QStringLiteral("checkpoints"),
                                QStringLiteral("Two or more checkpoints, in path order."),
                                QStringLiteral("A B [C...]"));
    };
    s.run = &runLmc;
    return s;
}

}  // namespace basin::app
