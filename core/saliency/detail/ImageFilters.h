#pragma once
// Inside core only (includes libtorch): image filters for saliency baselines.

#include <torch/script.h>

namespace basin::detail {

// Gaussian blur of images [N, C, H, W], each channel on its own, with
// standard deviation `sigma` pixels: separable (a 1-D kernel of radius
// ceil(3σ), normalised to sum 1, along rows then columns), edges replicated.
// sigma <= 0 returns a copy.
torch::Tensor gaussianBlur(const torch::Tensor& images, double sigma);

}  // namespace basin::detail
