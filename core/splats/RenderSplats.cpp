#include "splats/RenderSplats.h"

#include <stdexcept>
#include <string>

#include "splats/GaussianCloud.h"

namespace basin {
namespace {

void checkLength(const char* name, std::size_t actual, std::size_t expected) {
    if (actual != expected)
        throw std::runtime_error("RenderSplats: " + std::string(name) + " holds " +
                                 std::to_string(actual) + " values, expected " +
                                 std::to_string(expected));
}

}  // namespace

void RenderSplats::validate() const {
    if (shDegree < 0 || shDegree > 3)
        throw std::runtime_error("RenderSplats: spherical-harmonics degree " +
                                 std::to_string(shDegree) + " is not in 0..3");
    const std::size_t n = size();
    checkLength("centres", centres.size(), 3 * n);
    checkLength("covariances", covariances.size(), 6 * n);
    checkLength("sh", sh.size(), 3 * n * static_cast<std::size_t>(shCoefficientCount()));
}

RenderSplats RenderSplats::fromCloud(const GaussianCloud& cloud) {
    const std::size_t n = cloud.size();
    if (cloud.opacities.size() != n || cloud.scales.size() != 3 * n ||
        cloud.rotations.size() != 4 * n)
        throw std::runtime_error(
            "RenderSplats: the Gaussian cloud is not activated (call GaussianCloud::activate)");
    RenderSplats s;
    s.centres = cloud.positions;
    s.opacities = cloud.opacities;
    s.shDegree = cloud.shDegree;
    s.sh = cloud.sh;
    s.covariances.resize(6 * n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = cloud.covariance(i);
        for (int k = 0; k < 6; ++k)
            s.covariances[6 * i + k] = c[k];
    }
    s.validate();
    return s;
}

}  // namespace basin
