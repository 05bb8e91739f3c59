#include "saliency/SaliencyExport.h"

#include <QBuffer>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>

#include "io/Numpy.h"
#include "plot/PlotFigure.h"
#include "saliency/SaliencyMethod.h"

namespace basin::widgets {
namespace {

constexpr int kMaxOverlayPixels = 4096;

bool fail(QString* error, const QString& sentence) {
    if (error) *error = sentence;
    return false;
}

QString suffixOf(const QString& path) {
    return QFileInfo(path).suffix().toLower();
}

}  // namespace

bool exportFigure(const QString& path, QSize size, const FigurePainter& paint, QString* error,
                  double dpi) {
    if (size.isEmpty())
        return fail(error, QStringLiteral("Cannot write the figure %1: its size %2×%3 is empty.")
                               .arg(path)
                               .arg(size.width())
                               .arg(size.height()));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QRectF rect(QPointF(0, 0), QSizeF(size));
    const QString suffix = suffixOf(path);
    try {
        if (suffix == QLatin1String("svg")) {
            QSvgGenerator svg;
            svg.setOutputDevice(&buffer);
            svg.setSize(size);
            svg.setViewBox(rect);
            svg.setTitle(QFileInfo(path).completeBaseName());
            QPainter painter(&svg);
            paint(painter, rect);
        } else if (suffix == QLatin1String("pdf")) {
            QPdfWriter pdf(&buffer);
            pdf.setResolution(96);  // one logical unit = one pixel at 96 DPI
            pdf.setPageSize(QPageSize(QSizeF(size) * 72.0 / 96.0, QPageSize::Point));
            pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
            pdf.setCreator(QStringLiteral("Basin"));
            QPainter painter(&pdf);
            paint(painter, rect);
        } else {
            const double scale = std::max(dpi, 1.0) / 96.0;
            QImage image(QSize(int(std::lround(size.width() * scale)),
                               int(std::lround(size.height() * scale))),
                         QImage::Format_RGB32);
            image.fill(Qt::white);
            const int dotsPerMeter = int(std::lround(dpi / 0.0254));
            image.setDotsPerMeterX(dotsPerMeter);
            image.setDotsPerMeterY(dotsPerMeter);
            {
                QPainter painter(&image);
                painter.setRenderHint(QPainter::Antialiasing);
                painter.setRenderHint(QPainter::TextAntialiasing);
                painter.scale(scale, scale);
                paint(painter, rect);
            }
            if (!image.save(&buffer, "PNG"))
                return fail(error, QStringLiteral("Cannot encode the figure %1 as PNG.").arg(path));
        }
    } catch (const std::exception& e) {
        return fail(error,
                    QStringLiteral("Cannot draw the figure %1: %2").arg(path, QString(e.what())));
    }
    buffer.close();
    QString why;
    if (!writeFileAtomically(path, bytes, &why))
        return fail(error, QStringLiteral("Cannot write the figure %1: %2.").arg(path, why));
    return true;
}

QString saliencyCaption(const SaliencyMap& map, const QString& className) {
    QString caption = QString::fromUtf8(saliencyMethodTitle(map.method));
    if (!map.layer.empty()) caption += QStringLiteral(" · ") + QString::fromStdString(map.layer);
    if (map.targetClass >= 0) {
        caption += QStringLiteral(" · class %1").arg(map.targetClass);
        if (!className.isEmpty()) caption += QStringLiteral(" (%1)").arg(className);
        if (map.otherClass >= 0) caption += QStringLiteral(" − %1").arg(map.otherClass);
    }
    return caption;
}

void drawOverlay(QPainter& painter, const QRectF& target, const TensorData& image,
                 const SaliencyMap& map, const OverlayOptions& options, const OverlayRange& range) {
    // Raster devices: the device pixels the target covers; vector devices
    // (SVG, PDF): twice the target, so print zoom stays sharp.
    const bool raster = painter.device() && painter.device()->devType() == QInternal::Image;
    const double scale = raster ? std::max(painter.transform().m11(), 0.01) : 2.0;
    const int w = std::clamp(int(std::lround(target.width() * scale)), 1, kMaxOverlayPixels);
    const int h = std::clamp(int(std::lround(target.height() * scale)), 1, kMaxOverlayPixels);
    painter.drawImage(target, renderOverlay(image, map, options, QSize(w, h), range));
}

QRectF paintSaliencyFigure(QPainter& painter, const QRectF& rect, const TensorData& image,
                           const SaliencyMap& map, const OverlayOptions& options,
                           const QString& caption) {
    painter.save();
    painter.fillRect(rect, Qt::white);
    QFont font = painter.font();
    font.setPixelSize(std::clamp(int(rect.height() / 30), 11, 20));
    painter.setFont(font);
    const QFontMetricsF fm(font);
    const double margin = fm.height() * 0.6;
    const QRectF captionRect(rect.left() + margin, rect.top() + margin / 2,
                             rect.width() - 2 * margin, fm.height() * 1.4);
    painter.setPen(Qt::black);
    painter.drawText(captionRect, Qt::AlignCenter,
                     fm.elidedText(caption, Qt::ElideRight, captionRect.width()));

    const OverlayRange range = overlayRange(map, options);
    const double barWidth = std::max(fm.horizontalAdvance(QStringLiteral("-0.0000e-00")) + 30,
                                     fm.horizontalAdvance(caption.left(12)));
    const QRectF body(rect.left() + margin, captionRect.bottom() + margin / 2,
                      rect.width() - 3 * margin - barWidth,
                      rect.bottom() - captionRect.bottom() - 1.5 * margin);
    // The image keeps its aspect (the map's, when there is no image).
    double aspect = double(map.width) / double(std::max<std::int64_t>(map.height, 1));
    if (image.shape.size() >= 2) {
        const auto h = image.shape[image.shape.size() - 2], w = image.shape.back();
        if (h > 0 && w > 0) aspect = double(w) / double(h);
    }
    QSizeF fitted(body.width(), body.width() / aspect);
    if (fitted.height() > body.height()) fitted = QSizeF(body.height() * aspect, body.height());
    const QRectF target(body.left() + (body.width() - fitted.width()) / 2,
                        body.top() + (body.height() - fitted.height()) / 2, fitted.width(),
                        fitted.height());
    drawOverlay(painter, target, image, map, options, range);

    const QRectF bar(target.right() + margin, target.top(), barWidth,
                     std::max(target.height(), fm.height() * 6));
    QFont small = font;
    small.setPixelSize(std::max(10, font.pixelSize() - 2));
    painter.setFont(small);
    paintColorbar(painter, bar, overlayColormap(options, range), range,
                  colorbarTitle(QString::fromUtf8(saliencyMethodTitle(map.method)), options.sign));
    painter.restore();
    return target;
}

bool exportSaliencyMap(const QString& path, const SaliencyMap& map, QString* error) {
    if (map.height <= 0 || map.width <= 0 ||
        map.values.size() != std::size_t(map.height * map.width))
        return fail(error, QStringLiteral("Cannot write the saliency map %1: it has %2 values "
                                          "for %3×%4 pixels.")
                               .arg(path)
                               .arg(map.values.size())
                               .arg(map.height)
                               .arg(map.width));
    const QString suffix = suffixOf(path);
    if (suffix == QLatin1String("npy")) {
        TensorData array;
        array.dtype = DType::Float32;
        array.shape = {map.height, map.width};
        array.storage = Storage::allocate(map.values.size() * sizeof(float));
        std::memcpy(array.storage->mutableData(), map.values.data(),
                    map.values.size() * sizeof(float));
        try {
            writeNpy(path.toStdString(), array);
        } catch (const std::exception& e) {
            return fail(error, QString::fromUtf8(e.what()));
        }
        return true;
    }
    if (suffix != QLatin1String("csv"))
        return fail(
            error, QStringLiteral("Cannot write the saliency map %1: use .npy or .csv.").arg(path));
    QByteArray text;
    text.reserve(int(map.values.size()) * 12);
    for (std::int64_t y = 0; y < map.height; ++y) {
        for (std::int64_t x = 0; x < map.width; ++x) {
            if (x > 0) text += ',';
            text += QByteArray::number(double(map.at(y, x)), 'g', 9);
        }
        text += '\n';
    }
    QString why;
    if (!writeFileAtomically(path, text, &why))
        return fail(error, QStringLiteral("Cannot write the saliency map %1: %2.").arg(path, why));
    return true;
}

}  // namespace basin::widgets
