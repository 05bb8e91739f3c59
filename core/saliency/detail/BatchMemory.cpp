#include "saliency/detail/BatchMemory.h"

#include <algorithm>

namespace basin::detail {

struct MemoryMeter::Reporter : c10::MemoryReportingInfoBase {
    std::int64_t live = 0;
    std::int64_t peak = 0;
    void reportMemoryUsage(void*, std::int64_t size, std::int64_t, std::int64_t,
                           c10::Device device) override {
        if (!device.is_cpu()) return;
        live += size;
        peak = std::max(peak, live);
    }
    bool memoryProfilingEnabled() const override { return true; }
};

MemoryMeter::MemoryMeter() : reporter_(std::make_shared<Reporter>()) {
    guard_ = std::make_unique<c10::DebugInfoGuard>(c10::DebugInfoKind::PROFILER_STATE, reporter_);
}

MemoryMeter::~MemoryMeter() = default;

std::size_t MemoryMeter::peakBytes() const {
    return std::size_t(std::max<std::int64_t>(0, reporter_->peak));
}

}  // namespace basin::detail
