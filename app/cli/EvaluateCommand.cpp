// `basin evaluate`: a model's loss and accuracy on a dataset, at one or more
// checkpoints.

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <cstdio>

#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "data/DatasetFiles.h"
#include "eval/CheckpointEvaluation.h"

namespace basin::app {
namespace {

DatasetFileOptions datasetOptions(const QCommandLineParser& p) {
    DatasetFileOptions o;
    o.inputsKey = p.value(QStringLiteral("inputs")).toStdString();
    o.targetsKey = p.value(QStringLiteral("targets")).toStdString();
    return o;
}

double jsonNumber(double v) {
    return std::isfinite(v) ? v : 0.0;
}

int runEvaluate(const QCommandLineParser& p) {
    if (!p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("data"))) {
        std::fprintf(stderr, "basin evaluate: --model and --data are required (see --help)\n");
        return 2;
    }
    Model model = Model::load(p.value(QStringLiteral("model")).toStdString());
    const Dataset data =
        loadDatasetFile(p.value(QStringLiteral("data")).toStdString(), datasetOptions(p));
    Dataset bnData;
    CheckpointEvaluationOptions options;
    options.weightRoot = p.value(QStringLiteral("root")).toStdString();
    options.eval.batchSize = p.value(QStringLiteral("batch")).toLongLong();
    if (options.eval.batchSize <= 0) {
        std::fprintf(stderr, "basin evaluate: --batch must be a positive number\n");
        return 2;
    }
    if (p.isSet(QStringLiteral("bn-data"))) {
        bnData =
            loadDatasetFile(p.value(QStringLiteral("bn-data")).toStdString(), datasetOptions(p));
        options.batchNormData = &bnData;
    }
    std::vector<std::string> checkpoints;
    for (const QString& c : p.positionalArguments())
        checkpoints.push_back(c.toStdString());
    CheckpointEvaluationJob job(model, checkpoints, data, options);
    const JobStatus status = runJobInTerminal(job);
    if (status.state != JobState::Succeeded) return 1;

    int failures = 0;
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray rows;
        for (const auto& r : job.results()) {
            QJsonObject row{{"checkpoint", QString::fromStdString(r.checkpoint)}};
            if (r.error.empty()) {
                row["loss"] = jsonNumber(r.result.loss);
                if (std::isfinite(r.result.accuracy)) row["accuracy"] = r.result.accuracy;
                row["samples"] = double(r.result.samples);
            } else {
                row["error"] = QString::fromStdString(r.error);
                ++failures;
            }
            rows.append(row);
        }
        const QJsonObject out{{"model", p.value(QStringLiteral("model"))},
                              {"data", p.value(QStringLiteral("data"))},
                              {"batchNormReestimated", p.isSet(QStringLiteral("bn-data"))},
                              {"results", rows}};
        std::printf("%s", QJsonDocument(out).toJson().constData());
    } else {
        std::printf("%-40s %12s %10s %9s\n", "checkpoint", "loss", "accuracy", "samples");
        for (const auto& r : job.results()) {
            const std::string name =
                r.checkpoint.empty()
                    ? "(model's own weights)"
                    : QFileInfo(QString::fromStdString(r.checkpoint)).fileName().toStdString();
            if (!r.error.empty()) {
                // The first lines say what is wrong; --json has the whole report.
                const QStringList lines = QString::fromStdString(r.error).split(QLatin1Char('\n'));
                std::printf("%-40s error: %s\n", name.c_str(),
                            qPrintable(lines.mid(0, 2).join(QStringLiteral(" "))));
                if (lines.size() > 2)
                    std::printf("%-40s        (%lld more lines; see --json)\n", "",
                                static_cast<long long>(lines.size() - 2));
                ++failures;
                continue;
            }
            std::printf("%-40s %12.6f %10.4f %9lld\n", name.c_str(), r.result.loss,
                        r.result.accuracy, static_cast<long long>(r.result.samples));
        }
    }
    return failures == 0 ? 0 : 1;
}

}  // namespace

Subcommand evaluateSubcommand() {
    Subcommand evaluate;
    evaluate.name = QStringLiteral("evaluate");
    evaluate.summary = QStringLiteral("Loss and accuracy of a model on a dataset at checkpoints");
    evaluate.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Loads a TorchScript model, applies each checkpoint's weights by name (reporting "
            "missing, unexpected and mismatched tensors) and prints loss (cross-entropy for "
            "class labels, MSE otherwise) and accuracy on the dataset, batched on all cores. "
            "Without checkpoints, evaluates the model's own weights. --bn-data re-estimates "
            "BatchNorm statistics on another dataset first (needed after averaging or "
            "interpolating weights). Ctrl-C cancels."));
        p.addOption({QStringLiteral("model"), QStringLiteral("TorchScript model (torch.jit.save)."),
                     QStringLiteral("MODEL")});
        p.addOption({QStringLiteral("data"),
                     QStringLiteral("Dataset file: .npz, .npy or .pt with inputs and labels."),
                     QStringLiteral("DATA")});
        p.addOption({QStringLiteral("inputs"),
                     QStringLiteral("Key of the inputs (default: x, inputs, data, X)."),
                     QStringLiteral("KEY")});
        p.addOption({QStringLiteral("targets"),
                     QStringLiteral("Key of the labels (default: the inputs key's partner)."),
                     QStringLiteral("KEY")});
        p.addOption({QStringLiteral("bn-data"),
                     QStringLiteral("Re-estimate BatchNorm statistics on this dataset first."),
                     QStringLiteral("DATA")});
        p.addOption({QStringLiteral("root"),
                     QStringLiteral("Which dict in the checkpoints holds the weights."),
                     QStringLiteral("KEY")});
        p.addOption({QStringLiteral("batch"), QStringLiteral("Samples per batch (default 1000)."),
                     QStringLiteral("N"), QStringLiteral("1000")});
        p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON instead of a table.")});
        p.addPositionalArgument(QStringLiteral("checkpoints"), QStringLiteral("Checkpoint files."),
                                QStringLiteral("[CHECKPOINT...]"));
    };
    evaluate.run = &runEvaluate;
    return evaluate;
}

}  // namespace basin::app
