#pragma once
// Inside core only (includes libtorch): what computeSaliency hands to each
// family of methods once the model is prepared and the target resolved, and
// the families' entry points. Saliency.cpp dispatches; each family fills
// SaliencyMap::values (and attribution or coarseValues), the dispatcher the
// rest (method, layer, classes, score, sign).

#include <torch/script.h>

#include <cstdint>
#include <string>
#include <vector>

#include "saliency/Saliency.h"

namespace basin::detail {

struct SaliencyRun {
    torch::jit::Module module;  // detail::withOwnMethods of the model's module, eval mode
    std::string modelName;
    torch::Tensor image;  // [1, C, H, W] float32, contiguous, no grad
    std::int64_t targetClass = 0;
    std::int64_t otherClass = -1;  // Contrast targets; -1 otherwise
    double targetScore = 0.0;      // the target scalar at the image
    bool targetResolved = false;
    const SaliencyOptions* options = nullptr;
    const SaliencyProgress* progress = nullptr;  // may hold an empty function

    // Resolves the target (SaliencyOptions::target) from the image's logits
    // [1, classes]: the predicted class, or the requested classes checked
    // against the number of classes (throws a sentence naming the model);
    // sets targetClass, otherClass, targetScore and targetResolved.
    void resolveTarget(const torch::Tensor& logits);
    // Methods whose first pass at the image yields the logits they resolve
    // the target from (the Grad-CAM family: the layer pass), so the
    // dispatcher makes no forward pass of its own for the target.
    static bool resolvesTargetItself(SaliencyMethod method);

    // The target scalar for each row of logits [N, classes]: y_c, or
    // y_c − y_other for contrast targets. Shape [N].
    torch::Tensor targetScores(const torch::Tensor& logits) const;
    // Reports `fraction`; throws JobCancelled when the callback says stop.
    void reportProgress(double fraction) const;
    // How many copies of the image fit SaliencyOptions::memoryBudgetBytes
    // in one batch (at least 1), given the activation bytes of one image.
    std::int64_t batchSize(std::size_t bytesPerImage) const;
};

// The logits of a forward output (a tuple/list yields its first tensor).
torch::Tensor logitsOf(const c10::IValue& output, const std::string& modelName);

// Gradient, GradientTimesInput, SmoothGrad, SmoothGradSquared,
// IntegratedGradients (GradientSaliency.cpp).
SaliencyMap gradientSaliency(const SaliencyRun& run);
// Occlusion, Rise (PerturbationSaliency.cpp).
SaliencyMap perturbationSaliency(const SaliencyRun& run);
// GradCam, GradCamPlusPlus, SmoothGradCamPlusPlus (CamSaliency.cpp); resolves
// the target from its layer pass.
SaliencyMap camSaliency(SaliencyRun& run);
// NormGrad, NormGradSelective, NormGradMultiLayer (NormGradSaliency.cpp).
SaliencyMap normGradSaliency(const SaliencyRun& run);

}  // namespace basin::detail
