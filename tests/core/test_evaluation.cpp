// Evaluation: loss and accuracy against a brute-force per-sample loop,
// regression (MSE), errors as sentences, progress and cancellation within a
// second, the EvaluationJob wrapper, and BatchNorm re-estimation against the
// per-channel statistics of the BN input computed directly (PyTorch-scripted
// CNN with nn.BatchNorm2d).

#include <torch/script.h>

#include <QTemporaryDir>
#include <atomic>
#include <chrono>
#include <cmath>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "eval/Evaluation.h"
#include "jobs/JobHandle.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

using namespace basin;
using namespace basin::test;
using Clock = std::chrono::steady_clock;

namespace {

const char* kCnnScriptHead = R"PY(
import torch
torch.manual_seed(0)
)PY";
const char* kCnnScriptTail = R"PY(
torch.jit.save(torch.jit.script(SmallCNN().eval()), 'cnn.pt')
)PY";
// The script: its imports, the shared SmallCNN, the rest.
QString cnnScript() {
    return QString(kCnnScriptHead) + kSmallCnnPython + kCnnScriptTail;
}

// d → hidden → outputs MLP with ReLU, Python-free.
Model mlp(std::int64_t d, std::int64_t hidden, std::int64_t outputs) {
    torch::jit::Module m("Mlp");
    m.register_parameter("w1", torch::randn({hidden, d}) / std::sqrt(double(d)), false);
    m.register_parameter("b1", torch::randn({hidden}) * 0.1, false);
    m.register_parameter("w2", torch::randn({outputs, hidden}) / std::sqrt(double(hidden)), false);
    m.register_parameter("b2", torch::randn({outputs}) * 0.1, false);
    m.define(R"(
def forward(self, x):
    h = torch.relu(torch.addmm(self.b1, x, self.w1.t()))
    return torch.addmm(self.b2, h, self.w2.t())
)");
    auto impl = std::make_shared<Model::Impl>();
    impl->module = m;
    impl->name = "mlp";
    return Model(impl);
}

Dataset makeDataset(const torch::Tensor& x, const torch::Tensor& y) {
    Dataset d;
    d.name = "synthetic";
    d.inputs = basin::detail::fromTorch(x, "x");
    d.targets = basin::detail::fromTorch(y, "y");
    return d;
}

class TestContext : public JobContext {
public:
    void report(double fraction, const std::string&) override {
        if (fraction < last) monotonic = false;
        last = fraction;
        ++reports;
    }
    bool cancelRequested() const override {
        return cancelAt != Clock::time_point{} && Clock::now() >= cancelAt;
    }
    Clock::time_point cancelAt{};
    double last = 0.0;
    bool monotonic = true;
    int reports = 0;
};

}  // namespace

class TestEvaluation : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    bool fixtures_ = false;

private Q_SLOTS:
    void initTestCase() {
        torch::manual_seed(5);
        QVERIFY(dir_.isValid());
        if (!pythonTorchAvailable()) return;
        const QString error = runPython(dir_.path(), cnnScript());
        QVERIFY2(error.isEmpty(), qPrintable(error));
        fixtures_ = true;
    }

    void crossEntropyMatchesBruteForce() {
        Model model = mlp(6, 16, 4);
        const torch::Tensor x = torch::randn({257, 6});
        const torch::Tensor y = torch::randint(0, 4, {257}, torch::kInt64);
        const Dataset data = makeDataset(x, y);
        EvalOptions options;
        options.batchSize = 64;  // an uneven last batch
        TestContext context;
        const EvalResult r = evaluate(model, data, options, &context);
        QCOMPARE(r.samples, std::int64_t(257));
        QVERIFY(context.monotonic);
        QCOMPARE(context.last, 1.0);

        // One sample at a time, log-softmax in double.
        double loss = 0.0;
        std::int64_t correct = 0;
        for (std::int64_t i = 0; i < 257; ++i) {
            const std::vector<double> z =
                model.forward(basin::detail::fromTorch(x.narrow(0, i, 1), "xi")).toDoubles();
            double zmax = z[0];
            std::size_t best = 0;
            for (std::size_t c = 1; c < z.size(); ++c)
                if (z[c] > zmax) zmax = z[c], best = c;
            double sum = 0.0;
            for (double v : z)
                sum += std::exp(v - zmax);
            const auto label = std::size_t(y[i].item<std::int64_t>());
            loss += -(z[label] - zmax - std::log(sum));
            correct += best == label;
        }
        loss /= 257.0;
        QVERIFY2(std::abs(r.loss - loss) <= 1e-6, qPrintable(QString::number(r.loss - loss)));
        QCOMPARE(r.accuracy, double(correct) / 257.0);
    }

    void mseMatchesBruteForce() {
        Model model = mlp(3, 8, 2);
        const torch::Tensor x = torch::randn({100, 3});
        const torch::Tensor t = torch::randn({100, 2});
        const EvalResult r = evaluate(model, makeDataset(x, t), {LossKind::Auto, 32, 1});
        const std::vector<double> z = model.forward(basin::detail::fromTorch(x, "x")).toDoubles();
        const std::vector<double> target = basin::detail::fromTorch(t, "t").toDoubles();
        double sum = 0.0;
        for (std::size_t i = 0; i < z.size(); ++i)
            sum += (z[i] - target[i]) * (z[i] - target[i]);
        QVERIFY(std::abs(r.loss - sum / 200.0) <= 1e-6);
        QVERIFY(std::isnan(r.accuracy));
    }

    void badDatasetsGiveSentences() {
        Model model = mlp(6, 8, 3);
        try {
            evaluate(model, makeDataset(torch::randn({10, 5}), torch::zeros({10}, torch::kInt64)));
            QFAIL("ran on the wrong input shape");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("[10, 5]") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("mlp") != std::string::npos, e.what());
        }
        try {
            evaluate(model,
                     makeDataset(torch::randn({10, 6}), torch::full({10}, 3, torch::kInt64)));
            QFAIL("accepted label 3 for 3 classes");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("label 3") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(
            std::runtime_error,
            evaluate(model, makeDataset(torch::randn({10, 6}), torch::zeros({9}, torch::kInt64))));
    }

    void cancellationStopsWithinASecond() {
        // Cancel is requested as the first batch reports, whatever the speed
        // of the machine (with OpenBLAS this model takes well under a second);
        // evaluation must stop at the next batch boundary, long before the end.
        Model model = mlp(784, 1024, 10);
        const Dataset data =
            makeDataset(torch::randn({12000, 784}), torch::randint(0, 10, {12000}, torch::kInt64));
        struct CancelAfterFirstReport : TestContext {
            void report(double fraction, const std::string& message) override {
                TestContext::report(fraction, message);
                if (cancelAt == Clock::time_point{}) cancelAt = Clock::now();
            }
        } context;
        bool cancelled = false;
        try {
            evaluate(model, data, {}, &context);
        } catch (const JobCancelled&) {
            cancelled = true;
        }
        const double late = std::chrono::duration<double>(Clock::now() - context.cancelAt).count();
        QVERIFY(cancelled);
        QVERIFY(context.last < 1.0);
        QVERIFY2(late < 1.0, qPrintable(QString::number(late)));
    }

    void evaluationJobRuns() {
        const Dataset data =
            makeDataset(torch::randn({50, 6}), torch::randint(0, 4, {50}, torch::kInt64));
        Model model = mlp(6, 8, 4);
        EvaluationJob job(model, data);
        JobHandle handle(job.title());
        const JobStatus status = runJob(job, handle);
        QCOMPARE(status.state, JobState::Succeeded);
        QCOMPARE(job.result().samples, std::int64_t(50));
        QCOMPARE(job.result().loss, evaluate(model, data).loss);
    }

    void batchNormStatisticsMatchDirectComputation() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        Model model = Model::load(dir_.filePath("cnn.pt").toStdString());
        const torch::Tensor x = torch::randn({96, 3, 16, 16}) * 1.5 + 0.7;
        const Dataset data = makeDataset(x, torch::zeros({96}, torch::kInt64));
        torch::jit::Module conv = model.impl().module.attr("conv").toModule();
        torch::jit::Module bn = model.impl().module.attr("bn").toModule();
        torch::NoGradGuard noGrad;
        const torch::Tensor h = conv.forward({x}).toTensor().to(torch::kFloat64);  // BN input

        // Three batches of 32: the average of per-batch mean and unbiased var.
        QCOMPARE(reestimateBatchNorm(model, data, 32), 1);
        QVERIFY(!model.impl().module.is_training());
        torch::Tensor mean = torch::zeros({8}, torch::kFloat64), var = mean.clone();
        for (int b = 0; b < 3; ++b) {
            const torch::Tensor hb = h.narrow(0, 32 * b, 32);
            mean += hb.mean({0, 2, 3}) / 3.0;
            var += hb.var({0, 2, 3}, /*unbiased=*/true) / 3.0;
        }
        const auto close = [](const torch::Tensor& a, const torch::Tensor& b) {
            return (a.to(torch::kFloat64) - b).abs().max().item<double>() <=
                   1e-5 * (1.0 + b.abs().max().item<double>());
        };
        QVERIFY(close(bn.attr("running_mean").toTensor(), mean));
        QVERIFY(close(bn.attr("running_var").toTensor(), var));
        QCOMPARE(bn.attr("num_batches_tracked").toTensor().item<std::int64_t>(), std::int64_t(3));

        // One batch: the exact dataset statistics.
        reestimateBatchNorm(model, data, 1000);
        QVERIFY(close(bn.attr("running_mean").toTensor(), h.mean({0, 2, 3})));
        QVERIFY(close(bn.attr("running_var").toTensor(), h.var({0, 2, 3}, true)));
    }

    void cancelledReestimationLeavesStatistics() {
        if (!fixtures_) QSKIP("no /usr/bin/python3 with torch");
        Model model = Model::load(dir_.filePath("cnn.pt").toStdString());
        torch::jit::Module bn = model.impl().module.attr("bn").toModule();
        const torch::Tensor before = bn.attr("running_mean").toTensor().clone();
        TestContext context;
        context.cancelAt = Clock::now();
        const Dataset data =
            makeDataset(torch::randn({8, 3, 16, 16}), torch::zeros({8}, torch::kInt64));
        QVERIFY_THROWS_EXCEPTION(JobCancelled, reestimateBatchNorm(model, data, 4, &context));
        QVERIFY(bn.attr("running_mean").toTensor().equal(before));
    }
};

BASIN_TEST_MAIN(TestEvaluation)
#include "test_evaluation.moc"
