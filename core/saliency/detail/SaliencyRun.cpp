#include "saliency/detail/SaliencyRun.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "jobs/Job.h"
#include "model/detail/TorchTensor.h"

namespace basin::detail {

namespace {

std::string classRangeError(const std::string& modelName, const std::string& what,
                            std::int64_t index, std::int64_t classes) {
    return "model '" + modelName + "' has " + std::to_string(classes) + " classes (0 to " +
           std::to_string(classes - 1) + "); the " + what + " " + std::to_string(index) +
           " is not one of them";
}

}  // namespace

void SaliencyRun::resolveTarget(const torch::Tensor& scores) {
    const torch::Tensor logits = scores.detach();
    const std::string model = "model '" + modelName + "'";
    if (logits.size(0) != 1)
        throw std::runtime_error(model + " gives " + std::to_string(logits.size(0)) +
                                 " rows of logits for one image");
    const std::int64_t classes = logits.size(1);
    const SaliencyTarget& target = options->target;
    switch (target.kind) {
        case SaliencyTarget::Kind::Predicted:
            targetClass = logits.argmax(1).item<std::int64_t>();
            break;
        case SaliencyTarget::Kind::Class:
            if (target.classIndex < 0 || target.classIndex >= classes)
                throw std::runtime_error(
                    classRangeError(modelName, "target class", target.classIndex, classes));
            targetClass = target.classIndex;
            break;
        case SaliencyTarget::Kind::Contrast:
            if (target.classIndex < 0 || target.classIndex >= classes)
                throw std::runtime_error(
                    classRangeError(modelName, "target class", target.classIndex, classes));
            if (target.otherClass < 0 || target.otherClass >= classes)
                throw std::runtime_error(
                    classRangeError(modelName, "contrast class", target.otherClass, classes));
            if (target.otherClass == target.classIndex)
                throw std::runtime_error(model +
                                         ": a contrast needs two different classes, "
                                         "both are " +
                                         std::to_string(target.classIndex));
            targetClass = target.classIndex;
            otherClass = target.otherClass;
            break;
    }
    targetScore = targetScores(logits).item<double>();
    targetResolved = true;
}

bool SaliencyRun::resolvesTargetItself(SaliencyMethod method) {
    return method == SaliencyMethod::GradCam || method == SaliencyMethod::GradCamPlusPlus ||
           method == SaliencyMethod::SmoothGradCamPlusPlus;
}

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
