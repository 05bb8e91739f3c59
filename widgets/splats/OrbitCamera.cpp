#include "splats/OrbitCamera.h"

#include <algorithm>
#include <cmath>

namespace basin::widgets {

SplatCamera OrbitCamera::camera(int width, int height) const {
    return SplatCamera::orbit(target, azimuthDegrees, elevationDegrees, distance, fovYDegrees,
                              std::max(width, 1), std::max(height, 1));
}

void OrbitCamera::orbit(float dx, float dy) {
    azimuthDegrees = std::fmod(azimuthDegrees - 0.3f * dx, 360.0f);
    elevationDegrees = std::clamp(elevationDegrees + 0.3f * dy, -89.0f, 89.0f);
}

void OrbitCamera::pan(float dx, float dy, float viewHeight) {
    const SplatCamera c = camera(1, 1);
    const std::array<float, 9> r = c.rotation();  // rows: right, down, forward
    const float worldPerPixel = 2.0f * distance * c.tanHalfFovY() / std::max(viewHeight, 1.0f);
    // Dragging right moves the scene right: the target moves left.
    for (int k = 0; k < 3; ++k)
        target[k] -= worldPerPixel * (dx * r[k] + dy * r[3 + k]);
}

void OrbitCamera::fly(float forward, float right, float up) {
    const std::array<float, 9> r = camera(1, 1).rotation();  // rows: right, down, forward
    for (int k = 0; k < 3; ++k)
        target[k] += right * r[k] - up * r[3 + k] + forward * r[6 + k];
}

void OrbitCamera::zoom(float notches) {
    distance = std::clamp(distance * std::pow(1.15f, -notches), 1e-4f, 1e6f);
}

void OrbitCamera::frame(const std::array<float, 6>& bounds, int width, int height) {
    target = {0.5f * (bounds[0] + bounds[3]), 0.5f * (bounds[1] + bounds[4]),
              0.5f * (bounds[2] + bounds[5])};
    distance =
        SplatCamera::framingDistance(bounds, fovYDegrees, std::max(width, 1), std::max(height, 1));
}

}  // namespace basin::widgets
