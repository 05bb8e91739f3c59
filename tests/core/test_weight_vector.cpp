// WeightVector: layout, algebra against brute force, per-tensor and
// per-filter norms, zeroing 1-D entries, state-dict round trips, and setting a
// model's weights in place (the parameters' data pointers do not change).

#include <torch/script.h>

#include <cmath>

#include "BasinTest.h"
#include "model/Model.h"
#include "model/WeightVector.h"
#include "model/detail/ModelImpl.h"

using namespace basin;

namespace {

// conv [4, 2, 3, 3] + bias, BatchNorm-like buffers, linear [3, 4] + bias.
Model smallModel() {
    torch::jit::Module m("Net");
    m.register_parameter("conv_weight", torch::randn({4, 2, 3, 3}), false);
    m.register_parameter("conv_bias", torch::randn({4}), false);
    m.register_parameter("fc_weight", torch::randn({3, 4}), false);
    m.register_parameter("fc_bias", torch::randn({3}), false);
    m.register_buffer("running_mean", torch::randn({4}));
    m.register_buffer("num_batches_tracked", torch::zeros({}, torch::kInt64));
    m.define(R"(
def forward(self, x):
    y = torch.conv2d(x, self.conv_weight, self.conv_bias) - self.running_mean.view(1, 4, 1, 1)
    return torch.matmul(y.mean([2, 3]), self.fc_weight.t()) + self.fc_bias
)");
    auto impl = std::make_shared<Model::Impl>();
    impl->module = m;
    impl->name = "small";
    return Model(impl);
}

std::vector<double> values(const WeightVector& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
}

}  // namespace

class TestWeightVector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(3); }

    void layoutFollowsTheModel() {
        const Model model = smallModel();
        const WeightVector w = WeightVector::fromModel(model);
        QCOMPARE(w.entries().size(), std::size_t(4));
        QCOMPARE(w.size(), std::int64_t(72 + 4 + 12 + 3));
        QCOMPARE(w.entries()[2].name, std::string("fc_weight"));
        QCOMPARE(w.entries()[2].offset, std::int64_t(76));
        const WeightVector withBuffers = WeightVector::fromModel(model, true);
        QCOMPARE(withBuffers.entries().size(), std::size_t(5));  // int64 buffer left out
        QVERIFY(withBuffers.entries().back().isBuffer);
        // Values in row-major order, as the model holds them.
        const auto sd = model.stateDict();
        QCOMPARE(double(w.data(2)[5]), sd[2].tensor.toDoubles()[5]);
    }

    void algebraMatchesBruteForce() {
        const WeightVector a = WeightVector::fromModel(smallModel());
        const WeightVector b = WeightVector::fromModel(smallModel());
        const auto x = values(a), y = values(b);
        double dot = 0, nn = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            dot += x[i] * y[i];
            nn += x[i] * x[i];
        }
        QVERIFY(std::abs(a.dot(b) - dot) < 1e-5);
        QVERIFY(std::abs(a.norm() - std::sqrt(nn)) < 1e-5);
        WeightVector c = a;
        c.axpy(-0.5, b).scale(2.0);
        const WeightVector d = a - b, s = a + b;
        for (std::size_t i = 0; i < x.size(); ++i) {
            QVERIFY(std::abs(c.data()[i] - (2.0 * (x[i] - 0.5 * y[i]))) < 1e-5);
            QVERIFY(std::abs(d.data()[i] - (x[i] - y[i])) < 1e-6);
            QVERIFY(std::abs(s.data()[i] - (x[i] + y[i])) < 1e-6);
        }
        const auto norms = a.tensorNorms();
        double sq = 0;
        for (double n : norms)
            sq += n * n;
        QVERIFY(std::abs(std::sqrt(sq) - a.norm()) < 1e-5);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 a.dot(WeightVector::fromModel(smallModel(), true)));
    }

    void filterNormsAreSlicesAlongDimZero() {
        WeightVector w = WeightVector::fromModel(smallModel());
        const auto norms = w.filterNorms(0);  // conv [4, 2, 3, 3]
        QCOMPARE(norms.size(), std::size_t(4));
        for (std::size_t k = 0; k < 4; ++k) {
            double sq = 0;
            for (int j = 0; j < 18; ++j)
                sq += double(w.data(0)[k * 18 + j]) * w.data(0)[k * 18 + j];
            QVERIFY(std::abs(norms[k] - std::sqrt(sq)) < 1e-5);
        }
        QCOMPARE(w.filterNorms(1).size(), std::size_t(4));  // bias: one per element
        // Filter normalization d_k ← d_k / ‖d_k‖ · ‖θ_k‖ (Li et al. 2018).
        std::vector<double> factors;
        for (double n : norms)
            factors.push_back(2.0 / n);
        w.scaleFilters(0, factors);
        for (double n : w.filterNorms(0))
            QVERIFY(std::abs(n - 2.0) < 1e-5);
        w.zeroOneDimensional();
        QCOMPARE(w.tensorNorms()[1], 0.0);
        QCOMPARE(w.tensorNorms()[3], 0.0);
        QVERIFY(w.tensorNorms()[2] > 0.0);
    }

    void setsModelWeightsInPlace() {
        Model model = smallModel();
        const WeightVector original = WeightVector::fromModel(model, true);
        std::vector<void*> pointers;
        for (const auto& p : model.impl().module.named_parameters(true))
            pointers.push_back(p.value.data_ptr());
        for (const auto& b : model.impl().module.named_buffers(true))
            pointers.push_back(b.value.data_ptr());
        WeightVector moved = original;
        moved.scale(-3.0);
        moved.applyTo(model);
        std::size_t i = 0;
        for (const auto& p : model.impl().module.named_parameters(true))
            QCOMPARE(p.value.data_ptr(), pointers[i++]);
        for (const auto& b : model.impl().module.named_buffers(true))
            QCOMPARE(b.value.data_ptr(), pointers[i++]);
        WeightVector read = WeightVector::zerosLike(original);
        const float* buffer = read.data();
        read.readFrom(model);
        QCOMPARE(read.data(), buffer);
        QCOMPARE(values(read), values(moved));
    }

    void stateDictRoundTrip() {
        Model model = smallModel();
        const WeightVector w = WeightVector::fromModel(model, true);
        const auto sd = w.toStateDict();
        QCOMPARE(sd.size(), w.entries().size());
        QCOMPARE(sd[2].tensor.storage.get(), sd[0].tensor.storage.get());  // one storage
        const WeightVector back = WeightVector::fromStateDict(sd, w);
        QCOMPARE(values(back), values(w));
        // From a checkpoint with DataParallel names, float64 values and an
        // integer buffer: laid out like the model.
        std::vector<NamedTensor> ckpt;
        for (const auto& t : model.stateDict()) {
            NamedTensor n{"module." + t.name, t.tensor};
            ckpt.push_back(n);
        }
        const WeightVector fromCkpt = WeightVector::fromStateDict(ckpt, w);
        QCOMPARE(values(fromCkpt), values(w));
        const WeightVector any = WeightVector::fromStateDict(model.stateDict());
        QCOMPARE(any.size(), w.size());
        QVERIFY(any.entries()[4].isBuffer);
        std::vector<NamedTensor> wrong = sd;
        wrong[0].tensor.shape = {4, 18};
        try {
            WeightVector::fromStateDict(wrong, w);
            QFAIL("accepted a wrong shape");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("[4, 18]") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("[4, 2, 3, 3]") != std::string::npos, e.what());
        }
    }
};

BASIN_TEST_MAIN(TestWeightVector)
#include "test_weight_vector.moc"
