#include "splats/SplatSelection.h"

#include <cmath>

namespace basin::widgets {

const SplatQuantity* partQuantity(const std::vector<SplatQuantity>& quantities,
                                  std::size_t splatCount) {
    for (const char* name : {"part", "f_view_ind_0"})
        for (const SplatQuantity& q : quantities)
            if (q.name == name && q.values.size() == splatCount) return &q;
    return nullptr;
}

SplatSelectionCount countInBox(const RenderSplats& splats, const SplatQuantity* part,
                               const SplatCamera& camera, const SplatBox& box, float nearPlane) {
    SplatSelectionCount count;
    const std::array<float, 9> r = camera.rotation();
    const float fx = camera.focalX(), fy = camera.focalY();
    const float cx = 0.5f * static_cast<float>(camera.width);
    const float cy = 0.5f * static_cast<float>(camera.height);
    for (std::size_t i = 0; i < splats.size(); ++i) {
        const float* p = &splats.centres[3 * i];
        const float d[3] = {p[0] - camera.position[0], p[1] - camera.position[1],
                            p[2] - camera.position[2]};
        const float z = r[6] * d[0] + r[7] * d[1] + r[8] * d[2];
        if (!(z > nearPlane)) continue;
        const float x = fx * (r[0] * d[0] + r[1] * d[1] + r[2] * d[2]) / z + cx;
        const float y = fy * (r[3] * d[0] + r[4] * d[1] + r[5] * d[2]) / z + cy;
        if (!(x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1)) continue;
        ++count.total;
        if (part) ++count.perPart[static_cast<int>(std::lround(part->values[i]))];
    }
    return count;
}

}  // namespace basin::widgets
