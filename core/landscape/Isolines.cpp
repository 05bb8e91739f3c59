#include "landscape/Isolines.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace basin {
namespace {

using Point = std::pair<double, double>;

// An edge crossing is identified by the edge it lies on, so the segments of
// neighbouring cells meet at exactly the same key and can be joined.
struct EdgeKey {
    std::size_t i, j;  // lower-left node of the edge
    bool vertical;     // edge from (i, j) to (i, j + 1); else to (i + 1, j)
    bool operator<(const EdgeKey& o) const {
        return std::tie(i, j, vertical) < std::tie(o.i, o.j, o.vertical);
    }
    bool operator==(const EdgeKey& o) const {
        return i == o.i && j == o.j && vertical == o.vertical;
    }
};

struct Segment {
    EdgeKey a, b;
};

}  // namespace

std::vector<double> evenLevels(double lo, double hi, int count) {
    std::vector<double> levels;
    if (!(hi > lo) || count <= 0) return levels;
    for (int k = 1; k <= count; ++k)
        levels.push_back(lo + (hi - lo) * k / (count + 1));
    return levels;
}

std::vector<Isoline> computeIsolines(const Grid2D& g, const std::vector<double>& levels) {
    std::vector<Isoline> out;
    const std::size_t nx = g.nx(), ny = g.ny();
    if (nx < 2 || ny < 2 || g.values.size() != nx * ny) return out;
    for (double level : levels) {
        Isoline iso;
        iso.level = level;
        auto crossing = [&](const EdgeKey& e) -> Point {
            const std::size_t i2 = e.vertical ? e.i : e.i + 1, j2 = e.vertical ? e.j + 1 : e.j;
            const double v1 = g.value(e.i, e.j), v2 = g.value(i2, j2);
            const double t = v1 == v2 ? 0.5 : (level - v1) / (v2 - v1);
            return {g.x[e.i] + t * (g.x[i2] - g.x[e.i]), g.y[e.j] + t * (g.y[j2] - g.y[e.j])};
        };
        std::vector<Segment> segments;
        for (std::size_t i = 0; i + 1 < nx; ++i) {
            for (std::size_t j = 0; j + 1 < ny; ++j) {
                // Corners counter-clockwise: (i,j) (i+1,j) (i+1,j+1) (i,j+1).
                const double v[4] = {g.value(i, j), g.value(i + 1, j), g.value(i + 1, j + 1),
                                     g.value(i, j + 1)};
                if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]) ||
                    !std::isfinite(v[3])) {
                    continue;
                }
                int mask = 0;
                for (int c = 0; c < 4; ++c)
                    mask |= (v[c] >= level ? 1 : 0) << c;
                if (mask == 0 || mask == 15) continue;
                const EdgeKey bottom{i, j, false}, right{i + 1, j, true}, top{i, j + 1, false},
                    left{i, j, true};
                // Edges crossed, in the order marching squares pairs them. The
                // saddles (5, 10) are resolved by the cell's mean value.
                const double mean = (v[0] + v[1] + v[2] + v[3]) / 4;
                switch (mask) {
                    case 1:
                    case 14:
                        segments.push_back({left, bottom});
                        break;
                    case 2:
                    case 13:
                        segments.push_back({bottom, right});
                        break;
                    case 3:
                    case 12:
                        segments.push_back({left, right});
                        break;
                    case 4:
                    case 11:
                        segments.push_back({right, top});
                        break;
                    case 6:
                    case 9:
                        segments.push_back({bottom, top});
                        break;
                    case 7:
                    case 8:
                        segments.push_back({left, top});
                        break;
                    case 5:
                        if (mean >= level) {
                            segments.push_back({left, top});
                            segments.push_back({bottom, right});
                        } else {
                            segments.push_back({left, bottom});
                            segments.push_back({right, top});
                        }
                        break;
                    case 10:
                        if (mean >= level) {
                            segments.push_back({left, bottom});
                            segments.push_back({right, top});
                        } else {
                            segments.push_back({left, top});
                            segments.push_back({bottom, right});
                        }
                        break;
                    default:
                        break;
                }
            }
        }
        // Join segments sharing an edge crossing into polylines.
        std::multimap<EdgeKey, std::size_t> byEnd;
        for (std::size_t s = 0; s < segments.size(); ++s) {
            byEnd.emplace(segments[s].a, s);
            byEnd.emplace(segments[s].b, s);
        }
        std::vector<bool> used(segments.size(), false);
        auto takeNext = [&](const EdgeKey& at) -> std::ptrdiff_t {
            auto range = byEnd.equal_range(at);
            for (auto it = range.first; it != range.second; ++it) {
                if (!used[it->second]) return std::ptrdiff_t(it->second);
            }
            return -1;
        };
        for (std::size_t s = 0; s < segments.size(); ++s) {
            if (used[s]) continue;
            used[s] = true;
            std::vector<EdgeKey> chain{segments[s].a, segments[s].b};
            // Extend forward from the back, then backward from the front.
            for (int pass = 0; pass < 2; ++pass) {
                for (;;) {
                    const EdgeKey end = chain.back();
                    const std::ptrdiff_t n = takeNext(end);
                    if (n < 0) break;
                    used[std::size_t(n)] = true;
                    const Segment& seg = segments[std::size_t(n)];
                    chain.push_back(seg.a == end ? seg.b : seg.a);
                }
                std::reverse(chain.begin(), chain.end());
            }
            std::vector<Point> line;
            line.reserve(chain.size());
            for (const EdgeKey& e : chain)
                line.push_back(crossing(e));
            iso.polylines.push_back(std::move(line));
        }
        out.push_back(std::move(iso));
    }
    return out;
}

}  // namespace basin
