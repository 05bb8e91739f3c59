// SplatLayer in a GlView under Xvfb/llvmpipe: its pictures against the CPU
// reference rasterizer (core/splats/SplatRasterizer.h) on random clouds with
// SH degree 0, 1 and 3 (PSNR ≥ 35 dB), the worker-thread depth sort and when
// it re-sorts, the camera gestures, the quantity/ellipsoid/point displays, the
// selection box with per-part counts, and errors naming what failed.

#include <QKeyEvent>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "gl/GlView.h"
#include "splats/DepthSort.h"
#include "splats/GaussianCloud.h"
#include "splats/ProceduralAvatar.h"
#include "splats/RenderSplats.h"
#include "splats/SphericalHarmonics.h"
#include "splats/SplatDisplayValues.h"
#include "splats/SplatLayer.h"
#include "splats/SplatRasterizer.h"
#include "splats/SplatSelection.h"
#include "splats/SplatSorter.h"
#include "util/Colormap.h"

using basin::GaussianCloud;
using basin::RenderSplats;
using basin::SplatCamera;
using basin::widgets::GlView;
using basin::widgets::OrbitCamera;
using basin::widgets::SplatDisplay;
using basin::widgets::SplatLayer;
using basin::widgets::SplatSorter;

namespace {

constexpr QSize kViewSize(320, 240);

// A cloud of `n` random splats in [-1, 1]³: scales 0.02–0.2, random
// rotations, opacities 0.2–0.95, base colours 0.05–0.95 and, for degree > 0,
// view-dependent terms of ±0.15.
GaussianCloud randomCloud(std::size_t n, int degree, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::uniform_real_distribution<float> logScale(std::log(0.02f), std::log(0.2f));
    std::uniform_real_distribution<float> opacity(0.2f, 0.95f), colour(0.05f, 0.95f);
    GaussianCloud c;
    c.shDegree = degree;
    const int k = c.shCoefficientCount();
    for (std::size_t i = 0; i < n; ++i) {
        for (int a = 0; a < 3; ++a) {
            c.positions.push_back(unit(rng));
            c.logScales.push_back(logScale(rng));
        }
        for (int a = 0; a < 4; ++a)
            c.rawRotations.push_back(unit(rng));
        const float o = opacity(rng);
        c.opacityLogits.push_back(std::log(o / (1.0f - o)));
        for (int a = 0; a < 3; ++a)
            c.sh.push_back((colour(rng) - 0.5f) / basin::sh::C0);
        for (int j = 1; j < k; ++j)
            for (int a = 0; a < 3; ++a)
                c.sh.push_back(0.15f * unit(rng));
    }
    c.activate();
    return c;
}

// One isotropic splat per entry of `centres`, radius `sigma`, opacity
// `opacity`, colour `rgb`.
RenderSplats isotropicSplats(const std::vector<std::array<float, 3>>& centres, float sigma,
                             float opacity, const std::array<float, 3>& rgb) {
    RenderSplats s;
    for (const auto& p : centres) {
        s.centres.insert(s.centres.end(), p.begin(), p.end());
        const float v = sigma * sigma;
        s.covariances.insert(s.covariances.end(), {v, 0, 0, v, 0, v});
        s.opacities.push_back(opacity);
        for (const float c : rgb)
            s.sh.push_back((c - 0.5f) / basin::sh::C0);
    }
    return s;
}

struct SplatWindow {
    std::unique_ptr<QWidget> window = std::make_unique<QWidget>();
    GlView* view = nullptr;
    SplatLayer* layer = nullptr;

    explicit SplatWindow(QSize size = kViewSize, bool overlay = false) {
        auto* layout = new QVBoxLayout(window.get());
        layout->setContentsMargins(0, 0, 0, 0);
        view = new GlView(window.get());
        view->setFixedSize(size);
        view->setOverlayVisible(overlay);
        layout->addWidget(view);
        layer = view->addLayer(std::make_unique<SplatLayer>());
    }

    bool show() {
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get())) return false;
        frames(2);
        return true;
    }

    QImage frames(int n) {
        QImage image;
        for (int i = 0; i < n; ++i) {
            image = view->renderImage();
            QCoreApplication::processEvents();
        }
        return image;
    }

    // A frame drawn in the order sorted for the current view.
    QImage sortedFrame() {
        frames(1);
        if (!layer->waitForSort()) return {};
        return frames(2);
    }
};

QImage toImage(const basin::SplatImage& s) {
    QImage image(s.width, s.height, QImage::Format_RGB32);
    for (int y = 0; y < s.height; ++y) {
        for (int x = 0; x < s.width; ++x) {
            const float* p = &s.rgb[3 * (std::size_t(y) * s.width + x)];
            const auto level = [](float v) {
                return int(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
            };
            image.setPixel(x, y, qRgb(level(p[0]), level(p[1]), level(p[2])));
        }
    }
    return image;
}

double psnr(const QImage& a, const QImage& b) {
    const QImage ra = a.convertToFormat(QImage::Format_RGB32);
    const QImage rb = b.convertToFormat(QImage::Format_RGB32);
    if (ra.size() != rb.size()) return 0;
    double sum = 0;
    for (int y = 0; y < ra.height(); ++y) {
        for (int x = 0; x < ra.width(); ++x) {
            const QRgb p = ra.pixel(x, y), q = rb.pixel(x, y);
            for (const int d : {qRed(p) - qRed(q), qGreen(p) - qGreen(q), qBlue(p) - qBlue(q)})
                sum += double(d) * d;
        }
    }
    const double mse = sum / (3.0 * ra.width() * ra.height());
    return mse > 0 ? 10.0 * std::log10(255.0 * 255.0 / mse) : 99.0;
}

// Fraction of pixels that are not the black background.
double coveredFraction(const QImage& image) {
    qint64 covered = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (qGray(image.pixel(x, y)) > 8) ++covered;
    return double(covered) / (double(image.width()) * image.height());
}

void sendMouse(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button,
               Qt::MouseButtons buttons, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, modifiers);
    QApplication::sendEvent(w, &e);
}

void drag(SplatWindow& m, QPointF from, QPointF to, Qt::MouseButton button,
          Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    sendMouse(m.view, QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton, modifiers);
    sendMouse(m.view, QEvent::MouseButtonPress, from, button, button, modifiers);
    m.frames(1);
    for (int i = 1; i <= 4; ++i) {
        sendMouse(m.view, QEvent::MouseMove, from + (to - from) * (i / 4.0), Qt::NoButton, button,
                  modifiers);
        m.frames(1);
    }
    sendMouse(m.view, QEvent::MouseButtonRelease, to, button, Qt::NoButton, modifiers);
    m.frames(2);
}

QString save(const QImage& image, const QString& name) {
    const QString path = basin::test::testOutputDir() + "/" + name + ".png";
    image.save(path);
    return path;
}

}  // namespace

class TestSplatLayer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesCpuReference_data();
    void matchesCpuReference();
    void lowerShDegreeMatchesCpuReference();
    void sorterOrdersFarToNearAndResortsOnlyWhenMoved();
    void waitsForTheWorkerAndUploadsItsOrder();
    void dragOrbitsRightDragPansWheelZoomsWFliesFFrames();
    void selectionBoxCountsSplatsPerPart();
    void quantityDisplayUsesTheColormap();
    void highlightMaskMarksSplats();
    void pointsAndEllipsoidsAreOpaque();
    void panelShowsItsControls();
    void mismatchedSplatsAreReported();
    void missingShaderIsReportedWithItsName();
    void colouredCloudScreenshot();
    void proceduralAvatarMatchesCpuReference();
};

void TestSplatLayer::matchesCpuReference_data() {
    QTest::addColumn<int>("degree");
    QTest::addColumn<int>("count");
    QTest::newRow("degree 0, 400 splats") << 0 << 400;
    QTest::newRow("degree 1, 300 splats") << 1 << 300;
    QTest::newRow("degree 3, 300 splats") << 3 << 300;
}

void TestSplatLayer::matchesCpuReference() {
    QFETCH(int, degree);
    QFETCH(int, count);
    SplatWindow m;
    m.layer->setCloud(randomCloud(std::size_t(count), degree, 7u + unsigned(degree)));
    m.layer->setOrbit({{0.0f, 0.0f, 0.0f}, 35.0f, 20.0f, 3.6f, 50.0f});
    QVERIFY(m.show());
    const QImage gl = m.sortedFrame();
    QVERIFY2(m.view->errors().isEmpty(), qPrintable(m.view->errors().join('\n')));
    QCOMPARE(gl.size(), kViewSize);

    const SplatCamera camera = m.layer->camera();
    QCOMPARE(camera.width, kViewSize.width());
    const QImage cpu = toImage(basin::rasterizeSplats(m.layer->splats(), camera, {}));
    const double db = psnr(gl, cpu);
    const QString tag = QString("splat_degree%1").arg(degree);
    const QString paths = save(gl, tag + "_gl") + " " + save(cpu, tag + "_cpu");
    qInfo("SH degree %d, %d splats: GL vs CPU reference PSNR %.1f dB, %.0f%% covered", degree,
          count, db, 100 * coveredFraction(gl));
    QVERIFY2(coveredFraction(gl) > 0.2, qPrintable(paths));
    QVERIFY2(db >= 35.0, qPrintable(QString("PSNR %1 dB: %2").arg(db).arg(paths)));
}

void TestSplatLayer::lowerShDegreeMatchesCpuReference() {
    // Degree 3 splats drawn with degree 1: the reference with shDegree 1, and
    // visibly not the full degree-3 picture.
    SplatWindow m;
    GaussianCloud cloud = randomCloud(300, 3, 11);
    for (std::size_t i = 0; i < cloud.size(); ++i)  // strong view-dependent terms
        for (int k = 1; k < 16; ++k)
            for (int c = 0; c < 3; ++c)
                cloud.sh[(i * 16 + std::size_t(k)) * 3 + std::size_t(c)] *= 3.0f;
    m.layer->setCloud(cloud);
    m.layer->setOrbit({{0.0f, 0.0f, 0.0f}, -50.0f, 30.0f, 3.6f, 50.0f});
    m.layer->setShDegree(1);
    QVERIFY(m.show());
    const QImage gl = m.sortedFrame();
    basin::SplatRasterOptions one;
    one.shDegree = 1;
    const QImage cpu1 = toImage(basin::rasterizeSplats(m.layer->splats(), m.layer->camera(), one));
    const QImage cpu3 = toImage(basin::rasterizeSplats(m.layer->splats(), m.layer->camera(), {}));
    const double db1 = psnr(gl, cpu1), db3 = psnr(gl, cpu3);
    qInfo(
        "degree-3 cloud drawn at degree 1: PSNR %.1f dB to the degree-1 reference, %.1f dB to "
        "degree 3",
        db1, db3);
    QVERIFY2(db1 >= 35.0, qPrintable(save(gl, "splat_sh1_of_3_gl")));
    QVERIFY(db3 < db1 - 5.0);
}

void TestSplatLayer::sorterOrdersFarToNearAndResortsOnlyWhenMoved() {
    const GaussianCloud cloud = randomCloud(5000, 0, 3);
    const auto centres = std::make_shared<const std::vector<float>>(cloud.positions);
    std::atomic<int> finished{0};
    SplatSorter sorter([&] { ++finished; });
    sorter.setCentres(centres);
    SplatCamera camera = SplatCamera::orbit({0, 0, 0}, 20, 10, 4, 50, 320, 240);
    QVERIFY(sorter.request(camera));
    QVERIFY(sorter.waitIdle(10000));
    std::vector<std::uint32_t> order;
    SplatCamera sortedFor;
    QVERIFY(sorter.takeResult(&order, &sortedFor));
    QVERIFY(!sorter.takeResult(&order));  // once per sort
    QCOMPARE(sortedFor.position, camera.position);
    // Far to near: the reverse of the core depth order.
    const std::vector<float> depths = basin::viewDepths(centres->data(), 5000, camera);
    std::vector<std::uint32_t> nearToFar = basin::depthOrder(depths.data(), depths.size());
    std::reverse(nearToFar.begin(), nearToFar.end());
    QVERIFY(order == nearToFar);
    QVERIFY(depths[order.front()] >= depths[order.back()]);
    QCOMPARE(finished.load(), 1);

    // A tenth of a degree: no new sort; two degrees, or moving 1% closer: a new one.
    QVERIFY(!sorter.request(SplatCamera::orbit({0, 0, 0}, 20.1f, 10, 4, 50, 320, 240)));
    QVERIFY(!SplatSorter::movedEnough(camera,
                                      SplatCamera::orbit({0, 0, 0}, 20.1f, 10, 4, 50, 320, 240)));
    QVERIFY(
        SplatSorter::movedEnough(camera, SplatCamera::orbit({0, 0, 0}, 22, 10, 4, 50, 320, 240)));
    QVERIFY(SplatSorter::movedEnough(camera,
                                     SplatCamera::orbit({0, 0, 0}, 20, 10, 3.96f, 50, 320, 240)));
    QVERIFY(sorter.request(SplatCamera::orbit({0, 0, 0}, 22, 10, 4, 50, 320, 240)));
    QVERIFY(sorter.waitIdle(10000));
    QCOMPARE(finished.load(), 2);
    // New centres sort again from the same view.
    sorter.setCentres(std::make_shared<const std::vector<float>>(cloud.positions));
    QVERIFY(sorter.request(SplatCamera::orbit({0, 0, 0}, 22, 10, 4, 50, 320, 240)));
    QVERIFY(sorter.waitIdle(10000));
    QCOMPARE(finished.load(), 3);
}

void TestSplatLayer::waitsForTheWorkerAndUploadsItsOrder() {
    SplatWindow m;
    m.layer->setCloud(randomCloud(2000, 0, 5));
    QVERIFY(m.show());
    m.sortedFrame();
    const int uploads = m.layer->sortsUploaded();
    QVERIFY(uploads >= 1);
    // Frames without a camera change upload nothing new.
    m.frames(3);
    QCOMPARE(m.layer->sortsUploaded(), uploads);
    // Turning the view far enough sorts again; the worker's finish schedules
    // the frame that uploads it.
    OrbitCamera orbit = m.layer->orbit();
    orbit.azimuthDegrees += 90;
    m.layer->setOrbit(orbit);
    m.sortedFrame();
    QVERIFY(m.layer->sortsUploaded() > uploads);
    QVERIFY(m.layer->lastSortMs() >= 0);
}

void TestSplatLayer::dragOrbitsRightDragPansWheelZoomsWFliesFFrames() {
    SplatWindow m;
    m.layer->setCloud(randomCloud(500, 0, 9));
    QVERIFY(m.show());
    const OrbitCamera framed = m.layer->orbit();
    // setCloud framed the cloud: the target is the centres' bounding-box centre.
    const std::array<float, 6> bounds = randomCloud(500, 0, 9).bounds();
    QCOMPARE(framed.target[0], 0.5f * (bounds[0] + bounds[3]));
    QCOMPARE(framed.distance, SplatCamera::framingDistance(bounds, framed.fovYDegrees,
                                                           kViewSize.width(), kViewSize.height()));

    drag(m, QPointF(100, 100), QPointF(160, 80), Qt::LeftButton);
    OrbitCamera o = m.layer->orbit();
    QCOMPARE(o.azimuthDegrees, framed.azimuthDegrees - 0.3f * 60);
    QCOMPARE(o.elevationDegrees, framed.elevationDegrees - 0.3f * 20);
    QCOMPARE(o.distance, framed.distance);

    // Right drag: the target moves against the drag along the camera's right axis.
    const SplatCamera before = m.layer->camera();
    drag(m, QPointF(100, 100), QPointF(140, 100), Qt::RightButton);
    o = m.layer->orbit();
    const std::array<float, 9> r = before.rotation();
    const float moved = (o.target[0] - framed.target[0]) * r[0] +
                        (o.target[1] - framed.target[1]) * r[1] +
                        (o.target[2] - framed.target[2]) * r[2];
    QVERIFY(moved < 0);
    QVERIFY(std::abs(o.azimuthDegrees - (framed.azimuthDegrees - 18.0f)) < 1e-4f);

    QWheelEvent wheel(QPointF(160, 120), m.view->mapToGlobal(QPointF(160, 120)), QPoint(),
                      QPoint(0, 240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(m.view, &wheel);
    QVERIFY(std::abs(m.layer->orbit().distance - o.distance / (1.15f * 1.15f)) < 1e-4f);

    // W flies forward by 5% of the distance: eye and target together.
    const OrbitCamera beforeFly = m.layer->orbit();
    const SplatCamera eyeBefore = m.layer->camera();
    QKeyEvent w(QEvent::KeyPress, Qt::Key_W, Qt::NoModifier, "w");
    QApplication::sendEvent(m.view, &w);
    const SplatCamera eyeAfter = m.layer->camera();
    QCOMPARE(m.layer->orbit().distance, beforeFly.distance);
    const std::array<float, 9> axes = eyeBefore.rotation();
    float along = 0;
    for (int k = 0; k < 3; ++k)
        along += (eyeAfter.position[k] - eyeBefore.position[k]) * axes[6 + k];
    QVERIFY(std::abs(along - 0.05f * beforeFly.distance) < 1e-4f * beforeFly.distance);

    QKeyEvent key(QEvent::KeyPress, Qt::Key_F, Qt::NoModifier, "f");
    QApplication::sendEvent(m.view, &key);
    QCOMPARE(m.layer->orbit().distance, framed.distance);
    QCOMPARE(m.layer->orbit().target, framed.target);
}

void TestSplatLayer::selectionBoxCountsSplatsPerPart() {
    // 10 splats of part 0 and 5 of part 1 on the left, 7 of part 2 on the right.
    std::vector<std::array<float, 3>> centres;
    basin::SplatQuantity part{"part", {}};
    for (int i = 0; i < 22; ++i) {
        const float side = i < 15 ? -1.0f : 1.0f;
        centres.push_back({side, 0.1f * float(i % 5) - 0.2f, 0.05f * float(i % 3)});
        part.values.push_back(i < 10 ? 0.0f : i < 15 ? 1.0f : 2.0f);
    }
    SplatWindow m;
    m.layer->setSplats(isotropicSplats(centres, 0.05f, 0.9f, {0.8f, 0.3f, 0.2f}), {part}, false);
    m.layer->setOrbit({{0.0f, 0.0f, 0.0f}, 0.0f, 0.0f, 4.0f, 50.0f});
    QVERIFY(m.show());
    QSignalSpy changed(m.layer, &SplatLayer::selectionChanged);
    drag(m, QPointF(5, 5), QPointF(150, 235), Qt::LeftButton, Qt::ShiftModifier);
    QVERIFY(changed.count() >= 1);
    // Shift-drag selected and did not orbit.
    QCOMPARE(m.layer->orbit().azimuthDegrees, 0.0f);
    QCOMPARE(m.layer->selection(), QRectF(QPointF(5, 5), QPointF(150, 235)));
    QCOMPARE(m.layer->selectionCount().total, std::size_t(15));
    const std::map<int, std::size_t> expected{{0, 10}, {1, 5}};
    QVERIFY(m.layer->selectionCount().perPart == expected);

    // The selected splats are highlighted (yellow mixed in), the others not.
    const QImage image = m.frames(2);
    const QPoint left = QPoint(160 - 63, 120), right = QPoint(160 + 63, 120);
    QVERIFY2(qGreen(image.pixel(left)) > qGreen(image.pixel(right)) + 40,
             qPrintable(save(image, "splat_selection")));

    // A click without a drag clears it.
    drag(m, QPointF(200, 100), QPointF(200, 100), Qt::LeftButton, Qt::ShiftModifier);
    QVERIFY(m.layer->selection().isNull());
    QCOMPARE(m.layer->selectionCount().total, std::size_t(0));
}

void TestSplatLayer::quantityDisplayUsesTheColormap() {
    // Two large opaque splats, part 0 left and part 1 right: viridis at 0 and 1.
    basin::SplatQuantity part{"part", {0.0f, 1.0f}};
    SplatWindow m;
    m.layer->setSplats(isotropicSplats({{-0.6f, 0, 0}, {0.6f, 0, 0}}, 0.25f, 0.99f, {1, 1, 1}),
                       {part}, false);
    m.layer->setOrbit({{0.0f, 0.0f, 0.0f}, 0.0f, 0.0f, 4.0f, 50.0f});
    m.layer->setDisplay(SplatDisplay::Quantity);
    m.layer->setQuantity("part");
    QCOMPARE(m.layer->quantity(), std::string("part"));
    QVERIFY(m.show());
    const QImage image = m.sortedFrame();
    const SplatCamera cam = m.layer->camera();
    for (const auto& [x, t] : {std::pair<float, double>{-0.6f, 0.0}, {0.6f, 1.0}}) {
        const float px = cam.focalX() * cam.toView({x, 0, 0})[0] / cam.toView({x, 0, 0})[2] +
                         0.5f * float(cam.width);
        const QRgb pixel = image.pixel(int(px), cam.height / 2);
        const basin::Rgb want = basin::sampleColormap(basin::Colormap::Viridis, t);
        // α = 0.99 over black.
        QVERIFY2(std::abs(qRed(pixel) - 0.99 * 255 * want.r) <= 3 &&
                     std::abs(qGreen(pixel) - 0.99 * 255 * want.g) <= 3 &&
                     std::abs(qBlue(pixel) - 0.99 * 255 * want.b) <= 3,
                 qPrintable(save(image, "splat_quantity")));
    }
    // The values the panel offers: opacity, scale, then the quantities.
    const std::vector<std::string> names{"opacity", "scale", "part"};
    QVERIFY(basin::widgets::splatValueNames(m.layer->quantities()) == names);
    const std::vector<float> scale =
        basin::widgets::splatValues(m.layer->splats(), m.layer->quantities(), "scale");
    QCOMPARE(scale.size(), std::size_t(2));
    QVERIFY(std::abs(scale[0] - 0.25f) < 1e-5f);
    const float rotated[6] = {2.5f, 1.5f, 0, 2.5f, 0, 0.5f};  // eigenvalues 4, 1, 0.5
    QVERIFY(std::abs(basin::widgets::largestStandardDeviation(rotated) - 2.0f) < 1e-5f);
}

void TestSplatLayer::highlightMaskMarksSplats() {
    // Two blue splats; the mask marks the left one, which turns yellowish.
    SplatWindow m;
    m.layer->setSplats(
        isotropicSplats({{-0.6f, 0, 0}, {0.6f, 0, 0}}, 0.25f, 0.99f, {0.2f, 0.2f, 0.8f}), {},
        false);
    m.layer->setOrbit({{0.0f, 0.0f, 0.0f}, 0.0f, 0.0f, 4.0f, 50.0f});
    QVERIFY(m.show());
    const SplatCamera cam = m.layer->camera();
    const auto pixelOf = [&](float x) {
        const basin::SplatVec3 t = cam.toView({x, 0, 0});
        return QPoint(int(cam.focalX() * t[0] / t[2] + 0.5f * float(cam.width)), cam.height / 2);
    };
    QImage image = m.sortedFrame();
    QVERIFY(std::abs(qGreen(image.pixel(pixelOf(-0.6f))) - qGreen(image.pixel(pixelOf(0.6f)))) <=
            2);
    m.layer->setHighlightMask({1, 0});
    image = m.frames(2);
    QVERIFY2(qGreen(image.pixel(pixelOf(-0.6f))) > qGreen(image.pixel(pixelOf(0.6f))) + 60,
             qPrintable(save(image, "splat_mask")));
    // A mask of the wrong length is dropped.
    m.layer->setHighlightMask({1, 0, 1});
    QVERIFY(m.layer->highlightMask().empty());
    image = m.frames(2);
    QVERIFY(std::abs(qGreen(image.pixel(pixelOf(-0.6f))) - qGreen(image.pixel(pixelOf(0.6f)))) <=
            2);
}

void TestSplatLayer::pointsAndEllipsoidsAreOpaque() {
    SplatWindow m;
    m.layer->setSplats(isotropicSplats({{0, 0, 0}}, 0.3f, 0.5f, {0.2f, 0.6f, 0.9f}), {}, false);
    m.layer->setOrbit({{0.0f, 0.0f, 0.0f}, 0.0f, 0.0f, 4.0f, 50.0f});
    QVERIFY(m.show());
    const QPoint centre(kViewSize.width() / 2, kViewSize.height() / 2);
    const QRgb blended = m.sortedFrame().pixel(centre);
    QVERIFY(std::abs(qBlue(blended) - 0.5 * 0.9 * 255) <= 3);  // α = opacity at the centre
    m.layer->setDisplay(SplatDisplay::Points);
    QImage image = m.frames(2);
    QVERIFY(std::abs(qBlue(image.pixel(centre)) - 0.9 * 255) <= 2);
    QCOMPARE(qGray(image.pixel(centre + QPoint(4, 0))), 0);
    m.layer->setDisplay(SplatDisplay::Ellipsoids);
    image = m.frames(2);
    QVERIFY(std::abs(qBlue(image.pixel(centre)) - 0.9 * 255) <= 2);
    QVERIFY(qBlue(image.pixel(centre + QPoint(20, 0))) > 0);
}

void TestSplatLayer::panelShowsItsControls() {
    SplatWindow m(QSize(640, 480), true);
    m.layer->setCloud(randomCloud(300, 1, 4));
    QVERIFY(m.show());
    m.frames(2);
    QVERIFY(!m.view->overlayItemRect("Splats").isNull());
    const QRectF degree = m.view->overlayItemRect("Splats/SH degree");
    QVERIFY(!degree.isNull());
    QVERIFY(m.view->isOverOverlay(degree.center()));
    QVERIFY(!m.view->overlayItemRect("Splats/Readout").isNull());
    // A drag over the panel does not orbit.
    const float azimuth = m.layer->orbit().azimuthDegrees;
    drag(m, m.view->overlayItemRect("Splats/Readout").center(),
         m.view->overlayItemRect("Splats/Readout").center() + QPointF(0, 30), Qt::LeftButton);
    QCOMPARE(m.layer->orbit().azimuthDegrees, azimuth);
    QVERIFY(m.layer->framesPerSecond() > 0);
}

void TestSplatLayer::mismatchedSplatsAreReported() {
    SplatWindow m;
    RenderSplats bad = isotropicSplats({{0, 0, 0}, {1, 0, 0}}, 0.1f, 0.5f, {1, 1, 1});
    bad.covariances.resize(6);
    m.layer->setSplats(bad);
    QVERIFY(m.show());
    QVERIFY(m.layer->errorString().contains("covariances"));
    QCOMPARE(m.layer->splats().size(), std::size_t(0));
    m.layer->setSplats(isotropicSplats({{0, 0, 0}}, 0.1f, 0.5f, {1, 1, 1}),
                       {basin::SplatQuantity{"part", {0.0f, 1.0f}}});
    QVERIFY(m.layer->errorString().contains("'part'"));
}

void TestSplatLayer::missingShaderIsReportedWithItsName() {
    SplatWindow m;
    m.layer->setShaderPaths(":/shaders/splat_project.vert", ":/shaders/no_such_splat.vert",
                            ":/shaders/splat.frag");
    m.layer->setCloud(randomCloud(10, 0, 1));
    QVERIFY(m.show());
    QVERIFY(m.view->errors().join('\n').contains("no_such_splat.vert"));
}

void TestSplatLayer::colouredCloudScreenshot() {
    // A torus of 60k splats coloured around the ring, degree-1 sheen: the
    // picture to look at (written to the test output folder).
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    GaussianCloud c;
    c.shDegree = 1;
    const std::size_t n = 60000;
    for (std::size_t i = 0; i < n; ++i) {
        const float a = 6.2831853f * u(rng), b = 6.2831853f * u(rng);
        const float r = 1.0f + 0.35f * std::cos(b);
        c.positions.insert(c.positions.end(),
                           {r * std::cos(a), 0.35f * std::sin(b), r * std::sin(a)});
        const float s = std::log(0.012f + 0.02f * u(rng));
        c.logScales.insert(c.logScales.end(), {s, s, s - 0.7f});
        c.rawRotations.insert(c.rawRotations.end(), {u(rng), u(rng), u(rng), u(rng)});
        c.opacityLogits.push_back(1.5f);
        const basin::Rgb col = basin::sampleColormap(basin::Colormap::Viridis, a / 6.2831853f);
        for (const float v : {col.r, col.g, col.b})
            c.sh.push_back((v - 0.5f) / basin::sh::C0);
        for (int k = 0; k < 9; ++k)
            c.sh.push_back(0.2f * (u(rng) - 0.5f));
    }
    c.activate();
    SplatWindow m(QSize(640, 480), true);
    m.layer->setCloud(c);
    OrbitCamera orbit = m.layer->orbit();
    orbit.elevationDegrees = 35;
    m.layer->setOrbit(orbit);
    QVERIFY(m.show());
    const QImage image = m.sortedFrame();
    qInfo("screenshot: %s", qPrintable(save(image, "splat_torus")));
    QVERIFY(coveredFraction(image) > 0.1);
    QVERIFY2(m.view->errors().isEmpty(), qPrintable(m.view->errors().join('\n')));
}

void TestSplatLayer::proceduralAvatarMatchesCpuReference() {
    // The built-in avatar (30k splats) from the front-left, in colour and by
    // part: the colour picture against the reference, both written out.
    basin::ProceduralAvatarOptions options;
    options.splatCount = 30000;
    const basin::Avatar avatar = basin::makeProceduralAvatar(options);
    SplatWindow m(QSize(480, 640), false);
    m.layer->setCloud(avatar.cloud);
    OrbitCamera orbit = m.layer->orbit();
    orbit.azimuthDegrees = 25;
    orbit.elevationDegrees = 10;
    m.layer->setOrbit(orbit);
    m.layer->frameCloud();
    m.layer->setBackground({1.0f, 1.0f, 1.0f});
    QVERIFY(m.show());
    const QImage gl = m.sortedFrame();
    basin::SplatRasterOptions white;
    white.background = {1.0f, 1.0f, 1.0f};
    const QImage cpu = toImage(basin::rasterizeSplats(m.layer->splats(), m.layer->camera(), white));
    const double db = psnr(gl, cpu);
    qInfo("procedural avatar, %zu splats, 480x640: GL vs CPU reference PSNR %.1f dB (%s)",
          m.layer->splats().size(), db, qPrintable(save(gl, "splat_avatar_gl")));
    save(cpu, "splat_avatar_cpu");
    QVERIFY(db >= 35.0);

    m.layer->setDisplay(SplatDisplay::Quantity);
    m.layer->setQuantity("part");
    m.layer->setColormap(basin::Colormap::Coolwarm);
    const QImage parts = m.frames(2);
    save(parts, "splat_avatar_parts");
    QVERIFY(psnr(parts, gl) < 30.0);  // the part colours differ from the clothes

    // The view as a user sees it: panel, and a selection box over the upper
    // body counting splats per part (body, hand, face).
    SplatWindow shot(QSize(900, 700), true);
    shot.layer->setCloud(avatar.cloud);
    shot.layer->setOrbit(orbit);
    shot.layer->frameCloud();
    OrbitCamera closer = shot.layer->orbit();
    closer.distance *= 0.7f;
    shot.layer->setOrbit(closer);
    shot.layer->setBackground({0.93f, 0.93f, 0.93f});
    QVERIFY(shot.show());
    shot.sortedFrame();
    const QPointF head = [&] {
        const SplatCamera cam = shot.layer->camera();
        const basin::SplatVec3 t = cam.toView({0.0f, 1.55f, 0.0f});
        return QPointF(cam.focalX() * t[0] / t[2] + 0.5 * cam.width,
                       cam.focalY() * t[1] / t[2] + 0.5 * cam.height);
    }();
    // From the right, away from the panel at the top left.
    drag(shot, head + QPointF(260, 60), head + QPointF(-260, -60), Qt::LeftButton,
         Qt::ShiftModifier);
    const basin::widgets::SplatSelectionCount& selected = shot.layer->selectionCount();
    QVERIFY(selected.total > 0);
    QCOMPARE(selected.perPart.size(), std::size_t(3));  // face, hands and shoulders
    const QImage panel = shot.frames(3);
    qInfo("the view with its panel: %s", qPrintable(save(panel, "splat_avatar_panel")));
}

BASIN_GUI_TEST_MAIN(TestSplatLayer)
#include "test_splat_layer.moc"
