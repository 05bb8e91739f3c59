// FirstLayerFactoring: at points of the plane, loss and accuracy equal plain
// evaluate() at θ(a, b) for an MLP (moving and fixed biases), a BatchNorm CNN
// (directions moving the running statistics too) and a ResNet; models whose
// first layer is not a function of the input alone are refused with a reason;
// the memory budget is respected; LandscapeJob gives the same surface with and
// without factoring and says which path it took.

#include <torch/script.h>

#include <QTemporaryDir>

#include <cmath>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "ScriptedModel.h"
#include "landscape/Directions.h"
#include "landscape/FirstLayerFactoring.h"
#include "landscape/LandscapeJob.h"
#include "model/WeightVector.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

Dataset randomData(std::vector<std::int64_t> inputShape, std::int64_t classes, std::uint64_t seed) {
    torch::manual_seed(seed);
    Dataset d;
    d.name = "random";
    d.inputs = basin::detail::fromTorch(torch::randn(inputShape), "x");
    d.targets =
        basin::detail::fromTorch(torch::randint(0, classes, {inputShape[0]}, torch::kInt64), "y");
    return d;
}

// Factored and plain evaluation agree at several points of the plane.
void compareOnPlane(Model& model, const Directions& d, const Dataset& data) {
    const WeightVector theta0 = WeightVector::fromModel(model, d.includeBuffers);
    std::string whyNot;
    const auto factored = FirstLayerFactoring::prepare(model, d, data, {}, &whyNot);
    QVERIFY2(factored, whyNot.c_str());
    for (const auto& [a, b] : std::vector<std::pair<double, double>>{
             {0.0, 0.0}, {0.5, -0.25}, {-1.0, 1.0}, {0.1, 0.7}}) {
        WeightVector theta = theta0;
        theta.axpy(a, d.x.vector);
        if (d.y) theta.axpy(b, d.y->vector);
        theta.applyTo(model);
        const EvalResult plain = evaluate(model, data, {LossKind::CrossEntropy, 128, 1});
        const EvalResult fast = factored->evaluate(model, a, b, {LossKind::CrossEntropy, 128, 1});
        QCOMPARE(fast.samples, plain.samples);
        QVERIFY2(std::abs(fast.loss - plain.loss) <= 1e-5 * std::max(1.0, std::abs(plain.loss)),
                 qPrintable(QString("(%1, %2): factored %3, plain %4")
                                .arg(a)
                                .arg(b)
                                .arg(fast.loss, 0, 'g', 10)
                                .arg(plain.loss, 0, 'g', 10)));
        // A sample whose top two logits tie within rounding may flip.
        QVERIFY(std::abs(fast.accuracy - plain.accuracy) <= 1.0 / double(plain.samples) + 1e-12);
    }
    theta0.applyTo(model);
}

FirstLayerOptions budget(std::int64_t bytes) {
    FirstLayerOptions o;
    o.budgetBytes = bytes;
    return o;
}

class QuietContext : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

}  // namespace

class TestFirstLayerFactoring : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mlpMatchesPlainEvaluation() {
        MlpOptions o;
        o.inputs = 20;
        o.hidden = {32, 16};
        o.classes = 5;
        o.seed = 2;
        Model model = makeMlp(o);
        const Dataset data = randomData({300, 20}, 5, 1);
        const WeightVector theta = WeightVector::fromModel(model);
        compareOnPlane(model, randomDirections(theta, {}), data);  // bias fixed
        RandomDirectionOptions keep;
        keep.keepOneDimensional = true;  // the first bias moves too
        keep.seed = 4;
        compareOnPlane(model, randomDirections(theta, keep), data);
        RandomDirectionOptions line;
        line.twoDimensional = false;
        compareOnPlane(model, randomDirections(theta, line), data);
    }

    void batchNormCnnMatchesPlainEvaluation() {
        SmallCnnOptions o;
        o.channels = 3;
        o.height = 16;
        o.width = 16;
        o.classes = 4;
        o.baseWidth = 8;
        o.seed = 1;
        Model model = makeSmallCnn(o);
        const Dataset data = randomData({200, 3, 16, 16}, 4, 2);
        // Running statistics away from their initial 0/1.
        reestimateBatchNorm(model, data);
        compareOnPlane(model, randomDirections(WeightVector::fromModel(model), {}), data);
        RandomDirectionOptions keep;
        keep.keepOneDimensional = true;
        compareOnPlane(model, randomDirections(WeightVector::fromModel(model, true), keep), data);
    }

    void resnetMatchesPlainEvaluation() {
        SmallResNetOptions o;
        o.baseWidth = 4;
        o.classes = 3;
        Model model = makeSmallResNet(o);
        const Dataset data = randomData({64, 3, 8, 8}, 3, 3);
        compareOnPlane(model, randomDirections(WeightVector::fromModel(model), {}), data);
    }

    void modulesScriptedByPyTorch() {
        // nn.Conv2d and nn.Linear as torch.jit.script compiles them (padding
        // mode branch, bias None for bias=False).
        if (!test::pythonTorchAvailable()) QSKIP("needs /usr/bin/python3 with torch");
        QTemporaryDir dir;
        const QString err =
            test::runPython(dir.path(), QString("import torch\n") + test::kSmallCnnPython + R"(
torch.manual_seed(0)
torch.jit.script(SmallCNN().eval()).save('cnn.pt')
noBias = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=False), torch.nn.ReLU(),
                             torch.nn.Flatten(), torch.nn.Linear(4 * 14 * 14, 5))
torch.jit.script(noBias.eval()).save('nobias.pt')
mlp = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48, 16), torch.nn.ReLU(),
                          torch.nn.Linear(16, 5))
torch.jit.script(mlp.eval()).save('mlp.pt')
)");
        if (!err.isEmpty()) QFAIL(qPrintable(err));
        const Dataset images = randomData({40, 3, 16, 16}, 5, 11);
        for (const char* file : {"cnn.pt", "nobias.pt"}) {
            Model model = Model::load((dir.path() + "/" + file).toStdString());
            compareOnPlane(model, randomDirections(WeightVector::fromModel(model), {}), images);
        }
        Model mlp = Model::load((dir.path() + "/mlp.pt").toStdString());
        RandomDirectionOptions keep;
        keep.keepOneDimensional = true;
        compareOnPlane(mlp, randomDirections(WeightVector::fromModel(mlp), keep),
                       randomData({40, 3, 4, 4}, 5, 12));
    }

    void inputDependingOnMovingTensorIsRefused() {
        torch::manual_seed(0);
        Model model = test::scriptedModel("Shifted", R"(
def forward(self, x):
    return torch.linear(x + self.shift, self.w, self.b)
)",
                                          {{"shift", torch::randn({1, 6})},
                                           {"w", torch::randn({3, 6})},
                                           {"b", torch::zeros({3})}});
        const Dataset data = randomData({10, 6}, 3, 4);
        std::string whyNot;
        QVERIFY(!FirstLayerFactoring::prepare(
            model, randomDirections(WeightVector::fromModel(model), {}), data, {}, &whyNot));
        QVERIFY2(QString::fromStdString(whyNot).contains("'shift'"), whyNot.c_str());
        QVERIFY2(QString::fromStdString(whyNot).contains("linear 'w'"), whyNot.c_str());
    }

    void fixedInputTransformIsAllowed() {
        // A normalisation by a tensor the directions do not move (1-D: zeroed).
        torch::manual_seed(1);
        Model model = test::scriptedModel("Normalised", R"(
def forward(self, x):
    h = torch.relu(torch.linear((x - self.mean).flatten(1), self.w1, self.b1))
    return torch.linear(h, self.w2, self.b2)
)",
                                          {{"mean", torch::randn({6})},
                                           {"w1", torch::randn({8, 6})},
                                           {"b1", torch::zeros({8})},
                                           {"w2", torch::randn({3, 8})},
                                           {"b2", torch::zeros({3})}});
        const Dataset data = randomData({50, 6}, 3, 5);
        compareOnPlane(model, randomDirections(WeightVector::fromModel(model), {}), data);
    }

    void budgetIsRespected() {
        MlpOptions o;
        o.inputs = 20;
        o.hidden = {64};
        o.classes = 2;
        Model model = makeMlp(o);
        const Dataset data = randomData({1000, 20}, 2, 6);
        std::string whyNot;
        // 3 × 1000 × 64 floats = 750 KiB.
        QVERIFY(!FirstLayerFactoring::prepare(model,
                                              randomDirections(WeightVector::fromModel(model), {}),
                                              data, budget(700 << 10), &whyNot));
        QVERIFY2(QString::fromStdString(whyNot).contains("budget"), whyNot.c_str());
        const auto fits = FirstLayerFactoring::prepare(
            model, randomDirections(WeightVector::fromModel(model), {}), data, budget(800 << 10),
            &whyNot);
        QVERIFY(fits);
        QCOMPARE(fits->cacheBytes(), std::int64_t(3 * 1000 * 64 * 4));
    }

    void landscapeJobGivesTheSameSurface() {
        MlpOptions o;
        o.inputs = 10;
        o.hidden = {24};
        o.classes = 3;
        o.seed = 7;
        const Dataset train = randomData({120, 10}, 3, 8);
        const Dataset test = randomData({60, 10}, 3, 9);
        QTemporaryDir dir;
        std::vector<Surface> surfaces;
        for (bool factor : {true, false}) {
            Model model = makeMlp(o);
            const Directions d = randomDirections(WeightVector::fromModel(model), {});
            Surface s({-1.0, 0.0, 1.0}, {-0.5, 0.5});
            LandscapeOptions options;
            options.speed.factorFirstLayer = factor;
            options.speed.minimumFanIn = 0;  // a small layer, factored anyway
            const std::string path =
                (dir.path() + (factor ? "/factored.h5" : "/plain.h5")).toStdString();
            LandscapeJob job(model, d, s, path, train, test, options);
            QuietContext context;
            job.run(context);
            QCOMPARE(QString::fromStdString(job.evaluationPath()).startsWith("first layer linear"),
                     factor);
            surfaces.push_back(job.surface());
        }
        for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss})
            for (std::size_t k = 0; k < surfaces[0].metric(m).size(); ++k)
                QVERIFY(std::abs(surfaces[0].metric(m)[k] - surfaces[1].metric(m)[k]) <=
                        1e-5 * std::max(1.0, std::abs(surfaces[1].metric(m)[k])));
    }

    void smallFanInIsRefused() {
        MlpOptions o;
        o.inputs = 10;
        Model model = makeMlp(o);
        FirstLayerOptions options;
        options.minimumFanIn = 64;
        std::string whyNot;
        QVERIFY(!FirstLayerFactoring::prepare(model,
                                              randomDirections(WeightVector::fromModel(model), {}),
                                              randomData({10, 10}, 2, 13), options, &whyNot));
        QVERIFY2(QString::fromStdString(whyNot).contains("fan-in"), whyNot.c_str());
    }

    void convolutionalLandscapeIsFrozenOrSaysWhy() {
        // A CNN's first convolution (fan-in 27) is not factored; the job tries
        // a frozen inference copy at the first point and keeps it only when
        // it agrees and is faster; either way the surface equals the plain one.
        SmallCnnOptions o;
        o.channels = 3;
        o.height = 16;
        o.width = 16;
        o.classes = 4;
        o.baseWidth = 8;
        const Dataset train = randomData({96, 3, 16, 16}, 4, 14);
        QTemporaryDir dir;
        std::vector<Surface> surfaces;
        for (bool fast : {true, false}) {
            Model model = makeSmallCnn(o);
            reestimateBatchNorm(model, train);
            const Directions d = randomDirections(WeightVector::fromModel(model), {});
            LandscapeOptions options;
            options.speed.factorFirstLayer = fast;
            options.speed.freezeForInference = fast;
            LandscapeJob job(model, d, Surface({-0.5, 0.0, 0.5}, {-0.5, 0.5}),
                             (dir.path() + (fast ? "/fast.h5" : "/plain.h5")).toStdString(), train,
                             {}, options);
            QuietContext context;
            job.run(context);
            const QString path = QString::fromStdString(job.evaluationPath());
            if (fast) {
                QVERIFY2(path.contains("fan-in of conv2d 'conv1.weight' (27)"), qPrintable(path));
                QVERIFY2(path.contains("frozen for inference"), qPrintable(path));
            }
            surfaces.push_back(job.surface());
        }
        const auto& a = surfaces[0].metric(SurfaceMetric::TrainLoss);
        const auto& b = surfaces[1].metric(SurfaceMetric::TrainLoss);
        for (std::size_t k = 0; k < a.size(); ++k)
            QVERIFY(std::abs(a[k] - b[k]) <= 1e-5 * std::max(1.0, std::abs(b[k])));
    }

    void wrongInputShapeNamesModelAndData() {
        MlpOptions o;
        o.inputs = 20;
        Model model = makeMlp(o);
        const Dataset data = randomData({10, 7}, 2, 10);
        std::string whyNot;
        try {
            FirstLayerFactoring::prepare(
                model, randomDirections(WeightVector::fromModel(model), {}), data, {}, &whyNot);
            QFAIL("ran on inputs of the wrong shape");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("dataset 'random'") &&
                         QString(e.what()).contains("[10, 7]"),
                     e.what());
        }
    }
};

BASIN_TEST_MAIN(TestFirstLayerFactoring)
#include "test_first_layer_factoring.moc"
