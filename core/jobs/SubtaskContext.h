#pragma once
// A part of a job: maps the part's progress [0, 1] into [begin, end] of the
// whole job's, prefixes its messages ("seed 1: epoch 3/10"), and passes
// cancellation through. For jobs made of steps (checkpoints, training runs,
// grid points) that each run code reporting its own progress.

#include <string>

#include "jobs/Job.h"

namespace basin {

class SubtaskContext : public JobContext {
public:
    SubtaskContext(JobContext& parent, double begin, double end, std::string prefix)
        : parent_(parent), begin_(begin), end_(end), prefix_(std::move(prefix)) {}
    void report(double fraction, const std::string& message) override {
        parent_.report(begin_ + (end_ - begin_) * fraction, prefix_ + message);
    }
    bool cancelRequested() const override { return parent_.cancelRequested(); }

private:
    JobContext& parent_;
    double begin_, end_;
    std::string prefix_;
};

}  // namespace basin
