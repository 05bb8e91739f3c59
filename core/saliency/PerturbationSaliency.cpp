// Perturbation-based saliency: the target scalar y (logit y_c, or y_c − y_o
// for a contrast) is evaluated on altered copies of the image, no gradients.
// One value per pixel (SaliencyMap::attribution stays empty: the
// perturbations act on all channels of a pixel at once).
//
//  - Occlusion (Zeiler & Fergus 2014, "Visualizing and Understanding
//    Convolutional Networks"): a window of occlusionWindow² pixels, set to
//    occlusionValue in every channel, slides with occlusionStride over the
//    positions where it fits (as Captum's Occlusion); each pixel's value is the
//    mean, over the windows covering it, of y(x) − y(x with the window
//    occluded). Pixels no window covers (a border the stride skips) get 0.
//    Signed: positive where hiding the pixels lowers the score.
//  - RISE (Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for
//    Explanation of Black-box Models"): N = riseMasks random masks. Each is a
//    binary s × s grid (s = riseCell) whose cells are 1 with probability
//    p = riseProbability, upsampled bilinearly to (s + 1)·⌈H/s⌉ × (s + 1)·⌈W/s⌉
//    and cropped to H × W at a random shift in [0, ⌈H/s⌉) × [0, ⌈W/s⌉), so
//    masks are smooth and not aligned to one grid. Saliency
//    S = Σ_i y(x ⊙ M_i) · M_i / (N · p), the Monte Carlo estimate of
//    E[y(x ⊙ M) | M(pixel) = 1]. (The paper uses the class probability; Basin
//    maps the same target scalar as the other methods, so S shifts by a
//    constant where the logit has an offset, with the same shape.)
//
// All windows / masks run batched (forward passes only, sized from the first
// item's allocations and SaliencyOptions::memoryBudgetBytes); RISE's grids and
// shifts are drawn up front from a generator seeded with SaliencyOptions::seed,
// so the map does not depend on the batching. Progress is reported after every
// batch and a false from the callback stops the run (JobCancelled).

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "saliency/detail/SaliencyBatches.h"
#include "saliency/detail/SaliencyRun.h"

namespace basin::detail {
namespace {

struct Window {
    std::int64_t y0, x0;
};

SaliencyMap occlusionMap(const SaliencyRun& run) {
    const SaliencyOptions& o = *run.options;
    if (o.occlusionWindow < 1 || o.occlusionStride < 1)
        throw std::runtime_error("occlusion on model '" + run.modelName +
                                 "' needs a window and a stride of at least 1 pixel, not " +
                                 std::to_string(o.occlusionWindow) + " and " +
                                 std::to_string(o.occlusionStride));
    const torch::Tensor& x = run.image;
    const std::int64_t h = x.size(2), w = x.size(3);
    const std::int64_t wh = std::min<std::int64_t>(o.occlusionWindow, h);
    const std::int64_t ww = std::min<std::int64_t>(o.occlusionWindow, w);
    std::vector<Window> windows;
    for (std::int64_t y0 = 0; y0 + wh <= h; y0 += o.occlusionStride)
        for (std::int64_t x0 = 0; x0 + ww <= w; x0 += o.occlusionStride)
            windows.push_back({y0, x0});

    const double base = targetScoresOf(run, x).item<double>();
    torch::Tensor sum = torch::zeros({h, w}, torch::kFloat64);
    torch::Tensor count = torch::zeros({h, w}, torch::kFloat64);
    forBatches(run, std::int64_t(windows.size()), [&](std::int64_t start, std::int64_t size) {
        torch::NoGradGuard noGrad;
        torch::Tensor batch = x.repeat({size, 1, 1, 1});
        for (std::int64_t i = 0; i < size; ++i) {
            const Window& win = windows[std::size_t(start + i)];
            batch[i]
                .slice(1, win.y0, win.y0 + wh)
                .slice(2, win.x0, win.x0 + ww)
                .fill_(o.occlusionValue);
        }
        const torch::Tensor scores = targetScoresOf(run, batch).to(torch::kFloat64);
        const auto s = scores.accessor<double, 1>();
        for (std::int64_t i = 0; i < size; ++i) {
            const Window& win = windows[std::size_t(start + i)];
            sum.slice(0, win.y0, win.y0 + wh).slice(1, win.x0, win.x0 + ww) += base - s[i];
            count.slice(0, win.y0, win.y0 + wh).slice(1, win.x0, win.x0 + ww) += 1.0;
        }
    });
    const torch::Tensor values =
        torch::where(count > 0, sum / count.clamp_min(1.0), torch::zeros_like(sum));
    return inputSpaceMap(values, torch::Tensor());
}

SaliencyMap riseMap(const SaliencyRun& run) {
    const SaliencyOptions& o = *run.options;
    if (o.riseMasks < 1 || o.riseCell < 1 || !(o.riseProbability > 0.0 && o.riseProbability <= 1.0))
        throw std::runtime_error("RISE on model '" + run.modelName +
                                 "' needs at least one mask, a grid of at least 1 × 1 cells and a "
                                 "probability in (0, 1]; got " +
                                 std::to_string(o.riseMasks) + " masks, " +
                                 std::to_string(o.riseCell) +
                                 " cells, p = " + std::to_string(o.riseProbability));
    const torch::Tensor& x = run.image;
    const std::int64_t h = x.size(2), w = x.size(3), s = o.riseCell, n = o.riseMasks;
    const std::int64_t cellH = (h + s - 1) / s, cellW = (w + s - 1) / s;
    const std::int64_t upH = (s + 1) * cellH, upW = (s + 1) * cellW;

    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    const torch::Tensor grids =
        (at::rand({n, 1, s, s}, generator, x.options()) < o.riseProbability).to(torch::kFloat32);
    const torch::Tensor shiftY = at::randint(cellH, {n}, generator, torch::kInt64);
    const torch::Tensor shiftX = at::randint(cellW, {n}, generator, torch::kInt64);
    const auto sy = shiftY.accessor<std::int64_t, 1>();
    const auto sx = shiftX.accessor<std::int64_t, 1>();

    namespace F = torch::nn::functional;
    torch::Tensor sum = torch::zeros({h * w}, torch::kFloat64);
    forBatches(run, n, [&](std::int64_t start, std::int64_t size) {
        torch::NoGradGuard noGrad;
        const torch::Tensor up = F::interpolate(grids.slice(0, start, start + size),
                                                F::InterpolateFuncOptions()
                                                    .size(std::vector<std::int64_t>{upH, upW})
                                                    .mode(torch::kBilinear)
                                                    .align_corners(false));
        std::vector<torch::Tensor> crops;
        for (std::int64_t i = 0; i < size; ++i) {
            const std::int64_t y0 = sy[start + i], x0 = sx[start + i];
            crops.push_back(up[i].slice(1, y0, y0 + h).slice(2, x0, x0 + w));
        }
        const torch::Tensor masks = torch::stack(crops, 0);  // [B, 1, H, W]
        const torch::Tensor scores = targetScoresOf(run, x * masks);
        sum += torch::matmul(scores.to(torch::kFloat64),
                             masks.view({size, h * w}).to(torch::kFloat64));
    });
    const torch::Tensor values = (sum / (double(n) * o.riseProbability)).view({h, w});
    return inputSpaceMap(values, torch::Tensor());
}

}  // namespace

SaliencyMap perturbationSaliency(const SaliencyRun& run) {
    switch (run.options->method) {
        case SaliencyMethod::Occlusion:
            return occlusionMap(run);
        case SaliencyMethod::Rise:
            return riseMap(run);
        default:
            throw std::logic_error(std::string("perturbationSaliency cannot compute ") +
                                   saliencyMethodTitle(run.options->method));
    }
}

}  // namespace basin::detail
