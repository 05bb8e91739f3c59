// `basin align`: permute the hidden units of checkpoint B to line up with A
// (weight or activation matching), save the aligned B and report what moved.

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

#include "cli/CheckpointAlignment.h"
#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "data/DatasetFiles.h"

namespace basin::app {
namespace {

void printReport(const AlignmentResult& r, const QString& out) {
    std::printf("%-32s %8s %8s %8s\n", "permutation group", "units", "moved", "fraction");
    for (const GroupMatch& g : r.groups)
        std::printf("%-32s %8lld %8lld %8.3f\n", g.name.c_str(), static_cast<long long>(g.size),
                    static_cast<long long>(g.moved), g.movedFraction());
    for (const FixedUnits& f : r.spec.fixed)
        std::printf("%-32s not permuted: %s\n", f.name.c_str(), f.reason.c_str());
    std::printf("‖θ_A − θ_B‖ over the parameters: %.6g before, %.6g after", r.distanceBefore,
                r.distanceAfter);
    if (r.passes > 0) std::printf(" (%d weight matching passes)", r.passes);
    std::printf("\naligned B written to %s\n", qPrintable(out));
}

void printJson(const AlignmentResult& r, const QCommandLineParser& p, const QString& method) {
    const QStringList files = p.positionalArguments();
    QJsonObject out{{"model", p.value(QStringLiteral("model"))},
                    {"a", files.value(0)},
                    {"b", files.value(1)},
                    {"out", p.value(QStringLiteral("out"))},
                    {"method", method},
                    {"groups", alignmentGroupsJson(r)},
                    {"fixed", alignmentFixedJson(r)},
                    {"distanceBefore", r.distanceBefore},
                    {"distanceAfter", r.distanceAfter}};
    if (r.passes > 0) out["passes"] = r.passes;
    std::printf("%s", QJsonDocument(out).toJson().constData());
}

int runAlign(const QCommandLineParser& p) {
    const QStringList files = p.positionalArguments();
    const QString method = p.value(QStringLiteral("method"));
    if (files.size() != 2 || !p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("out"))) {
        std::fprintf(stderr, "basin align: A, B, --model and --out are required (see --help)\n");
        return 2;
    }
    const std::optional<AlignmentMethod> alignment = alignmentMethodFromName(method);
    if (!alignment) {
        std::fprintf(stderr, "basin align: --method is weights or activations, not '%s'\n",
                     qPrintable(method));
        return 2;
    }
    const bool activations = *alignment == AlignmentMethod::Activations;
    if (activations && !p.isSet(QStringLiteral("data"))) {
        std::fprintf(stderr, "basin align: --method activations needs --data\n");
        return 2;
    }
    bool seedOk = false, samplesOk = false;
    const qulonglong seed = p.value(QStringLiteral("seed")).toULongLong(&seedOk);
    const qlonglong samples = p.value(QStringLiteral("samples")).toLongLong(&samplesOk);
    if (!seedOk || !samplesOk || samples < 0) {
        std::fprintf(stderr, "basin align: --seed and --samples take non-negative numbers\n");
        return 2;
    }
    Dataset data;
    if (activations) {
        DatasetFileOptions o;
        o.inputsKey = p.value(QStringLiteral("inputs")).toStdString();
        data = loadDatasetFile(p.value(QStringLiteral("data")).toStdString(), o);
    }
    const QString out = p.value(QStringLiteral("out"));
    CheckpointAlignmentJob job(p.value(QStringLiteral("model")), files[0], files[1], *alignment,
                               out, std::move(data), p.value(QStringLiteral("root")));
    job.weightOptions.seed = seed;
    job.activationOptions.maxSamples = samples;
    const JobStatus status = runJobInTerminal(job);
    if (status.state != JobState::Succeeded) return 1;  // the error is printed
    if (p.isSet(QStringLiteral("json")))
        printJson(job.result(), p, method);
    else
        printReport(job.result(), out);
    return 0;
}

}  // namespace

Subcommand alignSubcommand() {
    Subcommand align;
    align.name = QStringLiteral("align");
    align.summary = QStringLiteral("Permute the hidden units of checkpoint B to match A");
    align.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Finds the permutation of B's hidden units that best matches A (Git Re-Basin): "
            "weight matching by alternating linear assignment over the permutation groups, or "
            "activation matching by the correlation of hidden activations on --data. The groups "
            "(which axes of which tensors move together, BatchNorm and residual streams "
            "included) are derived from the model's TorchScript graph. Writes B's permuted "
            "state dict as a torch.save checkpoint (it computes the same function as B) and "
            "reports the fraction of units moved per group and ‖θ_A − θ_B‖ before and after."));
        addOption(p, "model", "TorchScript model (torch.jit.save) of A and B.", "MODEL");
        addOption(p, "out", "Where to write the aligned B (torch.save state dict).", "FILE");
        addOption(p, "method", "weights (default) or activations.", "METHOD", "weights");
        addOption(p, "data", "Dataset for activation matching (.npz, .npy, .pt).", "DATA");
        addOption(p, "inputs", "Key of the inputs in --data (default: x, inputs, data, X).", "KEY");
        addOption(p, "samples", "Activation matching: use the first N samples (0: all).", "N", "0");
        addOption(p, "seed", "Weight matching: seed of the order of groups.", "N", "0");
        addOption(p, "root", "Which dict in the checkpoints holds the weights.", "KEY");
        addOption(p, "json", "Print JSON instead of a table.");
        p.addPositionalArgument(QStringLiteral("A"), QStringLiteral("The reference checkpoint."));
        p.addPositionalArgument(QStringLiteral("B"), QStringLiteral("The checkpoint to permute."));
    };
    align.run = &runAlign;
    return align;
}

}  // namespace basin::app
