// The Grad-CAM family (CamSaliency.cpp) and NormGrad (NormGradSaliency.cpp)
// through computeSaliency: on conv → ReLU → global average pool → linear,
// Grad-CAM is the closed-form CAM and Grad-CAM++ its closed form; Smooth
// Grad-CAM++ with σ → 0 is Grad-CAM++, seeded and independent of the
// batching; targets resolved from the layer pass; NormGrad (plain,
// selective, multi-layer) against activations and gradients computed
// directly in the test; contrast targets; the randomization sanity
// behaviour; the zoo's SmallCnn and SmallResNet with their default layers.

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <tuple>

#include "BasinTest.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "saliency/Saliency.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

constexpr std::int64_t kChannels = 2, kUnits = 5, kClasses = 3, kSize = 8, kCoarse = 4;

// conv (3×3, stride 2) → act (ReLU module) → mean over positions → fc.
Model camModel() {
    torch::manual_seed(3);
    torch::jit::Module conv("Conv");
    conv.register_parameter("weight", torch::randn({kUnits, kChannels, 3, 3}) * 0.5, false);
    conv.register_parameter("bias", torch::randn({kUnits}) * 0.2, false);
    conv.define(R"(
def forward(self, x):
    return torch.conv2d(x, self.weight, self.bias, [2, 2], [1, 1])
)");
    torch::jit::Module act("ReLU");
    act.define("def forward(self, x):\n    return torch.relu(x)\n");
    torch::jit::Module fc("Linear");
    fc.register_parameter("weight", torch::randn({kClasses, kUnits}), false);
    fc.register_parameter("bias", torch::randn({kClasses}) * 0.1, false);
    fc.define("def forward(self, x):\n    return torch.linear(x, self.weight, self.bias)\n");
    torch::jit::Module root("CamNet");
    root.register_module("conv", conv);
    root.register_module("act", act);
    root.register_module("fc", fc);
    root.define(R"(
def forward(self, x):
    a = self.act.forward(self.conv.forward(x))
    return self.fc.forward(torch.mean(a, [2, 3]))
)");
    auto impl = std::make_shared<Model::Impl>();
    impl->module = root;
    impl->name = "camnet";
    return Model(impl);
}

torch::Tensor param(const Model& m, const char* module, const char* name) {
    return m.impl().module.attr(module).toModule().attr(name).toTensor().detach();
}

TensorData imageData(const torch::Tensor& x) {
    return basin::detail::fromTorch(x, "image");
}

torch::Tensor coarseOf(const SaliencyMap& map) {
    return torch::tensor(map.coarseValues).view({map.coarseHeight, map.coarseWidth});
}
torch::Tensor valuesOf(const SaliencyMap& map) {
    return torch::tensor(map.values).view({map.height, map.width});
}

torch::Tensor upsampled(const torch::Tensor& coarse, std::int64_t size) {
    namespace F = torch::nn::functional;
    return F::interpolate(coarse.view({1, 1, coarse.size(0), coarse.size(1)}),
                          F::InterpolateFuncOptions()
                              .size(std::vector<std::int64_t>{size, size})
                              .mode(torch::kBilinear)
                              .align_corners(false))
        .view({size, size});
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

SaliencyOptions optionsFor(SaliencyMethod method, const std::string& layer = {}) {
    SaliencyOptions o;
    o.method = method;
    o.layer = layer;
    return o;
}

SaliencyOptions classTarget(SaliencyOptions o, std::int64_t c) {
    o.target.kind = SaliencyTarget::Kind::Class;
    o.target.classIndex = c;
    return o;
}

Model zooCnn() {
    SmallCnnOptions o;
    o.channels = 3;
    o.height = o.width = 16;
    o.classes = 4;
    o.baseWidth = 4;
    o.seed = 7;
    return makeSmallCnn(o);
}

}  // namespace

class TestSaliencyCam : public QObject {
    Q_OBJECT
    Model model_ = camModel();
    torch::Tensor x_;  // [1, C, H, W]
    torch::Tensor a_;  // the ReLU activations [K, h, w]

private Q_SLOTS:
    void initTestCase() {
        torch::manual_seed(4);
        x_ = torch::randn({1, kChannels, kSize, kSize});
        a_ = torch::relu(torch::conv2d(x_, param(model_, "conv", "weight"),
                                       param(model_, "conv", "bias"), 2, 1))[0];
        QCOMPARE(a_.sizes().vec(), (std::vector<std::int64_t>{kUnits, kCoarse, kCoarse}));
    }

    // y_c = Σ_k w_ck mean(A^k) + b_c, so α_k = w_ck / (h·w):
    // Grad-CAM = ReLU(Σ_k w_ck A^k) / (h·w), the CAM of Zhou et al. 2016.
    void gradCamIsTheClosedFormCam() {
        const std::int64_t c = 1;
        const SaliencyMap map = computeSaliency(
            model_, imageData(x_), classTarget(optionsFor(SaliencyMethod::GradCam, "act"), c));
        const torch::Tensor w = param(model_, "fc", "weight")[c];
        const torch::Tensor cam =
            torch::relu((w.view({kUnits, 1, 1}) * a_).sum(0)) / double(kCoarse * kCoarse);
        QCOMPARE(map.layer, std::string("act"));
        QCOMPARE(map.coarseHeight, kCoarse);
        QCOMPARE(map.height, kSize);
        const double coarse = maxDiff(coarseOf(map), cam);
        QVERIFY2(coarse <= 1e-5, qPrintable(QString::number(coarse)));
        const double fine = maxDiff(valuesOf(map), upsampled(cam, kSize));
        QVERIFY2(fine <= 1e-5, qPrintable(QString::number(fine)));
        QVERIFY(cam.max().item<double>() > 0.01);  // not a trivially empty map
    }

    // g^k = w_ck / (h·w) at every position, so α^k = g² / (2g² + S_k g³) =
    // 1 / (2 + S_k g_k) with S_k = Σ_ab A^k_ab, w_k = h·w·ReLU(g_k) / (2 + S_k g_k).
    void gradCamPlusPlusIsItsClosedForm() {
        const std::int64_t c = 2;
        const SaliencyMap map =
            computeSaliency(model_, imageData(x_),
                            classTarget(optionsFor(SaliencyMethod::GradCamPlusPlus, "act"), c));
        const double hw = double(kCoarse * kCoarse);
        const torch::Tensor g = param(model_, "fc", "weight")[c] / hw;
        const torch::Tensor s = a_.sum({1, 2});
        const torch::Tensor weights = hw * torch::relu(g) / (2.0 + s * g);
        const torch::Tensor expected = torch::relu((weights.view({kUnits, 1, 1}) * a_).sum(0));
        const double diff = maxDiff(coarseOf(map), expected);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
        QVERIFY(expected.max().item<double>() > 0.01);
    }

    void contrastTargetMapsTheDifferenceOfLogits() {
        SaliencyOptions o = optionsFor(SaliencyMethod::GradCam, "act");
        o.target.kind = SaliencyTarget::Kind::Contrast;
        o.target.classIndex = 0;
        o.target.otherClass = 2;
        const SaliencyMap map = computeSaliency(model_, imageData(x_), o);
        QCOMPARE(map.otherClass, std::int64_t(2));
        const torch::Tensor w = param(model_, "fc", "weight");
        const torch::Tensor cam = torch::relu(((w[0] - w[2]).view({kUnits, 1, 1}) * a_).sum(0)) /
                                  double(kCoarse * kCoarse);
        const double diff = maxDiff(coarseOf(map), cam);
        QVERIFY2(diff <= 1e-5, qPrintable(QString::number(diff)));
    }

    // The Grad-CAM family resolves the target from its own layer pass (no
    // separate forward pass): the predicted class and its logit, and the same
    // sentences for classes out of range as the other methods.
    void targetsFromTheLayerPass() {
        const torch::Tensor logits =
            basin::detail::toTorch(model_.forward(imageData(x_)), "logits").clone();
        for (const SaliencyMethod method :
             {SaliencyMethod::GradCam, SaliencyMethod::GradCamPlusPlus,
              SaliencyMethod::SmoothGradCamPlusPlus}) {
            SaliencyOptions o = optionsFor(method, "act");
            o.samples = 3;
            const SaliencyMap map = computeSaliency(model_, imageData(x_), o);
            QCOMPARE(map.targetClass, logits[0].argmax().item<std::int64_t>());
            QCOMPARE(map.otherClass, std::int64_t(-1));
            QVERIFY(std::abs(map.targetScore - logits[0].max().item<double>()) < 1e-5);
            o.target.kind = SaliencyTarget::Kind::Contrast;
            o.target.classIndex = 2;
            o.target.otherClass = 0;
            const SaliencyMap contrast = computeSaliency(model_, imageData(x_), o);
            QCOMPARE(contrast.targetClass, std::int64_t(2));
            QVERIFY(std::abs(contrast.targetScore - (logits[0][2] - logits[0][0]).item<double>()) <
                    1e-5);
            for (const auto& [target, other, what] :
                 {std::tuple{std::int64_t(kClasses), std::int64_t(0), "target class 3"},
                  std::tuple{std::int64_t(1), std::int64_t(-2), "contrast class -2"},
                  std::tuple{std::int64_t(1), std::int64_t(1), "two different classes"}}) {
                o.target.classIndex = target;
                o.target.otherClass = other;
                try {
                    computeSaliency(model_, imageData(x_), o);
                    QFAIL("a bad target was accepted");
                } catch (const std::runtime_error& e) {
                    QVERIFY2(QString(e.what()).contains(what), e.what());
                }
            }
        }
    }

    // NormGrad at a layer: ‖A_u‖·‖g_u‖ over channels; selective: ‖ReLU(A_u ⊙ g_u)‖;
    // multi-layer: the layers' maps upsampled, scaled to a maximum of 1, averaged.
    void normGradMatchesADirectComputation() {
        const std::int64_t c = 0;
        torch::Tensor z =
            torch::conv2d(x_, param(model_, "conv", "weight"), param(model_, "conv", "bias"), 2, 1)
                .requires_grad_(true);
        const torch::Tensor a = torch::relu(z);
        const torch::Tensor y = torch::linear(a.mean({2, 3}), param(model_, "fc", "weight"),
                                              param(model_, "fc", "bias"))[0][c];
        const auto grads = torch::autograd::grad({y}, {z, a});
        const torch::Tensor gz = grads[0][0], ga = grads[1][0], av = a.detach()[0],
                            zv = z.detach()[0];

        const SaliencyMap plain = computeSaliency(
            model_, imageData(x_), classTarget(optionsFor(SaliencyMethod::NormGrad, "act"), c));
        const torch::Tensor expectedPlain = av.norm(2, {0}) * ga.norm(2, {0});
        const double dPlain = maxDiff(coarseOf(plain), expectedPlain);
        QVERIFY2(dPlain <= 1e-6, qPrintable(QString::number(dPlain)));

        const SaliencyMap selective =
            computeSaliency(model_, imageData(x_),
                            classTarget(optionsFor(SaliencyMethod::NormGradSelective, "act"), c));
        const torch::Tensor expectedSelective = torch::relu(av * ga).norm(2, {0});
        const double dSelective = maxDiff(coarseOf(selective), expectedSelective);
        QVERIFY2(dSelective <= 1e-6, qPrintable(QString::number(dSelective)));

        SaliencyOptions o = classTarget(optionsFor(SaliencyMethod::NormGradMultiLayer), c);
        o.layers = {"conv", "act"};
        const SaliencyMap multi = computeSaliency(model_, imageData(x_), o);
        const torch::Tensor mz = upsampled(zv.norm(2, {0}) * gz.norm(2, {0}), kSize);
        const torch::Tensor ma = upsampled(expectedPlain, kSize);
        const torch::Tensor expectedMulti = (mz / mz.max() + ma / ma.max()) / 2.0;
        const double dMulti = maxDiff(valuesOf(multi), expectedMulti);
        QVERIFY2(dMulti <= 1e-5, qPrintable(QString::number(dMulti)));
        QCOMPARE(multi.layer, std::string("conv,act"));

        // Empty layers: every convolution, here only 'conv'.
        const SaliencyMap every = computeSaliency(
            model_, imageData(x_), classTarget(optionsFor(SaliencyMethod::NormGradMultiLayer), c));
        QCOMPARE(every.layer, std::string("conv"));
        const double dEvery = maxDiff(valuesOf(every), mz / mz.max());
        QVERIFY2(dEvery <= 1e-5, qPrintable(QString::number(dEvery)));
    }

    void smoothGradCamPlusPlusWithoutNoiseIsGradCamPlusPlus() {
        const Model cnn = zooCnn();
        torch::manual_seed(8);
        const TensorData image = imageData(torch::randn({1, 3, 16, 16}));
        SaliencyOptions o = optionsFor(SaliencyMethod::GradCamPlusPlus);
        const SaliencyMap plusPlus = computeSaliency(cnn, image, o);
        o.method = SaliencyMethod::SmoothGradCamPlusPlus;
        o.samples = 6;
        o.noiseFraction = 1e-7;
        const SaliencyMap smooth = computeSaliency(cnn, image, o);
        QCOMPARE(smooth.layer, plusPlus.layer);
        const double scale = coarseOf(plusPlus).abs().max().item<double>();
        QVERIFY(scale > 0.0);
        const double diff = maxDiff(coarseOf(smooth), coarseOf(plusPlus)) / scale;
        QVERIFY2(diff <= 1e-4, qPrintable(QString::number(diff)));

        // With noise the map changes; the same seed gives the same map
        // whatever the batch size.
        o.noiseFraction = 0.3;
        o.seed = 21;
        const SaliencyMap noisy = computeSaliency(cnn, image, o);
        QVERIFY(maxDiff(coarseOf(noisy), coarseOf(plusPlus)) / scale > 1e-3);
        o.memoryBudgetBytes = 1;  // one sample per batch
        const SaliencyMap oneByOne = computeSaliency(cnn, image, o);
        const double batching = maxDiff(coarseOf(oneByOne), coarseOf(noisy)) / scale;
        QVERIFY2(batching <= 1e-5, qPrintable(QString::number(batching)));
    }

    // Adebayo et al. 2018: a map that explains the model must change when the
    // top layer's weights are re-initialized.
    void gradCamChangesWhenTheTopLayerIsRandomized() {
        Model cnn = zooCnn();
        torch::manual_seed(9);
        const TensorData image = imageData(torch::randn({1, 3, 16, 16}));
        const SaliencyOptions o = classTarget(optionsFor(SaliencyMethod::GradCam), 1);
        const torch::Tensor before = valuesOf(computeSaliency(cnn, image, o));
        {
            torch::NoGradGuard noGrad;
            torch::Tensor w = cnn.impl().module.attr("fc").toModule().attr("weight").toTensor();
            w.copy_(torch::randn_like(w) * w.std());
        }
        const torch::Tensor after = valuesOf(computeSaliency(cnn, image, o));
        QVERIFY(before.abs().max().item<double>() > 0.0);
        const double change =
            (after - before).norm().item<double>() / std::max(before.norm().item<double>(), 1e-12);
        QVERIFY2(change > 0.2, qPrintable(QString::number(change)));
    }

    void zooModelsWithTheirDefaultLayers() {
        torch::manual_seed(10);
        const TensorData cnnImage = imageData(torch::randn({1, 3, 16, 16}));
        const Model cnn = zooCnn();
        QCOMPARE(defaultCamLayer(saliencyLayers(cnn, cnnImage)), std::string("bn2"));
        SmallResNetOptions ro;
        ro.classes = 5;
        ro.baseWidth = 4;
        const Model resnet = makeSmallResNet(ro);
        const TensorData resImage = imageData(torch::randn({1, 3, 16, 16}));
        QCOMPARE(defaultCamLayer(saliencyLayers(resnet, resImage)), std::string("layer3"));
        for (const SaliencyMethod method :
             {SaliencyMethod::GradCam, SaliencyMethod::GradCamPlusPlus,
              SaliencyMethod::SmoothGradCamPlusPlus, SaliencyMethod::NormGrad,
              SaliencyMethod::NormGradSelective, SaliencyMethod::NormGradMultiLayer}) {
            for (const auto& [m, image, layer, classes] :
                 {std::tuple<const Model&, const TensorData&, std::string, std::int64_t>{
                      cnn, cnnImage, "bn2", 4},
                  {resnet, resImage, "layer3", 5}}) {
                // An untrained network's map for one class may be empty
                // (ReLU of a negative sum); some class's is not.
                const QString what =
                    QString::fromStdString(m.name()) + " " + saliencyMethodTitle(method);
                double total = 0.0;
                for (std::int64_t c = 0; c < classes; ++c) {
                    SaliencyOptions o = classTarget(optionsFor(method), c);
                    o.samples = 4;
                    const SaliencyMap map = computeSaliency(m, image, o);
                    QCOMPARE(map.height, std::int64_t(16));
                    QCOMPARE(map.values.size(), std::size_t(16 * 16));
                    for (float v : map.values) {
                        QVERIFY2(std::isfinite(v) && v >= 0.0f, qPrintable(what));
                        total += v;
                    }
                    if (method != SaliencyMethod::NormGradMultiLayer) {
                        QCOMPARE(map.layer, layer);
                        QVERIFY2(!map.coarseValues.empty(), qPrintable(what));
                    }
                }
                QVERIFY2(total > 0.0, qPrintable(what));
            }
        }
    }

    void layersThatCannotBeMappedAreExplained() {
        const QString notSpatial = [&] {
            try {
                computeSaliency(model_, imageData(x_), optionsFor(SaliencyMethod::GradCam, "fc"));
            } catch (const std::exception& e) {
                return QString(e.what());
            }
            return QString();
        }();
        QVERIFY2(
            notSpatial.contains("layer 'fc' gives [1, 3] for an image, not channels of 2-D maps"),
            qPrintable(notSpatial));
        const QString missing = [&] {
            try {
                computeSaliency(model_, imageData(x_),
                                optionsFor(SaliencyMethod::NormGrad, "layer4"));
            } catch (const std::exception& e) {
                return QString(e.what());
            }
            return QString();
        }();
        QVERIFY2(missing.contains("model 'camnet': no submodule 'layer4'; submodules are: conv, "
                                  "act, fc"),
                 qPrintable(missing));
    }
};

BASIN_TEST_MAIN(TestSaliencyCam)
#include "test_saliency_cam.moc"
