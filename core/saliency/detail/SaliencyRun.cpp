#include "saliency/detail/SaliencyRun.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "jobs/Job.h"
#include "model/detail/TorchTensor.h"

namespace basin::detail {

torch::Tensor SaliencyRun::targetScores(const torch::Tensor& logits) const {
    torch::Tensor score = logits.select(1, targetClass);
    if (otherClass >= 0) score = score - logits.select(1, otherClass);
    return score;
}

void SaliencyRun::reportProgress(double fraction) const {
    if (progress && *progress && !(*progress)(std::clamp(fraction, 0.0, 1.0))) throw JobCancelled();
}

std::int64_t SaliencyRun::batchSize(std::size_t bytesPerImage) const {
    const std::size_t budget = options ? options->memoryBudgetBytes : std::size_t(512) << 20;
    if (bytesPerImage == 0) return std::numeric_limits<std::int32_t>::max();
    return std::max<std::int64_t>(1, std::int64_t(budget / bytesPerImage));
}

torch::Tensor logitsOf(const c10::IValue& output, const std::string& modelName) {
    torch::Tensor logits;
    try {
        logits = firstTensor(output);
    } catch (const std::exception& e) {
        throw std::runtime_error("model '" + modelName + "' gives no logits: " + e.what());
    }
    if (logits.dim() != 2 || !logits.is_floating_point()) {
        std::string shape = "[";
        for (std::int64_t i = 0; i < logits.dim(); ++i)
            shape += (i ? ", " : "") + std::to_string(logits.size(i));
        shape += "]";
        throw std::runtime_error("model '" + modelName + "' gives an output of shape " + shape +
                                 "; saliency needs floating-point logits [N, classes]");
    }
    return logits;
}

}  // namespace basin::detail
