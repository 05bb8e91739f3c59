#include "landscape/DistributedGrid.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <thread>

namespace basin {
namespace {

// Message tags. Every message is small: at most a few points.
enum Tag : int {
    kRequest = 1,  // worker → 0: values of its last points (5 doubles each: index, values)
    kWork = 2,     // 0 → worker: point indices to compute; none = stop
    kCancel = 3,   // 0 → worker: stop now (empty)
    kFinal = 4,    // worker → 0: after a cancel, the points it finished (as kRequest); it leaves
    kError = 5,    // worker → 0: its error sentence; it leaves
};

// At most this many points per hand-out: enough to keep messages rare, few
// enough that the last points spread over every rank.
constexpr std::size_t kMaxChunk = 4;

int environmentInt(const char* name, int fallback) {
    const char* value = std::getenv(name);
    if (!value || !*value) return fallback;
    return std::atoi(value);
}

void pause() {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// Waits for a message matching (source, tag), polling so that the wait takes
// no core. Returns its status.
MPI_Status waitForMessage(int source, int tag) {
    MPI_Status status;
    int flag = 0;
    for (;;) {
        MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &status);
        if (flag) return status;
        pause();
    }
}

std::vector<double> receiveDoubles(const MPI_Status& probed) {
    int count = 0;
    MPI_Get_count(&probed, MPI_DOUBLE, &count);
    std::vector<double> values(std::size_t(std::max(count, 0)));
    MPI_Recv(values.data(), count, MPI_DOUBLE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    return values;
}

void sendDoubles(const std::vector<double>& values, int tag) {
    MPI_Send(values.data(), int(values.size()), MPI_DOUBLE, 0, tag, MPI_COMM_WORLD);
}

// A worker's view of cancellation: rank 0's cancel message, looked for at
// every check (a cheap non-blocking probe) and consumed once seen.
class WorkerContext : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override {
        if (!cancelled_) {
            int flag = 0;
            MPI_Iprobe(0, kCancel, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
            if (flag) {
                MPI_Recv(nullptr, 0, MPI_BYTE, 0, kCancel, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                cancelled_ = true;
            }
        }
        return cancelled_;
    }

private:
    mutable bool cancelled_ = false;
};

// Rank 0's context while it evaluates a point of its own: every cancellation
// check (between evaluation batches) first answers the workers waiting.
class ServingContext : public JobContext {
public:
    ServingContext(JobContext& outer, std::function<void()> serve)
        : outer_(outer), serve_(std::move(serve)) {}
    void report(double fraction, const std::string& message) override {
        outer_.report(fraction, message);
    }
    bool cancelRequested() const override {
        serve_();
        return outer_.cancelRequested();
    }

private:
    JobContext& outer_;
    std::function<void()> serve_;
};

}  // namespace

bool DistributedGrid::launchedWithSeveralRanks() {
    return environmentInt("OMPI_COMM_WORLD_SIZE", 1) > 1;
}

int DistributedGrid::ranksOnThisMachine() {
    return std::max(1, environmentInt("OMPI_COMM_WORLD_LOCAL_SIZE", 1));
}

DistributedGrid::DistributedGrid() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
        if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS)
            throw std::runtime_error("MPI could not be initialised");
        initialisedHere_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

DistributedGrid::~DistributedGrid() {
    if (initialisedHere_) MPI_Finalize();
}

bool DistributedGrid::shareReady(bool ready) {
    int word = ready ? 1 : 0;
    MPI_Request request;
    MPI_Ibcast(&word, 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
    int done = 0;
    for (;;) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) break;
        pause();  // rank 0 may take a while to make the directions
    }
    return word != 0;
}

void DistributedGrid::reportWorkerFailure(const std::string& error) {
    MPI_Send(error.data(), int(error.size()), MPI_CHAR, 0, kError, MPI_COMM_WORLD);
}

void DistributedGrid::coordinate(const std::vector<std::size_t>& todo, const Evaluate& evaluate,
                                 const Store& store, JobContext& context) {
    const int workers = size_ - 1;
    pointsPerRank_.assign(std::size_t(size_), 0);
    std::vector<bool> active(std::size_t(size_), true), asked(std::size_t(size_), false);
    active[0] = false;
    int activeCount = workers, askedCount = 0;
    std::size_t next = 0;
    bool stopping = false;
    bool cancelled = false;
    std::string workerError;
    std::exception_ptr ownError;

    auto keep = [&](const std::vector<double>& values, int rank) {
        for (std::size_t i = 0; i + 5 <= values.size(); i += 5) {
            const PointValues v = {values[i + 1], values[i + 2], values[i + 3], values[i + 4]};
            store(std::size_t(values[i]), v, rank);
            ++pointsPerRank_[std::size_t(rank)];
        }
    };
    auto leave = [&](int rank) {
        if (active[std::size_t(rank)]) {
            active[std::size_t(rank)] = false;
            --activeCount;
        }
    };
    // From now on no points are handed out; busy workers are told to stop.
    auto stop = [&] {
        if (stopping) return;
        stopping = true;
        for (int w = 1; w < size_; ++w)
            if (active[std::size_t(w)]) MPI_Send(nullptr, 0, MPI_BYTE, w, kCancel, MPI_COMM_WORLD);
    };
    auto handOut = [&](int worker) {
        const std::size_t left = todo.size() - next;
        const std::size_t chunk =
            std::clamp<std::size_t>(left / (2 * std::size_t(size_)), 1, kMaxChunk);
        const std::size_t count = std::min(left, chunk);
        std::vector<unsigned long long> points(todo.begin() + std::ptrdiff_t(next),
                                               todo.begin() + std::ptrdiff_t(next + count));
        next += count;
        MPI_Send(points.data(), int(points.size()), MPI_UNSIGNED_LONG_LONG, worker, kWork,
                 MPI_COMM_WORLD);
        if (count == 0) leave(worker);
    };
    // Answers every message waiting, without blocking.
    auto serve = [&] {
        for (;;) {
            int flag = 0;
            MPI_Status status;
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
            if (!flag) return;
            const int from = status.MPI_SOURCE;
            if (status.MPI_TAG == kError) {
                int length = 0;
                MPI_Get_count(&status, MPI_CHAR, &length);
                std::string text(std::size_t(std::max(length, 0)), '\0');
                MPI_Recv(text.data(), length, MPI_CHAR, from, kError, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
                if (workerError.empty())
                    workerError = "rank " + std::to_string(from) + " failed: " + text;
                leave(from);
                stop();
                continue;
            }
            const std::vector<double> values = receiveDoubles(status);
            keep(values, from);
            if (status.MPI_TAG == kFinal) {
                leave(from);
            } else if (!stopping) {  // a stopping worker sends kFinal after the cancel
                if (!asked[std::size_t(from)]) {
                    asked[std::size_t(from)] = true;
                    ++askedCount;
                }
                handOut(from);
            }
        }
    };
    ServingContext serving(context, serve);

    for (;;) {
        serve();
        if (!stopping && context.cancelRequested()) {
            cancelled = true;
            stop();
        }
        // Every worker gets its first points before rank 0 takes any.
        const bool everyoneStarted = askedCount + (workers - activeCount) >= workers;
        if (!stopping && next < todo.size() && everyoneStarted) {
            const std::size_t k = todo[next++];
            try {
                const PointValues v = evaluate(k, serving);
                store(k, v, 0);
                ++pointsPerRank_[0];
            } catch (const JobCancelled&) {
                cancelled = true;
                stop();
            } catch (...) {
                ownError = std::current_exception();
                stop();
            }
            continue;
        }
        if (activeCount == 0 && (stopping || next == todo.size())) break;
        pause();
    }
    if (ownError) std::rethrow_exception(ownError);
    if (!workerError.empty()) throw std::runtime_error(workerError);
    if (cancelled) throw JobCancelled();
}

void DistributedGrid::work(const Evaluate& evaluate) {
    WorkerContext context;
    std::vector<double> finished;
    auto append = [&](std::size_t k, const PointValues& v) {
        finished.push_back(double(k));  // exact: grids have far fewer than 2^53 points
        finished.insert(finished.end(), v.begin(), v.end());
    };
    for (;;) {
        sendDoubles(finished, kRequest);
        finished.clear();
        // Either points (or the empty stop) or a cancel.
        const MPI_Status status = waitForMessage(0, MPI_ANY_TAG);
        if (status.MPI_TAG == kCancel) {
            context.cancelRequested();  // consumes the message
            sendDoubles(finished, kFinal);
            throw JobCancelled();
        }
        int count = 0;
        MPI_Get_count(&status, MPI_UNSIGNED_LONG_LONG, &count);
        std::vector<unsigned long long> points(std::size_t(std::max(count, 0)));
        MPI_Recv(points.data(), count, MPI_UNSIGNED_LONG_LONG, 0, kWork, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (points.empty()) return;
        for (unsigned long long k : points) {
            try {
                append(std::size_t(k), evaluate(std::size_t(k), context));
            } catch (const JobCancelled&) {
                sendDoubles(finished, kFinal);
                throw;
            } catch (const std::exception& e) {
                reportWorkerFailure(e.what());
                throw;
            }
        }
    }
}

}  // namespace basin
