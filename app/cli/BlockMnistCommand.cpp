// `basin blockmnist`: the BlockMNIST test of saliency methods (Shah, Jain &
// Netrapalli 2021) — makes the dataset from the built-in digits, trains a
// model on it (the zoo CNN, or the user's TorchScript model), and prints per
// method the share of attribution mass on the null block, which holds no
// information about the label.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cstdio>

#include "cli/SaliencyMethodList.h"
#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "saliency/BlockMnistJob.h"

namespace basin::app {
namespace {

int positive(const QCommandLineParser& p, const char* name) {
    bool ok = false;
    const int v = p.value(QString::fromLatin1(name)).toInt(&ok);
    if (!ok || v < 1)
        throw std::runtime_error(std::string("--") + name + " must be a positive integer");
    return v;
}

void printJson(const BlockMnistResult& r) {
    QJsonArray methods;
    for (const BlockMnistResult::Method& m : r.methods) {
        methods.append(QJsonObject{
            {QStringLiteral("method"), QString::fromLatin1(saliencyMethodKey(m.method))},
            {QStringLiteral("layer"), QString::fromStdString(m.layer)},
            {QStringLiteral("null_block_mass"), m.nullMass}});
    }
    const QJsonObject o{{QStringLiteral("test_accuracy"), r.testAccuracy},
                        {QStringLiteral("images"), qint64(r.images)},
                        {QStringLiteral("methods"), methods}};
    std::printf("%s", QJsonDocument(o).toJson().constData());
}

// Reads the options; throws std::runtime_error with a usage sentence.
BlockMnistRecipe recipeOf(const QCommandLineParser& p) {
    if (!p.isSet(QStringLiteral("out")))
        throw std::runtime_error("--out FOLDER is required (dataset, checkpoints, trained model)");
    BlockMnistRecipe recipe;
    recipe.modelPath = p.value(QStringLiteral("model")).toStdString();
    recipe.folder = p.value(QStringLiteral("out")).toStdString();
    recipe.methods =
        parseSaliencyMethods(p.value(QStringLiteral("method")), QStringLiteral("--method"));
    recipe.epochs = positive(p, "epochs");
    recipe.testImages = positive(p, "images");
    recipe.data.digits.trainPerClass = positive(p, "train-per-class");
    // At least 10 test images per digit, so the accuracy means something.
    recipe.data.digits.testPerClass = std::max<std::int64_t>(10, (recipe.testImages + 9) / 10);
    recipe.data.seed = std::uint64_t(p.value(QStringLiteral("seed")).toULongLong());
    recipe.data.digits.seed = recipe.data.seed;
    recipe.saliency.seed = recipe.data.seed;
    return recipe;
}

int runBlockMnist(const QCommandLineParser& p) {
    BlockMnistRecipe recipe;
    try {
        recipe = recipeOf(p);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "basin blockmnist: %s\n", e.what());
        return 2;
    }
    BlockMnistJob job(recipe);
    const JobStatus status = runJobInTerminal(job);
    if (status.state != JobState::Succeeded) return 1;
    const BlockMnistResult& r = job.result();
    if (p.isSet(QStringLiteral("json"))) {
        printJson(r);
        return 0;
    }
    std::printf(
        "trained model: test accuracy %.1f%%; %lld test images explained for their "
        "class\n",
        100.0 * r.testAccuracy, static_cast<long long>(r.images));
    std::printf("%-28s %-10s %s\n", "method", "layer", "null-block mass (0.5 = no preference)");
    for (const BlockMnistResult::Method& m : r.methods) {
        // Padded by characters, not bytes ("Gradient × Input").
        const QString title = QString::fromUtf8(saliencyMethodTitle(m.method)).leftJustified(28);
        std::printf("%s %-10s %.3f\n", title.toUtf8().constData(),
                    m.layer.empty() ? "-" : m.layer.c_str(), m.nullMass);
    }
    return 0;
}

}  // namespace

Subcommand blockMnistSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("blockmnist");
    s.summary = QStringLiteral("BlockMNIST test: saliency mass on a block with no information");
    s.kind = Subcommand::Kind::Headless;
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "The BlockMNIST test of Shah, Jain & Netrapalli (2021): images of a digit block "
            "and a null block (the same patch for every class) stacked in random order, made "
            "from the built-in digits; a model is trained on them (Adam, checkpoints under "
            "--out, resumed when rerun) and each method's maps of test images, explained for "
            "their true class, are scored by the share of attribution mass on the null block. "
            "A trustworthy map puts little there. --model trains your TorchScript model "
            "(taking [N, 1, 56, 28], 10 classes) from its own initial weights instead of the "
            "zoo CNN; the dataset is written as blockmnist_train.npz/blockmnist_test.npz."));
        addOption(p, "out", "Folder for the dataset, checkpoints and trained model.", "FOLDER");
        addOption(p, "model", "TorchScript model to train (default: the zoo CNN).", "MODEL");
        addOption(p, "method", "Saliency methods, comma-separated.", "LIST",
                  "gradient,gradcam,ig,smoothgrad");
        addOption(p, "epochs", "Training epochs.", "N", "3");
        addOption(p, "train-per-class", "Training images per digit.", "N", "300");
        addOption(p, "images", "Test images explained.", "N", "50");
        addOption(p, "seed", "Seed of the data, the digit positions and the noise.", "N", "0");
        addOption(p, "json", "Print JSON instead of the table.");
    };
    s.run = &runBlockMnist;
    return s;
}

}  // namespace basin::app
