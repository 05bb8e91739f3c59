#pragma once
// One saliency map: a value per input pixel (CAM-style maps are upsampled
// bilinearly to the input's size, the coarse map is kept too), with what it
// explains.

#include <cstdint>
#include <string>
#include <vector>

#include "io/TensorData.h"
#include "saliency/SaliencyMethod.h"

namespace basin {

struct SaliencyMap {
    SaliencyMethod method = SaliencyMethod::Gradient;
    std::string layer;              // CAM family / NormGrad; empty otherwise
    std::int64_t targetClass = -1;  // the class explained
    std::int64_t otherClass = -1;   // contrast targets; -1 otherwise
    double targetScore = 0.0;       // the target scalar at the input (logit or difference)
    bool isSigned = false;

    std::int64_t height = 0, width = 0;
    std::vector<float> values;  // row-major [height × width]

    // Input-space methods: the attribution per input element [C, H, W]
    // before reduction to one map (IG completeness, raw export); empty for
    // CAM-style maps.
    TensorData attribution;
    // CAM-style maps: the map at the layer's resolution, before upsampling.
    std::int64_t coarseHeight = 0, coarseWidth = 0;
    std::vector<float> coarseValues;

    float at(std::int64_t y, std::int64_t x) const { return values[std::size_t(y * width + x)]; }
};

}  // namespace basin
