#include "saliency/BlockMnistJob.h"

#include <filesystem>
#include <stdexcept>

#include "data/DatasetFiles.h"
#include "jobs/SubtaskContext.h"
#include "saliency/Saliency.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

namespace basin {
namespace {

// Training is most of the work; the maps the rest.
constexpr double kTrainingShare = 0.7;

Model modelFor(const BlockMnistRecipe& r) {
    if (r.modelPath.empty()) {
        SmallCnnOptions o;
        o.height = 2 * BlockMnist::kBlock;
        o.width = BlockMnist::kBlock;
        o.baseWidth = 8;
        return makeSmallCnn(o);
    }
    return Model::load(r.modelPath);
}

// Fails early, naming the model, when it does not take BlockMNIST images.
void checkModel(const Model& model, const Dataset& test) {
    TensorData one = sampleOf(test.inputs, 0, "BlockMNIST");
    one.shape.insert(one.shape.begin(), 1);
    const TensorData logits = model.forward(one);
    if (logits.shape.size() != 2 || logits.shape[1] != 10)
        throw std::runtime_error("model '" + model.name() + "' gives " + logits.shapeString() +
                                 " for a BlockMNIST image [1, 1, 56, 28]; it needs 10 logits");
}

}  // namespace

BlockMnistJob::BlockMnistJob(BlockMnistRecipe recipe) : recipe_(std::move(recipe)) {}

std::string BlockMnistJob::title() const {
    return "BlockMNIST test";
}

void BlockMnistJob::run(JobContext& context) {
    if (recipe_.methods.empty()) throw std::runtime_error("BlockMNIST test: no saliency method");
    context.report(0.0, "making BlockMNIST");
    const BlockMnist blocks = makeBlockMnist(recipe_.data);
    std::filesystem::create_directories(recipe_.folder);
    const std::filesystem::path folder(recipe_.folder);
    writeDatasetNpz((folder / "blockmnist_train.npz").string(), blocks.split.train);
    writeDatasetNpz((folder / "blockmnist_test.npz").string(), blocks.split.test);

    Model model = modelFor(recipe_);
    checkModel(model, blocks.split.test);
    TrainingOptions t;
    t.optimizer = TrainingOptions::Optimizer::Adam;
    t.learningRate = recipe_.learningRate;
    t.epochs = recipe_.epochs;
    t.batchSize = 32;
    TrainingJob training(model, blocks.split, (folder / "checkpoints").string(), t);
    SubtaskContext trainingContext(context, 0.0, kTrainingShare, "training: ");
    training.run(trainingContext);
    model.save((folder / "blockmnist_model.pt").string());

    result_ = {};
    result_.testAccuracy = training.records().back().testAccuracy;
    const Dataset& test = blocks.split.test;
    result_.images = std::min(recipe_.testImages, test.size());
    const std::vector<double> labels = test.targets.toDoubles();
    const std::vector<std::uint8_t> onTop(blocks.testDigitOnTop.begin(),
                                          blocks.testDigitOnTop.begin() + result_.images);
    const double perMap =
        (1.0 - kTrainingShare) / double(recipe_.methods.size() * std::size_t(result_.images));
    double done = kTrainingShare;
    for (SaliencyMethod method : recipe_.methods) {
        SaliencyOptions options = recipe_.saliency;
        options.method = method;
        options.target.kind = SaliencyTarget::Kind::Class;
        std::vector<SaliencyMap> maps;
        for (std::int64_t i = 0; i < result_.images; ++i) {
            context.throwIfCancelled();
            context.report(done, std::string("maps: ") + saliencyMethodTitle(method));
            options.target.classIndex = std::int64_t(labels[std::size_t(i)]);
            maps.push_back(computeSaliency(model, sampleOf(test.inputs, i, "BlockMNIST"), options));
            done += perMap;
        }
        result_.methods.push_back({method, maps.front().layer, meanNullBlockMass(maps, onTop)});
    }
    context.report(1.0, "done");
}

}  // namespace basin
