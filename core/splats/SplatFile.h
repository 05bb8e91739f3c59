#pragma once
// The compact `.splat` format of antimatter15's WebGL viewer (its convert.py
// and most web viewers): no header, 32 bytes per splat, little-endian —
//   position  3 × float32
//   scale     3 × float32, activated (exp of 3DGS's log scale)
//   colour    4 × uint8: RGB = (0.5 + C0 · f_dc) · 255, A = sigmoid(opacity) · 255
//   rotation  4 × uint8: (q / |q|) · 128 + 128, w first
// with C0 = 0.28209479177387814, the degree-0 real SH constant. Only the DC
// colour survives (degree 0); quantities are not stored. Colour, opacity and
// rotation are quantized to 8 bits, so a round trip is exact only up to that.

#include <cstdint>
#include <string>

#include "splats/GaussianCloud.h"
#include "splats/SplatLoadReport.h"

namespace basin {

constexpr std::size_t kSplatRecordBytes = 32;

// A degree-0 cloud with stored values recovered from the activated ones
// (log scale, the logit of the opacity, the quantized quaternion), activated,
// unusable splats dropped and counted. Throws std::runtime_error naming the
// file when its size is not a multiple of 32 bytes.
GaussianCloud readSplatFile(const std::string& path, SplatLoadReport* report = nullptr);
GaussianCloud parseSplatFile(const std::uint8_t* data, std::size_t size, const std::string& name,
                             SplatLoadReport* report = nullptr);

// Atomic write in the cloud's order (antimatter15's converter sorts by size ×
// opacity; viewers sort by depth anyway). Bytes are rounded to nearest where
// the converter truncates, which halves the quantization error.
void writeSplatFile(const std::string& path, const GaussianCloud& cloud);

}  // namespace basin
