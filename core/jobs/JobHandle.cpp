#include "jobs/JobHandle.h"

#include <algorithm>
#include <exception>

namespace basin {

const char* jobStateName(JobState state) {
    switch (state) {
        case JobState::Queued:
            return "queued";
        case JobState::Running:
            return "running";
        case JobState::Succeeded:
            return "done";
        case JobState::Failed:
            return "failed";
        case JobState::Cancelled:
            return "cancelled";
    }
    return "unknown";
}

JobHandle::JobHandle(std::string title, Listener listener)
    : title_(std::move(title)), listener_(std::move(listener)) {}

JobStatus JobHandle::status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
}

void JobHandle::cancel() {
    token_.cancel();
    JobStatus snapshot;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (status_.state != JobState::Queued) return;
        status_.state = JobState::Cancelled;
        snapshot = status_;
    }
    finished_.notify_all();
    notify(snapshot);
}

JobStatus JobHandle::wait() const {
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [this] { return isFinished(status_.state); });
    return status_;
}

bool JobHandle::waitFor(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return finished_.wait_for(lock, timeout, [this] { return isFinished(status_.state); });
}

void JobHandle::setState(JobState state, const std::string& error) {
    JobStatus snapshot;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (isFinished(status_.state)) return;  // a cancelled queued job stays cancelled
        status_.state = state;
        status_.error = error;
        if (state == JobState::Succeeded) status_.progress.fraction = 1.0;
        snapshot = status_;
    }
    if (isFinished(state)) finished_.notify_all();
    notify(snapshot);
}

void JobHandle::setProgress(double fraction, const std::string& message) {
    JobStatus snapshot;
    bool due = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        status_.progress.fraction = std::clamp(fraction, 0.0, 1.0);
        status_.progress.message = message;
        const auto now = std::chrono::steady_clock::now();
        due = now - lastNotify_ >= std::chrono::milliseconds(50);
        if (due) lastNotify_ = now;
        snapshot = status_;
    }
    if (due) notify(snapshot);
}

void JobHandle::notify(const JobStatus& status) {
    if (listener_) listener_(status);
}

namespace {

// Adapts a handle to the context a job sees.
class HandleContext : public JobContext {
public:
    explicit HandleContext(JobHandle& handle) : handle_(handle) {}
    void report(double fraction, const std::string& message) override {
        handle_.setProgress(fraction, message);
    }
    bool cancelRequested() const override { return handle_.cancelRequested(); }

private:
    JobHandle& handle_;
};

}  // namespace

JobStatus runJob(Job& job, JobHandle& handle) {
    if (handle.cancelRequested()) {
        handle.setState(JobState::Cancelled);
        return handle.status();
    }
    handle.setState(JobState::Running);
    HandleContext context(handle);
    try {
        job.run(context);
        handle.setState(handle.cancelRequested() ? JobState::Cancelled : JobState::Succeeded);
    } catch (const JobCancelled&) {
        handle.setState(JobState::Cancelled);
    } catch (const std::exception& e) {
        handle.setState(JobState::Failed, e.what());
    } catch (...) {
        handle.setState(JobState::Failed, "unknown error in " + job.title());
    }
    return handle.status();
}

}  // namespace basin
