#pragma once
// The splats inside a selection box of the splat view: those whose centre is
// in front of the camera (depth above the near plane, as the renderers cull)
// and projects into the box, counted in all and per part when the splats
// carry a part label (a quantity named "part", or EVA's f_view_ind_0).

#include <cstddef>
#include <map>
#include <vector>

#include "splats/GaussianCloud.h"
#include "splats/RenderSplats.h"
#include "splats/SplatCamera.h"

namespace basin::widgets {

struct SplatBox {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixels of the camera's image, x0 ≤ x1, y0 ≤ y1
};

struct SplatSelectionCount {
    std::size_t total = 0;
    std::map<int, std::size_t> perPart;  // part label → count; empty without a part quantity
};

// The part quantity of a cloud: "part" first, else "f_view_ind_0"; null when
// neither exists with one value per splat.
const SplatQuantity* partQuantity(const std::vector<SplatQuantity>& quantities,
                                  std::size_t splatCount);

SplatSelectionCount countInBox(const RenderSplats& splats, const SplatQuantity* part,
                               const SplatCamera& camera, const SplatBox& box,
                               float nearPlane = 0.2f);

}  // namespace basin::widgets
