#pragma once
// Shared state of one submitted job: its state, latest progress and error
// message, and the means to cancel it or wait for it. Safe to use from any
// thread; outlives the pool that runs the job.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "jobs/Job.h"

namespace basin {

struct JobStatus {
    JobState state = JobState::Queued;
    Progress progress;
    std::string error;  // set when state == Failed
};

class JobHandle {
public:
    // Called from the job's thread whenever the status changes (progress
    // reports are throttled to about 20 per second; state changes always
    // arrive). Must be quick and must not call back into the handle's wait().
    using Listener = std::function<void(const JobStatus&)>;

    JobHandle(std::string title, Listener listener = {});

    const std::string& title() const { return title_; }
    JobStatus status() const;
    // Asks the job to stop. A queued job is cancelled at once; a running one
    // stops at its next cancellation check.
    void cancel();
    bool cancelRequested() const { return token_.cancelled(); }
    const CancelToken& token() const { return token_; }
    // Blocks until the job has finished; returns its final status.
    JobStatus wait() const;
    // Returns true when the job finished within the timeout.
    bool waitFor(std::chrono::milliseconds timeout) const;

    // For runners: state transitions and progress.
    void setState(JobState state, const std::string& error = {});
    void setProgress(double fraction, const std::string& message);

private:
    void notify(const JobStatus& status);

    const std::string title_;
    Listener listener_;
    CancelToken token_;
    mutable std::mutex mutex_;
    mutable std::condition_variable finished_;
    JobStatus status_;
    std::chrono::steady_clock::time_point lastNotify_{};
};

// Runs `job` on the calling thread with `handle` as its context; catches every
// exception and records it in the handle. Returns the final status.
JobStatus runJob(Job& job, JobHandle& handle);

}  // namespace basin
