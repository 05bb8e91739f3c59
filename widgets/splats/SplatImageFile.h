#pragma once
// A CPU-rasterized splat image (core/splats/SplatRasterizer.h) as a QImage
// and as a PNG file, for `basin render-splats` and the avatar view's image
// export alike.

#include <QImage>
#include <QString>

#include "splats/SplatRasterizer.h"

namespace basin::widgets {

// 8-bit RGB, each channel clamped to [0, 1] and rounded.
QImage splatQImage(const SplatImage& image);

// Writes the image as a PNG atomically (a temporary file, then rename).
// Throws std::runtime_error naming the file when it cannot be written.
void writeSplatPng(const SplatImage& image, const QString& path);

}  // namespace basin::widgets
