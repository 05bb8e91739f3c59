// computeSaliency: validates the image, prepares the model (a copy with its
// own compiled methods sharing the weights, detail::withOwnMethods, in eval
// mode, or a frozen copy, kept between calls at the same weights by
// detail/PreparedModules.h — the model's own forward and inference mode are
// left alone), resolves the target class from one forward pass, and hands a
// detail::SaliencyRun to the method's family (GradientSaliency.cpp,
// PerturbationSaliency.cpp, CamSaliency.cpp, NormGradSaliency.cpp), then
// fills what the map explains.
// topPredictions: softmax of the logits, the k largest.
// (saliencyLayers and defaultCamLayer are in SaliencyLayers.cpp.)

#include "saliency/Saliency.h"

#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "jobs/Job.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "saliency/detail/PreparedModules.h"
#include "saliency/detail/SaliencyBatches.h"
#include "saliency/detail/SaliencyRun.h"

namespace basin {
namespace {

// Autograd on and inference mode off for one call, whatever the caller had;
// the graph executor's optimising passes off on this thread. A call often
// runs a fresh copy of the model's methods (withOwnMethods, or a frozen
// module; new weights make new copies), so the profiling executor would
// profile and then re-optimise the graph per copy and again for every new
// batch size — tens of milliseconds for a few milliseconds of network.
// Unoptimised, the graph runs operator by operator as eager PyTorch does (the
// convolutions dominate anyway).
struct GradientScope {
    c10::InferenceMode noInference{false};
    torch::AutoGradMode grad{true};
    torch::jit::GraphOptimizerEnabledGuard noProfiling{false};
};

// Forward + backward passes a method makes for one image.
std::int64_t passesPerImage(const SaliencyOptions& o) {
    switch (o.method) {
        case SaliencyMethod::SmoothGrad:
        case SaliencyMethod::SmoothGradSquared:
            return o.samples;
        case SaliencyMethod::IntegratedGradients:
            return o.steps;
        case SaliencyMethod::Occlusion:
        case SaliencyMethod::Rise:
            return 1000;  // many forward passes (windows, masks)
        default:
            return 1;
    }
}

// The module a run uses, in eval mode (detail/PreparedModules.h: kept between
// calls at the same weights). CAM-style methods need the module tree (they
// expose a layer's output): a copy with its own methods. Input-space methods
// making many passes get a frozen copy (torch::jit::freeze: parameters become
// constants, BatchNorm folded into the convolution before it, dropout
// removed), whose passes skip BatchNorm's forward and backward. Freezing
// costs more than the one batched pass of a single-pass method (gradient,
// gradient × input) saves, so those and runs of few passes use the frozen
// copy only when the same weights come again (a second call at the same
// probe, a folder of images in several calls). A model that cannot be frozen
// runs unfrozen.
torch::jit::Module runModule(const Model& model, const SaliencyOptions& o, std::int64_t images) {
    const torch::jit::Module& module = model.impl().module;
    if (needsLayer(o.method)) return detail::preparedModule(module, detail::Preparation::Copy);
    if (passesPerImage(o) == 1 || passesPerImage(o) * images < 8)
        return detail::preparedModule(module, detail::Preparation::FrozenWhenRepeated);
    return detail::preparedModule(module, detail::Preparation::Frozen);
}

std::string modelPrefix(const Model& model) {
    return "model '" + model.name() + "'";
}

// [1, C, H, W] float32, contiguous, a normal (non-inference) tensor of its own.
torch::Tensor preparedImage(const Model& model, const TensorData& image) {
    const bool shapeOk =
        (image.shape.size() == 3 || (image.shape.size() == 4 && image.shape[0] == 1));
    if (!shapeOk || image.dtype != DType::Float32)
        throw std::runtime_error(modelPrefix(model) +
                                 ": saliency needs one float32 image [C, H, W] or [1, C, H, W], "
                                 "got " +
                                 std::string(dtypeName(image.dtype)) + " " + image.shapeString());
    for (std::int64_t s : image.shape)
        if (s <= 0)
            throw std::runtime_error(modelPrefix(model) + ": the image " + image.shapeString() +
                                     " is empty");
    torch::Tensor x = detail::toTorch(image, "image").clone().contiguous();
    if (x.dim() == 3) x = x.unsqueeze(0);
    return x;
}

std::string classRangeError(const Model& model, const std::string& what, std::int64_t index,
                            std::int64_t classes) {
    return modelPrefix(model) + " has " + std::to_string(classes) + " classes (0 to " +
           std::to_string(classes - 1) + "); the " + what + " " + std::to_string(index) +
           " is not one of them";
}

// The run with the module prepared and, unless the method resolves it from
// its own first pass (detail::SaliencyRun::resolvesTargetItself), the target
// resolved from one forward pass and its score at the image.
detail::SaliencyRun prepareRun(const Model& model, const torch::jit::Module& module,
                               const torch::Tensor& image, const SaliencyOptions& options,
                               const SaliencyProgress& progress) {
    detail::SaliencyRun run;
    run.module = module;
    run.modelName = model.name();
    run.image = image;
    run.options = &options;
    run.progress = &progress;
    if (detail::SaliencyRun::resolvesTargetItself(options.method)) return run;
    torch::Tensor logits;
    {
        torch::NoGradGuard noGrad;
        logits = detail::logitsOf(run.module.forward({image}), run.modelName);
    }
    run.resolveTarget(logits);
    return run;
}

// Gradient and gradient × input for a batch of images: one forward and one
// backward pass per chunk of images (rows are independent in eval mode),
// the targets resolved from the same forward's logits.
std::vector<SaliencyMap> singlePassBatch(const Model& model, const torch::jit::Module& module,
                                         const torch::Tensor& images,
                                         const SaliencyOptions& options,
                                         const SaliencyProgress& progress) {
    constexpr std::int64_t kChunk = 64;
    const std::int64_t n = images.size(0);
    const SaliencyTarget& target = options.target;
    std::vector<SaliencyMap> maps;
    torch::jit::Module m = module;
    for (std::int64_t start = 0; start < n; start += kChunk) {
        const std::int64_t end = std::min(n, start + kChunk);
        const torch::Tensor x =
            images.slice(0, start, end).clone().contiguous().requires_grad_(true);
        const torch::Tensor logits = detail::logitsOf(m.forward({x}), model.name());
        const std::int64_t classes = logits.size(1);
        torch::Tensor classIndex, otherIndex;
        if (target.kind == SaliencyTarget::Kind::Predicted) {
            classIndex = logits.detach().argmax(1);
        } else {
            if (target.classIndex < 0 || target.classIndex >= classes)
                throw std::runtime_error(
                    classRangeError(model, "target class", target.classIndex, classes));
            classIndex = torch::full({end - start}, target.classIndex, torch::kInt64);
        }
        torch::Tensor scores = logits.gather(1, classIndex.unsqueeze(1)).squeeze(1);
        if (target.kind == SaliencyTarget::Kind::Contrast) {
            if (target.otherClass < 0 || target.otherClass >= classes)
                throw std::runtime_error(
                    classRangeError(model, "contrast class", target.otherClass, classes));
            if (target.otherClass == target.classIndex)
                throw std::runtime_error(modelPrefix(model) +
                                         ": a contrast needs two different classes, both are " +
                                         std::to_string(target.classIndex));
            otherIndex = torch::full({end - start}, target.otherClass, torch::kInt64);
            scores = scores - logits.gather(1, otherIndex.unsqueeze(1)).squeeze(1);
        }
        torch::Tensor g = torch::autograd::grad({scores.sum()}, {x}, {}, false, false, true)[0];
        if (!g.defined()) g = torch::zeros_like(x);
        const torch::Tensor image = x.detach();
        for (std::int64_t i = 0; i < end - start; ++i) {
            SaliencyMap map = detail::singlePassGradientMap(image[i], g[i], options);
            map.method = options.method;
            map.targetClass = classIndex[i].item<std::int64_t>();
            map.otherClass = otherIndex.defined() ? target.otherClass : -1;
            map.targetScore = scores[i].item<double>();
            map.isSigned = isSignedMethod(options.method);
            maps.push_back(std::move(map));
        }
        if (progress && !progress(double(end) / double(n))) throw JobCancelled();
    }
    return maps;
}

SaliencyMap dispatch(detail::SaliencyRun& run) {
    switch (run.options->method) {
        case SaliencyMethod::Gradient:
        case SaliencyMethod::GradientTimesInput:
        case SaliencyMethod::SmoothGrad:
        case SaliencyMethod::SmoothGradSquared:
        case SaliencyMethod::IntegratedGradients:
            return detail::gradientSaliency(run);
        case SaliencyMethod::Occlusion:
        case SaliencyMethod::Rise:
            return detail::perturbationSaliency(run);
        case SaliencyMethod::GradCam:
        case SaliencyMethod::GradCamPlusPlus:
        case SaliencyMethod::SmoothGradCamPlusPlus:
            return detail::camSaliency(run);
        case SaliencyMethod::NormGrad:
        case SaliencyMethod::NormGradSelective:
        case SaliencyMethod::NormGradMultiLayer:
            return detail::normGradSaliency(run);
    }
    throw std::logic_error("unknown saliency method");
}

SaliencyMap computeOne(const Model& model, const torch::jit::Module& module,
                       const torch::Tensor& image, const SaliencyOptions& options,
                       const SaliencyProgress& progress) {
    detail::SaliencyRun run = prepareRun(model, module, image, options, progress);
    SaliencyMap map = dispatch(run);
    if (!run.targetResolved) throw std::logic_error("the saliency target was never resolved");
    map.method = options.method;
    if (needsLayer(options.method)) {
        if (map.layer.empty()) map.layer = options.layer;  // the family names the layer it used
    } else {
        map.layer.clear();
    }
    map.targetClass = run.targetClass;
    map.otherClass = run.otherClass;
    map.targetScore = run.targetScore;
    map.isSigned = isSignedMethod(options.method);
    return map;
}

// Rethrows libtorch's errors as a sentence naming the model and the image.
// The TorchScript interpreter reports an operator's failure as a plain
// std::runtime_error (with a script traceback); Basin's own sentences name
// the model already and pass through.
template <typename F>
auto withModelErrors(const Model& model, const std::vector<std::int64_t>& shape, F&& f) {
    const auto wrapped = [&](const std::string& reason) {
        return std::runtime_error(modelPrefix(model) +
                                  " cannot compute saliency for an image of shape " +
                                  shapeString(shape) + ": " + reason);
    };
    try {
        return f();
    } catch (const JobCancelled&) {
        throw;
    } catch (const c10::Error& e) {
        throw wrapped(detail::torchReason(e));
    } catch (const std::exception& e) {
        if (std::string(e.what()).find(modelPrefix(model)) != std::string::npos) throw;
        throw wrapped(detail::torchReason(e));
    }
}

}  // namespace

SaliencyMap computeSaliency(const Model& model, const TensorData& image,
                            const SaliencyOptions& options, const SaliencyProgress& progress) {
    GradientScope scope;
    return withModelErrors(model, image.shape, [&] {
        const torch::Tensor x = preparedImage(model, image);
        const torch::jit::Module module = runModule(model, options, 1);
        detail::forgetMeasuredBatchBytes();
        SaliencyMap map = computeOne(model, module, x, options, progress);
        if (progress) progress(1.0);
        return map;
    });
}

std::vector<SaliencyMap> computeSaliencyBatch(const Model& model, const TensorData& images,
                                              const SaliencyOptions& options,
                                              const SaliencyProgress& progress) {
    GradientScope scope;
    return withModelErrors(model, images.shape, [&] {
        if (images.shape.size() != 4 || images.dtype != DType::Float32)
            throw std::runtime_error(
                modelPrefix(model) + ": a saliency batch is float32 images [N, C, H, W], got " +
                std::string(dtypeName(images.dtype)) + " " + images.shapeString());
        const torch::Tensor all = detail::toTorch(images, "images");
        const std::int64_t n = all.size(0);
        const torch::jit::Module module = runModule(model, options, n);
        detail::forgetMeasuredBatchBytes();
        if (options.method == SaliencyMethod::Gradient ||
            options.method == SaliencyMethod::GradientTimesInput)
            return singlePassBatch(model, module, all, options, progress);
        std::vector<SaliencyMap> maps;
        maps.reserve(std::size_t(n));
        for (std::int64_t i = 0; i < n; ++i) {
            const SaliencyProgress perImage = [&](double f) {
                return !progress || progress((double(i) + f) / double(n));
            };
            const torch::Tensor x = all.slice(0, i, i + 1).clone().contiguous();
            maps.push_back(computeOne(model, module, x, options, perImage));
        }
        if (progress) progress(1.0);
        return maps;
    });
}

std::vector<ClassScore> topPredictions(const Model& model, const TensorData& image, int k) {
    const bool shapeOk =
        (image.shape.size() == 3 || (image.shape.size() == 4 && image.shape[0] == 1));
    if (!shapeOk)
        throw std::runtime_error(
            modelPrefix(model) +
            ": top predictions need one image [C, H, W] or [1, C, H, W], got " +
            image.shapeString());
    TensorData input = image;
    if (input.shape.size() == 3) {
        const std::vector<std::int64_t> strides =
            input.strides.empty() ? input.contiguousStrides() : input.strides;
        input.shape.insert(input.shape.begin(), 1);
        input.strides = strides;
        input.strides.insert(input.strides.begin(), input.numel());
    }
    const std::vector<double> logits = model.forward(input).toDoubles();
    if (logits.empty()) return {};
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (double v : logits)
        sum += std::exp(v - top);
    std::vector<std::int64_t> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    const std::size_t count = std::min<std::size_t>(std::size_t(std::max(k, 0)), order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(count), order.end(),
                      [&](std::int64_t a, std::int64_t b) {
                          return logits[std::size_t(a)] > logits[std::size_t(b)] ||
                                 (logits[std::size_t(a)] == logits[std::size_t(b)] && a < b);
                      });
    std::vector<ClassScore> out;
    for (std::size_t i = 0; i < count; ++i) {
        const double l = logits[std::size_t(order[i])];
        out.push_back({order[i], l, std::exp(l - top) / sum});
    }
    return out;
}

}  // namespace basin
