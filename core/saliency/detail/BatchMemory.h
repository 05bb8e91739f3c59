#pragma once
// Inside core only (includes libtorch): how many bytes one image costs in a
// batched pass, measured rather than guessed, so samples, steps and masks can
// be batched to SaliencyOptions::memoryBudgetBytes on any model.
//
// MemoryMeter follows the CPU allocator through c10's memory reporting (the
// hook the profiler's profile_memory uses: a MemoryReportingInfoBase in the
// thread's debug info, which ProfiledCPUMemoryReporter calls on every
// allocation and free while it is installed). Its peak is the most bytes
// that were live at once since it started: for a forward + backward pass,
// the activations autograd saves plus the largest transient buffers. The
// families run their first item (one sample, one step, one batch of masks)
// under a meter, so the measurement costs no extra pass, and size the
// remaining batches from it.
//
// What it misses: allocations made on intra-op worker threads (scratch
// buffers; outputs are allocated by the calling thread) and other allocators
// (MKLDNN's own pools). The budget therefore also keeps a margin (Margin).

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace basin::detail {

class MemoryMeter {
public:
    MemoryMeter();
    ~MemoryMeter();
    MemoryMeter(const MemoryMeter&) = delete;
    MemoryMeter& operator=(const MemoryMeter&) = delete;

    // The most bytes live at once since construction (allocations minus frees).
    std::size_t peakBytes() const;

    // Measured bytes are multiplied by this before dividing the budget: what
    // the meter cannot see, and allocator fragmentation.
    static constexpr double Margin = 1.5;

private:
    struct Reporter;
    std::shared_ptr<Reporter> reporter_;
    std::unique_ptr<c10::DebugInfoGuard> guard_;
};

}  // namespace basin::detail
