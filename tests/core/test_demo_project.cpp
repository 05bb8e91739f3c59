// The demo project: files and manifest, files that Basin's readers open and
// that fit the models, resuming after a cancel, and a rerun that rewrites
// nothing. Set BASIN_DEMO_TIMING=1 to also time the full-size demo.

#include <QTemporaryDir>
#include <chrono>
#include <filesystem>

#include "BasinTest.h"
#include "data/DatasetFiles.h"
#include "io/Checkpoint.h"
#include "model/Model.h"
#include "zoo/DemoProject.h"

using namespace basin;

namespace {

class TestContext : public JobContext {
public:
    explicit TestContext(int cancelAfter = -1) : cancelAfter_(cancelAfter) {}
    void report(double fraction, const std::string& message) override {
        lastFraction = fraction;
        lastMessage = message;
        ++reports;
    }
    bool cancelRequested() const override { return cancelAfter_ >= 0 && reports >= cancelAfter_; }
    int reports = 0;
    double lastFraction = 0.0;
    std::string lastMessage;

private:
    int cancelAfter_;
};

DemoOptions small() {
    DemoOptions o;
    o.mlpEpochs = 2;
    o.cnnEpochs = 1;
    o.spiralsPerClass = 100;
    o.digitsTrainPerClass = 20;
    o.digitsTestPerClass = 5;
    return o;
}

std::vector<std::string> allPaths(const DemoManifest& m) {
    std::vector<std::string> paths;
    for (const auto& f : m.datasets)
        paths.push_back(f.path);
    for (const auto& f : m.models)
        paths.push_back(f.path);
    for (const auto& r : m.runs)
        for (const auto& c : r.checkpoints)
            paths.push_back(c.path);
    return paths;
}

}  // namespace

class TestDemoProject : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAndResumes() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/demo";
        TestContext context;
        const DemoManifest m = writeDemoFiles(root, small(), context);
        QCOMPARE(context.lastFraction, 1.0);
        QCOMPARE(m.datasets.size(), std::size_t(4));
        QCOMPARE(m.models.size(), std::size_t(2));
        QCOMPARE(m.runs.size(), std::size_t(4));
        QCOMPARE(m.models[0].kind, std::string("mlp"));
        QCOMPARE(m.models[1].kind, std::string("cnn"));
        QCOMPARE(m.runs[0].name, std::string("mlp_spirals_seed0"));
        QCOMPARE(m.runs[3].name, std::string("cnn_digits_seed1"));
        QCOMPARE(m.runs[0].checkpoints.size(), std::size_t(3));  // epochs 0..2
        QCOMPARE(m.runs[3].checkpoints.size(), std::size_t(2));
        for (const auto& path : allPaths(m))
            QVERIFY2(std::filesystem::exists(path), path.c_str());

        // Every checkpoint applies strictly to its run's model; datasets load.
        for (const auto& run : m.runs) {
            Model model = Model::load(run.modelPath);
            for (const auto& c : run.checkpoints) {
                const ApplyReport report =
                    model.applyStateDict(loadCheckpoint(c.path).stateDict(), true);
                QVERIFY2(report.ok(), report.describe().c_str());
            }
            const Dataset test = loadDatasetFile(run.testDatasetPath);
            QCOMPARE(model.forward(test.inputs).shape,
                     (std::vector<std::int64_t>{test.size(), test.classCount()}));
        }
        // Different seeds, different trajectories.
        QVERIFY(loadCheckpoint(m.runs[0].checkpoints[1].path).stateDict()[0].tensor.toDoubles() !=
                loadCheckpoint(m.runs[1].checkpoints[1].path).stateDict()[0].tensor.toDoubles());

        // A rerun rewrites nothing.
        std::vector<std::filesystem::file_time_type> times;
        for (const auto& path : allPaths(m))
            times.push_back(std::filesystem::last_write_time(path));
        TestContext again;
        const DemoManifest m2 = writeDemoFiles(root, small(), again);
        QCOMPARE(allPaths(m2), allPaths(m));
        for (std::size_t i = 0; i < times.size(); ++i)
            QCOMPARE(std::filesystem::last_write_time(allPaths(m)[i]), times[i]);
        QCOMPARE(m2.runs[2].finalTestAccuracy, m.runs[2].finalTestAccuracy);
    }

    void cancelThenResume() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/demo";
        TestContext cancelling(40);
        QVERIFY_THROWS_EXCEPTION(JobCancelled, writeDemoFiles(root, small(), cancelling));
        QVERIFY(std::filesystem::exists(root + "/datasets/digits_test.npz"));
        QVERIFY(!std::filesystem::exists(root + "/runs/cnn_digits_seed1/epoch_001.pt"));
        TestContext rest;
        const DemoManifest m = writeDemoFiles(root, small(), rest);
        for (const auto& path : allPaths(m))
            QVERIFY2(std::filesystem::exists(path), path.c_str());
    }

    void fullDemoTiming() {
        if (qEnvironmentVariableIsEmpty("BASIN_DEMO_TIMING"))
            QSKIP("set BASIN_DEMO_TIMING=1 to time the full demo");
        QTemporaryDir dir;
        TestContext context;
        const auto start = std::chrono::steady_clock::now();
        const DemoManifest m = writeDemoFiles(dir.path().toStdString(), context);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::uintmax_t bytes = 0;
        for (const auto& path : allPaths(m))
            bytes += std::filesystem::file_size(path);
        qInfo("full demo: %.1f s, %zu files, %.1f MB", seconds, allPaths(m).size(), bytes / 1e6);
        for (const auto& run : m.runs)
            qInfo("%s: final test accuracy %.3f", run.name.c_str(), run.finalTestAccuracy);
        const auto t1 = std::chrono::steady_clock::now();
        writeDemoFiles(dir.path().toStdString(), context);
        qInfo("rerun of a complete demo: %.2f s",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
    }
};

BASIN_TEST_MAIN(TestDemoProject)
#include "test_demo_project.moc"
