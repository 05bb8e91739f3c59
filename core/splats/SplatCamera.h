#pragma once
// A pinhole camera for splat rendering, in the convention of the 3D Gaussian
// Splatting reference code (COLMAP/OpenCV): view space has x right, y down
// and z forward (depth); pixel (i, j) covers [i, i+1) × [j, j+1) and its
// centre is (i + ½, j + ½); the principal point is the image centre and
// pixels are square. The world's up direction is +y unless a camera says
// otherwise (scenes reconstructed by COLMAP often have −y up).

#include <array>

namespace basin {

using SplatVec3 = std::array<float, 3>;

struct SplatCamera {
    SplatVec3 position{0.0f, 0.0f, 5.0f};
    SplatVec3 target{0.0f, 0.0f, 0.0f};
    SplatVec3 up{0.0f, 1.0f, 0.0f};
    float fovYDegrees = 50.0f;  // vertical field of view
    int width = 512;
    int height = 512;

    // World → view rotation, row-major; its rows are the camera's right,
    // down and forward axes in world coordinates. When looking along `up`
    // the right axis falls back to world +x.
    std::array<float, 9> rotation() const;
    // The point p in view space: rotation · (p − position).
    SplatVec3 toView(const SplatVec3& p) const;
    // The 4×4 world → view matrix, row-major.
    std::array<float, 16> viewMatrix() const;
    // The 4×4 view → clip matrix, row-major, as the reference code's
    // getProjectionMatrix: depth z maps to [0, 1] between near and far,
    // w = z.
    std::array<float, 16> projectionMatrix(float near, float far) const;

    float tanHalfFovY() const;
    float tanHalfFovX() const;  // from the aspect ratio
    float focalY() const;       // pixels: height / (2 tan(fovY/2))
    float focalX() const;       // equal to focalY (square pixels)

    // A camera on a sphere around `target` looking at it: azimuth about the
    // world's up axis, elevation above the plane normal to it, both in
    // degrees, distance in world units. With +y up (the default), azimuth 0°
    // looks from +z and 90° from +x; `up` may be any coordinate axis (±x, ±y,
    // ±z): azimuth 0° then looks from +z for ±x and ±y, from −y for ±z, and
    // the right-handed rotation about `up` turns the camera.
    static SplatCamera orbit(const SplatVec3& target, float azimuthDegrees, float elevationDegrees,
                             float distance, float fovYDegrees, int width, int height,
                             const SplatVec3& up = {0.0f, 1.0f, 0.0f});
    // The distance at which a sphere around the bounds {min x, y, z, max x,
    // y, z} (GaussianCloud::bounds) fills the narrower field of view, with a
    // margin of `margin` (1.1: 10% empty border).
    static float framingDistance(const std::array<float, 6>& bounds, float fovYDegrees, int width,
                                 int height, float margin = 1.1f);
    // orbit() around the bounds' centre at framingDistance.
    static SplatCamera framing(const std::array<float, 6>& bounds, float azimuthDegrees,
                               float elevationDegrees, float fovYDegrees, int width, int height,
                               const SplatVec3& up = {0.0f, 1.0f, 0.0f});
};

}  // namespace basin
