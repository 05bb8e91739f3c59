#pragma once
// A point (a, b) of a landscape surface: the network there and the surface's
// values there. The weights are the slice's own,
//
//   θ(a, b) = θ₀ + a·d_x + b·d_y   (Li et al. 2018; a 1-D slice has no b)
//
// rebuilt from the files the surface's metadata names (SurfaceMetadata:
// model, centre checkpoint, directions file) and combined in the order the
// landscape job combines them, so evaluating the model at a grid point gives
// the surface's value there.

#include <string>

#include "landscape/Surface.h"
#include "model/PointWeights.h"

namespace basin {

// Loads the surface's model, applies its centre checkpoint (none: the model's
// own weights are θ₀), loads its directions (with BatchNorm buffers when the
// directions move them) and sets the model to θ(a, b); b must be 0 on a 1-D
// surface. Names in the metadata are found as findResultReference says.
// Throws a sentence naming the surface and the file or tensor at fault.
PointWeights weightsOnPlane(const std::string& surfacePath, double a, double b = 0.0);

// The metric at (a, b), bilinear between the grid's points (linear along a on
// a 1-D surface, where b is ignored); NaN outside the grid, next to a point
// not computed, or when the surface has no such metric.
double surfaceValueAt(const Surface& surface, SurfaceMetric metric, double a, double b = 0.0);

}  // namespace basin
