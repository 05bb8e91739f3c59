#pragma once
// Saliency figures and raw maps on disk, for the view's and the grid's
// "Export…" buttons and for `basin saliency --out` (headless: painting needs
// a QGuiApplication, not a display).
//
// Figures are chosen by the file's extension: .pdf and .svg as vectors (text
// and colorbar as vectors, the overlay as an embedded image at twice the
// figure's resolution), anything else as PNG at size·dpi/96 pixels with the
// DPI recorded in the file. Raw maps: .npy (float32 [H, W], np.load reads
// it) or .csv (H lines of W values, 9 significant digits). All writes are
// atomic.

#include <QRectF>
#include <QSize>
#include <QString>
#include <functional>

#include "io/TensorData.h"
#include "saliency/SaliencyMap.h"
#include "saliency/SaliencyOverlay.h"

class QPainter;

namespace basin::widgets {

// Paints a figure into `rect` (logical units: 1 = one pixel at 96 DPI).
using FigurePainter = std::function<void(QPainter& painter, const QRectF& rect)>;

// Writes what `paint` draws at `size` by the extension of `path`. On failure
// returns false with a sentence naming the file in `error` (when given).
bool exportFigure(const QString& path, QSize size, const FigurePainter& paint,
                  QString* error = nullptr, double dpi = 192);

// "Grad-CAM++ · layer4 · class 3 (cat)": the method's title, the layer when
// it has one, and the target (the name when given).
QString saliencyCaption(const SaliencyMap& map, const QString& className = {});

// One map as a figure: the caption above, the image with its overlay
// (keeping the image's aspect) and the colorbar to its right. Returns where
// the image went (for hover readouts on screen).
QRectF paintSaliencyFigure(QPainter& painter, const QRectF& rect, const TensorData& image,
                           const SaliencyMap& map, const OverlayOptions& options,
                           const QString& caption);
// Draws `overlay` of the map into `target`, rendered at the painter's device
// resolution (at least twice `target`'s size for vector devices).
void drawOverlay(QPainter& painter, const QRectF& target, const TensorData& image,
                 const SaliencyMap& map, const OverlayOptions& options, const OverlayRange& range);

// The map's values (.npy or .csv by extension; throws nothing, returns false
// with a sentence in `error`).
bool exportSaliencyMap(const QString& path, const SaliencyMap& map, QString* error = nullptr);

}  // namespace basin::widgets
