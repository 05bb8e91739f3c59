// Saliency overlays on pixels: a known map gives known colours (sequential
// for magnitudes, diverging centred at 0 for signed maps), outlier clipping
// by percentile, the four sign modes, nearest vs bilinear upsampling (and a
// CAM map's coarse cells), the alpha blend over a grey or colour image with
// low-saliency fading, the image's display normalization, the colorbar, and
// the errors for a bad image or map.

#include <QImage>
#include <QPainter>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "BasinGuiTest.h"
#include "saliency/SaliencyOverlay.h"

using namespace basin;
using namespace basin::widgets;

namespace {

SaliencyMap makeMap(std::int64_t h, std::int64_t w, std::vector<float> values,
                    bool isSigned = false) {
    SaliencyMap m;
    m.height = h;
    m.width = w;
    m.values = std::move(values);
    m.isSigned = isSigned;
    return m;
}

TensorData makeImage(std::vector<std::int64_t> shape, const std::vector<float>& values) {
    TensorData t;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(values.size() * sizeof(float));
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(float));
    return t;
}

// Opaque, unfaded, unclipped: a pixel shows exactly the colormap's colour.
OverlayOptions exact(std::optional<Colormap> colormap = std::nullopt) {
    OverlayOptions o;
    o.colormap = colormap;
    o.alpha = 1.0;
    o.fadeLowSaliency = false;
    o.clipPercentile = 100;
    return o;
}

QRgb colourOf(Colormap map, double t) {
    const Rgb c = sampleColormap(map, t);
    return qRgb(int(std::lround(c.r * 255)), int(std::lround(c.g * 255)),
                int(std::lround(c.b * 255)));
}

bool near(QRgb a, QRgb b, int tolerance = 1) {
    return std::abs(qRed(a) - qRed(b)) <= tolerance &&
           std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

QString rgbText(QRgb c) {
    return QStringLiteral("(%1, %2, %3)").arg(qRed(c)).arg(qGreen(c)).arg(qBlue(c));
}

#define COMPARE_RGB(actual, expected)    \
    QVERIFY2(near((actual), (expected)), \
             qPrintable(rgbText(actual) + QStringLiteral(" != ") + rgbText(expected)))

}  // namespace

class TestSaliencyOverlay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void magnitudeMapUsesSequentialColours() {
        const SaliencyMap map = makeMap(1, 3, {0.f, 2.f, 4.f});
        const OverlayRange range = overlayRange(map, exact());
        QVERIFY(!range.diverging);
        QCOMPARE(range.low, 0.0);
        QCOMPARE(range.high, 4.0);
        const QImage img = renderOverlay({}, map, exact(), QSize(3, 1));
        QCOMPARE(overlayColormap(exact(), range), Colormap::Inferno);
        COMPARE_RGB(img.pixel(0, 0), qRgb(0x00, 0x00, 0x04));  // inferno's first anchor
        COMPARE_RGB(img.pixel(1, 0), qRgb(0xba, 0x36, 0x55));  // inferno at t = 0.5
        COMPARE_RGB(img.pixel(2, 0), qRgb(0xfc, 0xff, 0xa4));
    }

    void signedMapUsesDivergingColoursCentredAtZero() {
        const SaliencyMap map = makeMap(1, 4, {-1.f, 0.f, 0.5f, 2.f}, true);
        const OverlayRange range = overlayRange(map, exact());
        QVERIFY(range.diverging);
        QCOMPARE(range.low, -2.0);
        QCOMPARE(range.high, 2.0);
        const QImage img = renderOverlay({}, map, exact(), QSize(4, 1));
        COMPARE_RGB(img.pixel(1, 0), qRgb(0xf7, 0xf7, 0xf7));  // RdBu_r's white centre at 0
        COMPARE_RGB(img.pixel(3, 0), qRgb(0x67, 0x00, 0x1f));  // +2: darkest red
        COMPARE_RGB(img.pixel(0, 0), colourOf(Colormap::RdBuReversed, 0.25));
        QVERIFY(qBlue(img.pixel(0, 0)) > qRed(img.pixel(0, 0)));  // negative is blue

        // A chosen colormap wins over the default.
        const QImage seismic = renderOverlay({}, map, exact(Colormap::Seismic), QSize(4, 1));
        COMPARE_RGB(seismic.pixel(1, 0), qRgb(255, 255, 255));
    }

    void outliersAreClippedAtThePercentile() {
        std::vector<float> v;
        for (int i = 1; i <= 99; ++i)
            v.push_back(float(i));
        v.push_back(1000.f);  // one outlier pixel
        const SaliencyMap map = makeMap(10, 10, v);
        OverlayOptions o = exact(Colormap::Greys);
        o.clipPercentile = 99;
        const OverlayRange range = overlayRange(map, o);
        // numpy.percentile([1..99, 1000], 99) = 99 + 0.01·(1000 − 99)
        QVERIFY(std::abs(range.high - 108.01) < 1e-9);
        QCOMPARE(range.low, 1.0);
        const QImage img = renderOverlay({}, map, o, QSize(10, 10));
        COMPARE_RGB(img.pixel(9, 9), qRgb(255, 255, 255));           // the outlier saturates
        const int grey = int(std::lround(255 * (99 - 1) / 107.01));  // 99 → t = (99 − 1)/107.01
        COMPARE_RGB(img.pixel(8, 9), qRgb(grey, grey, grey));
        // Without clipping the outlier takes the whole range.
        o.clipPercentile = 100;
        const QImage unclipped = renderOverlay({}, map, o, QSize(10, 10));
        QVERIFY(qRed(unclipped.pixel(8, 9)) < 30);
    }

    void signModesPickWhatIsShown() {
        const SaliencyMap map = makeMap(1, 3, {-2.f, 0.f, 1.f}, true);
        OverlayOptions o = exact(Colormap::Greys);
        QCOMPARE(shownValue(-2, SaliencySign::Positive), 0.0);
        QCOMPARE(shownValue(-2, SaliencySign::Negative), 2.0);
        QCOMPARE(shownValue(-2, SaliencySign::Absolute), 2.0);
        QCOMPARE(shownValue(-2, SaliencySign::All), -2.0);

        o.sign = SaliencySign::Positive;
        QImage img = renderOverlay({}, map, o, QSize(3, 1));
        QVERIFY(!overlayRange(map, o).diverging);
        COMPARE_RGB(img.pixel(0, 0), qRgb(0, 0, 0));
        COMPARE_RGB(img.pixel(2, 0), qRgb(255, 255, 255));

        o.sign = SaliencySign::Negative;
        img = renderOverlay({}, map, o, QSize(3, 1));
        COMPARE_RGB(img.pixel(0, 0), qRgb(255, 255, 255));
        COMPARE_RGB(img.pixel(2, 0), qRgb(0, 0, 0));

        o.sign = SaliencySign::Absolute;
        img = renderOverlay({}, map, o, QSize(3, 1));
        COMPARE_RGB(img.pixel(0, 0), qRgb(255, 255, 255));
        COMPARE_RGB(img.pixel(1, 0), qRgb(0, 0, 0));
        COMPARE_RGB(img.pixel(2, 0), qRgb(128, 128, 128));

        o.sign = SaliencySign::All;  // diverging [−2, 2] on greys: 0 is mid-grey
        img = renderOverlay({}, map, o, QSize(3, 1));
        COMPARE_RGB(img.pixel(0, 0), qRgb(0, 0, 0));
        COMPARE_RGB(img.pixel(1, 0), qRgb(128, 128, 128));
        COMPARE_RGB(img.pixel(2, 0), qRgb(191, 191, 191));
    }

    void nearestAndBilinearUpsampling() {
        const SaliencyMap map = makeMap(1, 2, {0.f, 1.f});
        OverlayOptions o = exact(Colormap::Greys);
        o.upsampling = SaliencyUpsampling::Nearest;
        QImage img = renderOverlay({}, map, o, QSize(4, 1));
        const int nearest[] = {0, 0, 255, 255};
        for (int x = 0; x < 4; ++x)
            QCOMPARE(qRed(img.pixel(x, 0)), nearest[x]);
        // Bilinear with align_corners = false: sources −0.25 (clamped), 0.25, 0.75, 1.25.
        o.upsampling = SaliencyUpsampling::Bilinear;
        img = renderOverlay({}, map, o, QSize(4, 1));
        const int bilinear[] = {0, 64, 191, 255};
        for (int x = 0; x < 4; ++x)
            QCOMPARE(qRed(img.pixel(x, 0)), bilinear[x]);
        const std::vector<float> v = resampleMap(map, 4, 1, SaliencyUpsampling::Bilinear);
        QCOMPARE(v[1], 0.25f);
    }

    void camMapIsUpsampledFromItsCoarseCells() {
        // A 4×4 map whose layer resolution was 2×2: nearest shows the cells.
        std::vector<float> upsampled(16, 0.5f);
        upsampled[0] = 0.f;
        upsampled[3] = 1.f;
        SaliencyMap map = makeMap(4, 4, upsampled);
        map.coarseHeight = 2;
        map.coarseWidth = 2;
        map.coarseValues = {0.f, 1.f, 1.f, 0.f};
        OverlayOptions o = exact(Colormap::Greys);
        o.upsampling = SaliencyUpsampling::Nearest;
        const QImage img = renderOverlay({}, map, o, QSize(8, 8));
        QCOMPARE(qRed(img.pixel(1, 1)), 0);
        QCOMPARE(qRed(img.pixel(5, 1)), 255);
        QCOMPARE(qRed(img.pixel(3, 6)), 255);
        QCOMPARE(qRed(img.pixel(6, 6)), 0);
        QCOMPARE(qRed(img.pixel(3, 1)), 0);  // no blending across the cell edge
        QCOMPARE(qRed(img.pixel(4, 1)), 255);
    }

    void alphaBlendsOverTheImage() {
        // Image: black left, white right; map: full saliency on greys (white).
        const TensorData image = makeImage({1, 1, 2}, {-1.f, 3.f});
        const SaliencyMap map = makeMap(1, 2, {1.f, 1.f});
        OverlayOptions o = exact(Colormap::Greys);
        o.alpha = 0.5;
        o.upsampling = SaliencyUpsampling::Nearest;
        QImage img = renderOverlay(image, map, o, QSize(2, 1));
        QCOMPARE(qRed(img.pixel(0, 0)), 128);  // 0.5·0 + 0.5·255
        QCOMPARE(qRed(img.pixel(1, 0)), 255);

        // Fading: where the map is at the neutral end the image shows through.
        const SaliencyMap low = makeMap(1, 2, {0.f, 1.f});
        o.fadeLowSaliency = true;
        o.alpha = 1.0;
        img = renderOverlay(image, low, o, QSize(2, 1));
        QCOMPARE(qRed(img.pixel(0, 0)), 0);  // t = 0: fully transparent, black image
        QCOMPARE(qRed(img.pixel(1, 0)), 255);
        const QImage layer = renderSaliency(low, o, QSize(2, 1), overlayRange(low, o));
        QCOMPARE(qAlpha(layer.pixel(0, 0)), 0);
        QCOMPARE(qAlpha(layer.pixel(1, 0)), 255);
    }

    void imageIsShownInGreyOrColour() {
        // Pure red, green, blue pixels (rescaled by the image's own min/max).
        const TensorData rgb = makeImage({3, 1, 3}, {2, 0, 0, 0, 2, 0, 0, 0, 2});
        ImageDisplay colour;
        colour.greyscale = false;
        QImage img = imageToQImage(rgb, colour);
        QCOMPARE(img.size(), QSize(3, 1));
        COMPARE_RGB(img.pixel(0, 0), qRgb(255, 0, 0));
        COMPARE_RGB(img.pixel(2, 0), qRgb(0, 0, 255));
        img = imageToQImage(rgb, ImageDisplay{});           // greyscale: luminance
        COMPARE_RGB(img.pixel(1, 0), qRgb(150, 150, 150));  // 0.587·255

        // Un-normalization: x·std + mean, per channel, clamped.
        ImageDisplay unnormalize;
        unnormalize.greyscale = false;
        unnormalize.mean = {0.5, 0.5, 0.5};
        unnormalize.std = {0.25, 0.25, 0.25};
        const TensorData batch = makeImage({1, 3, 1, 1}, {0.f, 2.f, -4.f});
        COMPARE_RGB(imageToQImage(batch, unnormalize).pixel(0, 0), qRgb(128, 255, 0));
    }

    void colorbarShowsTheGradientAndLabels() {
        const OverlayRange range{-3.0, 3.0, true};
        const QImage bar = renderColorbar(Colormap::RdBuReversed, range,
                                          QStringLiteral("Integrated Gradients"), QSize(120, 300));
        QCOMPARE(bar.size(), QSize(120, 300));
        // The bar's column: its first and last non-white rows below the title.
        const int x = 10;
        int top = 18, bottom = 299;
        while (top < 299 && bar.pixel(x, top) == qRgb(255, 255, 255))
            ++top;
        while (bottom > top && bar.pixel(x, bottom) == qRgb(255, 255, 255))
            --bottom;
        QVERIFY(bottom - top > 200);
        QVERIFY(qRed(bar.pixel(x, top + 3)) > qBlue(bar.pixel(x, top + 3)));        // +3: red
        QVERIFY(qBlue(bar.pixel(x, bottom - 3)) > qRed(bar.pixel(x, bottom - 3)));  // −3: blue
        QVERIFY(near(bar.pixel(x, (top + bottom) / 2), colourOf(Colormap::RdBuReversed, 0.5), 12));
        // Text: dark pixels in the title row and beside the ticks.
        const auto darkIn = [&](QRect r) {
            int n = 0;
            for (int yy = r.top(); yy <= r.bottom(); ++yy)
                for (int xx = r.left(); xx <= r.right(); ++xx)
                    n += qGray(bar.pixel(xx, yy)) < 100;
            return n;
        };
        QVERIFY(darkIn(QRect(0, 0, 120, 16)) > 20);                      // "Integrated Gradients"
        QVERIFY(darkIn(QRect(26, top - 8, 90, 16)) > 5);                 // "3"
        QVERIFY(darkIn(QRect(26, (top + bottom) / 2 - 8, 90, 16)) > 5);  // "0"
        QVERIFY(darkIn(QRect(26, bottom - 8, 90, 16)) > 5);              // "-3"
        QCOMPARE(formatSaliencyValue(0.000123456), QStringLiteral("0.0001235"));
        QCOMPARE(formatSaliencyValue(-3), QStringLiteral("-3"));
        QCOMPARE(colorbarTitle(QStringLiteral("IG"), SaliencySign::Absolute),
                 QStringLiteral("IG (|value|)"));
        QCOMPARE(colorbarTitle(QStringLiteral("IG"), SaliencySign::All), QStringLiteral("IG"));
    }

    void sharedRangeIsTheWidest() {
        const OverlayRange u = unitedRange({{0, 2, false}, {1, 5, false}});
        QCOMPARE(u.low, 0.0);
        QCOMPARE(u.high, 5.0);
        const OverlayRange d = unitedRange({{0, 2, false}, {-3, 3, true}});
        QVERIFY(d.diverging);
        QCOMPARE(d.low, -3.0);
        QCOMPARE(d.high, 3.0);
        // An all-zero map still gets a usable range.
        const OverlayRange zero = overlayRange(makeMap(2, 2, {0, 0, 0, 0}), exact());
        QVERIFY(zero.high > zero.low);
    }

    void badShapesAreSentences() {
        const TensorData twoChannels = makeImage({2, 2, 2}, std::vector<float>(8, 0.f));
        try {
            imageToQImage(twoChannels, {});
            QFAIL("a 2-channel image was accepted");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("[2, 2, 2]"), e.what());
        }
        SaliencyMap broken = makeMap(3, 3, {1.f, 2.f});
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, overlayRange(broken, exact()));
        QCOMPARE(parseSaliencySign("absolute"), std::optional(SaliencySign::Absolute));
        QVERIFY(!parseSaliencySign("both"));
        QCOMPARE(parseSaliencyUpsampling("nearest"), std::optional(SaliencyUpsampling::Nearest));
    }
};

BASIN_GUI_TEST_MAIN(TestSaliencyOverlay)
#include "test_saliency_overlay.moc"
