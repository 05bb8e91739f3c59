#include "landscape/LandscapeJob.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "io/Checkpoint.h"
#include "jobs/ResumableWrites.h"
#include "jobs/SubtaskContext.h"
#include "landscape/DirectionsFile.h"
#include "landscape/DistributedGrid.h"
#include "model/CheckpointWeights.h"
#include "model/ModelStateGuard.h"
#include "model/WeightVector.h"

namespace basin {
namespace {

std::string describeAxis(const std::vector<double>& v) {
    if (v.empty()) return "none";
    return std::to_string(v.size()) + " points from " + std::to_string(v.front()) + " to " +
           std::to_string(v.back());
}

}  // namespace

bool sameCoordinates(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::abs(a[i] - b[i]) > 1e-9 * std::max(1.0, std::abs(a[i]))) return false;
    return true;
}

std::size_t refinementLevel(std::size_t k, std::size_t ny) {
    const std::size_t ix = k / ny, iy = k % ny;
    for (std::size_t stride : {8u, 4u, 2u})
        if (ix % stride == 0 && (ny == 1 || iy % stride == 0)) return stride;
    return 1;
}

std::vector<std::size_t> coarseToFineOrder(std::size_t nx, std::size_t ny) {
    std::vector<std::size_t> order;
    order.reserve(nx * ny);
    std::vector<bool> seen(nx * ny, false);
    for (std::size_t stride : {8u, 4u, 2u, 1u})
        for (std::size_t ix = 0; ix < nx; ix += stride)
            for (std::size_t iy = 0; iy < ny; iy += (ny == 1 ? 1 : stride)) {
                const std::size_t k = ix * ny + iy;
                if (!seen[k]) {
                    seen[k] = true;
                    order.push_back(k);
                }
            }
    return order;
}

LandscapeJob::LandscapeJob(LandscapeRecipe recipe, Dataset train, std::optional<Dataset> test)
    : recipe_(std::move(recipe)),
      surfacePath_(recipe_->surfacePath),
      train_(std::move(train)),
      test_(std::move(test)),
      options_(recipe_->options) {}

LandscapeJob::LandscapeJob(Model model, Directions directions, Surface surface,
                           std::string surfacePath, Dataset train, std::optional<Dataset> test,
                           LandscapeOptions options)
    : model_(std::move(model)),
      directions_(std::move(directions)),
      surface_(std::move(surface)),
      surfacePath_(std::move(surfacePath)),
      train_(std::move(train)),
      test_(std::move(test)),
      options_(options) {}

std::string LandscapeJob::title() const {
    return "Landscape " + std::filesystem::path(surfacePath_).filename().string();
}

void LandscapeJob::prepareFromRecipe(JobContext& context) {
    const LandscapeRecipe& r = *recipe_;
    if (r.surfacePath.empty()) throw std::invalid_argument("the landscape needs a surface file");
    context.report(0.0, "loading " + r.modelPath);
    Model model = Model::load(r.modelPath);
    const bool pca = r.directions == DirectionKind::TrajectoryPca;
    const std::string centre = pca && !r.checkpoints.empty() ? r.checkpoints.back() : r.checkpoint;
    if (!centre.empty()) applyCheckpoint(model, centre, r.weightRoot);

    const std::string directionsPath =
        r.directionsFile.empty() ? r.surfacePath + ".directions.h5" : r.directionsFile;
    const bool haveFile = std::filesystem::exists(directionsPath);
    const bool buffers = haveFile ? directionsIncludeBuffers(directionsPath) : r.includeBuffers;
    const WeightVector theta = WeightVector::fromModel(model, buffers);
    auto weightsOf = [&](const std::string& path) {
        context.throwIfCancelled();
        return WeightVector::fromStateDict(checkpointWeights(path, r.weightRoot), theta);
    };
    if (haveFile) {
        directions_ = loadDirections(directionsPath, theta);
    } else {
        context.report(0.0, "making directions");
        switch (r.directions) {
            case DirectionKind::Random:
                directions_ = randomDirections(theta, r.random);
                break;
            case DirectionKind::CheckpointLine:
                if (r.checkpoints.size() != 1)
                    throw std::invalid_argument("a checkpoint line needs one more checkpoint (B)");
                directions_ =
                    checkpointLine(theta, weightsOf(r.checkpoints[0]), centre, r.checkpoints[0]);
                break;
            case DirectionKind::CheckpointPlane:
                if (r.checkpoints.size() != 2)
                    throw std::invalid_argument(
                        "a checkpoint plane needs two more checkpoints besides the centre");
                directions_ =
                    checkpointPlane(theta, weightsOf(r.checkpoints[0]), weightsOf(r.checkpoints[1]),
                                    {centre, r.checkpoints[0], r.checkpoints[1]});
                break;
            case DirectionKind::TrajectoryPca: {
                std::vector<WeightVector> trajectory;
                for (const auto& path : r.checkpoints)
                    trajectory.push_back(weightsOf(path));
                directions_ = trajectoryPca(trajectory, r.checkpoints, r.pca);
                break;
            }
            case DirectionKind::HessianEigenvectors: {
                HessianDirectionOptions o = r.hessian;
                o.twoDimensional = r.y.has_value();
                SubtaskContext hessian(context, 0.0, 0.0, "directions: ");
                directions_ = hessianDirections(model, train_, theta, o, &hessian);
                directions_.centre = centre;
                break;
            }
            case DirectionKind::Loaded:
                throw std::invalid_argument("directions file '" + directionsPath +
                                            "' does not exist");
        }
        directions_.includeBuffers = buffers;
        saveDirections(directions_, directionsPath);
    }
    if (r.y.has_value() != directions_.twoDimensional())
        throw std::invalid_argument(std::string("the grid is ") + (r.y ? "2-D" : "1-D") +
                                    " but the directions in '" + directionsPath + "' are " +
                                    (directions_.twoDimensional() ? "2-D" : "1-D"));

    // Fit ranges cover the checkpoints the directions place on the slice
    // (the same on a rerun: the directions are loaded from their file).
    GridRange x = r.x;
    std::optional<GridRange> y = r.y;
    if (x.fit || (y && y->fit)) {
        if (directions_.points.empty())
            throw std::invalid_argument(
                "a fit range (" + (x.fit ? x : *y).toString() +
                ") covers the checkpoints on the slice, but " +
                directionKindName(directions_.kind) +
                " directions place none: give min:max:num, or use line, plane or pca directions");
        std::vector<double> as, bs;
        for (const ProjectedPoint& p : directions_.points) {
            as.push_back(p.a);
            bs.push_back(p.b);
        }
        x = fitted(x, as);
        if (y) y = fitted(*y, bs);
    }
    surface_ = Surface(x.coordinates(), y ? y->coordinates() : std::vector<double>{});
    SurfaceMetadata& md = surface_.metadata;
    md.model = r.modelPath;
    md.checkpoint = centre;
    md.directionsFile = directionsPath;
    md.directionKind = directionKindName(directions_.kind);
    md.normalization = normalizationName(directions_.normalization);
    md.seed = directions_.seed;
    md.ignoreOneDimensional = !directions_.keepOneDimensional;
    md.includeBuffers = directions_.includeBuffers;
    model_ = std::move(model);
}

void LandscapeJob::run(JobContext& context) {
    pointsComputed_ = 0;
    if (grid_ && !recipe_) throw std::logic_error("a distributed LandscapeJob needs a recipe");
    if (grid_ && grid_->coordinator()) {
        // The workers wait for the directions file; tell them either way.
        try {
            prepareFromRecipe(context);
            directions_.validate();
        } catch (...) {
            grid_->shareReady(false);
            throw;
        }
        grid_->shareReady(true);
    } else if (grid_) {
        if (!grid_->shareReady(false))
            throw std::runtime_error("rank 0 stopped before the directions were ready");
        try {
            prepareFromRecipe(context);  // loads the directions rank 0 saved
            directions_.validate();
        } catch (const std::exception& e) {
            grid_->reportWorkerFailure(e.what());
            throw;
        }
    } else {
        if (recipe_) prepareFromRecipe(context);
        if (!model_) throw std::logic_error("LandscapeJob without a model");
        directions_.validate();
    }
    computeGrid(context);
}

void LandscapeJob::computeGrid(JobContext& context) {
    Model& model = *model_;
    // A worker of an MPI run computes what rank 0 hands it and keeps no file.
    const bool worker = grid_ && !grid_->coordinator();
    // Rank 0 failing before it hands out points still lets the workers go.
    auto releaseWorkers = [&] {
        if (!grid_) return;
        try {
            grid_->coordinate(
                {}, {}, [](std::size_t, const DistributedGrid::PointValues&, int) {}, context);
        } catch (...) {
        }
    };
    std::vector<SurfaceMetric> losses = {SurfaceMetric::TrainLoss};
    if (test_) losses.push_back(SurfaceMetric::TestLoss);
    std::vector<std::size_t> todo;
    if (!worker) {
        try {
            surface_.metadata.dataset = train_.name;
            surface_.metadata.testDataset = test_ ? test_->name : std::string();
            surface_.metadata.batchNormReestimated = options_.reestimateBatchNorm;
            if (std::filesystem::exists(surfacePath_)) {
                Surface existing = readSurface(surfacePath_);
                if (!sameCoordinates(existing.x, surface_.x) ||
                    !sameCoordinates(existing.y, surface_.y))
                    throw std::runtime_error(
                        "surface file '" + surfacePath_ + "' has x " + describeAxis(existing.x) +
                        " and y " + describeAxis(existing.y) + " but this landscape asks for x " +
                        describeAxis(surface_.x) + " and y " + describeAxis(surface_.y) +
                        "; choose another file or the same ranges");
                existing.metadata = surface_.metadata;
                surface_ = std::move(existing);
            }
            for (SurfaceMetric m : losses) {
                surface_.metric(m);
                surface_.metric(SurfaceMetric(int(m) + 1));  // the accuracy next to each loss
            }
            for (std::size_t k : coarseToFineOrder(surface_.nx(), surface_.ny()))
                for (SurfaceMetric m : losses)
                    if (!surface_.computed(m, k)) {
                        todo.push_back(k);
                        break;
                    }
            if (todo.empty()) {
                releaseWorkers();
                writeSurface(surface_, surfacePath_);
                context.report(1.0, "all points were computed before");
                return;
            }
        } catch (...) {
            releaseWorkers();
            throw;
        }
    }
    const std::size_t n = todo.size();

    // θ₀ with the directions' layout, a work vector for θ(a, b), and the
    // model's complete state, restored when the grid ends.
    const WeightVector& dx = directions_.x.vector;
    const WeightVector* dy = directions_.y ? &directions_.y->vector : nullptr;
    WeightVector theta0 = WeightVector::zerosLike(dx);
    theta0.readFrom(model);
    WeightVector theta = theta0;
    const ModelStateGuard restore(model);

    std::vector<const Dataset*> datasets{&train_};
    if (test_) datasets.push_back(&*test_);
    SubtaskContext preparing(context, 0.0, 0.0, "first layer: ");
    PlaneEvaluator evaluator(model, directions_, datasets, options_.eval, options_.speed,
                             options_.reestimateBatchNorm, &preparing);
    evaluationPath_ = evaluator.path();

    const std::size_t ny = surface_.ny();
    // Loss and accuracy at point k, its progress reported in [begin, end].
    auto evaluateAt = [&](std::size_t k, JobContext& ctx, double begin, double end,
                          const std::string& label) {
        const std::size_t ix = k / ny, iy = k % ny;
        const double a = surface_.x[ix];
        const double b = dy ? surface_.y[iy] : 0.0;
        // θ = θ₀ + a·d_x + b·d_y, written into the model's own tensors.
        std::copy_n(theta0.data(), theta0.size(), theta.data());
        theta.axpy(a, dx);
        if (dy) theta.axpy(b, *dy);
        theta.applyTo(model);

        const int parts = 1 + (test_ ? 1 : 0) + (options_.reestimateBatchNorm ? 1 : 0);
        int part = 0;
        auto slice = [&](const std::string& what) {
            const double w = (end - begin) / parts;
            SubtaskContext s(ctx, begin + w * part, begin + w * (part + 1),
                             label + " (" + what + "): ");
            ++part;
            return s;
        };
        DistributedGrid::PointValues values = {Surface::kNotComputed, Surface::kNotComputed,
                                               Surface::kNotComputed, Surface::kNotComputed};
        if (options_.reestimateBatchNorm) {
            SubtaskContext s = slice("BatchNorm statistics");
            reestimateBatchNorm(model, train_, options_.batchNormBatchSize, &s);
        }
        evaluator.moved();
        {
            SubtaskContext s = slice("train");
            const EvalResult r = evaluator.evaluate(0, a, b, &s);
            values[0] = r.loss;
            values[1] = 100.0 * r.accuracy;
        }
        if (test_) {
            SubtaskContext s = slice("test");
            const EvalResult r = evaluator.evaluate(1, a, b, &s);
            values[2] = r.loss;
            values[3] = 100.0 * r.accuracy;
        }
        evaluationPath_ = evaluator.path();  // decided at the first point
        return values;
    };

    if (worker) {
        grid_->work([&](std::size_t k, JobContext& ctx) {
            const DistributedGrid::PointValues v = evaluateAt(k, ctx, 0.0, 1.0, "point");
            ++pointsComputed_;
            return v;
        });
        return;
    }

    ResumableWrites writes([&] { writeSurface(surface_, surfacePath_); },
                           options_.writeIntervalSeconds);
    auto keep = [&](std::size_t k, const DistributedGrid::PointValues& v) {
        surface_.metric(SurfaceMetric::TrainLoss)[k] = v[0];
        surface_.metric(SurfaceMetric::TrainAccuracy)[k] = v[1];
        if (test_) {
            surface_.metric(SurfaceMetric::TestLoss)[k] = v[2];
            surface_.metric(SurfaceMetric::TestAccuracy)[k] = v[3];
        }
        ++pointsComputed_;
        if (observer_) observer_(k, surface_);
    };
    auto describe = [&](std::size_t k) {
        return "(a = " + std::to_string(surface_.x[k / ny]) +
               (dy ? ", b = " + std::to_string(surface_.y[k % ny]) : std::string()) + ")";
    };
    writes.run([&] {
        if (grid_) {
            // Points arrive from every rank in any order: the file is written
            // when a refinement level has no point left, or the interval passed.
            std::array<std::size_t, 9> levelLeft{};
            for (std::size_t k : todo)
                ++levelLeft[refinementLevel(k, ny)];
            grid_->coordinate(
                todo,
                [&](std::size_t k, JobContext& ctx) {
                    const double begin = double(pointsComputed_) / double(n);
                    return evaluateAt(k, ctx, begin, begin + 1.0 / double(n),
                                      "point " + std::to_string(pointsComputed_ + 1) + " of " +
                                          std::to_string(n));
                },
                [&](std::size_t k, const DistributedGrid::PointValues& v, int rank) {
                    keep(k, v);
                    context.report(double(pointsComputed_) / double(n),
                                   std::to_string(pointsComputed_) + " of " + std::to_string(n) +
                                       " points done, the last " + describe(k) + " by rank " +
                                       std::to_string(rank));
                    writes.pointDone(--levelLeft[refinementLevel(k, ny)] == 0 &&
                                     pointsComputed_ < n);
                },
                context);
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                context.throwIfCancelled();
                const std::size_t k = todo[i];
                const std::string label =
                    "point " + std::to_string(i + 1) + " of " + std::to_string(n);
                const double end = double(i + 1) / double(n);
                keep(k, evaluateAt(k, context, double(i) / double(n), end, label));
                context.report(end, label + " done " + describe(k));
                writes.pointDone(i + 1 < n &&
                                 refinementLevel(todo[i + 1], ny) != refinementLevel(k, ny));
            }
        }
    });
    context.report(1.0, "computed " + std::to_string(n) + " points");
}

}  // namespace basin
