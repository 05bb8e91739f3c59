#include "connectivity/PathJob.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "connectivity/InterpolationPath.h"
#include "connectivity/LayerwiseLmc.h"
#include "jobs/ResumableWrites.h"
#include "jobs/SubtaskContext.h"
#include "landscape/LandscapeJob.h"
#include "model/ModelStateGuard.h"

namespace basin {
PathJob::PathJob(LmcRecipe recipe, Dataset train, std::optional<Dataset> test)
    : recipe_(std::move(recipe)),
      path_(recipe_->outPath),
      train_(std::move(train)),
      test_(std::move(test)),
      options_(recipe_->options) {}

PathJob::PathJob(Model model, PathSamples samples, WeightsAt weightsAt, std::string path,
                 Dataset train, std::optional<Dataset> test, PathOptions options)
    : model_(std::move(model)),
      samples_(std::move(samples)),
      weightsAt_(std::move(weightsAt)),
      path_(std::move(path)),
      train_(std::move(train)),
      test_(std::move(test)),
      options_(options) {}

std::string PathJob::title() const {
    return (recipe_ && recipe_->layerwise ? "Layer-wise LMC " : "LMC path ") +
           std::filesystem::path(path_).filename().string();
}

void PathJob::prepareFromRecipe(JobContext& context) {
    const LmcRecipe& r = *recipe_;
    if (r.outPath.empty()) throw std::invalid_argument("the path needs a file to write");
    if (r.checkpoints.size() < 2)
        throw std::invalid_argument("a path needs at least two checkpoints");
    if (r.layerwise && r.checkpoints.size() != 2)
        throw std::invalid_argument("layer-wise LMC compares two checkpoints, not " +
                                    std::to_string(r.checkpoints.size()));
    context.report(0.0, "loading " + r.modelPath);
    Model model = Model::load(r.modelPath);
    context.report(0.0, "loading the checkpoints");
    auto path = std::make_shared<InterpolationPath>(
        InterpolationPath::load(model, r.checkpoints, r.weightRoot));
    PathSamples s;
    s.t = InterpolationPath::uniformT(path->pointsWithCheckpoints(r.points));
    s.model = r.modelPath;
    s.checkpoints = r.checkpoints;
    s.knots = path->knots();
    if (r.layerwise) {
        auto lmc = std::make_shared<LayerwiseLmc>(path->checkpoint(0), path->checkpoint(1));
        s.kind = "layer-wise";
        s.rows = lmc->rowNames();
        weightsAt_ = [lmc](std::size_t row, double t, WeightVector& out) {
            lmc->weightsAt(row, t, out);
        };
    } else {
        weightsAt_ = [path](std::size_t, double t, WeightVector& out) { path->weightsAt(t, out); };
    }
    samples_ = std::move(s);
    model_ = std::move(model);
}

PathJob::WeightsAt PathJob::repairedPath(const Model& model, const WeightVector& layout,
                                         JobContext& context) const {
    if (samples_.rows.size() != 1)
        throw std::invalid_argument("REPAIR corrects a path of one row, not " +
                                    std::to_string(samples_.rows.size()) +
                                    " rows (layer-wise LMC)");
    std::vector<double> knots = samples_.knots;
    if (knots.size() < 2) knots = {samples_.t.front(), samples_.t.back()};
    // The checkpoints' statistics, once per path.
    auto scratch = std::make_shared<Model>(model.clone());
    auto stats = std::make_shared<std::vector<UnitStatistics>>();
    WeightVector w = WeightVector::zerosLike(layout);
    for (std::size_t j = 0; j < knots.size(); ++j) {
        context.throwIfCancelled();
        context.report(0.0, "REPAIR: statistics of checkpoint " + std::to_string(j + 1) + " of " +
                                std::to_string(knots.size()));
        weightsAt_(0, knots[j], w);
        w.applyTo(*scratch);
        stats->push_back(unitStatistics(*scratch, train_, options_.repairOptions));
    }
    return [base = weightsAt_, knots, stats, scratch, train = train_,
            options = options_.repairOptions](std::size_t row, double t, WeightVector& out) {
        base(row, t, out);
        std::size_t j = 0;
        while (j + 2 < knots.size() && t > knots[j + 1])
            ++j;
        const double span = knots[j + 1] - knots[j];
        const double local = span > 0 ? (t - knots[j]) / span : 0.0;
        out.applyTo(*scratch);
        const UnitStatistics target =
            interpolateStatistics((*stats)[j], (*stats)[j + 1], std::clamp(local, 0.0, 1.0));
        out = WeightVector::fromStateDict(repairedWeights(*scratch, target, train, options), out);
    };
}

void PathJob::run(JobContext& context) {
    pointsComputed_ = 0;
    if (recipe_) prepareFromRecipe(context);
    if (!model_ || !weightsAt_) throw std::logic_error("PathJob without a model or a path");
    Model& model = *model_;
    samples_.dataset = train_.name;
    samples_.testDataset = test_ ? test_->name : std::string();
    samples_.batchNormReestimated = options_.reestimateBatchNorm;
    samples_.repaired = options_.repair;
    if (std::filesystem::exists(path_)) {
        PathSamples existing = readPathSamples(path_);
        if (!sameCoordinates(existing.t, samples_.t) || existing.rows != samples_.rows)
            throw std::runtime_error(
                "path file '" + path_ + "' has " + std::to_string(existing.nt()) + " points and " +
                std::to_string(existing.rows.size()) + " rows but this run asks for " +
                std::to_string(samples_.nt()) + " points and " +
                std::to_string(samples_.rows.size()) + "; choose another file or the same points");
        if (existing.batchNormReestimated != samples_.batchNormReestimated)
            throw std::runtime_error("path file '" + path_ + "' was computed " +
                                     (existing.batchNormReestimated ? "with" : "without") +
                                     " BatchNorm re-estimation; choose another file");
        if (existing.repaired != samples_.repaired)
            throw std::runtime_error("path file '" + path_ + "' was computed " +
                                     (existing.repaired ? "with" : "without") +
                                     " REPAIR; choose another file");
        samples_.values = std::move(existing.values);
    }
    std::vector<SurfaceMetric> losses = {SurfaceMetric::TrainLoss};
    if (test_) losses.push_back(SurfaceMetric::TestLoss);
    for (SurfaceMetric m : losses) {
        samples_.metric(m);
        samples_.metric(SurfaceMetric(int(m) + 1));
    }
    // (row, t index) pairs to compute: t coarse to fine, all rows at each t.
    std::vector<std::pair<std::size_t, std::size_t>> todo;
    for (std::size_t i : coarseToFineOrder(samples_.nt(), 1))
        for (std::size_t r = 0; r < samples_.rows.size(); ++r)
            for (SurfaceMetric m : losses)
                if (!samples_.computed(m, r, i)) {
                    todo.emplace_back(r, i);
                    break;
                }
    if (todo.empty()) {
        writePathSamples(samples_, path_);
        context.report(1.0, "all points were computed before");
        return;
    }

    WeightVector theta = WeightVector::fromModel(model, true);
    const ModelStateGuard restore(model);
    WeightsAt weightsAt = weightsAt_;
    if (options_.repair) weightsAt = repairedPath(model, theta, context);

    // A straight path of one row is the 1-D plane θ(0) + t·d, d = θ(1) − θ(0).
    Directions line;
    bool straight = samples_.rows.size() == 1 && !options_.repair;
    if (straight) {
        WeightVector end = WeightVector::zerosLike(theta);
        weightsAt(0, 0.0, theta);
        weightsAt(0, 1.0, end);
        line.x.vector = end;
        line.x.vector -= theta;
        line.includeBuffers = true;
        for (double t : {1.0 / 3.0, 0.5, 0.8}) {
            weightsAt(0, t, end);
            WeightVector off = theta;
            off.axpy(t, line.x.vector);
            off -= end;
            straight = straight && off.norm() <= 1e-6 * std::max(1.0, end.norm());
        }
        theta.applyTo(model);  // the first layer's outputs are cached at θ(0)
    }
    PlaneSpeedOptions speed = options_.speed;
    if (!straight) speed.factorFirstLayer = false;
    std::vector<const Dataset*> datasets{&train_};
    if (test_) datasets.push_back(&*test_);
    SubtaskContext preparing(context, 0.0, 0.0, "first layer: ");
    PlaneEvaluator evaluator(model, line, datasets, options_.eval, speed,
                             options_.reestimateBatchNorm, &preparing);
    evaluationPath_ = evaluator.path();
    if (!straight && options_.speed.factorFirstLayer)
        evaluationPath_ += " (the path is not one straight line)";

    ResumableWrites writes([&] { writePathSamples(samples_, path_); },
                           options_.writeIntervalSeconds);
    const std::size_t n = todo.size();
    const bool manyRows = samples_.rows.size() > 1;
    writes.run([&] {
        for (std::size_t k = 0; k < n; ++k) {
            context.throwIfCancelled();
            const auto [r, i] = todo[k];
            const double t = samples_.t[i];
            const std::string label = "point " + std::to_string(k + 1) + " of " +
                                      std::to_string(n) + " (t = " + std::to_string(t) +
                                      (manyRows ? ", " + samples_.rows[r] : std::string()) + ")";
            weightsAt(r, t, theta);
            theta.applyTo(model);
            const int parts = 1 + (test_ ? 1 : 0) + (options_.reestimateBatchNorm ? 1 : 0);
            int part = 0;
            auto slice = [&](const std::string& what) {
                const double w = 1.0 / double(n) / parts;
                const double begin = double(k) / double(n) + w * part;
                ++part;
                return SubtaskContext(context, begin, begin + w, label + " " + what + ": ");
            };
            if (options_.reestimateBatchNorm) {
                SubtaskContext s = slice("BatchNorm statistics");
                reestimateBatchNorm(model, train_, options_.batchNormBatchSize, &s);
            }
            const std::size_t at = r * samples_.nt() + i;
            evaluator.moved();
            {
                SubtaskContext s = slice("train");
                const EvalResult e = evaluator.evaluate(0, t, 0.0, &s);
                samples_.metric(SurfaceMetric::TrainLoss)[at] = e.loss;
                samples_.metric(SurfaceMetric::TrainAccuracy)[at] = 100.0 * e.accuracy;
            }
            if (test_) {
                SubtaskContext s = slice("test");
                const EvalResult e = evaluator.evaluate(1, t, 0.0, &s);
                samples_.metric(SurfaceMetric::TestLoss)[at] = e.loss;
                samples_.metric(SurfaceMetric::TestAccuracy)[at] = 100.0 * e.accuracy;
            }
            ++pointsComputed_;
            evaluationPath_ = evaluator.path();  // decided at the first point
            if (observer_) observer_(r, i, samples_);
            context.report(double(k + 1) / double(n), label + " done");
            writes.pointDone(k + 1 < n &&
                             refinementLevel(todo[k + 1].second, 1) != refinementLevel(i, 1));
        }
    });
    context.report(1.0, "computed " + std::to_string(n) + " points");
}

}  // namespace basin
