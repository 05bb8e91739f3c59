#include "saliency/SaliencyOverlay.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QObject>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace basin::widgets {
namespace {

// Below this fraction of the range's magnitude a pixel fades out linearly
// (fadeLowSaliency).
constexpr double kFadeBelow = 0.3;

int toByte(double v) {
    return std::clamp(int(std::lround(v * 255.0)), 0, 255);
}

// The numpy-style (linear) percentile of `values`, p in [0, 100].
double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0.0;
    const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const std::size_t i = std::size_t(pos);
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(i), values.end());
    const double lo = values[i];
    if (i + 1 >= values.size()) return lo;
    const double hi = *std::min_element(values.begin() + std::ptrdiff_t(i) + 1, values.end());
    return lo + (pos - double(i)) * (hi - lo);
}

void checkMapSize(const SaliencyMap& map) {
    if (map.height <= 0 || map.width <= 0 ||
        map.values.size() != std::size_t(map.height * map.width))
        throw std::runtime_error("The saliency map has " + std::to_string(map.values.size()) +
                                 " values for " + std::to_string(map.height) + "×" +
                                 std::to_string(map.width) + " pixels.");
}

// Samples a row-major src (h × w) at out × outH pixel centres.
std::vector<float> resample(const float* src, std::int64_t h, std::int64_t w, int outW, int outH,
                            SaliencyUpsampling upsampling) {
    std::vector<float> out(std::size_t(std::max(outW, 0)) * std::size_t(std::max(outH, 0)));
    const double sx = double(w) / outW, sy = double(h) / outH;
    for (int y = 0; y < outH; ++y) {
        for (int x = 0; x < outW; ++x) {
            float v;
            if (upsampling == SaliencyUpsampling::Nearest) {
                const auto ix = std::min<std::int64_t>(std::int64_t((x + 0.5) * sx), w - 1);
                const auto iy = std::min<std::int64_t>(std::int64_t((y + 0.5) * sy), h - 1);
                v = src[iy * w + ix];
            } else {
                const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, double(w - 1));
                const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, double(h - 1));
                const auto x0 = std::int64_t(fx), y0 = std::int64_t(fy);
                const auto x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
                const double ax = fx - double(x0), ay = fy - double(y0);
                const double top = src[y0 * w + x0] * (1 - ax) + src[y0 * w + x1] * ax;
                const double bottom = src[y1 * w + x0] * (1 - ax) + src[y1 * w + x1] * ax;
                v = float(top * (1 - ay) + bottom * ay);
            }
            out[std::size_t(y) * std::size_t(outW) + std::size_t(x)] = v;
        }
    }
    return out;
}

}  // namespace

const char* saliencySignKey(SaliencySign sign) {
    switch (sign) {
        case SaliencySign::Positive:
            return "positive";
        case SaliencySign::Negative:
            return "negative";
        case SaliencySign::Absolute:
            return "absolute";
        case SaliencySign::All:
            return "all";
    }
    return "all";
}

std::optional<SaliencySign> parseSaliencySign(const QString& key) {
    for (SaliencySign s : {SaliencySign::Positive, SaliencySign::Negative, SaliencySign::Absolute,
                           SaliencySign::All})
        if (key == QLatin1String(saliencySignKey(s))) return s;
    return std::nullopt;
}

const char* saliencyUpsamplingKey(SaliencyUpsampling upsampling) {
    return upsampling == SaliencyUpsampling::Nearest ? "nearest" : "bilinear";
}

std::optional<SaliencyUpsampling> parseSaliencyUpsampling(const QString& key) {
    if (key == QLatin1String("nearest")) return SaliencyUpsampling::Nearest;
    if (key == QLatin1String("bilinear")) return SaliencyUpsampling::Bilinear;
    return std::nullopt;
}

double shownValue(double v, SaliencySign sign) {
    switch (sign) {
        case SaliencySign::Positive:
            return std::max(v, 0.0);
        case SaliencySign::Negative:
            return std::max(-v, 0.0);
        case SaliencySign::Absolute:
            return std::abs(v);
        case SaliencySign::All:
            return v;
    }
    return v;
}

OverlayRange overlayRange(const SaliencyMap& map, const OverlayOptions& options) {
    checkMapSize(map);
    std::vector<double> magnitudes;
    magnitudes.reserve(map.values.size());
    double low = 0.0;
    bool first = true, negative = false;
    for (float v : map.values) {
        if (!std::isfinite(v)) continue;
        const double s = shownValue(v, options.sign);
        negative = negative || s < 0;
        low = first ? s : std::min(low, s);
        first = false;
        magnitudes.push_back(std::abs(s));
    }
    OverlayRange range;
    const double clip = percentile(std::move(magnitudes), options.clipPercentile);
    if (options.sign == SaliencySign::All && (map.isSigned || negative)) {
        range.diverging = true;
        range.high = clip > 0 ? clip : 1.0;
        range.low = -range.high;
        return range;
    }
    range.low = first ? 0.0 : low;
    range.high = clip;
    if (!(range.high > range.low)) {
        range.low = std::min(range.low, 0.0);
        range.high = clip > range.low ? clip : range.low + 1.0;
    }
    return range;
}

OverlayRange unitedRange(const std::vector<OverlayRange>& ranges) {
    if (ranges.empty()) return {};
    OverlayRange u = ranges.front();
    for (const OverlayRange& r : ranges) {
        u.low = std::min(u.low, r.low);
        u.high = std::max(u.high, r.high);
        u.diverging = u.diverging || r.diverging;
    }
    if (u.diverging) {
        u.high = std::max(std::abs(u.low), std::abs(u.high));
        u.low = -u.high;
    }
    return u;
}

Colormap overlayColormap(const OverlayOptions& options, const OverlayRange& range) {
    if (options.colormap) return *options.colormap;
    return range.diverging ? Colormap::RdBuReversed : Colormap::Inferno;
}

QImage imageToQImage(const TensorData& image, const ImageDisplay& display) {
    std::vector<std::int64_t> shape = image.shape;
    if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
    if (shape.size() != 3 || (shape[0] != 1 && shape[0] != 3) || shape[1] <= 0 || shape[2] <= 0)
        throw std::runtime_error("The image to show has shape " + image.shapeString() +
                                 "; expected [1, H, W] or [3, H, W].");
    const std::int64_t c = shape[0], h = shape[1], w = shape[2];
    const auto normalizing = [&](const std::vector<double>& v, const char* what) {
        if (!v.empty() && v.size() != 1 && std::int64_t(v.size()) != c)
            throw std::runtime_error("The image's " + std::string(what) + " has " +
                                     std::to_string(v.size()) + " values for " + std::to_string(c) +
                                     " channels.");
    };
    normalizing(display.mean, "mean");
    normalizing(display.std, "std");
    std::vector<double> x = image.toDoubles();
    const bool unnormalize = !display.mean.empty() || !display.std.empty();
    if (unnormalize) {
        for (std::int64_t k = 0; k < c; ++k) {
            const auto pick = [&](const std::vector<double>& v, double fallback) {
                return v.empty() ? fallback : v[v.size() == 1 ? 0 : std::size_t(k)];
            };
            const double m = pick(display.mean, 0.0), s = pick(display.std, 1.0);
            for (std::int64_t i = 0; i < h * w; ++i)
                x[std::size_t(k * h * w + i)] = x[std::size_t(k * h * w + i)] * s + m;
        }
    } else {
        double lo = 0, hi = 0;
        bool first = true;
        for (double v : x) {
            if (!std::isfinite(v)) continue;
            lo = first ? v : std::min(lo, v);
            hi = first ? v : std::max(hi, v);
            first = false;
        }
        const double span = hi > lo ? hi - lo : 1.0;
        for (double& v : x)
            v = (v - lo) / span;
    }
    QImage out(int(w), int(h), QImage::Format_RGB32);
    const std::size_t plane = std::size_t(h * w);
    for (std::int64_t y = 0; y < h; ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(int(y)));
        for (std::int64_t xx = 0; xx < w; ++xx) {
            const std::size_t i = std::size_t(y * w + xx);
            double r = x[i], g = r, b = r;
            if (c == 3) {
                g = x[plane + i];
                b = x[2 * plane + i];
            }
            if (display.greyscale) r = g = b = 0.299 * r + 0.587 * g + 0.114 * b;
            line[xx] = qRgb(toByte(r), toByte(g), toByte(b));
        }
    }
    return out;
}

std::vector<float> resampleMap(const SaliencyMap& map, int width, int height,
                               SaliencyUpsampling upsampling) {
    checkMapSize(map);
    if (width <= 0 || height <= 0) return {};
    const bool coarse = !map.coarseValues.empty() && map.coarseHeight > 0 && map.coarseWidth > 0 &&
                        map.coarseValues.size() == std::size_t(map.coarseHeight * map.coarseWidth);
    if (coarse)
        return resample(map.coarseValues.data(), map.coarseHeight, map.coarseWidth, width, height,
                        upsampling);
    return resample(map.values.data(), map.height, map.width, width, height, upsampling);
}

QImage renderSaliency(const SaliencyMap& map, const OverlayOptions& options, QSize size,
                      const OverlayRange& range) {
    QImage out(size, QImage::Format_ARGB32);
    const std::vector<float> v = resampleMap(map, size.width(), size.height(), options.upsampling);
    const Colormap colormap = overlayColormap(options, range);
    const double span = range.high > range.low ? range.high - range.low : 1.0;
    const double alpha = std::clamp(options.alpha, 0.0, 1.0);
    for (int y = 0; y < size.height(); ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < size.width(); ++x) {
            const float raw = v[std::size_t(y) * std::size_t(size.width()) + std::size_t(x)];
            if (!std::isfinite(raw)) {
                line[x] = qRgba(0, 0, 0, 0);
                continue;
            }
            const double t =
                std::clamp((shownValue(raw, options.sign) - range.low) / span, 0.0, 1.0);
            const Rgb c = sampleColormap(colormap, t);
            double a = alpha;
            if (options.fadeLowSaliency) {
                const double magnitude = range.diverging ? std::abs(2 * t - 1) : t;
                a *= std::min(1.0, magnitude / kFadeBelow);
            }
            line[x] = qRgba(toByte(c.r), toByte(c.g), toByte(c.b), toByte(a));
        }
    }
    return out;
}

QImage renderOverlay(const TensorData& image, const SaliencyMap& map, const OverlayOptions& options,
                     QSize size, std::optional<OverlayRange> range) {
    QImage out(size, QImage::Format_RGB32);
    out.fill(Qt::black);
    if (image.storage && !image.shape.empty()) {
        const Qt::TransformationMode mode = options.upsampling == SaliencyUpsampling::Nearest
                                                ? Qt::FastTransformation
                                                : Qt::SmoothTransformation;
        out = imageToQImage(image, options.image)
                  .scaled(size, Qt::IgnoreAspectRatio, mode)
                  .convertToFormat(QImage::Format_RGB32);
    }
    const QImage layer =
        renderSaliency(map, options, size, range ? *range : overlayRange(map, options));
    for (int y = 0; y < size.height(); ++y) {
        auto* dst = reinterpret_cast<QRgb*>(out.scanLine(y));
        const auto* src = reinterpret_cast<const QRgb*>(layer.constScanLine(y));
        for (int x = 0; x < size.width(); ++x) {
            const double a = qAlpha(src[x]) / 255.0;
            const auto mix = [a](int under, int over) {
                return std::clamp(int(std::lround(under * (1 - a) + over * a)), 0, 255);
            };
            dst[x] = qRgb(mix(qRed(dst[x]), qRed(src[x])), mix(qGreen(dst[x]), qGreen(src[x])),
                          mix(qBlue(dst[x]), qBlue(src[x])));
        }
    }
    return out;
}

QString colorbarTitle(const QString& method, SaliencySign sign) {
    switch (sign) {
        case SaliencySign::Positive:
            return method + QObject::tr(" (positive)");
        case SaliencySign::Negative:
            return method + QObject::tr(" (negative, −value)");
        case SaliencySign::Absolute:
            return method + QObject::tr(" (|value|)");
        case SaliencySign::All:
            break;
    }
    return method;
}

QString formatSaliencyValue(double v) {
    if (std::abs(v) < 1e-12) return QStringLiteral("0");
    return QString::number(v, 'g', 4);
}

void paintColorbar(QPainter& painter, const QRectF& rect, Colormap colormap,
                   const OverlayRange& range, const QString& title) {
    painter.save();
    const QFontMetricsF fm(painter.font());
    const double line = fm.height();
    // The title wraps onto a second line ("Integrated / Gradients") rather
    // than being cut.
    const QRectF needed =
        fm.boundingRect(QRectF(0, 0, rect.width(), 1e5), Qt::AlignLeft | Qt::TextWordWrap, title);
    const QRectF titleRect(rect.left(), rect.top(), rect.width(),
                           std::clamp(needed.height(), line, line * 2.2));
    painter.setPen(Qt::black);
    painter.save();
    painter.setClipRect(titleRect);
    painter.drawText(titleRect, Qt::AlignLeft | Qt::AlignBottom | Qt::TextWordWrap, title);
    painter.restore();
    const double barWidth = std::min(16.0, rect.width() / 3);
    const QRectF bar(rect.left() + 1, titleRect.bottom() + line * 0.5, barWidth,
                     std::max(1.0, rect.bottom() - titleRect.bottom() - line));
    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    constexpr int kStops = 32;
    for (int i = 0; i <= kStops; ++i) {
        const double t = double(i) / kStops;
        const Rgb c = sampleColormap(colormap, t);
        gradient.setColorAt(t, QColor::fromRgbF(c.r, c.g, c.b));
    }
    painter.fillRect(bar, gradient);
    painter.setPen(QPen(Qt::black, 0.8));
    painter.drawRect(bar);
    const auto tick = [&](double y, double value) {
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        const QRectF label(bar.right() + 6, y - line / 2, rect.right() - bar.right() - 6, line);
        painter.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, formatSaliencyValue(value));
    };
    tick(bar.top(), range.high);
    tick(bar.bottom(), range.low);
    if (range.diverging) tick(bar.center().y(), 0.0);
    painter.restore();
}

QImage renderColorbar(Colormap colormap, const OverlayRange& range, const QString& title,
                      QSize size) {
    QImage out(size, QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setPixelSize(11);
    painter.setFont(font);
    paintColorbar(painter, QRectF(2, 2, size.width() - 4, size.height() - 4), colormap, range,
                  title);
    return out;
}

}  // namespace basin::widgets
