#pragma once
// One landscape grid shared by the ranks of `mpirun -np N basin landscape …`
// (DESIGN.md, "Distribution"). Rank 0 owns the surface file and the queue of
// points (coarse to fine); workers pull a few points at a time and send their
// values back. Only small messages travel: point indices out, values in — no
// rank ever receives the whole surface or the weights.
//
//  - Rank 0 makes and saves the directions, then broadcasts "ready"; the
//    workers then load the same directions file (shareReady).
//  - Rank 0 computes points itself too: with one rank per core (2 cores, 2
//    ranks) a dedicated coordinator would leave a core idle. It answers
//    workers between its own evaluation batches (its JobContext polls), so a
//    worker waits at most one batch for its next points. Before taking any
//    point itself it waits for every worker's first request, so each rank
//    starts with work even on a grid of cheap points.
//  - Cancelling rank 0 (Ctrl-C sent to it, or its job's cancel) sends every
//    busy worker a cancel; a worker stops at its next check, returns the
//    points it finished and leaves. A worker's error stops the others the
//    same way and fails rank 0's job with the worker's sentence.
//  - While waiting, ranks poll with short sleeps instead of MPI's spinning
//    blocking calls, which would take a core from the ranks that compute.
//
// Nothing here touches MPI unless launchedWithSeveralRanks() is true, so a
// single-process `basin landscape` never initialises it.

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "jobs/Job.h"

namespace basin {

class DistributedGrid {
public:
    // Loss and accuracy for the training data, then for the test data
    // (SurfaceMetric order; the test pair is −1 without test data).
    using PointValues = std::array<double, 4>;
    // Computes one grid point (ix·ny + iy), checking `context` for cancellation.
    using Evaluate = std::function<PointValues(std::size_t point, JobContext& context)>;
    // Rank 0 keeps a point's values, computed by `rank`.
    using Store = std::function<void(std::size_t point, const PointValues& values, int rank)>;

    // Whether mpirun (Open MPI) started this process as one of several ranks;
    // reads only the environment.
    static bool launchedWithSeveralRanks();
    // Processes of the run on this machine (1 when not under mpirun).
    static int ranksOnThisMachine();

    // Initialises MPI (finalised by the destructor).
    DistributedGrid();
    ~DistributedGrid();
    DistributedGrid(const DistributedGrid&) = delete;
    DistributedGrid& operator=(const DistributedGrid&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool coordinator() const { return rank_ == 0; }

    // Rank 0 says whether the directions file is ready (false: it failed or
    // was cancelled, and the workers stop); a worker waits for that word and
    // returns it.
    bool shareReady(bool ready);
    // A worker that fails before it asks for points tells rank 0 why.
    void reportWorkerFailure(const std::string& error);

    // Rank 0: hands out `todo` (in order) and computes points itself until all
    // are stored, or throws JobCancelled / the first error once every worker
    // has stopped.
    void coordinate(const std::vector<std::size_t>& todo, const Evaluate& evaluate,
                    const Store& store, JobContext& context);
    // A worker: computes the points it is given until rank 0 says stop.
    // Throws JobCancelled when rank 0 cancelled, or what `evaluate` threw.
    void work(const Evaluate& evaluate);

    // Points each rank computed in coordinate() (rank 0 only).
    const std::vector<std::size_t>& pointsPerRank() const { return pointsPerRank_; }

private:
    int rank_ = 0;
    int size_ = 1;
    bool initialisedHere_ = false;
    std::vector<std::size_t> pointsPerRank_;
};

}  // namespace basin
