#version 330 core
// One splat's footprint (SplatLayer), as the CPU reference composites it:
// alpha = min(0.99, opacity exp(-1/2 d^T conic d)) with d from the splat's
// centre to the pixel centre, dropped below 1/255; output premultiplied for
// back-to-front blending (ONE, ONE_MINUS_SRC_ALPHA), which equals the
// reference's front-to-back sum. Debug displays: ellipsoids (opaque 2-sigma
// ellipses, shaded towards the rim) and points (opaque discs).

flat in vec3 vColour;
flat in float vOpacity;
flat in vec3 vConic;
in vec2 vOffset;

uniform int uDisplay;  // 0 colour, 1 quantity, 2 ellipsoids, 3 points
uniform float uPointRadius;

out vec4 fragColour;

void main() {
    vec2 d = vOffset;
    if (uDisplay == 3) {
        if (dot(d, d) > uPointRadius * uPointRadius) discard;
        fragColour = vec4(vColour, 1.0);
        return;
    }
    float power = -0.5 * (vConic.x * d.x * d.x + vConic.z * d.y * d.y) - vConic.y * d.x * d.y;
    if (power > 0.0) discard;
    if (uDisplay == 2) {
        // Mahalanobis distance m = sqrt(-2 power); inside 2 sigma.
        float m2 = -2.0 * power;
        if (m2 > 4.0 || vOpacity < 0.05) discard;
        fragColour = vec4(vColour * (0.45 + 0.55 * sqrt(1.0 - 0.25 * m2)), 1.0);
        return;
    }
    float alpha = min(0.99, vOpacity * exp(power));
    if (alpha < 1.0 / 255.0) discard;
    fragColour = vec4(vColour * alpha, alpha);
}
