#include "ImageCompare.h"

#include <QDir>
#include <QFileInfo>
#include <cmath>
#include <vector>

namespace basin::test {
namespace {

std::vector<double> luminance(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    std::vector<double> y(size_t(rgb.width()) * rgb.height());
    for (int r = 0; r < rgb.height(); ++r) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(r));
        for (int c = 0; c < rgb.width(); ++c) {
            y[size_t(r) * rgb.width() + c] =
                0.299 * qRed(line[c]) + 0.587 * qGreen(line[c]) + 0.114 * qBlue(line[c]);
        }
    }
    return y;
}

QImage differenceImage(const QImage& a, const QImage& b) {
    const QImage ra = a.convertToFormat(QImage::Format_RGB32);
    const QImage rb = b.convertToFormat(QImage::Format_RGB32);
    QImage d(ra.size(), QImage::Format_RGB32);
    for (int r = 0; r < d.height(); ++r) {
        for (int c = 0; c < d.width(); ++c) {
            const QRgb pa = ra.pixel(c, r), pb = rb.pixel(c, r);
            d.setPixel(c, r,
                       qRgb(std::abs(qRed(pa) - qRed(pb)) * 4 % 256,
                            std::abs(qGreen(pa) - qGreen(pb)) * 4 % 256,
                            std::abs(qBlue(pa) - qBlue(pb)) * 4 % 256));
        }
    }
    return d;
}

}  // namespace

double structuralSimilarity(const QImage& a, const QImage& b) {
    if (a.size() != b.size() || a.isNull()) return -1;
    const std::vector<double> ya = luminance(a), yb = luminance(b);
    const int w = a.width(), h = a.height();
    constexpr int kWin = 8, kStride = 4;
    constexpr double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    double sum = 0;
    int windows = 0;
    for (int y0 = 0; y0 + kWin <= h; y0 += kStride) {
        for (int x0 = 0; x0 + kWin <= w; x0 += kStride) {
            double ma = 0, mb = 0;
            for (int y = y0; y < y0 + kWin; ++y) {
                for (int x = x0; x < x0 + kWin; ++x) {
                    ma += ya[size_t(y) * w + x];
                    mb += yb[size_t(y) * w + x];
                }
            }
            constexpr double n = kWin * kWin;
            ma /= n;
            mb /= n;
            double va = 0, vb = 0, cov = 0;
            for (int y = y0; y < y0 + kWin; ++y) {
                for (int x = x0; x < x0 + kWin; ++x) {
                    const double da = ya[size_t(y) * w + x] - ma, db = yb[size_t(y) * w + x] - mb;
                    va += da * da;
                    vb += db * db;
                    cov += da * db;
                }
            }
            va /= n - 1;
            vb /= n - 1;
            cov /= n - 1;
            sum +=
                ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            ++windows;
        }
    }
    return windows ? sum / windows : (a == b ? 1.0 : -1.0);
}

QString testOutputDir() {
    const QString dir = QStringLiteral(BASIN_TEST_OUTPUT_DIR);
    QDir().mkpath(dir);
    return dir;
}

ImageComparison compareWithBaseline(const QImage& actual, const QString& name, double minSsim) {
    ImageComparison result;
    const QString baselinePath = QStringLiteral(BASIN_BASELINE_DIR "/") + name + ".png";
    const QString actualPath = testOutputDir() + "/" + name + ".png";
    actual.save(actualPath);
    if (actual.isNull()) {
        result.message = "rendered image '" + name + "' is empty";
        return result;
    }
    if (!QFileInfo::exists(baselinePath)) {
        QDir().mkpath(QFileInfo(baselinePath).absolutePath());
        actual.save(baselinePath);
        result.message = "no baseline for '" + name + "': wrote " + baselinePath +
                         " from this run; look at it, commit it and run the test again";
        return result;
    }
    const QImage baseline(baselinePath);
    if (baseline.size() != actual.size()) {
        result.message = QStringLiteral("'%1': size %2x%3 differs from the baseline's %4x%5 (%6)")
                             .arg(name)
                             .arg(actual.width())
                             .arg(actual.height())
                             .arg(baseline.width())
                             .arg(baseline.height())
                             .arg(actualPath);
        return result;
    }
    result.ssim = structuralSimilarity(actual, baseline);
    result.passed = result.ssim >= minSsim;
    if (!result.passed) {
        const QString diffPath = testOutputDir() + "/" + name + ".diff.png";
        differenceImage(actual, baseline).save(diffPath);
        result.message = QStringLiteral("'%1': SSIM %2 below threshold %3; actual %4, diff %5")
                             .arg(name)
                             .arg(result.ssim, 0, 'f', 4)
                             .arg(minSsim)
                             .arg(actualPath, diffPath);
    }
    return result;
}

}  // namespace basin::test
