#pragma once
// The landscape grid as a Job: loss and accuracy at every (a, b) of a 1-D or
// 2-D grid, θ(a, b) = θ₀ + a·d_x + b·d_y (Li et al. 2018), written to a
// surface file in the loss-landscape tool's layout (landscape/Surface.h).
//
//  - Weights are set in place (WeightVector::applyTo: no tensor reallocated).
//  - Points not computed yet (−1 in the file) are computed coarse to fine:
//    every 8th point of each axis, then every 4th, 2nd, then the rest, so a
//    view sees the whole shape early and fills in detail.
//  - The surface file is rewritten atomically at least every
//    writeIntervalSeconds, after each refinement level, at the end and when
//    the job stops (cancel or error): a killed run loses at most that
//    interval's points, and a rerun computes only the missing ones.
//  - Cancellation is checked between points and between evaluation batches.
//  - The model's original state (parameters and all buffers) is restored
//    when the job ends, however it ends.
//
// The one call for the CLI and GUI: LandscapeJob(LandscapeRecipe, train, test)
// loads the model and the centre checkpoint, builds or loads the directions
// (saving them next to the surface), then computes the grid.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "landscape/Directions.h"
#include "landscape/GridRange.h"
#include "landscape/HessianDirections.h"
#include "landscape/PlaneEvaluator.h"
#include "landscape/Surface.h"
#include "landscape/TrajectoryPca.h"
#include "model/Model.h"

namespace basin {

class DistributedGrid;

// The order in which grid points are visited (indices ix·ny + iy): points
// on every 8th row and column, then every 4th, 2nd, then all, each level in
// row order and each point once. ny = 1 for a 1-D grid.
std::vector<std::size_t> coarseToFineOrder(std::size_t nx, std::size_t ny);
// The stride (8, 4, 2 or 1) of the refinement level point k of that order
// belongs to: jobs write their file when a level is complete.
std::size_t refinementLevel(std::size_t k, std::size_t ny);
// Whether a file's grid coordinates are the ones asked for (1e-9 relative):
// a resumed file must hold the same points.
bool sameCoordinates(const std::vector<double>& a, const std::vector<double>& b);

struct LandscapeOptions {
    EvalOptions eval;
    // Re-estimate BatchNorm running statistics on the training data at every
    // point before evaluating (perturbed weights leave them stale). Off by
    // default, as in the reference tool.
    bool reestimateBatchNorm = false;
    std::int64_t batchNormBatchSize = 1000;
    double writeIntervalSeconds = 1.0;
    // How points are evaluated fast (landscape/PlaneEvaluator.h).
    PlaneSpeedOptions speed;
};

// What a landscape is made of, by file name: the recipe behind `basin landscape`.
struct LandscapeRecipe {
    std::string modelPath;   // TorchScript
    std::string checkpoint;  // the centre θ₀ (line/plane: A / θ_0); empty = the model's weights
    std::string weightRoot;  // which dict of the checkpoints holds the weights; empty = best guess

    DirectionKind directions = DirectionKind::Random;  // Loaded: read directionsFile
    RandomDirectionOptions random;                     // for Random
    bool includeBuffers = false;  // directions also move BatchNorm running statistics
    // Line: {B}; plane: {θ_1, θ_2}; PCA: the trajectory in training order, the
    // last one the centre (`checkpoint` is then ignored).
    std::vector<std::string> checkpoints;
    TrajectoryPcaOptions pca;  // for TrajectoryPca
    // For HessianEigenvectors: the Hessian at the centre on `hessian.samples`
    // training samples (default 1000), d_y the second or (`hessian.bottom`)
    // the bottom eigenvector; twoDimensional follows whether y is given.
    HessianDirectionOptions hessian;
    // Where the directions are kept; empty = surfacePath + ".directions.h5".
    // When the file exists it is loaded (a rerun uses the same directions).
    std::string directionsFile;

    GridRange x;
    std::optional<GridRange> y;  // 1-D when absent
    std::string surfacePath;
    LandscapeOptions options;
};

class LandscapeJob : public Job {
public:
    // From files: everything happens in run().
    LandscapeJob(LandscapeRecipe recipe, Dataset train, std::optional<Dataset> test = {});
    // From prepared pieces: `model` holds θ₀; `directions` are valid for its
    // layout; `surface` gives the coordinates and metadata of a new file (when
    // `surfacePath` exists, its coordinates must equal these and its values
    // are resumed).
    LandscapeJob(Model model, Directions directions, Surface surface, std::string surfacePath,
                 Dataset train, std::optional<Dataset> test = {}, LandscapeOptions options = {});

    std::string title() const override;
    void run(JobContext& context) override;
    // A rerun reloads the recipe (or keeps the prepared model, which run()
    // restores) and resumes the points the surface file holds. Not for a
    // distributed grid, whose ranks start together.
    bool resumable() const override { return grid_ == nullptr; }

    // Called on the job's thread after each point is computed, with the
    // point's index (ix·ny + iy) and the surface so far (for live views).
    void setPointObserver(std::function<void(std::size_t point, const Surface&)> observer) {
        observer_ = std::move(observer);
    }
    // Shares the grid with the other ranks of an MPI run (DistributedGrid.h):
    // rank 0 computes and writes the surface as described above, with the
    // workers' points merged in; a worker loads the recipe after rank 0 has
    // saved the directions, computes what it is given and writes nothing.
    // Needs a recipe; `grid` must outlive run().
    void setDistributedGrid(DistributedGrid* grid) { grid_ = grid; }
    // The surface after run() (complete, or partial when cancelled).
    const Surface& surface() const { return surface_; }
    const Directions& directions() const { return directions_; }
    // Grid points evaluated by the last run() (resumed points not counted).
    std::size_t pointsComputed() const { return pointsComputed_; }
    // How the last run() evaluated points (PlaneEvaluator::path()): "first
    // layer linear 'fc1.weight' factored (61 MiB cached)", ...
    const std::string& evaluationPath() const { return evaluationPath_; }

private:
    void prepareFromRecipe(JobContext& context);
    void computeGrid(JobContext& context);

    std::optional<LandscapeRecipe> recipe_;
    std::optional<Model> model_;
    Directions directions_;
    Surface surface_;
    std::string surfacePath_;
    Dataset train_;
    std::optional<Dataset> test_;
    LandscapeOptions options_;
    std::function<void(std::size_t, const Surface&)> observer_;
    std::size_t pointsComputed_ = 0;
    std::string evaluationPath_;
    DistributedGrid* grid_ = nullptr;
};

}  // namespace basin
