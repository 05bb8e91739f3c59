#pragma once
// When a resumable job (a landscape grid, an LMC path) rewrites its result
// file: when a refinement level is complete (a view of the file then shows
// the whole coarse result) or `intervalSeconds` have passed since the last
// write, at the end, and once more when the job stops with an exception
// (cancelled or failed), so a killed run loses at most an interval's points
// and a rerun resumes from the rest.

#include <chrono>
#include <functional>
#include <utility>

namespace basin {

class ResumableWrites {
public:
    ResumableWrites(std::function<void()> write, double intervalSeconds)
        : write_(std::move(write)), interval_(intervalSeconds) {}

    void writeNow() {
        write_();
        last_ = Clock::now();
    }
    // After each point: writes when its level is complete or the interval passed.
    void pointDone(bool levelComplete) {
        const double since = std::chrono::duration<double>(Clock::now() - last_).count();
        if (levelComplete || since >= interval_) writeNow();
    }
    // Runs `work`, then writes; when `work` throws, writes what there is (an
    // error of that write is dropped for the first one) and rethrows.
    template <class Work>
    void run(Work&& work) {
        try {
            work();
        } catch (...) {
            try {
                writeNow();
            } catch (...) {
            }
            throw;
        }
        writeNow();
    }

private:
    using Clock = std::chrono::steady_clock;
    std::function<void()> write_;
    double interval_;
    Clock::time_point last_ = Clock::now();
};

}  // namespace basin
