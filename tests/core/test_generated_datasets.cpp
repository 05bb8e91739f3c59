// Built-in generated datasets: determinism (fixed checksums), shapes, class
// balance, label noise, and digits that look like digits.

#include <stb/stb_image_write.h>

#include <QDir>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "BasinTest.h"
#include "data/DigitGlyphs.h"
#include "data/GeneratedDatasets.h"
#include "util/Pcg32.h"
#include "util/Sha256.h"

using namespace basin;

namespace {

std::string checksum(const Dataset& ds) {
    Sha256 h;
    h.update(ds.inputs.storage->data(), ds.inputs.storage->size());
    h.update(ds.targets.storage->data(), ds.targets.storage->size());
    return h.hexDigest().substr(0, 16);
}

std::vector<std::int64_t> labelsOf(const Dataset& ds) {
    std::vector<std::int64_t> labels(std::size_t(ds.size()));
    std::memcpy(labels.data(), ds.targets.storage->data(), labels.size() * sizeof(std::int64_t));
    return labels;
}

const float* floatsOf(const Dataset& ds) {
    return reinterpret_cast<const float*>(ds.inputs.storage->data());
}

std::vector<std::int64_t> classCounts(const Dataset& ds) {
    std::vector<std::int64_t> counts(std::size_t(ds.classCount()), 0);
    for (auto label : labelsOf(ds))
        ++counts[std::size_t(label)];
    return counts;
}

bool sameBytes(const TensorData& a, const TensorData& b) {
    return a.shape == b.shape && a.storage->size() == b.storage->size() &&
           std::memcmp(a.storage->data(), b.storage->data(), a.storage->size()) == 0;
}

}  // namespace

class TestGeneratedDatasets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pcg32MatchesReferenceStream() {
        // pcg32-global-demo / pcg32_srandom_r(42, 54) of the reference C implementation.
        Pcg32 rng(42, 54);
        const std::uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                          0x83d2f293, 0xbfa4784b, 0xcbed606e};
        for (std::uint32_t e : expected)
            QCOMPARE(rng.next(), e);
        // Normals: mean ~0, variance ~1.
        Pcg32 normals(7);
        double sum = 0, sumSquares = 0;
        const int n = 200000;
        for (int i = 0; i < n; ++i) {
            const double z = normals.normal();
            sum += z;
            sumSquares += z * z;
        }
        QVERIFY(std::abs(sum / n) < 0.01);
        QVERIFY(std::abs(sumSquares / n - 1.0) < 0.02);
        Pcg32 ints(3);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(ints.below(7) < 7);
    }

    void twoSpirals() {
        TwoSpiralsOptions o;
        o.trainPerClass = 300;
        o.testPerClass = 100;
        o.seed = 5;
        const DatasetSplit a = makeTwoSpirals(o);
        a.train.validate();
        a.test.validate();
        QCOMPARE(a.train.inputs.shape, (std::vector<std::int64_t>{600, 2}));
        QCOMPARE(a.test.inputs.shape, (std::vector<std::int64_t>{200, 2}));
        QCOMPARE(a.train.classCount(), std::int64_t(2));
        QCOMPARE(classCounts(a.train), (std::vector<std::int64_t>{300, 300}));
        QCOMPARE(classCounts(a.test), (std::vector<std::int64_t>{100, 100}));
        // Same seed, same bytes; the test split does not depend on the train size.
        const DatasetSplit b = makeTwoSpirals(o);
        QVERIFY(sameBytes(a.train.inputs, b.train.inputs));
        QVERIFY(sameBytes(a.train.targets, b.train.targets));
        o.trainPerClass = 50;
        QVERIFY(sameBytes(a.test.inputs, makeTwoSpirals(o).test.inputs));
        o.seed = 6;
        QVERIFY(!sameBytes(a.test.inputs, makeTwoSpirals(o).test.inputs));
        // Points stay within the unit disc plus noise; samples are shuffled.
        const float* x = floatsOf(a.train);
        for (std::int64_t i = 0; i < 600; ++i)
            QVERIFY(std::hypot(x[2 * i], x[2 * i + 1]) < 1.3);
        const auto labels = labelsOf(a.train);
        QVERIFY(!std::is_sorted(labels.begin(), labels.end()));
        QCOMPARE(QString::fromStdString(checksum(a.train)), QString("160240b1ab98d256"));
    }

    void xorClustersLabelNoise() {
        XorClustersOptions o;
        o.trainPerCluster = 50;
        o.testPerCluster = 25;
        o.extraDims = 3;
        o.seed = 9;
        const DatasetSplit clean = makeXorClusters(o);
        o.labelNoise = 0.15;
        const DatasetSplit noisy = makeXorClusters(o);
        noisy.train.validate();
        QCOMPARE(noisy.train.inputs.shape, (std::vector<std::int64_t>{200, 5}));
        QCOMPARE(noisy.test.inputs.shape, (std::vector<std::int64_t>{100, 5}));
        // Same points, exactly 30 of 200 labels flipped; the test split stays clean.
        QVERIFY(sameBytes(clean.train.inputs, noisy.train.inputs));
        const auto a = labelsOf(clean.train), b = labelsOf(noisy.train);
        std::int64_t flipped = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            flipped += a[i] != b[i];
        QCOMPARE(flipped, std::int64_t(30));
        QVERIFY(sameBytes(clean.test.targets, noisy.test.targets));
        // Clean labels are the XOR of the cluster's signs (clusters are tight enough
        // that almost every point stays in its quadrant).
        const float* x = floatsOf(clean.test);
        const auto labels = labelsOf(clean.test);
        int agree = 0;
        for (std::size_t i = 0; i < labels.size(); ++i)
            agree += ((x[5 * i] > 0) != (x[5 * i + 1] > 0)) == (labels[i] == 1);
        QVERIFY2(agree >= 95, qPrintable(QString::number(agree)));
        QCOMPARE(classCounts(clean.train), (std::vector<std::int64_t>{100, 100}));
        QCOMPARE(QString::fromStdString(checksum(noisy.train)), QString("47889fad59ecd6b1"));
    }

    void gaussianBlobs() {
        GaussianBlobsOptions o;
        o.classes = 4;
        o.dims = 3;
        o.trainPerClass = 500;
        o.testPerClass = 10;
        o.spread = 0.5;
        o.seed = 2;
        const DatasetSplit s = makeGaussianBlobs(o);
        s.train.validate();
        QCOMPARE(s.train.inputs.shape, (std::vector<std::int64_t>{2000, 3}));
        QCOMPARE(s.train.classNames.size(), std::size_t(4));
        QCOMPARE(classCounts(s.train), (std::vector<std::int64_t>(4, 500)));
        // Each class's spread around its own mean is about `spread`.
        const float* x = floatsOf(s.train);
        const auto labels = labelsOf(s.train);
        std::vector<double> mean(12, 0.0), var(12, 0.0);
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (int d = 0; d < 3; ++d)
                mean[std::size_t(labels[i] * 3 + d)] += x[3 * i + std::size_t(d)] / 500.0;
        for (std::size_t i = 0; i < labels.size(); ++i)
            for (int d = 0; d < 3; ++d) {
                const double e = x[3 * i + std::size_t(d)] - mean[std::size_t(labels[i] * 3 + d)];
                var[std::size_t(labels[i] * 3 + d)] += e * e / 500.0;
            }
        for (double v : var)
            QVERIFY2(std::abs(std::sqrt(v) - 0.5) < 0.05, qPrintable(QString::number(v)));
        QCOMPARE(QString::fromStdString(checksum(s.train)), QString("8941f75cdbb9579f"));
    }

    void syntheticDigits() {
        SyntheticDigitsOptions o;  // 6000 train, 1000 test
        const auto start = std::chrono::steady_clock::now();
        const SyntheticDigits d = makeSyntheticDigits(o);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        qInfo("synthetic digits: 7000 images in %.3f s (pixel mean %.4f, std %.4f)", seconds,
              d.pixelMean, d.pixelStd);
        QVERIFY2(seconds < 3.0, "generating 7000 digits should take well under a second");
        const Dataset& train = d.split.train;
        const Dataset& test = d.split.test;
        train.validate();
        test.validate();
        QCOMPARE(train.inputs.shape, (std::vector<std::int64_t>{6000, 1, 28, 28}));
        QCOMPARE(test.inputs.shape, (std::vector<std::int64_t>{1000, 1, 28, 28}));
        QCOMPARE(train.sampleShape(), (std::vector<std::int64_t>{1, 28, 28}));
        QCOMPARE(train.classNames.front(), std::string("0"));
        QCOMPARE(train.classNames.back(), std::string("9"));
        QCOMPARE(classCounts(train), (std::vector<std::int64_t>(10, 600)));
        QCOMPARE(classCounts(test), (std::vector<std::int64_t>(10, 100)));
        // Normalised with the training split's statistics.
        double sum = 0, sumSquares = 0;
        const float* x = floatsOf(train);
        const std::size_t count = std::size_t(train.inputs.numel());
        for (std::size_t i = 0; i < count; ++i) {
            sum += x[i];
            sumSquares += double(x[i]) * x[i];
        }
        QVERIFY(std::abs(sum / double(count)) < 1e-3);
        QVERIFY(std::abs(sumSquares / double(count) - 1.0) < 1e-3);
        // Deterministic.
        SyntheticDigitsOptions small;
        small.trainPerClass = 20;
        small.testPerClass = 5;
        const SyntheticDigits again = makeSyntheticDigits(small);
        QVERIFY(sameBytes(again.split.train.inputs, makeSyntheticDigits(small).split.train.inputs));
        QCOMPARE(QString::fromStdString(checksum(again.split.train)), QString("478d3b498c06a874"));

        // The classes are distinct shapes: even a nearest-class-mean classifier
        // on raw pixels separates them well.
        std::vector<double> means(10 * 784, 0.0);
        const auto trainLabels = labelsOf(train);
        for (std::size_t i = 0; i < trainLabels.size(); ++i)
            for (std::size_t k = 0; k < 784; ++k)
                means[std::size_t(trainLabels[i]) * 784 + k] += x[i * 784 + k] / 600.0;
        const auto testLabels = labelsOf(test);
        const float* tx = floatsOf(test);
        int correct = 0;
        for (std::size_t i = 0; i < testLabels.size(); ++i) {
            int best = 0;
            double bestDistance = 1e300;
            for (int c = 0; c < 10; ++c) {
                double dist = 0;
                for (std::size_t k = 0; k < 784; ++k) {
                    const double e = tx[i * 784 + k] - means[std::size_t(c) * 784 + k];
                    dist += e * e;
                }
                if (dist < bestDistance) bestDistance = dist, best = c;
            }
            correct += best == testLabels[i];
        }
        qInfo("nearest class mean on raw pixels: %d / 1000 correct", correct);
        QVERIFY(correct > 500);

        writeGrid(d);
    }

    void invalidOptions() {
        TwoSpiralsOptions s;
        s.trainPerClass = -1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeTwoSpirals(s));
        XorClustersOptions x;
        x.labelNoise = 1.5;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeXorClusters(x));
        GaussianBlobsOptions b;
        b.classes = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeGaussianBlobs(b));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, digitStrokes(10));
    }

    void validateNamesTheProblem() {
        Dataset ds = makeTwoSpirals({}).test;
        ds.classNames = {"only one"};
        try {
            ds.validate();
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("two spirals (test)") &&
                         QString(e.what()).contains("outside [0, 1)"),
                     e.what());
        }
    }

private:
    // Ten samples of each digit, one digit per row, upscaled 3x, as a PNG in
    // the test output folder (docs/digits.png is a copy).
    void writeGrid(const SyntheticDigits& d) {
        const int scale = 3, tile = 28 * scale, gap = 4, columns = 10;
        const int width = columns * (tile + gap) + gap, height = 10 * (tile + gap) + gap;
        std::vector<std::uint8_t> png(std::size_t(width * height), 40);
        const auto labels = labelsOf(d.split.train);
        const float* x = floatsOf(d.split.train);
        std::vector<int> placed(10, 0);
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const int row = int(labels[i]), column = placed[std::size_t(row)]++;
            if (column >= columns) continue;
            for (int py = 0; py < tile; ++py)
                for (int px = 0; px < tile; ++px) {
                    const double value =
                        x[i * 784 + std::size_t((py / scale) * 28 + px / scale)] * d.pixelStd +
                        d.pixelMean;
                    png[std::size_t((gap + row * (tile + gap) + py) * width + gap +
                                    column * (tile + gap) + px)] =
                        std::uint8_t(std::lround(std::clamp(value, 0.0, 1.0) * 255));
                }
        }
        QDir().mkpath(BASIN_TEST_OUTPUT_DIR);
        const std::string path = std::string(BASIN_TEST_OUTPUT_DIR) + "/digits.png";
        QVERIFY(stbi_write_png(path.c_str(), width, height, 1, png.data(), width) != 0);
        qInfo("wrote %s", path.c_str());
    }
};

BASIN_TEST_MAIN(TestGeneratedDatasets)
#include "test_generated_datasets.moc"
