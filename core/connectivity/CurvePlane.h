#pragma once
// The plane through the ends of a curve and its middle bend, as a landscape
// (Garipov et al. 2018, Fig. 1 and §5: the loss on the plane through
// w_1, w_2 and the bend θ, with the curve drawn on it): directions for
// LandscapeJob, so `basin lmc --curve-plane` and the landscape views compute
// and show it like any checkpoint plane.
//
// d_x, d_y come from checkpointPlane(θ_A, θ_B, bend) (Gram–Schmidt; centre
// θ_A at (0, 0), θ_B at (‖θ_B − θ_A‖, 0)), and the directions' points are the
// curve itself, θ(t) projected on the plane at equally spaced t, in order
// (a = (θ(t) − θ_A)·d_x, b = (θ(t) − θ_A)·d_y), labelled at the ends and, for
// a polygonal chain, at its bends; the others are unlabelled so views draw
// the curve as a line. A quadratic Bezier (one bend) and a polygonal chain
// with one bend lie in the plane; a curve with more bends is drawn as its
// projection.

#include <cstddef>
#include <utility>

#include "connectivity/Curve.h"
#include "landscape/Directions.h"
#include "landscape/GridRange.h"

namespace basin {

struct LandscapeRecipe;
struct PathOptions;
class Model;

// Directions over `layout` (its tensors, with or without BatchNorm buffers;
// the curve's control points are matched to it by name). Throws when the bend
// lies on the line through the ends (an untrained curve spans no plane).
Directions curvePlane(const Curve& curve, const WeightVector& layout, std::size_t samples = 61);

// Grid ranges with `num` points per axis covering the directions' points with
// a margin of `margin` times their larger extent on every side, the same
// distance on both axes (Garipov et al.'s plane.py uses 0.2).
std::pair<GridRange, GridRange> curvePlaneGrid(const Directions& plane, std::size_t num,
                                               double margin = 0.2);

// The plane as a LandscapeJob computes it (`basin lmc --curve-plane`, the LMC
// dialog): centred on checkpoint A (curve.labelA), the directions
// curvePlane(curve, model's parameters) saved as surfacePath +
// ".directions.h5" unless that file exists (a resumed run keeps its plane),
// `points` per axis by curvePlaneGrid, evaluated as the path was (`options`).
LandscapeRecipe curvePlaneRecipe(const Curve& curve, const Model& model,
                                 const std::string& modelPath, const std::string& surfacePath,
                                 std::size_t points, const PathOptions& options,
                                 const std::string& weightRoot = {});

}  // namespace basin
