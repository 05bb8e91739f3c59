#pragma once
// The interactive camera of the splat view: an orbit around a target point
// (azimuth about the world's +y axis, elevation, distance), turned into a
// core SplatCamera for each frame so that the GL renderer and the CPU
// reference rasterizer see exactly the same view (same conventions: view x
// right, y down, z forward; world up +y).
//
// Gestures (SplatLayer): left drag orbits, right drag pans the target in the
// view plane, the wheel zooms (distance × 1.15 per notch), F frames the cloud;
// W/A/S/D/Q/E fly: eye and target move together along the view's forward,
// right and up axes by 5% of the distance a press.

#include <array>

#include "splats/SplatCamera.h"

namespace basin::widgets {

struct OrbitCamera {
    SplatVec3 target{0.0f, 0.0f, 0.0f};
    float azimuthDegrees = 0.0f;     // 0: looking from +z
    float elevationDegrees = 15.0f;  // above the xz plane, kept within ±89°
    float distance = 5.0f;
    float fovYDegrees = 50.0f;

    // The camera for a framebuffer of width × height pixels.
    SplatCamera camera(int width, int height) const;

    // Left drag by (dx, dy) widget pixels: 0.3° per pixel.
    void orbit(float dx, float dy);
    // Right drag by (dx, dy) widget pixels in a view `viewHeight` pixels high:
    // the point under the pointer at the target's depth follows it.
    void pan(float dx, float dy, float viewHeight);
    // Moves eye and target together by world distances along the camera's
    // forward, right and up (−down) axes.
    void fly(float forward, float right, float up);
    // `notches` wheel steps, positive zooming in.
    void zoom(float notches);
    // Target at the bounds' centre ({min x y z, max x y z}) and the distance
    // at which they fill the view (SplatCamera::framingDistance).
    void frame(const std::array<float, 6>& bounds, int width, int height);
};

}  // namespace basin::widgets
