// The saliency view (hover readout at an image pixel, class picker, method
// and display controls, settings round trip), the comparison grid (layout and
// labels, shared vs per-cell normalization, hover, click) and the exports
// (PNG/SVG/PDF figures, .npy read back by NumPy and by core, CSV), with
// screenshots of a realistic view and 3×4 grid under the test output folder.

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QPainter>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "../../core/PythonFixtures.h"
#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "io/Numpy.h"
#include "saliency/SaliencyExport.h"
#include "saliency/SaliencyGrid.h"
#include "saliency/SaliencyView.h"

using namespace basin;
using namespace basin::widgets;

namespace {

constexpr int kSide = 64;

TensorData floats(std::vector<std::int64_t> shape, const std::vector<float>& values) {
    TensorData t;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(values.size() * sizeof(float));
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(float));
    return t;
}

// A handwritten-looking "7" (a bar and a slanted stroke) on a 64×64 canvas,
// normalized as MNIST inputs are ((x − 0.1307)/0.3081).
TensorData digitImage() {
    std::vector<float> v(kSide * kSide, 0.f);
    const auto ink = [&](double cx, double cy, double r) {
        for (int y = 0; y < kSide; ++y)
            for (int x = 0; x < kSide; ++x) {
                const double d = std::hypot(x - cx, y - cy);
                float& p = v[std::size_t(y * kSide + x)];
                p = std::max(p, float(std::clamp(1.5 - d / r, 0.0, 1.0)));
            }
    };
    for (double t = 0; t <= 1; t += 0.01) {
        ink(16 + 32 * t, 14 + 2 * t, 3.5);   // the bar
        ink(48 - 20 * t, 16 + 36 * t, 3.5);  // the stroke
    }
    for (float& p : v)
        p = (p - 0.1307f) / 0.3081f;
    return floats({1, kSide, kSide}, v);
}

// A Gaussian blob (σ pixels) at (cx, cy), with a weaker blob of sign
// `second` at (64 − cx, 64 − cy) and deterministic noise.
SaliencyMap blobMap(SaliencyMethod method, double cx, double cy, double sigma, double second,
                    double noise, bool isSigned) {
    SaliencyMap m;
    m.method = method;
    m.isSigned = isSigned;
    m.targetClass = 7;
    m.targetScore = 9.5;
    m.height = m.width = kSide;
    m.values.resize(kSide * kSide);
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            const double a =
                std::exp(-(std::pow(x - cx, 2) + std::pow(y - cy, 2)) / (2 * sigma * sigma));
            const double b = std::exp(-(std::pow(x - (64 - cx), 2) + std::pow(y - (64 - cy), 2)) /
                                      (2 * sigma * sigma));
            const double n = noise * std::sin(0.35 * x + 0.2 * y) * std::cos(0.15 * x - 0.3 * y);
            double value = a + second * b + n;
            if (!isSigned) value = std::abs(value);
            m.values[std::size_t(y * kSide + x)] = float(value);
        }
    return m;
}

// A Grad-CAM-like map: the blob on an 8×8 layer grid, upsampled.
SaliencyMap camMap(double cx, double cy, double sigma) {
    SaliencyMap m = blobMap(SaliencyMethod::GradCam, cx, cy, sigma, 0.3, 0.0, false);
    m.layer = "layer4";
    m.coarseHeight = m.coarseWidth = 8;
    m.coarseValues.resize(64);
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x)
            m.coarseValues[std::size_t(y * 8 + x)] =
                m.values[std::size_t((y * 8 + 4) * kSide + x * 8 + 4)];
    m.values = resampleMap(m, kSide, kSide, SaliencyUpsampling::Bilinear);
    return m;
}

// value(x, y) = (x + 100·y)/1000: a hover at (x, y) reads it back exactly.
SaliencyMap rampMap() {
    SaliencyMap m;
    m.method = SaliencyMethod::Gradient;
    m.height = m.width = kSide;
    m.targetClass = 3;
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x)
            m.values.push_back(float(x + 100 * y) / 1000.f);
    return m;
}

std::vector<SaliencyClassChoice> topClasses() {
    return {{7, QStringLiteral("seven"), 0.912},
            {1, QStringLiteral("one"), 0.051},
            {9, QString(), 0.020}};
}

void checkFigures(const QString& stem, QSize size, double dpi) {
    QImage png(stem + ".png");
    QVERIFY2(!png.isNull(), qPrintable(stem + ".png"));
    QCOMPARE(png.size(), size * (dpi / 96.0));
    QVERIFY(std::abs(png.dotsPerMeterX() - dpi / 0.0254) < 2);
    QSvgRenderer svg(stem + ".svg");
    QVERIFY2(svg.isValid(), qPrintable(stem + ".svg"));
    QFile pdf(stem + ".pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdf.readAll();
    QVERIFY(bytes.startsWith("%PDF-"));
    QVERIFY(bytes.size() > 2000);  // the embedded overlay image
}

int nonWhite(const QImage& img, QRect r) {
    int n = 0;
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            n += img.pixel(x, y) != qRgb(255, 255, 255);
    return n;
}

}  // namespace

class TestSaliencyView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hoverReportsTheMapValueAtThePixel() {
        SaliencyView view;
        view.resize(700, 560);
        view.setImage(digitImage());
        view.setMap(rampMap());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QWidget* canvas = view.findChild<QWidget*>(QStringLiteral("saliencyCanvas"));
        QVERIFY(canvas);
        QTRY_VERIFY(view.viewPosOfPixel(0, 0) != view.viewPosOfPixel(63, 63));
        for (QPoint pixel : {QPoint(3, 5), QPoint(0, 0), QPoint(63, 40), QPoint(20, 63)}) {
            const QPoint at = view.viewPosOfPixel(pixel.x(), pixel.y());
            QCOMPARE(view.pixelAt(at), std::optional<QPoint>(pixel));
            QSignalSpy hovered(&view, &SaliencyView::hovered);
            QTest::mouseMove(canvas, canvas->mapFrom(&view, at));
            QTRY_COMPARE(hovered.count(), 1);
            const double value = (pixel.x() + 100.0 * pixel.y()) / 1000.0;
            QCOMPARE(view.readout(), QStringLiteral("%1, %2: %3")
                                         .arg(pixel.x())
                                         .arg(pixel.y())
                                         .arg(formatSaliencyValue(value)));
            QVERIFY(std::abs(hovered.at(0).at(2).toDouble() - value) < 1e-6);
        }
        QCOMPARE(view.readout(), QStringLiteral("20, 63: 6.32"));
        QVERIFY(!view.pixelAt(QPoint(2, 2)));  // the toolbar, not the image
    }

    void classPickerEmitsTheChosenClass() {
        SaliencyView view;
        QSignalSpy chosen(&view, &SaliencyView::classChosen);
        view.setClassChoices(topClasses(), 1);
        QCOMPARE(chosen.count(), 0);  // filling the picker is not a choice
        QCOMPARE(view.currentClass(), std::int64_t(1));
        auto* picker = view.findChild<QComboBox*>(QStringLiteral("saliencyClass"));
        QVERIFY(picker);
        QCOMPARE(picker->count(), 3);
        QCOMPARE(picker->itemText(0), QStringLiteral("seven (7) — 91.2%"));
        QCOMPARE(picker->itemText(2), QStringLiteral("class 9 — 2.0%"));
        picker->setCurrentIndex(2);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toInt(), 9);

        QSignalSpy method(&view, &SaliencyView::methodChosen);
        auto* methods = view.findChild<QComboBox*>(QStringLiteral("saliencyMethod"));
        const int camIndex = methods->findText(QStringLiteral("Grad-CAM++"));
        QVERIFY(camIndex >= 0);
        Q_EMIT methods->activated(camIndex);
        QCOMPARE(method.count(), 1);
        QCOMPARE(method.at(0).at(0).value<SaliencyMethod>(), SaliencyMethod::GradCamPlusPlus);

        // The caption names the class the map explains.
        SaliencyMap map = camMap(38, 34, 8);
        map.targetClass = 7;
        view.setMap(map);
        QCOMPARE(view.caption(), QStringLiteral("Grad-CAM · layer4 · class 7 (seven)"));
        QCOMPARE(methods->currentText(), QStringLiteral("Grad-CAM"));
    }

    void settingsAreReportedAndRestored() {
        SaliencyView view;
        QSignalSpy changed(&view, &SaliencyView::settingsChanged);
        auto* sign = view.findChild<QComboBox*>(QStringLiteral("saliencySign"));
        sign->setCurrentIndex(sign->findText(QStringLiteral("positive")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(view.options().sign, SaliencySign::Positive);
        QCOMPARE(view.settings().value("sign").toString(), QStringLiteral("positive"));
        QCOMPARE(view.settings().value("colormap").toString(), QStringLiteral("auto"));

        QVariantMap s = view.settings();
        s["colormap"] = "magma";
        s["alpha"] = 0.3;
        s["upsampling"] = "nearest";
        s["greyscale"] = false;
        view.restoreSettings(s);
        QCOMPARE(view.options().colormap, std::optional<Colormap>(Colormap::Magma));
        QCOMPARE(view.options().alpha, 0.3);
        QCOMPARE(view.options().upsampling, SaliencyUpsampling::Nearest);
        QVERIFY(!view.options().image.greyscale);
        QCOMPARE(view.findChild<QSlider*>(QStringLiteral("saliencyAlpha"))->value(), 30);
        QCOMPARE(view.findChild<QComboBox*>(QStringLiteral("saliencyColormap"))->currentText(),
                 QStringLiteral("magma"));
        QCOMPARE(view.settings(), s);
        QVERIFY(view.findChild<QAction*>(QStringLiteral("saliencyNearest"))->isChecked());
        QVERIFY(view.findChild<QAction*>(QStringLiteral("saliencyColourImage"))->isChecked());

        // The image's context menu edits the rest of the options.
        changed.clear();
        view.findChild<QAction*>(QStringLiteral("saliencyNearest"))->trigger();
        QCOMPARE(view.options().upsampling, SaliencyUpsampling::Bilinear);
        view.findChild<QAction*>(QStringLiteral("saliencyClip995"))->trigger();
        QCOMPARE(view.options().clipPercentile, 99.5);
        QVERIFY(!view.findChild<QAction*>(QStringLiteral("saliencyClip99"))->isChecked());
        view.findChild<QAction*>(QStringLiteral("saliencyFade"))->trigger();
        QVERIFY(!view.options().fadeLowSaliency);
        QVERIFY(changed.count() >= 3);
        QCOMPARE(view.settings().value("clipPercentile").toDouble(), 99.5);
        QCOMPARE(view.settings().value("fade").toBool(), false);
    }

    void viewExportsFiguresAndRawMaps() {
        SaliencyView view;
        view.setImage(digitImage());
        view.setClassChoices(topClasses(), 7);
        SaliencyMap map = blobMap(SaliencyMethod::IntegratedGradients, 38, 34, 7, -0.6, 0.05, true);
        view.setMap(map);
        const QString stem = basin::test::testOutputDir() + "/saliency_view_figure";
        for (const char* ext : {".png", ".svg", ".pdf"}) {
            QString error;
            QVERIFY2(view.exportFigure(stem + ext, QSize(640, 520), &error), qPrintable(error));
        }
        checkFigures(stem, QSize(640, 520), 192);
        // The figure's caption and a red (positive) and blue (negative) overlay.
        const QImage png(stem + ".png");
        QVERIFY(nonWhite(png, QRect(0, 0, png.width(), 40)) > 100);
        int red = 0, blue = 0;
        for (int y = 0; y < png.height(); y += 2)
            for (int x = 0; x < png.width(); x += 2) {
                const QRgb c = png.pixel(x, y);
                red += qRed(c) > qBlue(c) + 80;
                blue += qBlue(c) > qRed(c) + 80;
            }
        QVERIFY(red > 500);
        QVERIFY(blue > 200);

        const QString npy = basin::test::testOutputDir() + "/saliency_view_map.npy";
        const QString csv = basin::test::testOutputDir() + "/saliency_view_map.csv";
        QString error;
        QVERIFY2(view.exportMap(npy, &error), qPrintable(error));
        QVERIFY2(view.exportMap(csv, &error), qPrintable(error));
        const TensorData back = readNpy(npy.toStdString());
        QCOMPARE(back.shape, (std::vector<std::int64_t>{kSide, kSide}));
        const std::vector<double> values = back.toDoubles();
        for (std::size_t i = 0; i < values.size(); i += 97)
            QCOMPARE(float(values[i]), map.values[i]);

        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), kSide);
        const QList<QByteArray> row5 = lines[5].split(',');
        QCOMPARE(row5.size(), kSide);
        QCOMPARE(row5[9].toFloat(), map.at(5, 9));

        QVERIFY(!view.exportMap(basin::test::testOutputDir() + "/map.txt", &error));
        QVERIFY2(error.contains("map.txt") && error.contains(".npy"), qPrintable(error));
        QVERIFY(!view.exportFigure("/nonexistent-dir/fig.png", QSize(100, 100), &error));
        QVERIFY2(error.contains("/nonexistent-dir/fig.png"), qPrintable(error));
    }

    void numpyReadsTheExportedMap() {
        QProcess probe;
        probe.start(basin::test::kPython, {"-c", "import numpy"});
        if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
            QSKIP("/usr/bin/python3 has no numpy");
        QTemporaryDir dir;
        SaliencyMap map = rampMap();
        map.height = 2;  // a non-square map: rows and columns must not swap
        map.values.resize(std::size_t(2 * kSide));
        QString error;
        QVERIFY2(exportSaliencyMap(dir.path() + "/map.npy", map, &error), qPrintable(error));
        const QString out = basin::test::runPython(
            dir.path(),
            "import numpy as np\n"
            "a = np.load('map.npy')\n"
            "assert a.dtype == np.float32 and a.shape == (2, 64), (a.dtype, a.shape)\n"
            "assert abs(a[1, 5] - 0.105) < 1e-7 and abs(a[0, 63] - 0.063) < 1e-7, a\n");
        QVERIFY2(out.isEmpty(), qPrintable(out));
    }

    void viewScreenshot() {
        SaliencyView view;
        view.resize(760, 600);
        view.setImage(digitImage());
        view.setClassChoices(topClasses(), 7);
        view.setMap(camMap(38, 34, 9));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage shot = view.grab().toImage();
        QVERIFY(shot.save(basin::test::testOutputDir() + "/saliency_view.png"));
        // The canvas shows the overlay: warm colours where the blob is.
        // The canvas shows the overlay as renderOverlay draws it (away from
        // the stroke: warm at the blob's edge, the dark image far from it).
        const QImage small =
            renderOverlay(view.image(), view.map(), view.options(), QSize(kSide, kSide));
        for (QPoint pixel : {QPoint(44, 40), QPoint(30, 30), QPoint(5, 60)}) {
            const QRgb c =
                shot.pixel(view.viewPosOfPixel(pixel.x(), pixel.y()) * shot.devicePixelRatio());
            const QRgb e = small.pixel(pixel);
            QVERIFY2(std::abs(qRed(c) - qRed(e)) < 40 && std::abs(qGreen(c) - qGreen(e)) < 40 &&
                         std::abs(qBlue(c) - qBlue(e)) < 40,
                     qPrintable(QString::number(c, 16) + " vs " + QString::number(e, 16)));
        }
        QVERIFY(qRed(small.pixel(44, 40)) > 100 &&
                qRed(small.pixel(44, 40)) > 2 * qBlue(small.pixel(44, 40)));
    }

    void nonSquareImagesKeepTheirAspect() {
        // A colour 32×48 image and its map: pixels stay square in the view
        // and the grid, and hover finds the far corner.
        std::vector<float> rgb(3 * 32 * 48);
        for (std::size_t i = 0; i < rgb.size(); ++i)
            rgb[i] = float(i % 97) / 97.f;
        const TensorData image = floats({3, 32, 48}, rgb);
        SaliencyMap map;
        map.height = 32;
        map.width = 48;
        for (int i = 0; i < 32 * 48; ++i)
            map.values.push_back(float(i));
        SaliencyView view;
        view.resize(700, 560);
        view.setImage(image);
        view.setMap(map);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(view.viewPosOfPixel(0, 0) != view.viewPosOfPixel(47, 31));
        const QPoint a = view.viewPosOfPixel(0, 0), b = view.viewPosOfPixel(47, 31);
        const double pitchX = (b.x() - a.x()) / 47.0, pitchY = (b.y() - a.y()) / 31.0;
        QVERIFY2(std::abs(pitchX / pitchY - 1) < 0.05,
                 qPrintable(QString::number(pitchX / pitchY)));
        QCOMPARE(view.pixelAt(b), std::optional<QPoint>(QPoint(47, 31)));

        SaliencyGrid grid;
        grid.resize(900, 600);
        grid.setImage(image);
        grid.setMaps({"a", "b"}, {"c", "d"}, {map, map, map, map});
        const QRectF cell = grid.cellRect(1, 1);
        QVERIFY(std::abs(cell.width() / cell.height() - 1.5) < 1e-9);
    }

    void gridLaysOutLabelledCells() {
        SaliencyGrid grid;
        grid.resize(1100, 760);
        grid.setImage(digitImage());
        const QStringList methods = {"Gradient", "Grad-CAM", "Integrated Gradients"};
        const QStringList epochs = {"epoch 1", "epoch 5", "epoch 20", "epoch 50"};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 grid.setMaps(methods, epochs, std::vector<SaliencyMap>(5)));
        std::vector<SaliencyMap> maps;
        const double sigmas[] = {16, 11, 8, 6};
        const double noises[] = {0.5, 0.3, 0.15, 0.05};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) {
                if (r == 0)
                    maps.push_back(blobMap(SaliencyMethod::Gradient, 38, 34, sigmas[c] / 2, 0.2,
                                           noises[c], false));
                else if (r == 1)
                    maps.push_back(camMap(38 - 6 + 2 * c, 34, sigmas[c]));
                else
                    maps.push_back(blobMap(SaliencyMethod::IntegratedGradients, 38, 34,
                                           sigmas[c] / 2, -0.5, noises[c], true));
            }
        maps[3].values.clear();  // one cell still computing
        grid.setMaps(methods, epochs, maps);
        grid.setTitle(QStringLiteral("Saliency of class 7 across training"));
        grid.show();
        QVERIFY(QTest::qWaitForWindowExposed(&grid));

        // Cells in reading order, same size, not overlapping, labels around them.
        const QRectF a = grid.cellRect(0, 0), b = grid.cellRect(0, 1), c = grid.cellRect(1, 0);
        QVERIFY(a.width() > 100 && std::abs(a.width() - a.height()) < 1e-6);
        QVERIFY(b.left() > a.right() && std::abs(b.top() - a.top()) < 1e-6);
        QVERIFY(c.top() > a.bottom() && std::abs(c.left() - a.left()) < 1e-6);
        const SaliencyGridLayout layout =
            saliencyGridLayout(grid.content(), QRectF(0, 0, 1100, 760));
        QCOMPARE(layout.columnLabels.size(), std::size_t(4));
        QCOMPARE(layout.rowLabels.size(), std::size_t(3));
        QVERIFY(layout.columnLabels[2].bottom() <= layout.cells[2].top());
        QVERIFY(layout.rowLabels[1].right() <= layout.cells[4].left());
        QVERIFY(layout.colorbar.left() > layout.cells[3].right());

        // Click and hover.
        QWidget* canvas = grid.findChild<QWidget*>(QStringLiteral("saliencyGridCanvas"));
        QSignalSpy clicked(&grid, &SaliencyGrid::cellClicked);
        const QPoint inCell = grid.cellRect(1, 2).center().toPoint();
        QTest::mouseClick(canvas, Qt::LeftButton, {}, canvas->mapFrom(&grid, inCell));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 1);
        QCOMPARE(clicked.at(0).at(1).toInt(), 2);
        QTest::mouseMove(canvas, canvas->mapFrom(&grid, inCell));
        QTRY_VERIFY(grid.readout().startsWith(QStringLiteral("Grad-CAM · epoch 20 — ")));
        const QPoint pixel(int((inCell.x() - grid.cellRect(1, 2).left()) / a.width() * kSide),
                           int((inCell.y() - grid.cellRect(1, 2).top()) / a.height() * kSide));
        QCOMPARE(grid.readout(), QStringLiteral("Grad-CAM · epoch 20 — %1, %2: %3")
                                     .arg(pixel.x())
                                     .arg(pixel.y())
                                     .arg(formatSaliencyValue(maps[6].at(pixel.y(), pixel.x()))));

        // Shared normalization: one range; per cell: each map its own.
        const OverlayRange shared = saliencyGridRange(grid.content(), 0, 0);
        QVERIFY(shared.diverging);  // IG's signed maps make the shared range diverging
        QCOMPARE(saliencyGridRange(grid.content(), 2, 3).high, shared.high);
        grid.setSharedNormalization(false);
        QVERIFY(!grid.content().sharedNormalization);
        const OverlayRange own = saliencyGridRange(grid.content(), 1, 1);
        QVERIFY(!own.diverging);
        QVERIFY(std::abs(own.high - overlayRange(maps[5], grid.content().options).high) < 1e-12);
        QVERIFY(saliencyGridRange(grid.content(), 2, 1).diverging);
        QVERIFY(grid.grab().save(basin::test::testOutputDir() + "/saliency_grid_per_cell.png"));
        grid.setSharedNormalization(true);

        // Screenshot and the paper figure.
        QVERIFY(grid.grab().save(basin::test::testOutputDir() + "/saliency_grid.png"));
        const QString stem = basin::test::testOutputDir() + "/saliency_grid_figure";
        for (const char* ext : {".png", ".svg", ".pdf"}) {
            QString error;
            QVERIFY2(grid.exportFigure(stem + ext, QSize(1200, 820), &error), qPrintable(error));
        }
        checkFigures(stem, QSize(1200, 820), 192);
        // The SVG holds the labels as text and draws the overlays.
        QFile svgFile(stem + ".svg");
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svgText = svgFile.readAll();
        for (const char* label : {"Integrated Gradients", "epoch 50", "not computed"})
            QVERIFY2(svgText.contains(label), label);
        QImage fromSvg(1200, 820, QImage::Format_RGB32);
        fromSvg.fill(Qt::white);
        {
            QPainter painter(&fromSvg);
            QSvgRenderer(stem + ".svg").render(&painter);
        }
        QVERIFY(fromSvg.save(basin::test::testOutputDir() + "/saliency_grid_figure_svg.png"));
        const SaliencyGridLayout svgLayout =
            saliencyGridLayout(grid.content(), QRectF(0, 0, 1200, 820));
        QVERIFY(nonWhite(fromSvg, svgLayout.cells[5].toRect()) >
                int(svgLayout.cells[5].width() * svgLayout.cells[5].height() * 0.9));
        const QImage png(stem + ".png");
        // Labels drawn: ink above the first row and left of the first column.
        const double s = 2.0;  // 192 DPI
        const SaliencyGridLayout fig = saliencyGridLayout(grid.content(), QRectF(0, 0, 1200, 820));
        QVERIFY(
            nonWhite(png, QRectF(fig.columnLabels[0].topLeft() * s, fig.columnLabels[0].size() * s)
                              .toRect()) > 50);
        QVERIFY(
            nonWhite(png,
                     QRectF(fig.rowLabels[2].topLeft() * s, fig.rowLabels[2].size() * s).toRect()) >
            50);
    }
};

BASIN_GUI_TEST_MAIN(TestSaliencyView)
#include "test_saliency_view.moc"
