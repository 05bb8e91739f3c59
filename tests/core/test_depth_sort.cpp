// The radix depth sort against std::stable_sort on float keys: random,
// negative, duplicated, ±0 and infinite depths, sizes around the digit
// boundaries; NaN placement; view depths against the camera's own transform.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "BasinTest.h"
#include "splats/DepthSort.h"

using namespace basin;

namespace {

std::vector<std::uint32_t> reference(const std::vector<float>& keys) {
    std::vector<std::uint32_t> order(keys.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
    return order;
}

}  // namespace

class TestDepthSort : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void equalsStableStdSortOnRandomKeys() {
        std::mt19937 rng(11);
        for (const std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(2),
                                    std::size_t(1000), std::size_t(2049), std::size_t(100000)}) {
            std::vector<float> keys(n);
            std::normal_distribution<float> wide(0.0f, 50.0f);
            std::uniform_int_distribution<int> pick(0, 9);
            for (std::size_t i = 0; i < n; ++i) {
                switch (pick(rng)) {
                    case 0:
                        keys[i] = static_cast<float>(pick(rng) - 5);
                        break;  // duplicates
                    case 1:
                        keys[i] = i % 2 ? 0.0f : -0.0f;
                        break;
                    case 2:
                        keys[i] = std::ldexp(wide(rng), -120);
                        break;  // tiny, denormal
                    case 3:
                        keys[i] = std::numeric_limits<float>::infinity();
                        break;
                    case 4:
                        keys[i] = -std::numeric_limits<float>::infinity();
                        break;
                    default:
                        keys[i] = wide(rng);
                }
            }
            QVERIFY2(depthOrder(keys.data(), n) == reference(keys),
                     qPrintable(QStringLiteral("n = %1").arg(n)));
        }
    }

    void equalKeysKeepTheirOrder() {
        // All one value: every digit is trivial, the identity comes back.
        std::vector<float> keys(5000, 3.25f);
        const auto order = depthOrder(keys.data(), keys.size());
        for (std::uint32_t i = 0; i < order.size(); ++i)
            QCOMPARE(order[i], i);
        // Keys differing only in their highest or lowest bits.
        keys = {1.0f, std::nextafter(1.0f, 2.0f), -1.0f, std::nextafter(-1.0f, -2.0f), 1.0f};
        QCOMPARE(depthOrder(keys.data(), keys.size()), (std::vector<std::uint32_t>{3, 2, 0, 4, 1}));
    }

    void narrowDepthRangesTakeFewerPasses() {
        // Depths one ulp apart up to 2¹⁰ (one counting pass), 2²⁰ (two) and
        // 2²⁴ ulps (three), shuffled with duplicates.
        std::mt19937 rng(13);
        for (const int ulps : {1 << 10, 1 << 20, 1 << 24}) {
            std::uniform_int_distribution<int> pick(0, ulps - 1);
            std::vector<float> keys(20000);
            for (float& k : keys)
                k = 1.0f + std::ldexp(float(pick(rng)), -23);
            QVERIFY2(depthOrder(keys.data(), keys.size()) == reference(keys),
                     qPrintable(QStringLiteral("%1 ulps").arg(ulps)));
        }
    }

    void nanSortsAtTheEnds() {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const std::vector<float> keys{2.0f, nan, -std::numeric_limits<float>::infinity(), -nan,
                                      std::numeric_limits<float>::infinity()};
        QCOMPARE(depthOrder(keys.data(), keys.size()), (std::vector<std::uint32_t>{3, 2, 0, 4, 1}));
    }

    void reusedBuffersGiveTheSameOrder() {
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(-10, 10);
        std::vector<std::uint32_t> order;
        std::vector<std::uint64_t> scratch;
        for (std::size_t n : {500u, 20u, 3000u}) {
            std::vector<float> keys(n);
            for (float& k : keys)
                k = u(rng);
            depthOrder(keys.data(), n, order, scratch);
            QVERIFY(order == reference(keys));
        }
    }

    void viewDepthsAreTheCameraZ() {
        const SplatCamera cam = SplatCamera::orbit({0.5f, 1, -2}, 123, 33, 7, 50, 64, 64);
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> u(-3, 3);
        std::vector<float> centres(300);
        for (float& c : centres)
            c = u(rng);
        const std::vector<float> depths = viewDepths(centres.data(), 100, cam);
        QCOMPARE(depths.size(), std::size_t(100));
        for (std::size_t i = 0; i < 100; ++i)
            QVERIFY(std::abs(depths[i] - cam.toView({centres[3 * i], centres[3 * i + 1],
                                                     centres[3 * i + 2]})[2]) < 1e-4f);
    }
};

BASIN_TEST_MAIN(TestDepthSort)
#include "test_depth_sort.moc"
