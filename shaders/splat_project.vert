#version 330 core
// The per-frame projection of every Gaussian splat (SplatLayer's first pass):
// one point per splat in index order, nothing rasterised, the results
// captured by transform feedback for the quads of splat.vert. Per splat, as
// the CPU reference does it
// (core/splats/SplatProjection.cpp, after the 3DGS reference forward.cu):
// the view-space centre t = W (p - eye), the perspective Jacobian J at t
// (t.x/t.z, t.y/t.z clamped to 1.3x the half field of view), the 2D
// covariance J W S W^T J^T plus 0.3 on its diagonal, its inverse (the conic),
// a square of 3 standard deviations of the larger axis, rounded up to whole
// pixels, and the colour from spherical harmonics in the viewing direction.
// Pixel coordinates have their origin at the top-left corner, y down.

uniform samplerBuffer uCentres;     // xyz, opacity
uniform samplerBuffer uCovariances; // 2 texels: (xx xy xz yy) (yz zz - -)
uniform samplerBuffer uSh;          // uShStride texels: the coefficients' RGB, packed
uniform samplerBuffer uColours;     // rgb per splat (quantity display)
uniform samplerBuffer uMarks;       // r: 1 where highlighted (SplatLayer::setHighlightMask)
uniform int uHasMarks;
uniform mat3 uRotation;             // world -> view
uniform vec3 uEye;
uniform vec2 uFocal;                // pixels
uniform vec2 uViewport;             // pixels
uniform vec2 uFovLimit;             // 1.3 tan(half fov) in x and y
uniform float uNear;
uniform int uShDegree;              // evaluated degree
uniform int uShStride;
uniform int uDisplay;               // 0 colour, 1 quantity, 2 ellipsoids, 3 points
uniform vec4 uHighlight;            // xyzw: min x, min y, max x, max y of the selection (pixels); x > z: none

// Captured, 3 texels per splat: (centre x, centre y, radius, opacity) in
// pixels, radius 0 when culled; (conic a, b, c, -); (colour r, g, b, -).
out vec4 vProjected0;
out vec4 vProjected1;
out vec4 vProjected2;

const float C0 = 0.28209479177387814;
const float C1 = 0.4886025119029199;
const float C2[5] = float[5](1.0925484305920792, -1.0925484305920792, 0.31539156525252005,
                             -1.0925484305920792, 0.5462742152960396);
const float C3[7] = float[7](-0.5900435899266435, 2.890611442640554, -0.4570457994644658,
                             0.3731763325901154, -0.4570457994644658, 1.445305721320277,
                             -0.5900435899266435);

// The coefficients of one splat, 4 floats a texel: coefficient k's RGB are
// floats 3k..3k+2, so every 4 coefficients fill 3 texels. Constant indices
// only, so the compiler keeps them in registers.
vec4 t[12];

vec3 coefficient(int k) {
    int m = 3 * (k / 4);
    int r = k % 4;
    if (r == 0) return t[m].xyz;
    if (r == 1) return vec3(t[m].w, t[m + 1].xy);
    if (r == 2) return vec3(t[m + 1].zw, t[m + 2].x);
    return t[m + 2].yzw;
}

vec3 shColour(int index, vec3 direction) {
    int base = index * uShStride;
    t[0] = texelFetch(uSh, base);
    if (uShDegree >= 1) {
        t[1] = texelFetch(uSh, base + 1);
        t[2] = texelFetch(uSh, base + 2);
    }
    if (uShDegree >= 2) {
        for (int j = 3; j < 7; ++j) t[j] = texelFetch(uSh, base + j);
    }
    if (uShDegree >= 3) {
        for (int j = 7; j < 12; ++j) t[j] = texelFetch(uSh, base + j);
    }
    vec3 d = normalize(direction);
    vec3 rgb = C0 * coefficient(0);
    if (uShDegree >= 1) {
        float x = d.x, y = d.y, z = d.z;
        rgb += -C1 * y * coefficient(1) + C1 * z * coefficient(2) - C1 * x * coefficient(3);
        if (uShDegree >= 2) {
            float xx = x * x, yy = y * y, zz = z * z;
            float xy = x * y, yz = y * z, xz = x * z;
            rgb += C2[0] * xy * coefficient(4) + C2[1] * yz * coefficient(5) +
                   C2[2] * (2.0 * zz - xx - yy) * coefficient(6) + C2[3] * xz * coefficient(7) +
                   C2[4] * (xx - yy) * coefficient(8);
            if (uShDegree >= 3) {
                rgb += C3[0] * y * (3.0 * xx - yy) * coefficient(9) +
                       C3[1] * xy * z * coefficient(10) +
                       C3[2] * y * (4.0 * zz - xx - yy) * coefficient(11) +
                       C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy) * coefficient(12) +
                       C3[4] * x * (4.0 * zz - xx - yy) * coefficient(13) +
                       C3[5] * z * (xx - yy) * coefficient(14) +
                       C3[6] * x * (xx - 3.0 * yy) * coefficient(15);
            }
        }
    }
    return max(rgb + 0.5, vec3(0.0));
}

void cull() {
    vProjected0 = vec4(0.0);
    vProjected1 = vec4(0.0);
    vProjected2 = vec4(0.0);
}

void main() {
    int index = gl_VertexID;
    vec4 centre = texelFetch(uCentres, index);
    vec3 t = uRotation * (centre.xyz - uEye);
    if (!(t.z > uNear) || !(centre.w >= 1.0 / 255.0)) {
        cull();
        return;
    }
    float z = t.z;
    float tx = clamp(t.x / z, -uFovLimit.x, uFovLimit.x) * z;
    float ty = clamp(t.y / z, -uFovLimit.y, uFovLimit.y) * z;
    // T = J W, rows for x and y.
    vec3 w0 = vec3(uRotation[0][0], uRotation[1][0], uRotation[2][0]);
    vec3 w1 = vec3(uRotation[0][1], uRotation[1][1], uRotation[2][1]);
    vec3 w2 = vec3(uRotation[0][2], uRotation[1][2], uRotation[2][2]);
    vec3 T0 = (uFocal.x / z) * w0 - (uFocal.x * tx / (z * z)) * w2;
    vec3 T1 = (uFocal.y / z) * w1 - (uFocal.y * ty / (z * z)) * w2;
    vec4 s0 = texelFetch(uCovariances, 2 * index);
    vec4 s1 = texelFetch(uCovariances, 2 * index + 1);
    mat3 S = mat3(s0.x, s0.y, s0.z, s0.y, s0.w, s1.x, s0.z, s1.x, s1.y);
    vec3 ST0 = S * T0, ST1 = S * T1;
    float a = dot(T0, ST0) + 0.3;
    float b = dot(T0, ST1);
    float c = dot(T1, ST1) + 0.3;
    float det = a * c - b * b;
    if (!(det > 0.0)) {
        cull();
        return;
    }
    float mid = 0.5 * (a + c);
    float lambdaMax = mid + sqrt(max(0.1, mid * mid - det));
    float radius = ceil(3.0 * sqrt(lambdaMax));
    vec2 pixel = vec2(uFocal.x * t.x / z, uFocal.y * t.y / z) + 0.5 * uViewport;
    if (pixel.x + radius < 0.0 || pixel.y + radius < 0.0 || pixel.x - radius > uViewport.x ||
        pixel.y - radius > uViewport.y) {
        cull();  // its square misses the picture
        return;
    }

    vec3 colour;
    if (uDisplay == 1) {
        colour = texelFetch(uColours, index).rgb;
    } else {
        colour = shColour(index, centre.xyz - uEye);
    }
    bool inBox = uHighlight.x <= uHighlight.z && pixel.x >= uHighlight.x &&
                 pixel.x <= uHighlight.z && pixel.y >= uHighlight.y && pixel.y <= uHighlight.w;
    bool marked = uHasMarks != 0 && texelFetch(uMarks, index).r > 0.5;
    if (inBox || marked) {
        colour = mix(colour, vec3(1.0, 0.85, 0.2), 0.6);
    }
    vProjected0 = vec4(pixel, radius, centre.w);
    vProjected1 = vec4(c / det, -b / det, a / det, 0.0);
    vProjected2 = vec4(colour, 0.0);
    gl_Position = vec4(0.0, 0.0, 0.0, 1.0);
}
