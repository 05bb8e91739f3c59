#include "splats/SplatRasterizer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

#include "splats/DepthSort.h"
#include "splats/SplatProjection.h"

namespace basin {
namespace {

constexpr int kTile = 16;
constexpr float kMinAlpha = 1.0f / 255.0f;
constexpr float kMaxAlpha = 0.99f;
constexpr float kMinTransmittance = 1e-4f;

// Splats overlapping each tile, front to back, as compressed rows.
struct TileBins {
    int tilesX = 0, tilesY = 0;
    std::vector<std::uint32_t> start;   // tilesX·tilesY + 1 offsets into `splats`
    std::vector<std::uint32_t> splats;  // indices into the projected splats
};

// The pixel range [lo, hi] whose centres (i + ½) lie within r of x.
bool pixelRange(float x, int r, int size, int* lo, int* hi) {
    *lo = std::max(0, static_cast<int>(std::ceil(x - static_cast<float>(r) - 0.5f)));
    *hi = std::min(size - 1, static_cast<int>(std::floor(x + static_cast<float>(r) - 0.5f)));
    return *lo <= *hi;
}

struct TileRect {
    int x0, y0, x1, y1;  // inclusive tile indices
};

TileBins binSplats(const std::vector<ProjectedSplat>& projected,
                   const std::vector<std::uint32_t>& order, int width, int height) {
    TileBins bins;
    bins.tilesX = (width + kTile - 1) / kTile;
    bins.tilesY = (height + kTile - 1) / kTile;
    const std::size_t tiles = static_cast<std::size_t>(bins.tilesX) * bins.tilesY;
    std::vector<TileRect> rects(projected.size());
    std::vector<std::uint32_t> counts(tiles + 1, 0);
    for (std::size_t s = 0; s < projected.size(); ++s) {
        const ProjectedSplat& p = projected[s];
        int px0, px1, py0, py1;
        if (!pixelRange(p.x, p.radius, width, &px0, &px1) ||
            !pixelRange(p.y, p.radius, height, &py0, &py1)) {
            rects[s] = {0, 0, -1, -1};
            continue;
        }
        rects[s] = {px0 / kTile, py0 / kTile, px1 / kTile, py1 / kTile};
        for (int ty = rects[s].y0; ty <= rects[s].y1; ++ty)
            for (int tx = rects[s].x0; tx <= rects[s].x1; ++tx)
                ++counts[static_cast<std::size_t>(ty) * bins.tilesX + tx + 1];
    }
    for (std::size_t t = 0; t < tiles; ++t)
        counts[t + 1] += counts[t];
    bins.start = counts;
    bins.splats.resize(counts[tiles]);
    // Filling in depth order leaves each tile's list sorted front to back.
    for (const std::uint32_t s : order) {
        const TileRect& r = rects[s];
        for (int ty = r.y0; ty <= r.y1; ++ty)
            for (int tx = r.x0; tx <= r.x1; ++tx)
                bins.splats[counts[static_cast<std::size_t>(ty) * bins.tilesX + tx]++] = s;
    }
    return bins;
}

// What the per-pixel loop reads of a splat, packed contiguously per tile.
struct TileSplat {
    float x, y;
    float conic[3];
    float opacity;
    // Below this exponent α < 1/255 for certain (log(1/255 / opacity) less
    // a margin far above expf's rounding), so exp need not be evaluated.
    float skipBelow;
    float colour[3];
    float yReach;  // no pixel farther than this from y in y reaches skipBelow
};

// A splat's α ≥ 1/255 region, ½ dᵀΣ⁻¹d ≤ L with L = −skipBelow, lies within
// |dx| ≤ √(2L Σxx), |dy| ≤ √(2L Σyy); one pixel more covers the conic's
// rounding. Splats whose region misses the tile are not gathered, and rows
// outside it skip the splat: the image is the same, the work much less.
void gatherTile(int tile, const TileBins& bins, const std::vector<ProjectedSplat>& projected,
                float x0, float y0, float x1, float y1, std::vector<TileSplat>& splats) {
    const std::uint32_t* list = bins.splats.data() + bins.start[tile];
    const std::uint32_t count = bins.start[tile + 1] - bins.start[tile];
    splats.clear();
    for (std::uint32_t k = 0; k < count; ++k) {
        const ProjectedSplat& p = projected[list[k]];
        const float skipBelow = std::log(kMinAlpha / p.opacity) - 1e-3f;
        const float reach = 2.0f * -skipBelow;
        const float xReach = std::sqrt(reach * p.covariance[0]) + 1.0f;
        const float yReach = std::sqrt(reach * p.covariance[2]) + 1.0f;
        if (p.x + xReach < x0 || p.x - xReach > x1 || p.y + yReach < y0 || p.y - yReach > y1)
            continue;
        splats.push_back({p.x,
                          p.y,
                          {p.conic[0], p.conic[1], p.conic[2]},
                          p.opacity,
                          skipBelow,
                          {p.colour[0], p.colour[1], p.colour[2]},
                          yReach});
    }
}

void renderTile(int tile, const TileBins& bins, const std::vector<ProjectedSplat>& projected,
                const SplatRasterOptions& options, std::vector<TileSplat>& splats,
                std::vector<const TileSplat*>& row, SplatImage& image) {
    const int tx = tile % bins.tilesX, ty = tile / bins.tilesX;
    const int x1 = std::min(image.width, (tx + 1) * kTile);
    const int y1 = std::min(image.height, (ty + 1) * kTile);
    gatherTile(tile, bins, projected, static_cast<float>(tx * kTile) + 0.5f,
               static_cast<float>(ty * kTile) + 0.5f, static_cast<float>(x1) - 0.5f,
               static_cast<float>(y1) - 0.5f, splats);
    for (int py = ty * kTile; py < y1; ++py) {
        const float cy = static_cast<float>(py) + 0.5f;
        row.clear();
        for (const TileSplat& s : splats)
            if (std::abs(cy - s.y) <= s.yReach) row.push_back(&s);
        for (int px = tx * kTile; px < x1; ++px) {
            const float cx = static_cast<float>(px) + 0.5f;
            float T = 1.0f;
            float rgb[3] = {0.0f, 0.0f, 0.0f};
            for (const TileSplat* sp : row) {
                const TileSplat& s = *sp;
                const float dx = cx - s.x, dy = cy - s.y;
                const float power =
                    -0.5f * (s.conic[0] * dx * dx + s.conic[2] * dy * dy) - s.conic[1] * dx * dy;
                if (power > 0.0f || power < s.skipBelow) continue;
                const float alpha = std::min(kMaxAlpha, s.opacity * std::exp(power));
                if (alpha < kMinAlpha) continue;
                const float nextT = T * (1.0f - alpha);
                if (nextT < kMinTransmittance) break;
                for (int c = 0; c < 3; ++c)
                    rgb[c] += s.colour[c] * alpha * T;
                T = nextT;
            }
            const std::size_t pixel = static_cast<std::size_t>(py) * image.width + px;
            for (int c = 0; c < 3; ++c)
                image.rgb[3 * pixel + c] = rgb[c] + T * options.background[c];
            image.transmittance[pixel] = T;
        }
    }
}

}  // namespace

SplatImage rasterizeSplats(const RenderSplats& splats, const SplatCamera& camera,
                           const SplatRasterOptions& options) {
    splats.validate();
    if (camera.width <= 0 || camera.height <= 0 || camera.width > 16384 || camera.height > 16384)
        throw std::invalid_argument("rasterizeSplats: image size " + std::to_string(camera.width) +
                                    "×" + std::to_string(camera.height) +
                                    " is not between 1 and 16384 pixels a side");
    std::vector<ProjectedSplat> projected;
    projected.reserve(splats.size());
    std::vector<float> depths;
    depths.reserve(splats.size());
    const int degree = std::clamp(options.shDegree, 0, 3);
    for (std::size_t i = 0; i < splats.size(); ++i) {
        ProjectedSplat p;
        if (!projectSplat(splats, i, camera, options.nearPlane, degree, &p)) continue;
        if (!(p.opacity >= kMinAlpha)) continue;  // α ≤ opacity never reaches 1/255
        projected.push_back(p);
        depths.push_back(p.depth);
    }
    const std::vector<std::uint32_t> order = depthOrder(depths.data(), depths.size());
    const TileBins bins = binSplats(projected, order, camera.width, camera.height);

    SplatImage image;
    image.width = camera.width;
    image.height = camera.height;
    const std::size_t pixels = static_cast<std::size_t>(camera.width) * camera.height;
    image.rgb.resize(3 * pixels);
    image.transmittance.resize(pixels);
    const int tiles = bins.tilesX * bins.tilesY;
    int threads = options.threads > 0 ? options.threads
                                      : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::clamp(threads, 1, tiles);
    std::atomic<int> next{0};
    auto work = [&] {
        std::vector<TileSplat> buffer;
        std::vector<const TileSplat*> row;
        for (int t = next++; t < tiles; t = next++)
            renderTile(t, bins, projected, options, buffer, row, image);
    };
    std::vector<std::thread> pool;
    for (int k = 1; k < threads; ++k)
        pool.emplace_back(work);
    work();
    for (std::thread& t : pool)
        t.join();
    return image;
}

}  // namespace basin
