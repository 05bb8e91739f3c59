#include "zoo/DemoProject.h"

#include <filesystem>
#include <stdexcept>

#include "data/DatasetFiles.h"
#include "data/GeneratedDatasets.h"
#include "jobs/SubtaskContext.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

namespace basin {
namespace {

namespace fs = std::filesystem;

struct Plan {
    std::string name;  // "mlp_spirals"
    std::string architecture;
    std::string dataset;  // "spirals"
    int epochs;
    Model (*makeModel)(int seed);
    TrainingOptions training;
    double cost;  // relative, for progress
};

Model spiralMlp(int seed) {
    MlpOptions o;
    o.inputs = 2;
    o.hidden = {64, 64};
    o.classes = 2;
    o.seed = std::uint64_t(seed);
    return makeMlp(o);
}

Model digitCnn(int seed) {
    SmallCnnOptions o;
    o.baseWidth = 8;
    o.seed = std::uint64_t(seed);
    return makeSmallCnn(o);
}

// Writes `dataset` unless the file exists; returns its manifest entry.
DemoFile datasetFile(const std::string& path, const Dataset& dataset, const std::string& kind) {
    if (!fs::exists(path)) writeDatasetNpz(path, dataset);
    return {path, dataset.name, kind};
}

}  // namespace

DemoManifest writeDemoFiles(const std::string& dir, JobContext& context) {
    return writeDemoFiles(dir, DemoOptions{}, context);
}

DemoManifest writeDemoFiles(const std::string& dirIn, const DemoOptions& o, JobContext& context) {
    const std::string dir = fs::absolute(dirIn).lexically_normal().string();
    std::error_code error;
    for (const char* sub : {"datasets", "models", "runs"}) {
        fs::create_directories(fs::path(dir) / sub, error);
        if (error)
            throw std::runtime_error("cannot create demo folder '" +
                                     (fs::path(dir) / sub).string() + "': " + error.message());
    }
    auto at = [&](const std::string& relative) { return (fs::path(dir) / relative).string(); };
    DemoManifest manifest;
    manifest.dir = dir;

    // Datasets: generated in well under a second, so regenerated on every run
    // (they are needed in memory for training) and written only when missing.
    context.report(0.0, "generating datasets");
    TwoSpiralsOptions spiralOptions;
    spiralOptions.trainPerClass = o.spiralsPerClass;
    spiralOptions.testPerClass = o.spiralsPerClass;
    spiralOptions.noise = 0.03;
    spiralOptions.turns = 1.25;
    const DatasetSplit spirals = makeTwoSpirals(spiralOptions);
    SyntheticDigitsOptions digitOptions;
    digitOptions.trainPerClass = o.digitsTrainPerClass;
    digitOptions.testPerClass = o.digitsTestPerClass;
    const DatasetSplit digits = makeSyntheticDigits(digitOptions).split;
    manifest.datasets = {
        datasetFile(at("datasets/spirals_train.npz"), spirals.train, "train"),
        datasetFile(at("datasets/spirals_test.npz"), spirals.test, "test"),
        datasetFile(at("datasets/digits_train.npz"), digits.train, "train"),
        datasetFile(at("datasets/digits_test.npz"), digits.test, "test"),
    };
    context.throwIfCancelled();

    TrainingOptions mlpTraining;
    mlpTraining.optimizer = TrainingOptions::Optimizer::Adam;
    mlpTraining.learningRate = 0.01;
    mlpTraining.batchSize = 32;
    mlpTraining.epochs = o.mlpEpochs;
    TrainingOptions cnnTraining;
    cnnTraining.optimizer = TrainingOptions::Optimizer::Sgd;
    cnnTraining.learningRate = 0.05;
    cnnTraining.momentum = 0.9;
    cnnTraining.weightDecay = 5e-4;
    cnnTraining.batchSize = 64;
    cnnTraining.epochs = o.cnnEpochs;
    // Relative costs (per epoch, measured): the CNN dominates.
    const std::vector<Plan> plans{
        {"mlp_spirals", "mlp", "spirals", o.mlpEpochs, spiralMlp, mlpTraining, 0.05 * o.mlpEpochs},
        {"cnn_digits", "cnn", "digits", o.cnnEpochs, digitCnn, cnnTraining, 1.0 * o.cnnEpochs},
    };
    double total = 0.0;
    for (const Plan& plan : plans)
        total += plan.cost * double(o.seeds.size());

    double done = 0.0;
    const double datasetsShare = 0.02;
    for (const Plan& plan : plans) {
        const DatasetSplit& data = plan.dataset == "spirals" ? spirals : digits;
        const std::string modelPath = at("models/" + plan.name + ".pt");
        Model architecture = plan.makeModel(o.seeds.empty() ? 0 : o.seeds.front());
        if (!fs::exists(modelPath)) architecture.save(modelPath);
        manifest.models.push_back({modelPath, architecture.name(), plan.architecture});
        const std::string trainPath = at("datasets/" + plan.dataset + "_train.npz");
        const std::string testPath = at("datasets/" + plan.dataset + "_test.npz");

        for (int seed : o.seeds) {
            DemoRun run;
            run.name = plan.name + "_seed" + std::to_string(seed);
            run.modelPath = modelPath;
            run.trainDatasetPath = trainPath;
            run.testDatasetPath = testPath;
            run.seed = seed;
            TrainingOptions training = plan.training;
            training.seed = std::uint64_t(seed);
            const double begin = datasetsShare + (1 - datasetsShare) * done / total;
            done += plan.cost;
            const double end = datasetsShare + (1 - datasetsShare) * done / total;
            SubtaskContext sub(context, begin, end, run.name + ": ");
            TrainingJob job(plan.makeModel(seed), data, at("runs/" + run.name), training);
            job.run(sub);
            for (const EpochRecord& r : job.records())
                run.checkpoints.push_back(
                    {r.checkpointPath, "epoch " + std::to_string(r.epoch), "checkpoint"});
            if (!job.records().empty()) run.finalTestAccuracy = job.records().back().testAccuracy;
            manifest.runs.push_back(std::move(run));
        }
    }
    context.report(1.0, "demo written to " + dir);
    return manifest;
}

}  // namespace basin
