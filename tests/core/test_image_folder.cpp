// ImageFolder datasets: order, labels, pixel values, resize, channels,
// normalisation, and errors that name the file.

#include <stb/stb_image_write.h>

#include <QTemporaryDir>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "BasinTest.h"
#include "data/ImageFolder.h"

using namespace basin;

namespace {

// A w x h RGB image whose pixel (x, y) is (10x + y, 100 + seed, 200 - y).
std::vector<std::uint8_t> pattern(int w, int h, int seed) {
    std::vector<std::uint8_t> rgb(std::size_t(w * h * 3));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            rgb[std::size_t((y * w + x) * 3 + 0)] = std::uint8_t(10 * x + y);
            rgb[std::size_t((y * w + x) * 3 + 1)] = std::uint8_t(100 + seed);
            rgb[std::size_t((y * w + x) * 3 + 2)] = std::uint8_t(200 - y);
        }
    return rgb;
}

void writePng(const std::string& path, int w, int h, int seed) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    QVERIFY(stbi_write_png(path.c_str(), w, h, 3, pattern(w, h, seed).data(), w * 3));
}

void writeBmp(const std::string& path, int w, int h, int seed) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    QVERIFY(stbi_write_bmp(path.c_str(), w, h, 3, pattern(w, h, seed).data()));
}

const float* floatsOf(const Dataset& ds) {
    return reinterpret_cast<const float*>(ds.inputs.storage->data());
}

std::vector<std::int64_t> labelsOf(const Dataset& ds) {
    std::vector<std::int64_t> labels(std::size_t(ds.size()));
    std::memcpy(labels.data(), ds.targets.storage->data(), labels.size() * sizeof(std::int64_t));
    return labels;
}

class CancelledContext : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return true; }
};

QString errorOf(const std::string& root, const ImageFolderOptions& options = {}) {
    try {
        loadImageFolder(root, options);
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestImageFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsSortedClassesAndPixels() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        writePng(root + "/dog/b.png", 4, 3, 3);
        writeBmp(root + "/dog/A.BMP", 4, 3, 2);
        writePng(root + "/cat/z.png", 4, 3, 1);
        std::ofstream(root + "/cat/notes.txt") << "not an image";
        std::filesystem::create_directories(root + "/.thumbnails");

        const Dataset ds = loadImageFolder(root);
        ds.validate();
        QCOMPARE(ds.classNames, (std::vector<std::string>{"cat", "dog"}));
        QCOMPARE(ds.inputs.shape, (std::vector<std::int64_t>{3, 3, 3, 4}));
        QCOMPARE(labelsOf(ds), (std::vector<std::int64_t>{0, 1, 1}));
        // Sample 1 is dog/A.BMP (sorted byte-wise, upper case first): green = 102.
        const float* x = floatsOf(ds);
        const int plane = 12;
        QCOMPARE(x[plane * 3 + plane + 0], 102.0f / 255.0f);
        // Sample 0, pixel (x=2, y=1): red = 21, blue = 199.
        QCOMPARE(x[0 * plane + 1 * 4 + 2], 21.0f / 255.0f);
        QCOMPARE(x[2 * plane + 1 * 4 + 2], 199.0f / 255.0f);

        // Grey, normalised.
        ImageFolderOptions grey;
        grey.channels = ImageFolderOptions::Channels::Grey;
        grey.mean = {0.5};
        grey.std = {0.25};
        const Dataset g = loadImageFolder(root, grey);
        QCOMPARE(g.inputs.shape, (std::vector<std::int64_t>{3, 1, 3, 4}));
        for (std::int64_t i = 0; i < g.inputs.numel(); ++i) {
            const double value = floatsOf(g)[i] * 0.25 + 0.5;
            QVERIFY(value >= 0.0 && value <= 1.0);
        }
    }

    void resizesBilinearly() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        // A 2x1 grey image, black then white, resized to 4x2: half-pixel centres
        // sample the input at x = -0.25, 0.25, 0.75, 1.25 → 0, 0.25, 0.75, 1.
        std::filesystem::create_directories(root + "/a");
        const std::uint8_t pixels[] = {0, 255};
        QVERIFY(stbi_write_png((root + "/a/x.png").c_str(), 2, 1, 1, pixels, 2));
        writePng(root + "/b/big.png", 9, 7, 0);
        ImageFolderOptions o;
        o.width = 4;
        o.height = 2;
        o.channels = ImageFolderOptions::Channels::Grey;
        const Dataset ds = loadImageFolder(root, o);
        QCOMPARE(ds.inputs.shape, (std::vector<std::int64_t>{2, 1, 2, 4}));
        const float* x = floatsOf(ds);
        const float expected[] = {0.0f, 0.25f, 0.75f, 1.0f};
        for (int row = 0; row < 2; ++row)
            for (int k = 0; k < 4; ++k)
                QVERIFY(std::abs(x[row * 4 + k] - expected[k]) < 1e-6f);
    }

    void errorsNameTheFile() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        writePng(root + "/one/a.png", 4, 4, 0);
        writePng(root + "/two/b.png", 5, 4, 0);
        QString m = errorOf(root);
        QVERIFY2(m.contains("two/b.png") && m.contains("5x4") && m.contains("4x4"), qPrintable(m));

        std::ofstream(root + "/two/c.jpg") << "this is not a JPEG";
        ImageFolderOptions o;
        o.width = o.height = 8;
        m = errorOf(root, o);
        QVERIFY2(m.contains("cannot read image") && m.contains("two/c.jpg"), qPrintable(m));

        std::filesystem::create_directories(root + "/zero");
        m = errorOf(root, o);
        QVERIFY2(m.contains("zero") && m.contains("no .png"), qPrintable(m));

        m = errorOf(root + "/missing");
        QVERIFY2(m.contains("missing") && m.contains("not a folder"), qPrintable(m));

        o.mean = {0.1, 0.2};
        m = errorOf(root, o);
        QVERIFY2(m.contains("2 mean values for 3 channels"), qPrintable(m));
    }

    void cancels() {
        QTemporaryDir dir;
        writePng(dir.path().toStdString() + "/one/a.png", 4, 4, 0);
        CancelledContext cancelled;
        QVERIFY_THROWS_EXCEPTION(JobCancelled,
                                 loadImageFolder(dir.path().toStdString(), {}, &cancelled));
    }
};

BASIN_TEST_MAIN(TestImageFolder)
#include "test_image_folder.moc"
