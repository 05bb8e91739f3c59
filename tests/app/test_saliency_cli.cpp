// `basin saliency` as a user runs it: on the demo's small CNN (scripted by the
// zoo and saved) and a digit written as a PNG, a gradient and a CAM method
// give a PNG figure of the size asked and a raw map of the image's size; a
// folder gives a figure per image; on torchvision's ResNet-18 written by real
// PyTorch, Grad-CAM at layer4 maps an RGB image; a layer the model does not
// have is named in the error.

#include <QDir>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "../core/PythonFixtures.h"
#include "BasinRun.h"
#include "BasinTest.h"
#include "data/GeneratedDatasets.h"
#include "io/Numpy.h"
#include "zoo/ModelZoo.h"

namespace {

// Sample `i` of the synthetic digits (not normalised) as a grey 28×28 PNG.
bool writeDigitPng(const QString& path, std::int64_t i) {
    basin::SyntheticDigitsOptions o;
    o.trainPerClass = 1;
    o.testPerClass = 1;
    o.normalize = false;
    const basin::Dataset digits = basin::makeSyntheticDigits(o).split.train;
    const std::vector<double> pixels = digits.inputs.toDoubles();
    QImage image(28, 28, QImage::Format_Grayscale8);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            image.scanLine(y)[x] =
                uchar(std::clamp(pixels[std::size_t(i * 784 + y * 28 + x)], 0.0, 1.0) * 255);
    return image.save(path, "PNG");
}

QJsonObject jsonOf(const BasinRun& run) {
    return QJsonDocument::fromJson(run.out.toUtf8()).object();
}

}  // namespace

class TestSaliencyCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        basin::makeSmallCnn({}).save(path("cnn.pt").toStdString());
        QVERIFY(writeDigitPng(path("digit.png"), 3));
    }

    void gradientAndGradCamPlusPlusOnTheDemoCnn() {
        const BasinRun run =
            runBasin({"saliency", "--model", path("cnn.pt"), "--image", path("digit.png"),
                      "--method", "gradient,gradcampp", "--out", path("fig.png"), "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        // Two maps across: 2 × 420 by 380, drawn at 2x.
        QImageReader reader(path("fig.png"));
        QCOMPARE(reader.format(), QByteArray("png"));
        const QImage figure = reader.read();
        QCOMPARE(figure.size(), QSize(1680, 760));
        // The overlay is drawn: not a blank page.
        QVERIFY(figure.pixelColor(420, 380) != figure.pixelColor(5, 5));

        const QJsonArray maps = jsonOf(run)["maps"].toArray();
        QCOMPARE(maps.size(), 2);
        QCOMPARE(maps[0].toObject()["method"].toString(), QStringLiteral("gradient"));
        QCOMPARE(maps[1].toObject()["method"].toString(), QStringLiteral("gradcampp"));
        QVERIFY(!maps[1].toObject()["layer"].toString().isEmpty());
        const QJsonArray top = jsonOf(run)["images"]
                                   .toArray()[0]
                                   .toObject()["predictions"]
                                   .toArray()[0]
                                   .toObject()["top"]
                                   .toArray();
        // The predicted class is what the maps explain.
        QCOMPARE(maps[0].toObject()["class"].toInt(), top[0].toObject()["class"].toInt());
        for (const auto& m : maps) {
            QCOMPARE(m.toObject()["height"].toInt(), 28);
            QCOMPARE(m.toObject()["width"].toInt(), 28);
        }
    }

    void rawMapLoadsAsHeightByWidth() {
        const BasinRun run =
            runBasin({"saliency", "--model", path("cnn.pt"), "--image", path("digit.png"),
                      "--method", "smoothgrad", "--samples", "8", "--raw", path("map.npy")});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("SmoothGrad")));
        const basin::TensorData map = basin::readNpy(path("map.npy").toStdString());
        QCOMPARE(map.shape, (std::vector<std::int64_t>{28, 28}));
        const std::vector<double> v = map.toDoubles();
        QVERIFY(*std::max_element(v.begin(), v.end()) > 0);  // a magnitude map with some mass
        QVERIFY(*std::min_element(v.begin(), v.end()) >= 0);
    }

    void severalLayersGiveAMapEach() {
        const BasinRun run =
            runBasin({"saliency", "--model", path("cnn.pt"), "--image", path("digit.png"),
                      "--method", "gradcam", "--layer", "conv1,conv2", "--target", "2", "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonArray maps = jsonOf(run)["maps"].toArray();
        QCOMPARE(maps.size(), 2);
        QCOMPARE(maps[0].toObject()["layer"].toString(), QStringLiteral("conv1"));
        QCOMPARE(maps[1].toObject()["layer"].toString(), QStringLiteral("conv2"));
        QCOMPARE(maps[1].toObject()["class"].toInt(), 2);
    }

    void aFolderGivesAFigurePerImage() {
        QDir(dir_.path()).mkpath("digits");
        QVERIFY(writeDigitPng(path("digits/a.png"), 1));
        QVERIFY(writeDigitPng(path("digits/b.png"), 7));
        const BasinRun run =
            runBasin({"saliency", "--model", path("cnn.pt"), "--image", path("digits"), "--method",
                      "gradcam", "--out", path("figures"), "--figure-size", "300x260"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        for (const char* name : {"figures/a.png", "figures/b.png"}) {
            const QImage figure(path(name));
            QCOMPARE(figure.size(), QSize(600, 520));
        }
    }

    void anUnknownLayerIsNamed() {
        const BasinRun run =
            runBasin({"saliency", "--model", path("cnn.pt"), "--image", path("digit.png"),
                      "--method", "gradcam", "--layer", "layer9", "--out", path("bad.png")});
        QVERIFY(run.code != 0);
        QVERIFY2(run.err.contains(QStringLiteral("layer9")), qPrintable(run.err));
        QVERIFY(!QFile::exists(path("bad.png")));
    }

    void anUnknownMethodIsAUsageError() {
        const BasinRun run = runBasin({"saliency", "--model", path("cnn.pt"), "--image",
                                       path("digit.png"), "--method", "magic"});
        QCOMPARE(run.code, 2);
        QVERIFY(run.err.contains(QStringLiteral("magic")));
    }

    void gradCamAtLayer4OfTorchvisionResNet18() {
        if (!basin::test::pythonTorchAvailable()) QSKIP("/usr/bin/python3 has no torch");
        const QString error = basin::test::runPython(dir_.path(), R"PY(
import torch, torchvision
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None).eval()
torch.jit.save(torch.jit.script(model), 'resnet18.pt')
)PY");
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // An RGB picture: a red disc on a blue ground, 80×60 (resized to 64×64).
        QImage picture(80, 60, QImage::Format_RGB32);
        for (int y = 0; y < 60; ++y)
            for (int x = 0; x < 80; ++x)
                picture.setPixel(x, y,
                                 (x - 50) * (x - 50) + (y - 25) * (y - 25) < 200
                                     ? qRgb(220, 30, 30)
                                     : qRgb(30, 60, 200));
        QVERIFY(picture.save(path("picture.png")));
        const BasinRun run = runBasin({"saliency",
                                       "--model",
                                       path("resnet18.pt"),
                                       "--image",
                                       path("picture.png"),
                                       "--size",
                                       "64x64",
                                       "--normalize",
                                       "imagenet",
                                       "--method",
                                       "gradcam",
                                       "--layer",
                                       "layer4",
                                       "--target",
                                       "7",
                                       "--out",
                                       path("resnet.png"),
                                       "--raw",
                                       path("resnet.csv"),
                                       "--json"});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QJsonObject map = jsonOf(run)["maps"].toArray()[0].toObject();
        QCOMPARE(map["layer"].toString(), QStringLiteral("layer4"));
        QCOMPARE(map["class"].toInt(), 7);
        QCOMPARE(map["height"].toInt(), 64);
        QFile csv(path("resnet.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 64);
        QCOMPARE(lines[0].split(',').size(), 64);
        QCOMPARE(QImage(path("resnet.png")).size(), QSize(840, 760));

        const BasinRun bad =
            runBasin({"saliency", "--model", path("resnet18.pt"), "--image", path("picture.png"),
                      "--method", "gradcampp", "--layer", "layer5"});
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains(QStringLiteral("layer5")), qPrintable(bad.err));
    }

private:
    QString path(const QString& name) const { return dir_.filePath(name); }
    QTemporaryDir dir_;
};

BASIN_TEST_MAIN(TestSaliencyCli)
#include "test_saliency_cli.moc"
