#version 330 core
// Heatmap of a Grid2D with optional isolines.
//
// Values: R32F texture, Grid2D's x-outer layout uploaded as rows, so the texel
// for grid node (ix, iy) is (iy, ix). Values are interpolated bilinearly
// between nodes here (texelFetch, not hardware filtering: exact weights, and
// NaN — a point not computed yet — propagates to a grey cell instead of
// being blended into its neighbours).
//
// Isolines: at N levels evenly spaced in the mapped value t in [0, 1] (linear
// or log), level k at t = k / (N + 1). With f = t (N + 1) the distance to the
// nearest level in pixels is |f - round(f)| / fwidth(f); its coverage gives
// lines of constant on-screen width, anti-aliased over one pixel, at any zoom.

in vec2 vData;
out vec4 fragColor;

uniform sampler2D uValues;    // R32F, ny wide, nx high
uniform sampler2D uXCoords;   // R32F, nx × 1, ascending
uniform sampler2D uYCoords;   // R32F, ny × 1, ascending
uniform vec2 uFirstCoord;     // (x[0], y[0]), as stored in the coordinate textures
uniform vec2 uLastCoord;      // (x[nx - 1], y[ny - 1])
uniform bvec2 uEvenlySpaced;  // per axis: the coordinates are a linspace
uniform sampler2D uColormap;  // RGBA8, 256 × 1
uniform ivec2 uGridSize;      // (nx, ny), both >= 2
uniform vec2 uRange;          // finite (min, max) of the values
uniform bool uLogScale;
uniform bool uIsolines;
uniform int uIsolineCount;
uniform float uLineWidth;     // framebuffer pixels
uniform vec3 uNanColor;

const vec3 kBackground = vec3(0.13, 0.14, 0.16);  // GlView's clear colour

float coord(sampler2D coords, int i) { return texelFetch(coords, ivec2(i, 0), 0).r; }

// Fractional index of w among n ascending coordinates from first to last.
// Evenly spaced axes (every linspace grid) need no look-up; any other spacing
// is binary-searched for the bracketing pair, then linear within it — about
// log2(n) dependent texel fetches per pixel, the heatmap's main cost.
float fractionalIndex(sampler2D coords, int n, float w, bool evenlySpaced, float first,
                      float last) {
    if (evenlySpaced) return clamp((w - first) / max(last - first, 1e-30), 0.0, 1.0) * float(n - 1);
    int lo = 0;
    int hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (coord(coords, mid) <= w) lo = mid; else hi = mid;
    }
    float a = coord(coords, lo);
    float b = coord(coords, hi);
    return float(lo) + clamp((w - a) / max(b - a, 1e-30), 0.0, 1.0);
}

float value(int ix, int iy) { return texelFetch(uValues, ivec2(iy, ix), 0).r; }

float mapped(float v) {
    float span = max(uRange.y - uRange.x, 1e-30);
    if (uLogScale) return log(1.0 + max(v - uRange.x, 0.0)) / log(1.0 + span);
    return (v - uRange.x) / span;
}

void main() {
    int nx = uGridSize.x;
    int ny = uGridSize.y;
    bool inside = all(greaterThanEqual(vData, uFirstCoord)) &&
                  all(lessThanEqual(vData, uLastCoord));

    float fx = fractionalIndex(uXCoords, nx, vData.x, uEvenlySpaced.x, uFirstCoord.x, uLastCoord.x);
    float fy = fractionalIndex(uYCoords, ny, vData.y, uEvenlySpaced.y, uFirstCoord.y, uLastCoord.y);
    int ix = min(int(fx), nx - 2);
    int iy = min(int(fy), ny - 2);
    float tx = fx - float(ix);
    float ty = fy - float(iy);
    float v = mix(mix(value(ix, iy), value(ix + 1, iy), tx),
                  mix(value(ix, iy + 1), value(ix + 1, iy + 1), tx), ty);

    float t = mapped(v);
    // Derivatives before any branch: fwidth needs all four pixels of the quad.
    float f = t * float(uIsolineCount + 1);
    float pixels = fwidth(f);

    vec3 color = texture(uColormap, vec2((clamp(t, 0.0, 1.0) * 255.0 + 0.5) / 256.0, 0.5)).rgb;
    if (uIsolines && !isnan(f) && pixels > 0.0) {
        float k = floor(f + 0.5);
        float distancePx = abs(f - k) / pixels;
        float coverage = clamp(0.5 * uLineWidth + 0.5 - distancePx, 0.0, 1.0);
        if (k < 1.0 || k > float(uIsolineCount)) coverage = 0.0;
        // Dark lines on light colours, light lines on dark ones.
        float luminance = dot(color, vec3(0.299, 0.587, 0.114));
        vec3 line = luminance > 0.45 ? vec3(0.08) : vec3(0.95);
        color = mix(color, line, 0.75 * coverage);
    }
    if (isnan(v)) color = uNanColor;
    if (!inside) color = kBackground;
    fragColor = vec4(color, 1.0);
}
