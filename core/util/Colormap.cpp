#include "util/Colormap.h"

#include <algorithm>
#include <cmath>

namespace basin {
namespace {

struct Anchors {
    const Rgb* colors;
    int count;
};

// Viridis (van der Walt & Smith, matplotlib) at t = 0, 1/8, ..., 1.
constexpr Rgb kViridis[] = {
    {0x44 / 255.f, 0x01 / 255.f, 0x54 / 255.f}, {0x47 / 255.f, 0x2d / 255.f, 0x7b / 255.f},
    {0x3b / 255.f, 0x52 / 255.f, 0x8b / 255.f}, {0x2c / 255.f, 0x72 / 255.f, 0x8e / 255.f},
    {0x21 / 255.f, 0x91 / 255.f, 0x8c / 255.f}, {0x28 / 255.f, 0xae / 255.f, 0x80 / 255.f},
    {0x5e / 255.f, 0xc9 / 255.f, 0x62 / 255.f}, {0xad / 255.f, 0xdc / 255.f, 0x30 / 255.f},
    {0xfd / 255.f, 0xe7 / 255.f, 0x25 / 255.f}};

// Moreland's smooth cool-warm diverging map ("Diverging Color Maps for
// Scientific Visualization", 2009) at t = 0, 1/4, ..., 1.
constexpr Rgb kCoolwarm[] = {{0.2298f, 0.2987f, 0.7537f},
                             {0.5543f, 0.6900f, 0.9955f},
                             {0.8654f, 0.8654f, 0.8654f},
                             {0.9567f, 0.5980f, 0.4773f},
                             {0.7057f, 0.0156f, 0.1502f}};

constexpr Rgb kGreys[] = {{0, 0, 0}, {1, 1, 1}};

constexpr Rgb hex(unsigned v) {
    return {((v >> 16) & 0xff) / 255.f, ((v >> 8) & 0xff) / 255.f, (v & 0xff) / 255.f};
}

// Inferno and magma (van der Walt & Smith, matplotlib; the same tables as R's
// viridisLite) at t = 0, 1/8, ..., 1.
constexpr Rgb kInferno[] = {hex(0x000004), hex(0x1f0c48), hex(0x550f6d),
                            hex(0x88226a), hex(0xba3655), hex(0xe35932),
                            hex(0xf98c0a), hex(0xf9c932), hex(0xfcffa4)};
constexpr Rgb kMagma[] = {hex(0x000004), hex(0x1d1147), hex(0x51127c), hex(0x822681), hex(0xb63679),
                          hex(0xe65164), hex(0xfb8861), hex(0xfec287), hex(0xfcfdbf)};

// matplotlib's seismic: dark blue, blue, white, red, dark red.
constexpr Rgb kSeismic[] = {
    {0.f, 0.f, 0.3f}, {0.f, 0.f, 1.f}, {1.f, 1.f, 1.f}, {1.f, 0.f, 0.f}, {0.5f, 0.f, 0.f}};

// ColorBrewer's 11-class RdBu (Harrower & Brewer 2003), reversed as
// matplotlib's RdBu_r so that low values are blue and high values red.
constexpr Rgb kRdBuReversed[] = {hex(0x053061), hex(0x2166ac), hex(0x4393c3), hex(0x92c5de),
                                 hex(0xd1e5f0), hex(0xf7f7f7), hex(0xfddbc7), hex(0xf4a582),
                                 hex(0xd6604d), hex(0xb2182b), hex(0x67001f)};

Anchors anchors(Colormap map) {
    switch (map) {
        case Colormap::Viridis:
            return {kViridis, 9};
        case Colormap::Coolwarm:
            return {kCoolwarm, 5};
        case Colormap::Greys:
            return {kGreys, 2};
        case Colormap::Inferno:
            return {kInferno, 9};
        case Colormap::Magma:
            return {kMagma, 9};
        case Colormap::Seismic:
            return {kSeismic, 5};
        case Colormap::RdBuReversed:
            return {kRdBuReversed, 11};
    }
    return {kGreys, 2};
}

}  // namespace

Rgb sampleColormap(Colormap map, double t) {
    if (std::isnan(t)) return {0.5f, 0.5f, 0.5f};
    const Anchors a = anchors(map);
    const double s = std::clamp(t, 0.0, 1.0) * (a.count - 1);
    const int i = std::min(static_cast<int>(s), a.count - 2);
    const float f = static_cast<float>(s - i);
    const Rgb& lo = a.colors[i];
    const Rgb& hi = a.colors[i + 1];
    return {lo.r + f * (hi.r - lo.r), lo.g + f * (hi.g - lo.g), lo.b + f * (hi.b - lo.b)};
}

std::vector<Rgb> colormapTable(Colormap map, int n) {
    std::vector<Rgb> table(std::max(n, 0));
    for (int i = 0; i < n; ++i)
        table[i] = sampleColormap(map, n > 1 ? double(i) / (n - 1) : 0.0);
    return table;
}

const char* colormapName(Colormap map) {
    switch (map) {
        case Colormap::Viridis:
            return "viridis";
        case Colormap::Coolwarm:
            return "coolwarm";
        case Colormap::Greys:
            return "greys";
        case Colormap::Inferno:
            return "inferno";
        case Colormap::Magma:
            return "magma";
        case Colormap::Seismic:
            return "seismic";
        case Colormap::RdBuReversed:
            return "rdbu_r";
    }
    return "unknown";
}

std::vector<Colormap> allColormaps() {
    return {Colormap::Viridis, Colormap::Coolwarm, Colormap::Greys,       Colormap::Inferno,
            Colormap::Magma,   Colormap::Seismic,  Colormap::RdBuReversed};
}

}  // namespace basin
