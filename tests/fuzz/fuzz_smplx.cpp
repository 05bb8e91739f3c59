// Fuzz target: the SMPL-X readers of core/splats on arbitrary bytes — a
// parameter file (a pickle through the restricted pickle machine, or an .npz)
// turned into 55-joint poses, and a body model .npz whose skeleton, posed
// mesh, splat binding and PCA hand expansion are computed when it is small.

#include <cstdint>
#include <exception>

#include "splats/SmplxModel.h"
#include "splats/SmplxSequence.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        for (const auto& frame : basin::parseSmplxParameters(data, size, "fuzz")) {
            try {
                frame.skeletonPose();
            } catch (const std::exception&) {
            }
        }
    } catch (const std::exception&) {
    }
    if (size < 4 || data[0] != 'P' || data[1] != 'K') return 0;
    try {
        const basin::SmplxModel model = basin::SmplxModel::parse(data, size, "fuzz");
        if (model.vertexCount() <= 4096 && model.jointCount() <= 64) {
            const basin::Skeleton skeleton = model.skeleton();
            model.posedVertices(basin::SmplxParameters{});
            model.bindSplats({0.f, 0.f, 0.f, 1.f, -1.f, 0.5f}, model.shapedVertices());
            (void)skeleton;
            if (model.hasHandComponents()) {
                basin::SmplxParameters pca;
                pca.leftHandPose = {0.5, -0.25, 1.0};
                pca.rightHandPose.assign(45, 0.1);
                model.withFullHandPoses(pca, model.hasHandMean());
            }
        }
    } catch (const std::exception&) {
    }
    return 0;
}
