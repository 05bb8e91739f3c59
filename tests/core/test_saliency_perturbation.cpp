// Perturbation saliency (PerturbationSaliency.cpp): occlusion against a brute
// force loop over windows with the model's own forward, borders no window
// covers, RISE concentrating on the pixels a hand-made model reads and not
// depending on the batching, progress and cancellation.

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>

#include "BasinTest.h"
#include "ScriptedModel.h"
#include "jobs/Job.h"
#include "model/detail/TorchTensor.h"
#include "saliency/Saliency.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

TensorData data(const torch::Tensor& t) {
    return basin::detail::fromTorch(t.contiguous(), "t");
}
torch::Tensor tensor(const TensorData& d) {
    return basin::detail::toTorch(d, "d").clone();
}
torch::Tensor values(const SaliencyMap& m) {
    return torch::from_blob(const_cast<float*>(m.values.data()), {m.height, m.width},
                            torch::kFloat32)
        .clone();
}

// 2×9×11 images, 3 classes, a small nonlinear CNN.
Model tinyCnn() {
    torch::manual_seed(21);
    return test::scriptedModel("TinyCnn", R"(
def forward(self, x):
    h = torch.relu(torch.conv2d(x, self.w1, self.b1, [1, 1], [1, 1]))
    return torch.addmm(self.b2, h.flatten(1), self.w2.t())
)",
                               {{"w1", torch::randn({3, 2, 3, 3}) * 0.5},
                                {"b1", torch::randn({3}) * 0.1},
                                {"w2", torch::randn({3, 3 * 9 * 11}) * 0.1},
                                {"b2", torch::randn({3}) * 0.1}});
}

// Reads only the pixels of rows 2–5, columns 9–13 of a 1×16×16 image: class 0
// is their sum, class 1 is zero.
Model regionReader() {
    torch::Tensor mask = torch::zeros({1, 1, 16, 16});
    mask.slice(2, 2, 6).slice(3, 9, 14).fill_(1.0f);
    return test::scriptedModel("RegionReader", R"(
def forward(self, x):
    s = (x * self.mask).sum([1, 2, 3])
    return torch.stack([s, torch.zeros_like(s)], 1)
)",
                               {{"mask", mask}});
}

}  // namespace

class TestSaliencyPerturbation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void occlusionMatchesBruteForce() {
        const Model model = tinyCnn();
        torch::manual_seed(2);
        const torch::Tensor x = torch::rand({2, 9, 11});
        for (const auto& [window, stride] : {std::pair{3, 2}, std::pair{4, 3}, std::pair{2, 1}}) {
            SaliencyOptions o;
            o.method = SaliencyMethod::Occlusion;
            o.target.kind = SaliencyTarget::Kind::Class;
            o.target.classIndex = 1;
            o.occlusionWindow = window;
            o.occlusionStride = stride;
            o.occlusionValue = 0.5f;
            const SaliencyMap map = computeSaliency(model, data(x), o);
            QCOMPARE(map.height, std::int64_t(9));
            QCOMPARE(map.width, std::int64_t(11));
            QVERIFY(map.isSigned);
            QVERIFY(map.attribution.shape.empty());
            // Brute force: every window where it fits, one forward each.
            auto y = [&](const torch::Tensor& image) {
                return tensor(model.forward(data(image.unsqueeze(0))))[0][1].item<double>();
            };
            const double base = y(x);
            torch::Tensor sum = torch::zeros({9, 11}, torch::kFloat64);
            torch::Tensor count = torch::zeros({9, 11}, torch::kFloat64);
            for (int y0 = 0; y0 + window <= 9; y0 += stride)
                for (int x0 = 0; x0 + window <= 11; x0 += stride) {
                    torch::Tensor occluded = x.clone();
                    occluded.slice(1, y0, y0 + window).slice(2, x0, x0 + window).fill_(0.5f);
                    sum.slice(0, y0, y0 + window).slice(1, x0, x0 + window) += base - y(occluded);
                    count.slice(0, y0, y0 + window).slice(1, x0, x0 + window) += 1.0;
                }
            const torch::Tensor expected =
                torch::where(count > 0, sum / count.clamp_min(1), torch::zeros_like(sum));
            const double worst =
                (values(map).to(torch::kFloat64) - expected).abs().max().item<double>();
            qInfo("occlusion window %d stride %d: max |map − brute force| = %.3g", window, stride,
                  worst);
            QVERIFY(worst < 1e-5);
            // A stride that skips the last column/row leaves it at 0.
            if (window == 4 && stride == 3) {
                QCOMPARE(values(map)[8].abs().sum().item<double>(), 0.0);  // rows 0–7 covered
                QCOMPARE(values(map).select(1, 10).abs().sum().item<double>(), 0.0);
            }
        }
        // Batches of one window each give the same map.
        SaliencyOptions o;
        o.method = SaliencyMethod::Occlusion;
        o.occlusionWindow = 3;
        o.occlusionStride = 2;
        const torch::Tensor whole = values(computeSaliency(model, data(x), o));
        o.memoryBudgetBytes = 1;
        QVERIFY(torch::allclose(values(computeSaliency(model, data(x), o)), whole, 1e-5, 1e-6));
        // A window larger than the image occludes all of it.
        o.occlusionWindow = 40;
        const SaliencyMap all = computeSaliency(model, data(x), o);
        const double drop =
            all.targetScore -
            tensor(model.forward(data(torch::zeros({1, 2, 9, 11}))))[0][all.targetClass]
                .item<double>();
        QVERIFY(torch::allclose(values(all), torch::full({9, 11}, float(drop)), 1e-5, 1e-5));
        o.occlusionStride = 0;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, computeSaliency(model, data(x), o));
    }

    void riseFindsTheRegionTheModelReads() {
        const Model model = regionReader();
        const torch::Tensor x = torch::ones({1, 16, 16});
        SaliencyOptions o;
        o.method = SaliencyMethod::Rise;
        o.target.kind = SaliencyTarget::Kind::Class;
        o.target.classIndex = 0;
        o.riseMasks = 500;
        o.riseCell = 4;
        o.riseProbability = 0.5;
        const SaliencyMap map = computeSaliency(model, data(x), o);
        const torch::Tensor v = values(map);
        torch::Tensor region = torch::zeros({16, 16}, torch::kBool);
        region.slice(0, 2, 6).slice(1, 9, 14).fill_(true);
        const double inside = v.masked_select(region).mean().item<double>();
        const double outside = v.masked_select(~region).mean().item<double>();
        // Far from the region the masks are independent of the score:
        // E[y·M]/p = E[y] = p·20 pixels = 10 there; inside, E[y | M = 1] is higher.
        const double far = v.slice(0, 10, 16).slice(1, 0, 5).mean().item<double>();
        qInfo("RISE: mean inside the read region %.3f, outside %.3f, far corner %.3f", inside,
              outside, far);
        QVERIFY(inside > outside + 2.0);
        QVERIFY(std::abs(far - 10.0) < 1.5);
        QCOMPARE(
            v.argmax().item<std::int64_t>() / 16 >= 1 && v.argmax().item<std::int64_t>() / 16 <= 6,
            true);
        QVERIFY(!map.isSigned);
        // Seeded: the same seed gives the same map whatever the batching.
        o.memoryBudgetBytes = 1;
        o.riseMasks = 40;
        const torch::Tensor single = values(computeSaliency(model, data(x), o));
        o.memoryBudgetBytes = std::size_t(1) << 30;
        QVERIFY(torch::allclose(values(computeSaliency(model, data(x), o)), single, 1e-5, 1e-5));
        o.seed = 3;
        QVERIFY(!torch::allclose(values(computeSaliency(model, data(x), o)), single));
    }

    void riseOnTheZooCnn() {
        // Any image size (cells not dividing it), the zoo's BatchNorm CNN.
        SmallCnnOptions c;
        c.height = 13;
        c.width = 10;
        c.channels = 3;
        c.baseWidth = 4;
        const Model model = makeSmallCnn(c);
        SaliencyOptions o;
        o.method = SaliencyMethod::Rise;
        o.riseMasks = 64;
        o.riseCell = 3;
        const SaliencyMap map = computeSaliency(model, data(torch::rand({3, 13, 10})), o);
        QCOMPARE(map.height, std::int64_t(13));
        QCOMPARE(map.width, std::int64_t(10));
        QVERIFY(torch::isfinite(values(map)).all().item<bool>());
        o.riseProbability = 0.0;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 computeSaliency(model, data(torch::rand({3, 13, 10})), o));
    }

    void progressAndCancellation() {
        const Model model = tinyCnn();
        const torch::Tensor x = torch::rand({2, 9, 11});
        for (const SaliencyMethod method : {SaliencyMethod::Occlusion, SaliencyMethod::Rise}) {
            SaliencyOptions o;
            o.method = method;
            o.occlusionWindow = 2;
            o.occlusionStride = 1;
            o.riseMasks = 50;
            o.memoryBudgetBytes = 1;
            std::vector<double> fractions;
            computeSaliency(model, data(x), o, [&](double f) {
                fractions.push_back(f);
                return true;
            });
            QVERIFY(fractions.size() > 10);
            QCOMPARE(fractions.back(), 1.0);
            for (std::size_t i = 1; i < fractions.size(); ++i)
                QVERIFY(fractions[i] >= fractions[i - 1]);
            int calls = 0;
            QVERIFY_THROWS_EXCEPTION(JobCancelled, computeSaliency(model, data(x), o, [&](double) {
                                         return ++calls < 5;
                                     }));
            QCOMPARE(calls, 5);
        }
    }

    void modelInferenceUnchanged() {
        Model model = tinyCnn();
        const torch::Tensor x = torch::rand({1, 2, 9, 11});
        const torch::Tensor before = tensor(model.forward(data(x)));
        SaliencyOptions o;
        o.method = SaliencyMethod::Rise;
        o.riseMasks = 20;
        computeSaliency(model, data(x[0]), o);
        o.method = SaliencyMethod::Occlusion;
        computeSaliency(model, data(x[0]), o);
        QVERIFY(torch::equal(tensor(model.forward(data(x))), before));
    }
};

BASIN_TEST_MAIN(TestSaliencyPerturbation)
#include "test_saliency_perturbation.moc"
