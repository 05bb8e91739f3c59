#include "splats/SplatCamera.h"

#include <algorithm>
#include <cmath>

namespace basin {
namespace {

constexpr float kPi = 3.14159265358979323846f;

SplatVec3 subtract(const SplatVec3& a, const SplatVec3& b) {
    return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
SplatVec3 cross(const SplatVec3& a, const SplatVec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
float length(const SplatVec3& a) {
    return std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
}
SplatVec3 normalized(const SplatVec3& a) {
    const float n = length(a);
    return n > 0 ? SplatVec3{a[0] / n, a[1] / n, a[2] / n} : a;
}
float radians(float degrees) {
    return degrees * kPi / 180.0f;
}

}  // namespace

std::array<float, 9> SplatCamera::rotation() const {
    SplatVec3 forward = normalized(subtract(target, position));
    if (length(forward) == 0) forward = {0.0f, 0.0f, -1.0f};
    SplatVec3 right = cross(forward, normalized(up));
    if (length(right) < 1e-6f) right = {1.0f, 0.0f, 0.0f};
    right = normalized(right);
    const SplatVec3 down = cross(forward, right);
    return {right[0], right[1],   right[2],   down[0],   down[1],
            down[2],  forward[0], forward[1], forward[2]};
}

SplatVec3 SplatCamera::toView(const SplatVec3& p) const {
    const std::array<float, 9> r = rotation();
    const SplatVec3 d = subtract(p, position);
    return {r[0] * d[0] + r[1] * d[1] + r[2] * d[2], r[3] * d[0] + r[4] * d[1] + r[5] * d[2],
            r[6] * d[0] + r[7] * d[1] + r[8] * d[2]};
}

std::array<float, 16> SplatCamera::viewMatrix() const {
    const std::array<float, 9> r = rotation();
    std::array<float, 16> m{};
    for (int row = 0; row < 3; ++row) {
        for (int col = 0; col < 3; ++col)
            m[4 * row + col] = r[3 * row + col];
        m[4 * row + 3] = -(r[3 * row] * position[0] + r[3 * row + 1] * position[1] +
                           r[3 * row + 2] * position[2]);
    }
    m[15] = 1.0f;
    return m;
}

std::array<float, 16> SplatCamera::projectionMatrix(float near, float far) const {
    std::array<float, 16> m{};
    m[0] = 1.0f / tanHalfFovX();
    m[5] = 1.0f / tanHalfFovY();
    m[10] = far / (far - near);
    m[11] = -(far * near) / (far - near);
    m[14] = 1.0f;
    return m;
}

float SplatCamera::tanHalfFovY() const {
    return std::tan(0.5f * radians(fovYDegrees));
}
float SplatCamera::tanHalfFovX() const {
    return tanHalfFovY() * static_cast<float>(width) / static_cast<float>(height);
}
float SplatCamera::focalY() const {
    return 0.5f * static_cast<float>(height) / tanHalfFovY();
}
float SplatCamera::focalX() const {
    return focalY();
}

SplatCamera SplatCamera::orbit(const SplatVec3& target, float azimuthDegrees,
                               float elevationDegrees, float distance, float fovYDegrees, int width,
                               int height, const SplatVec3& up) {
    const SplatVec3 u = normalized(up);
    // The direction azimuth 0 looks from, and the one 90° further about up
    // (side = up × front), spanning the plane normal to up.
    SplatVec3 front =
        std::abs(u[2]) > 0.5f ? SplatVec3{0.0f, -1.0f, 0.0f} : SplatVec3{0.0f, 0.0f, 1.0f};
    const float along = front[0] * u[0] + front[1] * u[1] + front[2] * u[2];
    for (int i = 0; i < 3; ++i)
        front[i] -= along * u[i];  // for an up off the axes
    front = normalized(front);
    const SplatVec3 side = cross(u, front);
    const float az = radians(azimuthDegrees), el = radians(elevationDegrees);
    const float a = distance * std::cos(el) * std::sin(az);
    const float b = distance * std::sin(el);
    const float c = distance * std::cos(el) * std::cos(az);
    SplatCamera cam;
    cam.target = target;
    for (int i = 0; i < 3; ++i)
        cam.position[i] = target[i] + a * side[i] + b * u[i] + c * front[i];
    cam.up = u;
    cam.fovYDegrees = fovYDegrees;
    cam.width = width;
    cam.height = height;
    return cam;
}

float SplatCamera::framingDistance(const std::array<float, 6>& bounds, float fovYDegrees, int width,
                                   int height, float margin) {
    const SplatVec3 extent{bounds[3] - bounds[0], bounds[4] - bounds[1], bounds[5] - bounds[2]};
    const float radius = std::max(0.5f * length(extent), 1e-6f);
    SplatCamera c;
    c.fovYDegrees = fovYDegrees;
    c.width = width;
    c.height = height;
    const float tanHalf = std::min(c.tanHalfFovX(), c.tanHalfFovY());
    // The sphere's silhouette touches the view cone's side at sin(half angle).
    const float sinHalf = tanHalf / std::sqrt(1.0f + tanHalf * tanHalf);
    return margin * radius / sinHalf;
}

SplatCamera SplatCamera::framing(const std::array<float, 6>& bounds, float azimuthDegrees,
                                 float elevationDegrees, float fovYDegrees, int width, int height,
                                 const SplatVec3& up) {
    const SplatVec3 centre{0.5f * (bounds[0] + bounds[3]), 0.5f * (bounds[1] + bounds[4]),
                           0.5f * (bounds[2] + bounds[5])};
    return orbit(centre, azimuthDegrees, elevationDegrees,
                 framingDistance(bounds, fovYDegrees, width, height), fovYDegrees, width, height,
                 up);
}

}  // namespace basin
