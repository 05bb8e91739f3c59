// `basin render-splats` as a user runs it: a small 3DGS PLY written here in
// the reference layout (binary little-endian, degree 0) rendered to a PNG of
// the requested size that equals the core rasterizer's image for the same
// framed camera, the background where no splat is; --up -y turns it by
// 180°; a turntable of N frames that differ; a .splat file; bad camera strings and sizes refused
// with a sentence naming the option.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QTemporaryDir>
#include <cmath>
#include <random>

#include "BasinRun.h"
#include "BasinTest.h"
#include "JointSmplxModel.h"
#include "data/detail/TensorBuilders.h"
#include "io/Numpy.h"
#include "splats/GaussianPly.h"
#include "splats/ProceduralAvatar.h"
#include "splats/RenderSplats.h"
#include "splats/SmplxJoints.h"
#include "splats/SphericalHarmonics.h"
#include "splats/SplatRasterizer.h"

namespace {

constexpr int kSplats = 300;

// Three coloured blobs (red left, green right, blue on top) of small
// Gaussians, written property by property as the reference's save_ply does.
void writePly(const QString& path) {
    const char* names[] = {"x",       "y",      "z",      "nx",      "ny",      "nz",
                           "f_dc_0",  "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1",
                           "scale_2", "rot_0",  "rot_1",  "rot_2",   "rot_3"};
    QByteArray bytes = QByteArrayLiteral("ply\nformat binary_little_endian 1.0\n");
    bytes += "element vertex " + QByteArray::number(kSplats) + "\n";
    for (const char* n : names)
        bytes += QByteArray("property float ") + n + "\n";
    bytes += "end_header\n";
    std::mt19937 rng(4);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (int i = 0; i < kSplats; ++i) {
        const int blob = i % 3;
        const float cx[3] = {-0.6f, 0.6f, 0.0f}, cy[3] = {0.0f, 0.0f, 0.7f};
        float rgb[3] = {0.1f, 0.1f, 0.1f};
        rgb[blob] = 0.9f;
        const float v[17] = {cx[blob] + 0.15f * g(rng),
                             cy[blob] + 0.15f * g(rng),
                             0.15f * g(rng),
                             0,
                             0,
                             0,
                             (rgb[0] - 0.5f) / basin::sh::C0,
                             (rgb[1] - 0.5f) / basin::sh::C0,
                             (rgb[2] - 0.5f) / basin::sh::C0,
                             2.0f,  // logit: opacity 0.88
                             std::log(0.05f),
                             std::log(0.03f),
                             std::log(0.04f),
                             1.0f + 0.3f * g(rng),
                             0.3f * g(rng),
                             0.3f * g(rng),
                             0.3f * g(rng)};
        bytes.append(reinterpret_cast<const char*>(v), sizeof v);
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

}  // namespace

class TestRenderSplatsCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        ply_ = dir_.filePath("blobs.ply");
        writePly(ply_);
    }

    void writesThePngTheRasterizerRenders() {
        const QString out = dir_.filePath("blobs.png");
        const BasinRun r = runBasin(
            {"render-splats", ply_, "--size", "96x64", "--background", "1,1,1", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("300 splats")));
        QImage image(out);
        QCOMPARE(image.size(), QSize(96, 64));
        image = image.convertToFormat(QImage::Format_RGB888);

        // The same camera in core: `auto` is azimuth 0, elevation 15, framed.
        using namespace basin;
        const GaussianCloud cloud = readGaussianPly(ply_.toStdString());
        SplatRasterOptions options;
        options.background = {1, 1, 1};
        const SplatImage expected =
            rasterizeSplats(RenderSplats::fromCloud(cloud),
                            SplatCamera::framing(cloud.bounds(), 0, 15, 50, 96, 64), options);
        int maxDiff = 0, white = 0, reddish = 0, greenish = 0;
        for (int y = 0; y < 64; ++y) {
            const uchar* row = image.constScanLine(y);
            for (int x = 0; x < 96; ++x) {
                for (int c = 0; c < 3; ++c) {
                    const float e = expected.rgb[3 * (y * 96 + x) + c];
                    maxDiff = std::max(maxDiff,
                                       std::abs(int(row[3 * x + c]) - int(std::lround(255 * e))));
                }
                const uchar* p = row + 3 * x;
                white += p[0] == 255 && p[1] == 255 && p[2] == 255;
                // Red blob on the left half, green on the right (camera on +z).
                if (p[0] > 150 && p[1] < 100 && p[2] < 100) reddish += x < 48 ? 1 : -1000;
                if (p[1] > 150 && p[0] < 100 && p[2] < 100) greenish += x >= 48 ? 1 : -1000;
            }
        }
        QVERIFY2(maxDiff <= 1, qPrintable(QString::number(maxDiff)));
        QVERIFY(white > 96 * 64 / 4);  // background around the blobs
        QVERIFY(reddish > 20);
        QVERIFY(greenish > 20);
        // The corner is background.
        QCOMPARE(image.pixelColor(0, 0), QColor(255, 255, 255));
    }

    void turntableWritesNFrames() {
        const QString out = dir_.filePath("turntable");
        const BasinRun r =
            runBasin({"render-splats", ply_, "--camera", "orbit:0,10,5", "--size", "48x48",
                      "--turntable", "4", "--sh-degree", "0", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QStringList frames = QDir(out).entryList({"*.png"}, QDir::Files, QDir::Name);
        QCOMPARE(frames, (QStringList{"frame_0000.png", "frame_0001.png", "frame_0002.png",
                                      "frame_0003.png"}));
        QImage first(QDir(out).filePath(frames[0]));
        QCOMPARE(first.size(), QSize(48, 48));
        for (int k = 1; k < 4; ++k)
            QVERIFY(QImage(QDir(out).filePath(frames[k])) != first);
        QVERIFY(QFileInfo::exists(QDir(out).filePath("frames.txt")));

        // The same request again resumes: a frame lost (a killed run) is
        // rendered, the others are kept.
        QVERIFY(QFile::remove(QDir(out).filePath(frames[2])));
        const BasinRun again =
            runBasin({"render-splats", ply_, "--camera", "orbit:0,10,5", "--size", "48x48",
                      "--turntable", "4", "--sh-degree", "0", "--out", out});
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains("1 rendered") && again.out.contains("3 kept"),
                 qPrintable(again.out));
        QCOMPARE(QDir(out).entryList({"*.png"}, QDir::Files, QDir::Name), frames);
        // Another request (other camera) renders every frame again.
        const BasinRun other =
            runBasin({"render-splats", ply_, "--camera", "orbit:40,10,5", "--size", "48x48",
                      "--turntable", "4", "--sh-degree", "0", "--out", out});
        QVERIFY2(other.code == 0, qPrintable(other.err));
        QVERIFY2(other.out.contains("4 rendered") && other.out.contains("0 kept"),
                 qPrintable(other.out));
        QVERIFY(QImage(QDir(out).filePath(frames[0])) != first);
    }

    void upAxisTurnsThePicture() {
        const QString a = dir_.filePath("up_y.png"), b = dir_.filePath("down_y.png");
        BasinRun r = runBasin(
            {"render-splats", ply_, "--camera", "orbit:0,0", "--size", "40x30", "--out", a});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = runBasin({"render-splats", ply_, "--camera", "orbit:0,0", "--up", "-y", "--size",
                      "40x30", "--out", b});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // −y up seen from +z: the +y picture turned by 180°.
        const QImage up(a), down(b);
        int differing = 0;
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x) {
                const QColor p = up.pixelColor(x, y), q = down.pixelColor(39 - x, 29 - y);
                differing += std::abs(p.red() - q.red()) > 1 ||
                             std::abs(p.green() - q.green()) > 1 ||
                             std::abs(p.blue() - q.blue()) > 1;
            }
        QCOMPARE(differing, 0);
        QVERIFY(up != down);
    }

    void readsSplatFiles() {
        // One red splat in antimatter15's 32-byte record.
        QByteArray record;
        const float v[6] = {0, 0, 0, 0.2f, 0.2f, 0.2f};
        record.append(reinterpret_cast<const char*>(v), sizeof v);
        const unsigned char rgbaRot[8] = {230, 20, 20, 250, 255, 128, 128, 128};
        record.append(reinterpret_cast<const char*>(rgbaRot), sizeof rgbaRot);
        const QString splat = dir_.filePath("one.splat");
        QFile f(splat);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(record);
        f.close();
        const QString out = dir_.filePath("one.png");
        const BasinRun r = runBasin(
            {"render-splats", splat, "--camera", "orbit:0,0,3", "--size", "33x33", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QColor centre = QImage(out).pixelColor(16, 16);
        QVERIFY2(centre.red() > 200 && centre.green() < 40 && centre.blue() < 40,
                 qPrintable(centre.name()));
        QCOMPARE(QImage(out).pixelColor(0, 0), QColor(0, 0, 0));
    }

    void badArgumentsAreNamed() {
        const QString out = dir_.filePath("bad.png");
        struct Case {
            QStringList args;
            QString message;
        };
        const Case cases[] = {
            {{"--camera", "orbit:30,abc,4"}, "--camera 'orbit:30,abc,4' is not orbit:AZ,EL,DIST"},
            {{"--camera", "fly:1,2,3"}, "--camera 'fly:1,2,3' is not orbit:AZ,EL,DIST"},
            {{"--camera", "orbit:0,120,4"}, "the elevation must be between -90 and 90"},
            {{"--camera", "orbit:0,10,-1"}, "the distance must be positive"},
            {{"--size", "512"}, "--size '512' is not WIDTHxHEIGHT"},
            {{"--background", "1,1"}, "--background '1,1' is not R,G,B"},
            {{"--sh-degree", "4"}, "--sh-degree '4' must be an integer from 0 to 3"},
            {{"--up", "w"}, "--up 'w' is not a coordinate axis"},
        };
        for (const Case& c : cases) {
            const BasinRun r = runBasin(QStringList{"render-splats", ply_, "--out", out} + c.args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(c.message), qPrintable(r.err));
            QVERIFY(!QFileInfo::exists(out));
        }
        const BasinRun missing =
            runBasin({"render-splats", dir_.filePath("none.ply"), "--out", out});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains(QStringLiteral("none.ply")), qPrintable(missing.err));
        const BasinRun other = runBasin({"render-splats", dir_.filePath("x.obj"), "--out", out});
        QCOMPARE(other.code, 2);
        QVERIFY2(other.err.contains(QStringLiteral("neither a 3DGS PLY")), qPrintable(other.err));
    }

    // The procedural avatar in a preset pose, and an SMPL-X motion (arms
    // lowered frame by frame) playing on it: one frame per pose, each
    // different, the first the T-pose.
    void posesAndAnimatesTheAvatar() {
        const QString pose = dir_.filePath("walk.png");
        BasinRun r = runBasin(
            {"render-splats", "--avatar", "--pose", "walk:0.3", "--size", "64x96", "--out", pose});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QImage(pose).size(), QSize(64, 96));
        const QString tpose = dir_.filePath("t.png");
        r = runBasin({"render-splats", "--avatar", "--size", "64x96", "--out", tpose});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QImage(pose) != QImage(tpose));

        const int frames = 3;
        std::vector<float> bodyPose(std::size_t(frames) * 63, 0.0f);
        for (int k = 0; k < frames; ++k) {
            bodyPose[std::size_t(k) * 63 + 15 * 3 + 2] = -0.4f * float(k);  // left shoulder
            bodyPose[std::size_t(k) * 63 + 16 * 3 + 2] = 0.4f * float(k);   // right shoulder
        }
        const QString motion = dir_.filePath("motion.npz");
        basin::writeNpz(
            motion.toStdString(),
            {{"body_pose", basin::detail::float32Tensor({frames, 63}, bodyPose)},
             {"global_orient",
              basin::detail::float32Tensor({frames, 3}, std::vector<float>(frames * 3, 0.0f))}});
        const QString out = dir_.filePath("motion");
        r = runBasin(
            {"render-splats", "--avatar", "--motion", motion, "--size", "64x96", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QDir(out).entryList({"frame_*.png"}).size(), frames);
        const QImage first(QDir(out).filePath("frame_0000.png"));
        const QImage last(QDir(out).filePath("frame_0002.png"));
        QCOMPARE(first, QImage(tpose));
        QVERIFY(first != last);
        r = runBasin({"render-splats", "--avatar", "--motion", motion, "--frames", "2", "--size",
                      "32x32", "--out", dir_.filePath("two")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QDir(dir_.filePath("two")).entryList({"frame_*.png"}).size(), 2);
    }

    // A cloud bound to an SMPL-X body model (a synthetic one: one vertex per
    // joint at the procedural rig's joints, each weighted to its joint) moves
    // with the motion's shoulders (motion.npz, written by posesAndAnimatesTheAvatar).
    void bindsACloudToAnSmplxModel() {
        // Shoulders at the height of the test cloud's blobs.
        const QString model =
            writeJointSmplxModel(dir_.filePath("SMPLX_TEST.npz"), Eigen::Vector3d(0, -1.4, 0));
        const QString out = dir_.filePath("bound");
        const BasinRun r = runBasin({"render-splats", ply_, "--smplx", model, "--motion",
                                     dir_.filePath("motion.npz"), "--size", "64x64", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QDir(out).entryList({"frame_*.png"}).size(), 3);
        QVERIFY(QImage(QDir(out).filePath("frame_0000.png")) !=
                QImage(QDir(out).filePath("frame_0002.png")));
        const BasinRun missing =
            runBasin({"render-splats", ply_, "--smplx", dir_.filePath("none.npz"), "--out", out});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains(QStringLiteral("none.npz")), qPrintable(missing.err));
    }

    // PCA hand poses (6 coefficients a hand) play on a cloud bound to a model
    // with hand components; --hand-mean adds the model's mean hand pose and
    // so curls the fingers further; the procedural rig, which has no
    // components, names the PCA hand pose it cannot pose.
    void pcaHandsAndTheHandMean() {
        const basin::Avatar rig = basin::makeProceduralAvatar({6000});
        const QString avatar = dir_.filePath("rig.ply");
        basin::writeGaussianPly(avatar.toStdString(), rig.cloud);
        const QString model =
            writeJointSmplxModel(dir_.filePath("SMPLX_HANDS.npz"), Eigen::Vector3d::Zero(), true);
        const int frames = 2;
        const QString motion = dir_.filePath("pca.npz");
        std::vector<float> hands(std::size_t(frames) * 6, 0.0f);
        for (std::size_t i = 6; i < hands.size(); ++i)
            hands[i] = 0.8f;  // frame 1 bends, frame 0 is flat
        using basin::detail::float32Tensor;
        basin::writeNpz(
            motion.toStdString(),
            {{"body_pose", float32Tensor({frames, 63}, std::vector<float>(63 * frames))},
             {"left_hand_pose", float32Tensor({frames, 6}, hands)},
             {"right_hand_pose", float32Tensor({frames, 6}, hands)}});
        auto render = [&](const QString& name, QStringList extra) {
            const QString out = dir_.filePath(name);
            const BasinRun r =
                runBasin(QStringList{"render-splats", avatar, "--smplx", model, "--motion", motion,
                                     "--camera", "orbit:0,0", "--size", "96x96", "--out", out} +
                         extra);
            if (r.code != 0) qWarning("%s", qPrintable(r.err));
            return QDir(out);
        };
        const QDir flat = render("pca-flat", {});
        const QDir mean = render("pca-mean", {"--hand-mean"});
        QCOMPARE(flat.entryList({"frame_*.png"}).size(), frames);
        QCOMPARE(mean.entryList({"frame_*.png"}).size(), frames);
        // The coefficients move the hands; the mean moves them again.
        QVERIFY(QImage(flat.filePath("frame_0000.png")) != QImage(flat.filePath("frame_0001.png")));
        QVERIFY(QImage(flat.filePath("frame_0000.png")) != QImage(mean.filePath("frame_0000.png")));

        const BasinRun procedural = runBasin(
            {"render-splats", "--avatar", "--motion", motion, "--out", dir_.filePath("pca-rig")});
        QVERIFY(procedural.code != 0);
        QVERIFY2(procedural.err.contains("PCA") && procedural.err.contains("pca.npz"),
                 qPrintable(procedural.err));
    }

    void avatarOptionsThatDoNotFitAreNamed() {
        const QString out = dir_.filePath("bad.png");
        const struct {
            QStringList args;
            const char* says;
        } cases[] = {
            {{"--avatar", "--pose", "q"}, "--pose 'q'"},
            {{"--avatar", "--smplx", "x.npz"}, "exclude each other"},
            {{ply_, "--pose", "a"}, "needs an avatar"},
            {{"--avatar", "--motion", "m.npz", "--pose", "a"}, "exclude each other"},
        };
        for (const auto& c : cases) {
            const BasinRun r = runBasin(QStringList{"render-splats", "--out", out} + c.args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(QLatin1String(c.says)), qPrintable(r.err));
        }
    }

private:
    QTemporaryDir dir_;
    QString ply_;
};

BASIN_TEST_MAIN(TestRenderSplatsCli)
#include "test_render_splats_cli.moc"
