#include "splats/SplatImageFile.h"

#include <QBuffer>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "util/AtomicFile.h"

namespace basin::widgets {

QImage splatQImage(const SplatImage& image) {
    QImage out(image.width, image.height, QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y) {
        uchar* row = out.scanLine(y);
        const float* src = image.rgb.data() + 3 * static_cast<std::size_t>(y) * image.width;
        for (int x = 0; x < 3 * image.width; ++x)
            row[x] = static_cast<uchar>(std::lround(255.0f * std::clamp(src[x], 0.0f, 1.0f)));
    }
    return out;
}

void writeSplatPng(const SplatImage& image, const QString& path) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!splatQImage(image).save(&buffer, "PNG"))
        throw std::runtime_error("could not encode the image for " + path.toStdString());
    AtomicFile out(path.toStdString());
    out.write(bytes.constData(), static_cast<std::size_t>(bytes.size()));
    out.commit();
}

}  // namespace basin::widgets
