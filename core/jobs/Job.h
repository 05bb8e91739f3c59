#pragma once
// A Job is any long computation Basin runs: a landscape grid, an LMC curve, a
// saliency batch, a file fingerprint. The rules (DESIGN.md, rule 3):
//  - it reports progress as a fraction in [0, 1] plus a short message;
//  - it checks for cancellation often enough to stop within about a second
//    (JobContext::throwIfCancelled() or cancelRequested());
//  - it writes partial results as it goes, so a rerun resumes;
//  - it reports failure by throwing; the runner turns the exception into a
//    message (JobStatus::error) and never lets it escape to the caller's thread.
//
// The same Job object runs in the GUI's WorkerPool, on the CLI's own thread
// (runJob) and, later, on MPI ranks.

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace basin {

struct Progress {
    double fraction = 0.0;  // in [0, 1]
    std::string message;
};

enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };

// "queued", "running", "done", "failed", "cancelled". (Not named toString:
// Qt Test would find it by ADL and free the returned literal.)
const char* jobStateName(JobState state);

// True for the states a job never leaves.
inline bool isFinished(JobState s) {
    return s == JobState::Succeeded || s == JobState::Failed || s == JobState::Cancelled;
}

// Thrown by JobContext::throwIfCancelled(); the runner records the job as
// Cancelled rather than Failed.
class JobCancelled : public std::exception {
public:
    const char* what() const noexcept override { return "cancelled"; }
};

// A flag shared between whoever may cancel (a button, SIGINT) and the job.
class CancelToken {
public:
    void cancel() { flag_.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return flag_.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> flag_{false};
};

// What a running job sees of the world.
class JobContext {
public:
    virtual ~JobContext() = default;
    // Thread-safe; cheap enough to call per work item (reports are throttled
    // before they reach observers).
    virtual void report(double fraction, const std::string& message) = 0;
    virtual bool cancelRequested() const = 0;
    void throwIfCancelled() const {
        if (cancelRequested()) throw JobCancelled();
    }
};

class Job {
public:
    virtual ~Job() = default;
    // A short human title for the jobs panel ("Fingerprint model.pt").
    virtual std::string title() const = 0;
    // Does the work; throws on error, JobCancelled when cancelled.
    virtual void run(JobContext& context) = 0;
    // True when run() may be called again on this same object after it was
    // cancelled or failed, and then continues from what the earlier run wrote
    // (member state reset at the start of run(), resume decided from files),
    // ending with the results an uninterrupted run gives. The jobs panel offers
    // Resume only for such jobs; the others are rerun as a new Job object.
    virtual bool resumable() const { return false; }
};

}  // namespace basin
