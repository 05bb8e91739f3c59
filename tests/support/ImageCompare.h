#pragma once
// Image comparison for render tests, F3D-style: every render test names a
// baseline image under tests/baselines/ and a perceptual threshold.
//  - The comparison is the mean structural similarity (SSIM, Wang et al. 2004)
//    of the luminance over 8×8 windows, so llvmpipe's last-bit differences and
//    anti-aliasing do not fail a test while a missing or moved object does.
//  - A missing baseline is written from the actual image and the comparison
//    fails, which bootstraps new baselines: review the PNG, commit it, rerun.
//  - The actual image (and on failure a difference image) is written to the
//    build tree's test output folder for inspection.

#include <QImage>
#include <QString>

namespace basin::test {

// Mean SSIM of the two images' luminance, in [-1, 1] (1 = identical).
// Images of different sizes give -1.
double structuralSimilarity(const QImage& a, const QImage& b);

struct ImageComparison {
    bool passed = false;
    double ssim = -1;
    QString message;  // why it failed, with the paths written
};

// Compares `actual` with tests/baselines/<name>.png; passes when the SSIM is at
// least `minSsim`.
ImageComparison compareWithBaseline(const QImage& actual, const QString& name, double minSsim);

// Where tests write images and other outputs (inside the build tree).
QString testOutputDir();

}  // namespace basin::test

// QVERIFY-style check for use inside a Qt Test slot.
#define BASIN_COMPARE_IMAGE(image, name, minSsim)                                            \
    do {                                                                                     \
        const auto basinCmp_ = basin::test::compareWithBaseline((image), (name), (minSsim)); \
        QVERIFY2(basinCmp_.passed, qPrintable(basinCmp_.message));                           \
    } while (false)
