#include "saliency/detail/ImageFilters.h"

#include <torch/torch.h>

#include <cmath>

namespace basin::detail {

torch::Tensor gaussianBlur(const torch::Tensor& images, double sigma) {
    if (!(sigma > 0.0)) return images.clone();
    namespace F = torch::nn::functional;
    const std::int64_t radius = std::int64_t(std::ceil(3.0 * sigma));
    const auto options = torch::TensorOptions().dtype(torch::kFloat64);
    torch::Tensor t = torch::arange(-radius, radius + 1, options);
    torch::Tensor kernel = torch::exp(-(t * t) / (2.0 * sigma * sigma));
    kernel = (kernel / kernel.sum()).to(images.scalar_type());
    const std::int64_t c = images.size(1);
    const std::int64_t k = 2 * radius + 1;
    // Depthwise (groups = C) convolutions; replicate padding works for any
    // radius, where reflection needs it smaller than the image.
    const torch::Tensor rows = kernel.view({1, 1, 1, k}).expand({c, 1, 1, k}).contiguous();
    const torch::Tensor cols = kernel.view({1, 1, k, 1}).expand({c, 1, k, 1}).contiguous();
    torch::Tensor x =
        F::pad(images, F::PadFuncOptions({radius, radius, 0, 0}).mode(torch::kReplicate));
    x = F::conv2d(x, rows, F::Conv2dFuncOptions().groups(c));
    x = F::pad(x, F::PadFuncOptions({0, 0, radius, radius}).mode(torch::kReplicate));
    return F::conv2d(x, cols, F::Conv2dFuncOptions().groups(c));
}

}  // namespace basin::detail
