#pragma once
// Per-splat scalars the splat view can colour by (SplatLayer's quantity
// display): the opacity, the scale (the largest standard deviation of the
// 3D covariance, so it holds for posed splats too) and every SplatQuantity a
// file carried (EVA's part label f_view_ind_0, a gradient, a dominant bone);
// and the colours a colormap gives them between their finite min and max.

#include <string>
#include <vector>

#include "splats/GaussianCloud.h"
#include "splats/RenderSplats.h"
#include "util/Colormap.h"

namespace basin::widgets {

// "opacity", "scale", then the quantities' names in their order.
std::vector<std::string> splatValueNames(const std::vector<SplatQuantity>& quantities);

// The values named `name` (see splatValueNames), one per splat; empty when
// no such value exists.
std::vector<float> splatValues(const RenderSplats& splats,
                               const std::vector<SplatQuantity>& quantities,
                               const std::string& name);

// The largest standard deviation of a covariance (xx xy xz yy yz zz): the
// square root of its largest eigenvalue.
float largestStandardDeviation(const float* covariance);

// RGB per value ([r g b] × n) from `map` over the finite range of `values`
// (constant values take the map's middle; NaN/inf take grey).
std::vector<float> colourValues(const std::vector<float>& values, Colormap map);

}  // namespace basin::widgets
