#pragma once
// A saliency map drawn over its image, as pure functions from plain data
// (core's SaliencyMap and the image as a [C, H, W] TensorData) to QImages, so
// that the view, the comparison grid, the figure export and the headless CLI
// draw the same pixels.
//
// How a map becomes colours (in the spirit of Captum's visualize_image_attr):
//  1. The sign mode picks what is shown: Positive max(v, 0), Negative
//     max(−v, 0), Absolute |v|, All v itself.
//  2. The range: All on a signed map is symmetric, [−s, s], on a diverging
//     colormap centred at 0; every other case is [lo, s] with lo the smallest
//     shown value (0 for a ReLU'd Grad-CAM) on a sequential colormap. s is the
//     `clipPercentile`-th percentile of the shown magnitudes, so that a few
//     outlier pixels do not wash the rest of the map out; values beyond it
//     saturate. (Captum clips by cumulative mass instead; a plain percentile
//     is what the colorbar can state.)
//  3. Upsampling: the map is sampled at each output pixel's centre, nearest
//     or bilinear (align_corners = false, as PyTorch's interpolate). A
//     CAM-style map is upsampled from its coarse layer-resolution values, so
//     nearest shows the layer's cells.
//  4. Alpha blend over the image shown in grey or in colour; with
//     `fadeLowSaliency` a pixel's opacity grows with its distance from the
//     neutral end of the range, so the image shows through where the map is
//     near zero.

#include <QImage>
#include <QRectF>
#include <QSize>
#include <QString>
#include <optional>
#include <vector>

#include "io/TensorData.h"
#include "saliency/SaliencyMap.h"
#include "util/Colormap.h"

class QPainter;

namespace basin::widgets {

enum class SaliencySign { Positive, Negative, Absolute, All };
enum class SaliencyUpsampling { Nearest, Bilinear };

// "positive", "negative", "absolute", "all"; "nearest", "bilinear".
const char* saliencySignKey(SaliencySign sign);
std::optional<SaliencySign> parseSaliencySign(const QString& key);
const char* saliencyUpsamplingKey(SaliencyUpsampling upsampling);
std::optional<SaliencyUpsampling> parseSaliencyUpsampling(const QString& key);

// How the image under the map is shown. Its values are normalized model
// inputs: by default each image is rescaled from its own min/max to [0, 1];
// with mean/std (one per channel, or one for all) they are un-normalized
// (x·std + mean) and clamped to [0, 1] instead.
struct ImageDisplay {
    bool greyscale = true;
    std::vector<double> mean, std;
};

struct OverlayOptions {
    // Unset: inferno for a sequential range, RdBu_r for a diverging one.
    std::optional<Colormap> colormap;
    SaliencySign sign = SaliencySign::All;
    double clipPercentile = 99.0;  // in (0, 100]; 100 keeps the maximum
    SaliencyUpsampling upsampling = SaliencyUpsampling::Bilinear;
    double alpha = 0.6;  // opacity of the map at full saliency
    bool fadeLowSaliency = true;
    ImageDisplay image;
};

// The values the colormap spans: t = (v − low)/(high − low).
struct OverlayRange {
    double low = 0.0, high = 1.0;
    bool diverging = false;  // low = −high, neutral at 0
};

// The value shown for `v` under the sign mode.
double shownValue(double v, SaliencySign sign);
// The range of `map` under `options` (see above). A map that is all zero
// gets [0, 1].
OverlayRange overlayRange(const SaliencyMap& map, const OverlayOptions& options);
// One range for several maps (a grid's shared normalization): the widest.
OverlayRange unitedRange(const std::vector<OverlayRange>& ranges);
Colormap overlayColormap(const OverlayOptions& options, const OverlayRange& range);

// The image [C, H, W] (C = 1 or 3; [1, C, H, W] accepted) as an RGB32 QImage
// of its own size. Throws std::runtime_error naming the shape otherwise.
QImage imageToQImage(const TensorData& image, const ImageDisplay& display);

// The map resampled to width × height output pixels (from its coarse values
// when it has them), row-major.
std::vector<float> resampleMap(const SaliencyMap& map, int width, int height,
                               SaliencyUpsampling upsampling);

// The map alone, coloured, with the per-pixel opacity of the blend in the
// alpha channel (ARGB32), at `size`.
QImage renderSaliency(const SaliencyMap& map, const OverlayOptions& options, QSize size,
                      const OverlayRange& range);
// The image with the map blended over it, at `size` (RGB32). `range`
// defaults to overlayRange(map, options). An empty `image` draws the map
// over black. Throws std::runtime_error for an image of another shape.
QImage renderOverlay(const TensorData& image, const SaliencyMap& map, const OverlayOptions& options,
                     QSize size, std::optional<OverlayRange> range = {});

// A vertical colorbar in `rect`: the title (the method's name) above, the
// gradient, tick labels at the high and low ends (and 0 for a diverging
// range) to its right. Used on screen and in vector figures.
void paintColorbar(QPainter& painter, const QRectF& rect, Colormap colormap,
                   const OverlayRange& range, const QString& title);
QImage renderColorbar(Colormap colormap, const OverlayRange& range, const QString& title,
                      QSize size);
// The colorbar's title: the method, and what the sign mode shows unless it
// is All ("Integrated Gradients (|value|)").
QString colorbarTitle(const QString& method, SaliencySign sign);
// A value as the colorbar and hover readouts print it (4 significant digits).
QString formatSaliencyValue(double v);

}  // namespace basin::widgets
