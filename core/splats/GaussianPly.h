#pragma once
// 3D Gaussian Splatting's PLY files (Kerbl et al. 2023, the reference
// implementation's GaussianModel.save_ply, and what avatar methods built on it
// write): one `vertex` element with float properties
//   x y z  nx ny nz  f_dc_0..2  f_rest_0..(3·((d+1)²−1)−1)  opacity
//   scale_0..2  rot_0..3
// stored raw (log scales, opacity logits, unnormalized w-first quaternions).
//
// Reading finds properties by name, in any order and of any scalar type
// (converted to float); binary little- and big-endian and ASCII files are
// read. The SH degree follows from the number of f_rest_* fields (0, 9, 24,
// 45 → degree 0..3); f_rest is channel-major in the file (all red rest
// coefficients, then green, then blue) and coefficient-major in
// GaussianCloud::sh. Every other per-vertex property (nx ny nz, EVA's
// f_view_ind_0 and xyz_gradient_prev_0, GaussianAvatars' binding_0) becomes a
// SplatQuantity, in file order. Elements besides `vertex` (faces) are skipped
// by their declared sizes. Splats a renderer cannot use (NaN/inf, absurd
// scales, zero quaternions) are dropped and counted in the report; then
// GaussianCloud::activate() derives the activated values.
//
// Files are memory-mapped; every count in the header is checked against the
// file's size before anything is allocated.

#include <cstdint>
#include <string>

#include "splats/GaussianCloud.h"
#include "splats/SplatLoadReport.h"

namespace basin {

// Throws std::runtime_error with a sentence naming the file and the property,
// element or count at fault.
GaussianCloud readGaussianPly(const std::string& path, SplatLoadReport* report = nullptr);
// The same from bytes in memory; `name` stands for the file in errors.
GaussianCloud parseGaussianPly(const std::uint8_t* data, std::size_t size, const std::string& name,
                               SplatLoadReport* report = nullptr);

// Atomic write of the stored values as binary little-endian float properties,
// in cloud.propertyOrder when it names exactly the cloud's values, else in
// the reference order (x y z, normals if present, f_dc, f_rest, the other
// quantities, opacity, scale, rot). Values read from integer or double
// properties are written as float. Throws std::runtime_error naming `path`.
void writeGaussianPly(const std::string& path, const GaussianCloud& cloud);

}  // namespace basin
