#include "saliency/detail/SaliencyBatches.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "model/detail/TorchTensor.h"
#include "saliency/detail/BatchMemory.h"

namespace basin::detail {
namespace {

struct MeasuredBytes {
    const void* module = nullptr;
    std::vector<std::int64_t> shape;
    std::size_t bytes = 0;
};
thread_local MeasuredBytes measured;

// Module is a handle: a copy calls the same methods (forward() is not const).
c10::IValue forward(const SaliencyRun& run, const torch::Tensor& input) {
    torch::jit::Module module = run.module;
    return module.forward({input});
}

}  // namespace

void forgetMeasuredBatchBytes() {
    measured = MeasuredBytes();
}

void forBatches(const SaliencyRun& run, std::int64_t count,
                const std::function<void(std::int64_t, std::int64_t)>& pass, double from,
                double to) {
    if (count <= 0) return;
    auto report = [&](std::int64_t done) {
        run.reportProgress(from + (to - from) * double(done) / double(count));
    };
    // The bytes per item, measured on the first item under a MemoryMeter, or
    // remembered from an earlier call on the same module and image size (the
    // next image of a batch): then every item runs batched.
    const void* module = run.module._ivalue().get();
    const std::vector<std::int64_t> shape = run.image.sizes().vec();
    std::int64_t start = 0;
    if (measured.module != module || measured.shape != shape || measured.bytes == 0) {
        MemoryMeter meter;
        pass(0, 1);
        measured = {module, shape, meter.peakBytes()};
        start = 1;
        report(1);
    }
    const std::size_t bytes = measured.bytes;
    const std::int64_t rest = count - start;
    if (rest == 0) return;
    const std::int64_t most =
        std::min(rest, run.batchSize(std::size_t(double(bytes) * MemoryMeter::Margin)));
    const std::int64_t batches = (rest + most - 1) / most;
    for (std::int64_t b = 0; b < batches; ++b) {
        // Equal batches (sizes differ by at most one): one odd-sized tail
        // would cost the graph executor another specialisation.
        const std::int64_t size = rest / batches + (b < rest % batches ? 1 : 0);
        pass(start, size);
        start += size;
        report(start);
    }
}

torch::Tensor targetGradient(const SaliencyRun& run, const torch::Tensor& inputs,
                             torch::Tensor* scores) {
    const torch::Tensor x = inputs.detach().requires_grad_(true);
    const torch::Tensor logits = logitsOf(forward(run, x), run.modelName);
    const torch::Tensor s = run.targetScores(logits);
    torch::Tensor g = torch::autograd::grad({s.sum()}, {x}, {}, false, false, true)[0];
    if (!g.defined()) g = torch::zeros_like(x);  // the target does not depend on the input
    if (scores) *scores = s.detach();
    return g;
}

torch::Tensor targetScoresOf(const SaliencyRun& run, const torch::Tensor& inputs) {
    torch::NoGradGuard noGrad;
    return run.targetScores(logitsOf(forward(run, inputs), run.modelName));
}

SaliencyMap inputSpaceMap(const torch::Tensor& values, const torch::Tensor& attribution) {
    SaliencyMap map;
    const torch::Tensor v = values.detach().to(torch::kFloat32).contiguous();
    map.height = v.size(0);
    map.width = v.size(1);
    map.values.assign(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
    if (attribution.defined())
        map.attribution = fromTorch(attribution.detach().to(torch::kFloat32), "attribution");
    return map;
}

}  // namespace basin::detail
