#pragma once
// What to explain and how: the target class, the layer for CAM-style
// methods and each method's parameters, with the defaults the original
// papers (and Captum) use.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/TensorData.h"
#include "saliency/SaliencyMethod.h"

namespace basin {

// The scalar whose attribution is mapped: the logit of the predicted class,
// of a chosen class, or the difference of two logits (class − other).
struct SaliencyTarget {
    enum class Kind { Predicted, Class, Contrast };
    Kind kind = Kind::Predicted;
    std::int64_t classIndex = -1;  // Class and Contrast
    std::int64_t otherClass = -1;  // Contrast
};

enum class ChannelReduction { Max, Sum };  // how |gradient| over channels becomes one map

enum class IgQuadrature { Riemann, GaussLegendre };  // Riemann: midpoints (Captum's riemann_middle)

enum class IgBaseline { Black, Blurred, Custom };

struct SaliencyOptions {
    SaliencyMethod method = SaliencyMethod::Gradient;
    SaliencyTarget target;
    // CAM family and NormGrad: a submodule path from the module tree
    // ("layer4", "features.8"); empty = the last layer with a spatial output.
    std::string layer;
    // NormGradMultiLayer: the layers combined; empty = every convolution.
    std::vector<std::string> layers;

    ChannelReduction reduction = ChannelReduction::Max;

    // SmoothGrad, SmoothGrad², Smooth Grad-CAM++.
    int samples = 50;
    double noiseFraction = 0.15;  // σ / (max(x) − min(x))

    // Integrated Gradients.
    int steps = 50;
    IgQuadrature quadrature = IgQuadrature::GaussLegendre;
    IgBaseline baseline = IgBaseline::Black;
    double blurSigma = 5.0;  // pixels, for IgBaseline::Blurred
    TensorData customBaseline;  // [C, H, W], for IgBaseline::Custom

    // Occlusion.
    int occlusionWindow = 8;
    int occlusionStride = 4;
    float occlusionValue = 0.0f;

    // RISE.
    int riseMasks = 2000;
    int riseCell = 7;  // the coarse mask grid is riseCell × riseCell
    double riseProbability = 0.5;

    std::uint64_t seed = 0;  // noise, masks
    // Samples, steps and masks run in batches that fit this many bytes of
    // activations (estimated from one forward pass).
    std::size_t memoryBudgetBytes = std::size_t(512) << 20;
};

}  // namespace basin
