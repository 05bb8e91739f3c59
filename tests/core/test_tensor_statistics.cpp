// Tensor statistics and checkpoint differences, checked against direct sums.

#include <cmath>
#include <cstring>

#include "BasinTest.h"
#include "io/TensorStatistics.h"

using namespace basin;

namespace {

NamedTensor floats(const std::string& name, std::vector<std::int64_t> shape,
                   const std::vector<float>& values) {
    NamedTensor t;
    t.name = name;
    t.tensor.shape = std::move(shape);
    t.tensor.storage = Storage::allocate(values.size() * sizeof(float));
    std::memcpy(t.tensor.storage->mutableData(), values.data(), values.size() * sizeof(float));
    return t;
}

}  // namespace

class TestTensorStatistics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void momentsNormAndHistogram() {
        const auto t = floats("fc.weight", {2, 3}, {1, -2, 3, 4, NAN, 0});
        const TensorStatistics s = computeStatistics(t, 4);
        QCOMPARE(s.numel, std::int64_t(6));
        QCOMPARE(s.bytes, std::uint64_t(24));
        QCOMPARE(s.nonFinite, std::int64_t(1));
        QCOMPARE(s.min, -2.0);
        QCOMPARE(s.max, 4.0);
        QCOMPARE(s.mean, 6.0 / 5.0);
        // Sample standard deviation of {1, -2, 3, 4, 0}.
        double ss = 0;
        for (double v : {1.0, -2.0, 3.0, 4.0, 0.0})
            ss += (v - 1.2) * (v - 1.2);
        QVERIFY(std::abs(s.stddev - std::sqrt(ss / 4)) < 1e-12);
        QVERIFY(std::abs(s.l2Norm - std::sqrt(1 + 4 + 9 + 16.0)) < 1e-12);
        // Bins of width 1.5 over [-2, 4]: {-2}, {0}, {1}, {3, 4} (the last bin is closed).
        QCOMPARE(s.histogram, (std::vector<std::int64_t>{1, 1, 1, 2}));
    }

    void constantAndEmptyTensors() {
        const TensorStatistics c = computeStatistics(floats("b", {3}, {2, 2, 2}), 8);
        QCOMPARE(c.histogram[0], std::int64_t(3));
        QCOMPARE(c.stddev, 0.0);
        const TensorStatistics e = computeStatistics(floats("e", {0}, {}), 8);
        // Automatic bins: √n clamped to [8, 64].
        QCOMPARE(computeStatistics(floats("n", {3}, {1, 2, 3})).histogram.size(), std::size_t(8));
        QCOMPARE(computeStatistics(floats("n", {400}, std::vector<float>(400, 1))).histogram.size(),
                 std::size_t(20));
        QCOMPARE(e.numel, std::int64_t(0));
        QCOMPARE(e.l2Norm, 0.0);
    }

    void differencesBetweenCheckpoints() {
        const std::vector<NamedTensor> a = {floats("w", {2}, {3, 4}), floats("b", {1}, {1}),
                                            floats("only_a", {1}, {1}), floats("s", {2}, {1, 1})};
        const std::vector<NamedTensor> b = {floats("w", {2}, {3, 5}), floats("b", {1}, {-1}),
                                            floats("s", {3}, {1, 1, 1}),
                                            floats("only_b", {1}, {0})};
        const auto d = compareStateDicts(a, b);
        QCOMPARE(d.size(), std::size_t(5));
        QCOMPARE(d[0].name, std::string("w"));
        QVERIFY(std::abs(*d[0].relativeChange - 1.0 / 5.0) < 1e-12);
        QVERIFY(std::abs(*d[0].cosine - (9 + 20) / (5 * std::sqrt(34.0))) < 1e-12);
        QCOMPARE(*d[1].cosine, -1.0);
        QCOMPARE(d[2].problem, std::string("only in A"));
        QCOMPARE(d[3].problem, std::string("shape [2] vs [3]"));
        QCOMPARE(d[4].name, std::string("only_b"));
        QCOMPARE(d[4].problem, std::string("only in B"));
    }

    void moduleNames() {
        QCOMPARE(moduleOf("layer1.0.conv1.weight"), std::string("layer1.0.conv1"));
        QCOMPARE(moduleOf("bias"), std::string());
    }
};

BASIN_TEST_MAIN(TestTensorStatistics)
#include "test_tensor_statistics.moc"
