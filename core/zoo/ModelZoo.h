#pragma once
// Basin's model zoo: small classifiers written as TorchScript source and
// compiled in C++ (torch::jit::Module::define), so demos and tests need no
// Python. The modules are ordinary TorchScript: Model::save writes a file that
// torch.jit.load reads in Python, with the same parameter names and outputs.
//
// Parameters are initialised as PyTorch's nn.Linear / nn.Conv2d defaults do
// (kaiming_uniform_ with a = sqrt(5), i.e. weights and biases uniform in
// [-1/sqrt(fan_in), 1/sqrt(fan_in)]), BatchNorm with weight 1, bias 0,
// running mean 0, running variance 1, drawn from Pcg32(seed) so the same seed
// gives the same weights on every platform. Modules start in training mode.

#include <cstdint>
#include <string>
#include <vector>

#include "model/Model.h"

namespace basin {

// Multi-layer perceptron: flatten, then Linear + ReLU per hidden width, then a
// Linear to the logits. Parameters fc1.weight, fc1.bias, ..., fc{k+1}.*.
struct MlpOptions {
    std::int64_t inputs = 2;
    std::vector<std::int64_t> hidden{64, 64};
    std::int64_t classes = 2;
    std::uint64_t seed = 0;
};
Model makeMlp(const MlpOptions& options = {});

// Small CNN with BatchNorm for images [N, C, H, W]:
//   conv1 3x3 (C -> w) · bn1 · ReLU · max-pool 2
//   conv2 3x3 (w -> 2w) · bn2 · ReLU · max-pool 2
//   fc (2w * floor(H/4) * floor(W/4) -> classes)
// Convolutions have no bias (BatchNorm follows), as is usual.
struct SmallCnnOptions {
    std::int64_t channels = 1;
    std::int64_t height = 28;
    std::int64_t width = 28;
    std::int64_t classes = 10;
    std::int64_t baseWidth = 16;  // w
    std::uint64_t seed = 0;
};
Model makeSmallCnn(const SmallCnnOptions& options = {});

// Small ResNet (He et al., "Deep Residual Learning for Image Recognition",
// 2016) for images of any size: a 3x3 stem (C -> w) with BatchNorm and ReLU,
// three stages of basic blocks (w, 2w, 4w channels; the 2nd and 3rd start
// with stride 2 and a 1x1-conv + BatchNorm shortcut), global average pooling
// and a Linear classifier. Names follow torchvision's ResNet where it can:
// conv1, bn1, layer1.0.conv1, layer2.0.downsample.conv, ..., fc.
struct SmallResNetOptions {
    std::int64_t channels = 3;
    std::int64_t classes = 10;
    std::int64_t baseWidth = 16;
    std::int64_t blocksPerStage = 1;
    std::uint64_t seed = 0;
};
Model makeSmallResNet(const SmallResNetOptions& options = {});

}  // namespace basin
