// Gradient-family saliency (GradientSaliency.cpp) and the dispatcher
// (Saliency.cpp): gradients against central finite differences of a float64
// copy of the model, gradient × input, SmoothGrad with σ → 0, Integrated
// Gradients' completeness (midpoint and Gauss–Legendre, black, blurred and
// custom baselines), Gauss–Legendre nodes against known values, maps not
// depending on the batching, target resolution and its errors, contrast
// linearity, the model's own inference after a saliency call, the prepared
// module kept between calls following every kind of weight change, progress
// and cancellation, top predictions.

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <functional>

#include "BasinTest.h"
#include "ScriptedModel.h"
#include "jobs/Job.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "saliency/Saliency.h"
#include "saliency/detail/ImageFilters.h"
#include "saliency/detail/PreparedModules.h"
#include "saliency/detail/Quadrature.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

// A smooth CNN (tanh, average pooling: no kinks, so finite differences and
// quadrature errors are clean) for 2×8×8 images, 3 classes.
Model smoothCnn() {
    torch::manual_seed(11);
    return test::scriptedModel("SmoothCnn", R"(
def forward(self, x):
    h = torch.tanh(torch.conv2d(x, self.w1, self.b1, [1, 1], [1, 1]))
    h = torch.avg_pool2d(h, [2, 2])
    return torch.addmm(self.b2, h.flatten(1), self.w2.t())
)",
                               {{"w1", torch::randn({4, 2, 3, 3}) * 0.5},
                                {"b1", torch::randn({4}) * 0.1},
                                {"w2", torch::randn({3, 4 * 4 * 4}) * 0.3},
                                {"b2", torch::randn({3}) * 0.1}});
}

// The zoo's BatchNorm CNN (ReLU, max-pool) on 1×12×12, 4 classes, with
// non-trivial BatchNorm statistics.
Model zooCnn() {
    SmallCnnOptions o;
    o.height = o.width = 12;
    o.classes = 4;
    o.baseWidth = 4;
    o.seed = 5;
    Model m = makeSmallCnn(o);
    torch::NoGradGuard noGrad;
    for (const auto& b : m.impl().module.named_buffers(true))
        if (b.name.find("running_mean") != std::string::npos)
            b.value.uniform_(-0.2, 0.2);
        else if (b.name.find("running_var") != std::string::npos)
            b.value.uniform_(0.5, 1.5);
    return m;
}

torch::Tensor randomImage(std::int64_t c, std::int64_t h, std::int64_t w, std::uint64_t seed) {
    torch::manual_seed(seed);
    return torch::rand({c, h, w});
}

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

// A float64 copy of the model (parameters and buffers), for references.
torch::jit::Module float64Copy(const Model& model) {
    torch::jit::Module m = model.impl().module.deepcopy();
    for (torch::jit::Module sub : m.modules()) {
        for (const auto& p : sub.named_parameters(false))
            sub.setattr(p.name, p.value.detach().to(torch::kFloat64));
        for (const auto& b : sub.named_buffers(false))
            if (b.value.is_floating_point()) sub.setattr(b.name, b.value.to(torch::kFloat64));
    }
    m.eval();
    return m;
}

double logit64(torch::jit::Module& m, const torch::Tensor& x, std::int64_t c) {
    torch::NoGradGuard noGrad;
    return m.forward({x.to(torch::kFloat64).unsqueeze(0)}).toTensor()[0][c].item<double>();
}

double logit(const Model& model, const torch::Tensor& x, std::int64_t c) {
    return tensor(model.forward(data(x.unsqueeze(0))))[0][c].item<double>();
}

double maxAbs(const torch::Tensor& t) {
    return t.abs().max().item<double>();
}

SaliencyOptions optionsFor(SaliencyMethod method, std::int64_t target = -1) {
    SaliencyOptions o;
    o.method = method;
    if (target >= 0) {
        o.target.kind = SaliencyTarget::Kind::Class;
        o.target.classIndex = target;
    }
    return o;
}

}  // namespace

class TestSaliencyGradient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gaussLegendreNodes() {
        using basin::detail::gaussLegendre;
        const auto q1 = gaussLegendre(1);
        QCOMPARE(q1.nodes.size(), std::size_t(1));
        QVERIFY(std::abs(q1.nodes[0] - 0.5) < 1e-15 && std::abs(q1.weights[0] - 1.0) < 1e-15);
        const auto q2 = gaussLegendre(2);  // ±1/√3 on [−1, 1], weights 1
        QVERIFY(std::abs(q2.nodes[0] - (0.5 - 0.5 / std::sqrt(3.0))) < 1e-15);
        QVERIFY(std::abs(q2.nodes[1] - (0.5 + 0.5 / std::sqrt(3.0))) < 1e-15);
        QVERIFY(std::abs(q2.weights[0] - 0.5) < 1e-15 && std::abs(q2.weights[1] - 0.5) < 1e-15);
        const auto q3 = gaussLegendre(3);  // 0, ±√(3/5); weights 8/9, 5/9
        QVERIFY(std::abs(q3.nodes[0] - (0.5 - 0.5 * std::sqrt(0.6))) < 1e-15);
        QVERIFY(std::abs(q3.nodes[1] - 0.5) < 1e-15);
        QVERIFY(std::abs(q3.weights[0] - 5.0 / 18.0) < 1e-15);
        QVERIFY(std::abs(q3.weights[1] - 4.0 / 9.0) < 1e-15);
        // n = 5 (Abramowitz & Stegun 25.4.29): 0.5384693101056831, 0.9061798459386640;
        // weights 0.5688888888888889, 0.4786286704993665, 0.2369268850561891.
        const auto q5 = gaussLegendre(5);
        QVERIFY(std::abs(q5.nodes[4] - 0.5 * (1 + 0.9061798459386640)) < 1e-15);
        QVERIFY(std::abs(q5.nodes[3] - 0.5 * (1 + 0.5384693101056831)) < 1e-15);
        QVERIFY(std::abs(q5.weights[2] - 0.5688888888888889 / 2) < 1e-15);
        QVERIFY(std::abs(q5.weights[3] - 0.4786286704993665 / 2) < 1e-15);
        QVERIFY(std::abs(q5.weights[4] - 0.2369268850561891 / 2) < 1e-15);
        // Exact for degree 2n − 1, ascending, weights summing to 1, up to n = 200.
        for (int n : {4, 7, 16, 50, 200}) {
            const auto q = gaussLegendre(n);
            double sum = 0.0, moment = 0.0;
            for (int k = 0; k < n; ++k) {
                sum += q.weights[std::size_t(k)];
                moment += q.weights[std::size_t(k)] * std::pow(q.nodes[std::size_t(k)], 2 * n - 1);
                if (k > 0) QVERIFY(q.nodes[std::size_t(k)] > q.nodes[std::size_t(k - 1)]);
            }
            QVERIFY2(std::abs(sum - 1.0) < 1e-13, qPrintable(QString::number(n)));
            QVERIFY2(std::abs(moment - 1.0 / (2 * n)) < 1e-13, qPrintable(QString::number(n)));
        }
        const auto r = basin::detail::riemannMidpoint(4);
        QVERIFY(std::abs(r.nodes[0] - 0.125) < 1e-15 && std::abs(r.weights[3] - 0.25) < 1e-15);
    }

    void gradientMatchesFiniteDifferences() {
        for (const bool zoo : {false, true}) {
            const Model model = zoo ? zooCnn() : smoothCnn();
            const torch::Tensor x = zoo ? randomImage(1, 12, 12, 3) : randomImage(2, 8, 8, 3);
            const std::int64_t target = 1;
            const SaliencyMap map =
                computeSaliency(model, data(x), optionsFor(SaliencyMethod::Gradient, target));
            const torch::Tensor g = tensor(map.attribution);
            QCOMPARE(g.sizes().vec(), x.sizes().vec());
            torch::jit::Module m64 = float64Copy(model);
            // Central differences in float64: O(h²) truncation on the smooth
            // model; a ReLU/max-pool kink within ±h of x is unlikely at h = 1e-6.
            const double h = 1e-6;
            const torch::Tensor flat = x.to(torch::kFloat64).reshape(-1);
            double worst = 0.0;
            for (std::int64_t i = 0; i < flat.numel(); i += 3) {
                torch::Tensor plus = flat.clone(), minus = flat.clone();
                plus[i] += h;
                minus[i] -= h;
                const double fd = (logit64(m64, plus.view(x.sizes()), target) -
                                   logit64(m64, minus.view(x.sizes()), target)) /
                                  (2 * h);
                worst = std::max(worst, std::abs(fd - g.reshape(-1)[i].item<double>()));
            }
            // The map is float32: its gradient carries float32 rounding
            // (about 1e-7 relative per operation, through a few layers).
            const double scale = maxAbs(g);
            qInfo("%s: max |gradient − finite difference| = %.3g (max |gradient| %.3g)",
                  zoo ? "zoo CNN" : "smooth CNN", worst, scale);
            QVERIFY(scale > 1e-3);
            QVERIFY(worst < 1e-4 * scale);
            // The map: max over channels of |gradient| (or the sum).
            QVERIFY(torch::allclose(values(map), g.abs().amax(0)));
            SaliencyOptions sum = optionsFor(SaliencyMethod::Gradient, target);
            sum.reduction = ChannelReduction::Sum;
            QVERIFY(torch::allclose(values(computeSaliency(model, data(x), sum)), g.abs().sum(0)));
            QVERIFY(!map.isSigned);
            QCOMPARE(map.method, SaliencyMethod::Gradient);
            QCOMPARE(map.targetClass, target);
            QVERIFY(std::abs(map.targetScore - logit(model, x, target)) < 1e-5);
        }
    }

    void gradientTimesInput() {
        const Model model = smoothCnn();
        const torch::Tensor x = randomImage(2, 8, 8, 4);
        const torch::Tensor g = tensor(
            computeSaliency(model, data(x), optionsFor(SaliencyMethod::Gradient, 2)).attribution);
        const SaliencyMap map =
            computeSaliency(model, data(x), optionsFor(SaliencyMethod::GradientTimesInput, 2));
        QVERIFY(torch::allclose(tensor(map.attribution), x * g));
        QVERIFY(torch::allclose(values(map), (x * g).sum(0)));
        QVERIFY(map.isSigned);
    }

    void smoothGradWithoutNoiseIsTheGradient() {
        const Model model = smoothCnn();
        const torch::Tensor x = randomImage(2, 8, 8, 5);
        const torch::Tensor g = tensor(
            computeSaliency(model, data(x), optionsFor(SaliencyMethod::Gradient, 0)).attribution);
        for (const double fraction : {0.0, 1e-6}) {
            SaliencyOptions o = optionsFor(SaliencyMethod::SmoothGrad, 0);
            o.samples = 7;
            o.noiseFraction = fraction;
            const SaliencyMap sg = computeSaliency(model, data(x), o);
            QVERIFY(torch::allclose(tensor(sg.attribution), g, 1e-4, 1e-5 * maxAbs(g)));
            QVERIFY(torch::allclose(values(sg), g.abs().amax(0), 1e-4, 1e-5 * maxAbs(g)));
            o.method = SaliencyMethod::SmoothGradSquared;
            const SaliencyMap sq = computeSaliency(model, data(x), o);
            QVERIFY(torch::allclose(tensor(sq.attribution), g * g, 1e-3, 1e-5 * maxAbs(g * g)));
        }
        // Real noise changes the map, the same seed gives the same map.
        SaliencyOptions o = optionsFor(SaliencyMethod::SmoothGrad, 0);
        o.samples = 8;
        const torch::Tensor a = tensor(computeSaliency(model, data(x), o).attribution);
        QVERIFY(!torch::allclose(a, g));
        QVERIFY(torch::equal(a, tensor(computeSaliency(model, data(x), o).attribution)));
        o.seed = 1;
        QVERIFY(!torch::equal(a, tensor(computeSaliency(model, data(x), o).attribution)));
    }

    void batchingDoesNotChangeTheMap() {
        const Model model = zooCnn();
        const torch::Tensor x = randomImage(1, 12, 12, 6);
        for (const SaliencyMethod method :
             {SaliencyMethod::SmoothGrad, SaliencyMethod::IntegratedGradients}) {
            SaliencyOptions o = optionsFor(method, 3);
            o.samples = 9;
            o.steps = 9;
            const torch::Tensor whole = tensor(computeSaliency(model, data(x), o).attribution);
            o.memoryBudgetBytes = 1;  // one copy per batch
            const torch::Tensor single = tensor(computeSaliency(model, data(x), o).attribution);
            QVERIFY2(torch::allclose(whole, single, 1e-4, 1e-6 * maxAbs(whole)),
                     saliencyMethodKey(method));
        }
    }

    void integratedGradientsCompleteness() {
        // Σ attribution = F(x) − F(x′) up to the quadrature error. On a smooth
        // model Gauss–Legendre reaches the 50-step midpoint error with a
        // handful of steps.
        const Model model = smoothCnn();
        const torch::Tensor x = randomImage(2, 8, 8, 7) * 2.0;
        const std::int64_t c = 1;
        const double delta = logit(model, x, c) - logit(model, torch::zeros_like(x), c);
        auto error = [&](IgQuadrature q, int steps) {
            SaliencyOptions o = optionsFor(SaliencyMethod::IntegratedGradients, c);
            o.quadrature = q;
            o.steps = steps;
            const SaliencyMap m = computeSaliency(model, data(x), o);
            // The signed map is the attribution summed over channels.
            if (!torch::allclose(values(m), tensor(m.attribution).sum(0), 1e-5, 1e-6))
                throw std::logic_error("the IG map is not the attribution summed over channels");
            return std::abs(tensor(m.attribution).to(torch::kFloat64).sum().item<double>() - delta);
        };
        const double riemann50 = error(IgQuadrature::Riemann, 50);
        int glSteps = 0;
        double gl = 0.0;
        for (int steps = 1; steps <= 50; ++steps) {
            gl = error(IgQuadrature::GaussLegendre, steps);
            if (gl <= riemann50) {
                glSteps = steps;
                break;
            }
        }
        qInfo(
            "IG completeness |Σ A − (F(x) − F(0))| (F(x) − F(0) = %.4f): midpoint 50 steps %.3g, "
            "Gauss–Legendre %d steps %.3g",
            delta, riemann50, glSteps, gl);
        QVERIFY(riemann50 < 1e-2 * std::abs(delta) + 1e-4);
        QVERIFY(glSteps > 0 && glSteps <= 10);
        QVERIFY(error(IgQuadrature::GaussLegendre, 50) < 1e-4 * (1 + std::abs(delta)));

        // The zoo CNN (ReLU kinks on the path): both rules converge, the
        // default (Gauss–Legendre, 50 steps) within 1 % of F(x) − F(0).
        const Model zoo = zooCnn();
        const torch::Tensor z = randomImage(1, 12, 12, 8);
        const double zooDelta = logit(zoo, z, 2) - logit(zoo, torch::zeros_like(z), 2);
        for (IgQuadrature q : {IgQuadrature::Riemann, IgQuadrature::GaussLegendre}) {
            SaliencyOptions o = optionsFor(SaliencyMethod::IntegratedGradients, 2);
            o.quadrature = q;
            const double sum =
                tensor(computeSaliency(zoo, data(z), o).attribution).sum().item<double>();
            qInfo("zoo CNN, %s 50 steps: Σ A = %.5f, F(x) − F(0) = %.5f",
                  q == IgQuadrature::Riemann ? "midpoint" : "Gauss–Legendre", sum, zooDelta);
            QVERIFY(std::abs(sum - zooDelta) < 0.01 * std::abs(zooDelta) + 1e-3);
        }
    }

    void integratedGradientsBaselines() {
        const Model model = smoothCnn();
        const torch::Tensor x = randomImage(2, 8, 8, 9);
        // Blurred: x′ = Gaussian blur of x; completeness against F(x′).
        SaliencyOptions o = optionsFor(SaliencyMethod::IntegratedGradients, 0);
        o.baseline = IgBaseline::Blurred;
        o.blurSigma = 1.5;
        const torch::Tensor blurred = basin::detail::gaussianBlur(x.unsqueeze(0), 1.5)[0];
        QVERIFY(!torch::allclose(blurred, x));
        const double blurDelta = logit(model, x, 0) - logit(model, blurred, 0);
        const double blurSum =
            tensor(computeSaliency(model, data(x), o).attribution).sum().item<double>();
        QVERIFY(std::abs(blurSum - blurDelta) < 1e-4 * (1 + std::abs(blurDelta)));
        // The blur keeps constants and sums (a normalised kernel, edges replicated).
        const torch::Tensor constant = torch::full({1, 2, 5, 7}, 0.25f);
        QVERIFY(torch::allclose(basin::detail::gaussianBlur(constant, 3.0), constant));
        // Custom: any baseline of the image's shape; [1, C, H, W] too.
        const torch::Tensor custom = randomImage(2, 8, 8, 10);
        o.baseline = IgBaseline::Custom;
        o.customBaseline = data(custom.unsqueeze(0));
        const double customDelta = logit(model, x, 0) - logit(model, custom, 0);
        const double customSum =
            tensor(computeSaliency(model, data(x), o).attribution).sum().item<double>();
        QVERIFY(std::abs(customSum - customDelta) < 1e-4 * (1 + std::abs(customDelta)));
        // A baseline of another shape is named, with the image's.
        o.customBaseline = data(torch::zeros({2, 8, 7}));
        try {
            computeSaliency(model, data(x), o);
            QFAIL("a custom baseline of the wrong shape was accepted");
        } catch (const std::runtime_error& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("[2, 8, 7]") && what.contains("[2, 8, 8]") &&
                         what.contains("SmoothCnn"),
                     e.what());
        }
        o.customBaseline = TensorData();
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, computeSaliency(model, data(x), o));
    }

    void targets() {
        const Model model = smoothCnn();
        const torch::Tensor x = randomImage(2, 8, 8, 12);
        const torch::Tensor logits = tensor(model.forward(data(x.unsqueeze(0))))[0];
        // Predicted: the argmax.
        const SaliencyMap predicted =
            computeSaliency(model, data(x), optionsFor(SaliencyMethod::Gradient));
        QCOMPARE(predicted.targetClass, logits.argmax().item<std::int64_t>());
        QCOMPARE(predicted.otherClass, std::int64_t(-1));
        // Out of range: the error names the class count.
        for (std::int64_t bad : {std::int64_t(3), std::int64_t(-2)}) {
            try {
                SaliencyOptions o = optionsFor(SaliencyMethod::Gradient);
                o.target = {SaliencyTarget::Kind::Class, bad, -1};
                computeSaliency(model, data(x), o);
                QFAIL("a target out of range was accepted");
            } catch (const std::runtime_error& e) {
                QVERIFY2(QString(e.what()).contains("3 classes"), e.what());
            }
        }
        SaliencyOptions contrast = optionsFor(SaliencyMethod::GradientTimesInput);
        contrast.target = {SaliencyTarget::Kind::Contrast, 0, 7};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, computeSaliency(model, data(x), contrast));
        // Contrast: the map of y_a − y_b is the difference of the two maps
        // (every method here is linear in the target).
        contrast.target = {SaliencyTarget::Kind::Contrast, 2, 0};
        for (const SaliencyMethod method :
             {SaliencyMethod::GradientTimesInput, SaliencyMethod::IntegratedGradients}) {
            contrast.method = method;
            const SaliencyMap c = computeSaliency(model, data(x), contrast);
            const torch::Tensor a =
                tensor(computeSaliency(model, data(x), optionsFor(method, 2)).attribution);
            const torch::Tensor b =
                tensor(computeSaliency(model, data(x), optionsFor(method, 0)).attribution);
            QVERIFY(torch::allclose(tensor(c.attribution), a - b, 1e-4, 1e-5 * maxAbs(a - b)));
            QCOMPARE(c.targetClass, std::int64_t(2));
            QCOMPARE(c.otherClass, std::int64_t(0));
            QVERIFY(std::abs(c.targetScore - (logits[2] - logits[0]).item<double>()) < 1e-5);
        }
        // Images of the wrong shape or type are named with the model.
        for (const TensorData& bad : {data(torch::zeros({2, 8})), data(torch::zeros({2, 2, 8, 8})),
                                      data(torch::zeros({2, 8, 8}, torch::kFloat64))}) {
            try {
                computeSaliency(model, bad, optionsFor(SaliencyMethod::Gradient));
                QFAIL("a bad image was accepted");
            } catch (const std::runtime_error& e) {
                QVERIFY2(QString(e.what()).contains("SmoothCnn") &&
                             QString(e.what()).contains(QString::fromStdString(bad.shapeString())),
                         e.what());
            }
        }
        // An image the model cannot take: libtorch's reason, with the model and shape.
        try {
            computeSaliency(model, data(torch::zeros({3, 8, 8})),
                            optionsFor(SaliencyMethod::Gradient));
            QFAIL("an image with the wrong channel count ran");
        } catch (const std::runtime_error& e) {
            QVERIFY2(
                QString(e.what()).contains("SmoothCnn") && QString(e.what()).contains("[3, 8, 8]"),
                e.what());
        }
    }

    void modelInferenceUnchanged() {
        // The "Inference tensors cannot be saved for backward" trap: once a
        // method's executor has run with autograd, its plan fails under
        // InferenceMode. Saliency runs on a copy with its own methods.
        Model model = zooCnn();
        QVERIFY(model.impl().module.is_training());
        const torch::Tensor x = randomImage(1, 12, 12, 13);
        const torch::Tensor before = tensor(model.forward(data(x.unsqueeze(0))));
        for (int i = 0; i < 3; ++i)
            for (const SaliencyMethod method :
                 {SaliencyMethod::Gradient, SaliencyMethod::IntegratedGradients,
                  SaliencyMethod::SmoothGrad}) {
                SaliencyOptions o = optionsFor(method);
                o.steps = o.samples = 4;
                computeSaliency(model, data(x), o);
                QVERIFY(torch::equal(tensor(model.forward(data(x.unsqueeze(0)))), before));
            }
        QVERIFY(model.impl().module.is_training());  // the flag is the model's own
        // Called from inside inference mode (a job's context), too.
        {
            c10::InferenceMode inference;
            computeSaliency(model, data(x), optionsFor(SaliencyMethod::Gradient));
        }
        QVERIFY(torch::equal(tensor(model.forward(data(x.unsqueeze(0)))), before));
    }

    void preparedModuleFollowsTheWeights() {
        // The prepared module (a copy, then a frozen copy with BatchNorm folded
        // into the convolutions) is kept between calls at the same weights.
        // However the weights change — in place through the tensor, through a
        // raw data pointer (no version bump), a BatchNorm statistic through a
        // state dict, a parameter replaced by a new tensor — the next map is
        // the one a fresh model with those weights gives.
        Model model = zooCnn();
        const torch::Tensor x = randomImage(1, 12, 12, 21);
        const SaliencyOptions o = optionsFor(SaliencyMethod::Gradient, 1);
        const auto mapOf = [&](const Model& m) { return values(computeSaliency(m, data(x), o)); };
        const auto close = [](const torch::Tensor& a, const torch::Tensor& b) {
            return torch::allclose(a, b, 1e-4, 1e-6 * maxAbs(b));
        };
        torch::Tensor previous = mapOf(model);
        QVERIFY(close(mapOf(model), previous));  // the second call runs the frozen copy
        torch::jit::Module module = model.impl().module;
        const auto conv = [&] {
            for (const auto& p : module.named_parameters(true))
                if (p.value.dim() == 4) return p.value;
            throw std::logic_error("no convolution");
        };
        const auto changes = std::vector<std::pair<const char*, std::function<void()>>>{
            {"in place",
             [&] {
                 torch::NoGradGuard noGrad;
                 conv().mul_(-1.5);
             }},
            {"raw pointer",
             [&] {
                 const torch::Tensor w = conv();
                 float* p = w.data_ptr<float>();
                 for (std::int64_t i = 0; i < w.numel(); i += 2)
                     p[i] *= 0.25f;
             }},
            {"state dict",
             [&] {
                 std::vector<NamedTensor> state;
                 for (const NamedTensor& t : model.stateDict())
                     if (t.name.find("running_var") != std::string::npos) {
                         NamedTensor scaled = t;
                         scaled.tensor = data(tensor(t.tensor) * 4.0);
                         state.push_back(scaled);
                     }
                 QVERIFY(!state.empty());
                 QCOMPARE(model.applyStateDict(state).applied.size(), state.size());
             }},
            {"new tensor",
             [&] {
                 for (torch::jit::Module sub : module.modules())
                     for (const auto& p : sub.named_parameters(false))
                         if (p.value.dim() == 4) {
                             sub.setattr(p.name, (p.value.detach() * -0.5).requires_grad_(true));
                             return;
                         }
             }},
        };
        for (const auto& [what, change] : changes) {
            change();
            const torch::Tensor fresh = mapOf(model.clone());
            const torch::Tensor first = mapOf(model), second = mapOf(model);
            QVERIFY2(!close(first, previous), what);
            QVERIFY2(close(first, fresh), what);
            QVERIFY2(close(second, fresh), what);
            previous = fresh;
        }
        // The fingerprint the cache keys on sees one flipped bit.
        const std::uint64_t before = basin::detail::moduleFingerprint(module);
        const torch::Tensor w = conv();
        std::uint32_t bits;
        std::memcpy(&bits, w.data_ptr<float>() + 3, 4);
        bits ^= 1u;
        std::memcpy(w.data_ptr<float>() + 3, &bits, 4);
        QVERIFY(basin::detail::moduleFingerprint(module) != before);
        bits ^= 1u;
        std::memcpy(w.data_ptr<float>() + 3, &bits, 4);
        QCOMPARE(basin::detail::moduleFingerprint(module), before);
    }

    void progressAndCancellation() {
        const Model model = zooCnn();
        const torch::Tensor x = randomImage(1, 12, 12, 14);
        SaliencyOptions o = optionsFor(SaliencyMethod::IntegratedGradients);
        o.steps = 20;
        o.memoryBudgetBytes = 1;
        std::vector<double> fractions;
        computeSaliency(model, data(x), o, [&](double f) {
            fractions.push_back(f);
            return true;
        });
        QVERIFY(fractions.size() >= 20);
        for (std::size_t i = 1; i < fractions.size(); ++i)
            QVERIFY(fractions[i] >= fractions[i - 1]);
        QCOMPARE(fractions.back(), 1.0);
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(
            JobCancelled, computeSaliency(model, data(x), o, [&](double) { return ++calls < 3; }));
        QCOMPARE(calls, 3);
    }

    void batchOfImages() {
        const Model model = zooCnn();
        const torch::Tensor images = torch::rand({3, 1, 12, 12});
        SaliencyOptions o = optionsFor(SaliencyMethod::IntegratedGradients);
        o.steps = 8;
        const std::vector<SaliencyMap> maps = computeSaliencyBatch(model, data(images), o);
        QCOMPARE(maps.size(), std::size_t(3));
        for (std::int64_t i = 0; i < 3; ++i) {
            const SaliencyMap one = computeSaliency(model, data(images[i]), o);
            QCOMPARE(maps[std::size_t(i)].targetClass, one.targetClass);
            QVERIFY(torch::allclose(values(maps[std::size_t(i)]), values(one)));
        }
    }

    void batchOfImagesSinglePass() {
        // Gradient and gradient × input run all images in one pass; each map
        // equals the one-image call, for every kind of target.
        const Model model = zooCnn();
        const torch::Tensor images = torch::rand({5, 1, 12, 12});
        for (const SaliencyMethod method :
             {SaliencyMethod::Gradient, SaliencyMethod::GradientTimesInput}) {
            SaliencyOptions o = optionsFor(method);
            for (const SaliencyTarget target :
                 {SaliencyTarget{}, SaliencyTarget{SaliencyTarget::Kind::Class, 2, -1},
                  SaliencyTarget{SaliencyTarget::Kind::Contrast, 1, 3}}) {
                o.target = target;
                const std::vector<SaliencyMap> maps = computeSaliencyBatch(model, data(images), o);
                QCOMPARE(maps.size(), std::size_t(5));
                for (std::int64_t i = 0; i < 5; ++i) {
                    const SaliencyMap& b = maps[std::size_t(i)];
                    const SaliencyMap one = computeSaliency(model, data(images[i]), o);
                    QCOMPARE(b.targetClass, one.targetClass);
                    QCOMPARE(b.otherClass, one.otherClass);
                    QCOMPARE(b.isSigned, one.isSigned);
                    QCOMPARE(b.method, method);
                    QVERIFY(std::abs(b.targetScore - one.targetScore) < 1e-5);
                    QVERIFY(torch::allclose(values(b), values(one), 1e-4, 1e-7));
                    QVERIFY(torch::allclose(tensor(b.attribution), tensor(one.attribution), 1e-4,
                                            1e-7));
                }
            }
            o.target = {SaliencyTarget::Kind::Class, 4, -1};
            try {
                computeSaliencyBatch(model, data(images), o);
                QFAIL("a target out of range was accepted");
            } catch (const std::runtime_error& e) {
                QVERIFY2(QString(e.what()).contains("4 classes"), e.what());
            }
        }
    }

    void topPredictions() {
        const Model model = zooCnn();
        const torch::Tensor x = randomImage(1, 12, 12, 15);
        const torch::Tensor logits =
            tensor(model.forward(data(x.unsqueeze(0))))[0].to(torch::kFloat64);
        const torch::Tensor p = logits.softmax(0);
        const std::vector<ClassScore> top = basin::topPredictions(model, data(x), 3);
        QCOMPARE(top.size(), std::size_t(3));
        QCOMPARE(top[0].index, logits.argmax().item<std::int64_t>());
        for (std::size_t i = 0; i < top.size(); ++i) {
            QVERIFY(std::abs(top[i].logit - logits[top[i].index].item<double>()) < 1e-6);
            QVERIFY(std::abs(top[i].probability - p[top[i].index].item<double>()) < 1e-6);
            if (i) QVERIFY(top[i].logit <= top[i - 1].logit);
        }
        QCOMPARE(basin::topPredictions(model, data(x), 10).size(), std::size_t(4));
    }

    void methodKeys() {
        for (const SaliencyMethod m : allSaliencyMethods()) {
            QCOMPARE(parseSaliencyMethod(saliencyMethodKey(m)), std::optional<SaliencyMethod>(m));
            QVERIFY(std::string(saliencyMethodTitle(m)).size() > 2);
        }
        QCOMPARE(allSaliencyMethods().size(), std::size_t(13));
        QVERIFY(!parseSaliencyMethod("gradcam++"));
        QVERIFY(needsLayer(SaliencyMethod::GradCam) && !needsLayer(SaliencyMethod::Rise));
        QVERIFY(isSignedMethod(SaliencyMethod::Occlusion) &&
                !isSignedMethod(SaliencyMethod::SmoothGrad));
    }
};

BASIN_TEST_MAIN(TestSaliencyGradient)
#include "test_saliency_gradient.moc"
