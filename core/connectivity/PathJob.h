#pragma once
// Loss and accuracy along paths in weight space as a Job: every row of a
// PathSamples (one for a linear path, one per layer and variant for
// layer-wise LMC) at every t, with weights set in place, written to a
// resumable path file (PathSamples.h). It runs like the landscape grid
// (landscape/LandscapeJob.h) and shares its conventions:
//
//  - Weights are set in place (WeightVector::applyTo), parameters and
//    BatchNorm buffers together; optionally the BatchNorm statistics are then
//    re-estimated on the training data (reestimateBatchNorm) before each
//    point is evaluated.
//  - Points not computed yet (−1 in the file) are computed coarse to fine in
//    t (every 8th, 4th, 2nd, then the rest; coarseToFineOrder), all rows at
//    one t before the next t, so a plot or heatmap shows the shape early.
//  - The file is rewritten atomically at least every writeIntervalSeconds,
//    after each refinement level, at the end and when the job stops (cancel
//    or error); a rerun computes only the missing points. A file whose t or
//    rows differ from the job's is an error rather than silently replaced.
//  - Cancellation is checked between points and evaluation batches; the
//    model's original state is restored however the job ends.
//
// Two ways to make one: from files (LmcRecipe, what `basin lmc` and the GUI
// use: everything is loaded inside run()), or from prepared pieces (a model,
// the samples' t and rows, and a function giving the weights of row r at t).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connectivity/PathSamples.h"
#include "connectivity/Repair.h"
#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "landscape/PlaneEvaluator.h"
#include "model/Model.h"
#include "model/WeightVector.h"

namespace basin {

struct PathOptions {
    EvalOptions eval;
    // Re-estimate BatchNorm running statistics on the training data at every
    // point (interpolated statistics are stale: without this BatchNorm
    // networks show false barriers).
    bool reestimateBatchNorm = false;
    std::int64_t batchNormBatchSize = 1000;
    // REPAIR (Repair.h) every point of a path of one row: each hidden unit
    // gets the mean and standard deviation interpolated from the checkpoints
    // on either side, measured on the training data. The repaired path is no
    // longer straight, so its first layer is not factored.
    bool repair = false;
    RepairOptions repairOptions;
    double writeIntervalSeconds = 1.0;
    // How points are evaluated fast (landscape/PlaneEvaluator.h): a straight
    // path of one row is a 1-D plane θ(0) + t·(θ(1) − θ(0)) whose first layer
    // can be factored; any path can use a frozen inference copy per point.
    PlaneSpeedOptions speed;
};

// The path(s) behind `basin lmc`, by file name.
struct LmcRecipe {
    std::string modelPath;                 // TorchScript
    std::vector<std::string> checkpoints;  // A, B[, C, …]: the chain in order
    std::string weightRoot;                // which dict holds the weights; empty = best guess
    // Points along the whole chain, ends included; raised so that every
    // checkpoint is a point (InterpolationPath::pointsWithCheckpoints).
    std::size_t points = 25;
    // Layer-wise LMC (LayerwiseLmc.h) between the first two checkpoints
    // instead of the plain path.
    bool layerwise = false;
    std::string outPath;  // the path file (HDF5)
    PathOptions options;
};

class PathJob : public Job {
public:
    // Weights of row `row` at `t`, written into `out` (laid out as the
    // job's layout: the model's parameters and buffers).
    using WeightsAt = std::function<void(std::size_t row, double t, WeightVector& out)>;

    PathJob(LmcRecipe recipe, Dataset train, std::optional<Dataset> test = {});
    // `samples` gives t, rows and metadata (values are resumed from `path`
    // when it exists). `model` is used in place and restored at the end.
    PathJob(Model model, PathSamples samples, WeightsAt weightsAt, std::string path, Dataset train,
            std::optional<Dataset> test = {}, PathOptions options = {});

    std::string title() const override;
    void run(JobContext& context) override;
    // A rerun resumes the points the path file holds (the model is restored
    // at the end of every run).
    bool resumable() const override { return true; }
    // How the last run() evaluated points (PlaneEvaluator::path()).
    const std::string& evaluationPath() const { return evaluationPath_; }

    // Called on the job's thread after each point, with its row and t index.
    void setPointObserver(
        std::function<void(std::size_t row, std::size_t i, const PathSamples&)> observer) {
        observer_ = std::move(observer);
    }
    // The samples after run() (complete, or partial when cancelled).
    const PathSamples& samples() const { return samples_; }
    // Points evaluated by the last run() (resumed points not counted).
    std::size_t pointsComputed() const { return pointsComputed_; }

private:
    void prepareFromRecipe(JobContext& context);
    // weightsAt_ followed by REPAIR (PathOptions::repair).
    WeightsAt repairedPath(const Model& model, const WeightVector& layout,
                           JobContext& context) const;

    std::optional<LmcRecipe> recipe_;
    std::optional<Model> model_;
    PathSamples samples_;
    WeightsAt weightsAt_;
    std::string path_;
    Dataset train_;
    std::optional<Dataset> test_;
    PathOptions options_;
    std::function<void(std::size_t, std::size_t, const PathSamples&)> observer_;
    std::size_t pointsComputed_ = 0;
    std::string evaluationPath_;
};

}  // namespace basin
