#pragma once
// Colormaps that follow the data: sequential (viridis) for magnitudes such as
// loss, diverging (coolwarm) for signed data such as saliency or loss
// differences. Each is a table of anchor colours from its published
// definition, interpolated linearly; the same function colours the VTK
// surface, the GL shaders' lookup textures and exported figures. Saliency
// overlays add inferno/magma (sequential, dark at zero) and seismic/RdBu_r
// (diverging, blue below zero, red above, white at the centre).

#include <string>
#include <vector>

namespace basin {

enum class Colormap { Viridis, Coolwarm, Greys, Inferno, Magma, Seismic, RdBuReversed };

struct Rgb {
    float r = 0, g = 0, b = 0;  // in [0, 1]
};

// t is clamped to [0, 1]; NaN gives mid-grey.
Rgb sampleColormap(Colormap map, double t);
// n evenly spaced samples from t = 0 to t = 1 (a lookup table).
std::vector<Rgb> colormapTable(Colormap map, int n);
const char* colormapName(Colormap map);
// Every colormap, in the order of the enum (for pickers).
std::vector<Colormap> allColormaps();

}  // namespace basin
