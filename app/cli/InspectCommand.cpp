// `basin inspect`: what a checkpoint holds, and how it differs from another.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/Subcommand.h"
#include "io/Checkpoint.h"
#include "io/TensorStatistics.h"
#include "model/WeightsFile.h"

namespace basin::app {
namespace {

const char* formatName(CheckpointFormat f) {
    switch (f) {
        case CheckpointFormat::Safetensors:
            return "safetensors";
        case CheckpointFormat::TorchScript:
            return "TorchScript model";
        case CheckpointFormat::NumPy:
            return "NumPy arrays";
        case CheckpointFormat::TorchZip:
            break;
    }
    return "torch.save (zip)";
}

std::string chooseRoot(const Checkpoint& c, const QString& requested) {
    if (c.weightRoots.empty()) {
        throw std::runtime_error("'" + c.path + "' holds no tensors");
    }
    if (requested.isNull()) return c.weightRoots.front();
    const std::string r = requested.toStdString();
    if (std::find(c.weightRoots.begin(), c.weightRoots.end(), r) == c.weightRoots.end()) {
        std::string known;
        for (const auto& k : c.weightRoots)
            known += (known.empty() ? "" : ", ") + (k.empty() ? std::string("\"\"") : k);
        throw std::runtime_error("'" + c.path + "' has no weights under '" + r +
                                 "' (it has: " + known + ")");
    }
    return r;
}

QJsonArray shapeJson(const std::vector<std::int64_t>& shape) {
    QJsonArray a;
    for (auto d : shape)
        a.append(double(d));
    return a;
}

double jsonNumber(double v) {
    return std::isfinite(v) ? v : 0.0;
}

int runInspect(const QCommandLineParser& p) {
    const QStringList files = p.positionalArguments();
    if (files.size() != 1) {
        std::fprintf(stderr, "basin inspect: give one checkpoint file (see --help)\n");
        return 2;
    }
    const Checkpoint checkpoint = loadWeightsFile(files.front().toStdString());
    const std::string root = chooseRoot(
        checkpoint, p.isSet(QStringLiteral("root")) ? p.value(QStringLiteral("root")) : QString());
    const std::vector<NamedTensor> tensors = checkpoint.stateDict(root);
    const std::vector<TensorStatistics> stats = computeStatistics(tensors, 32);
    std::vector<TensorDifference> diffs;
    if (p.isSet(QStringLiteral("diff"))) {
        const Checkpoint other = loadCheckpoint(p.value(QStringLiteral("diff")).toStdString());
        const auto& roots = other.weightRoots;
        const std::string otherRoot = std::find(roots.begin(), roots.end(), root) != roots.end()
                                          ? root
                                          : chooseRoot(other, QString());
        diffs = compareStateDicts(tensors, other.stateDict(otherRoot));
    }
    auto diffOf = [&](const std::string& name) -> const TensorDifference* {
        for (const auto& d : diffs) {
            if (d.name == name) return &d;
        }
        return nullptr;
    };

    if (p.isSet(QStringLiteral("json"))) {
        QJsonObject out{{"path", QString::fromStdString(checkpoint.path)},
                        {"format", QString::fromLatin1(formatName(checkpoint.format))},
                        {"root", QString::fromStdString(root)}};
        QJsonArray roots;
        for (const auto& r : checkpoint.weightRoots)
            roots.append(QString::fromStdString(r));
        out["weightRoots"] = roots;
        QJsonObject metadata;
        for (const auto& [k, v] : checkpoint.metadata)
            metadata[QString::fromStdString(k)] = QString::fromStdString(v);
        out["metadata"] = metadata;
        QJsonArray list;
        for (const auto& s : stats) {
            QJsonObject t{{"name", QString::fromStdString(s.name)},
                          {"shape", shapeJson(s.shape)},
                          {"dtype", QString::fromLatin1(dtypeName(s.dtype))},
                          {"bytes", double(s.bytes)},
                          {"norm", jsonNumber(s.l2Norm)},
                          {"min", jsonNumber(s.min)},
                          {"max", jsonNumber(s.max)},
                          {"mean", jsonNumber(s.mean)},
                          {"std", jsonNumber(s.stddev)},
                          {"nonFinite", double(s.nonFinite)}};
            if (const TensorDifference* d = diffOf(s.name)) {
                if (d->relativeChange) t["relativeChange"] = jsonNumber(*d->relativeChange);
                if (d->cosine) t["cosine"] = *d->cosine;
                if (!d->problem.empty()) t["problem"] = QString::fromStdString(d->problem);
            }
            list.append(t);
        }
        out["tensors"] = list;
        QJsonArray onlyInOther;
        for (const auto& d : diffs) {
            if (d.problem == "only in B") onlyInOther.append(QString::fromStdString(d.name));
        }
        if (!diffs.empty()) out["onlyInOther"] = onlyInOther;
        std::printf("%s", QJsonDocument(out).toJson().constData());
        return 0;
    }

    std::printf("%s  (%s)\n", checkpoint.path.c_str(), formatName(checkpoint.format));
    std::printf("weights: %s", root.empty() ? "(file root)" : root.c_str());
    if (checkpoint.weightRoots.size() > 1) {
        std::printf("   other state dicts:");
        for (const auto& r : checkpoint.weightRoots) {
            if (r != root) std::printf(" %s", r.empty() ? "(file root)" : r.c_str());
        }
        std::printf("   (choose with --root)");
    }
    std::printf("\n");
    for (const auto& [k, v] : checkpoint.metadata)
        std::printf("  %s = %s\n", k.c_str(), v.c_str());
    std::size_t width = 6;
    for (const auto& s : stats)
        width = std::max(width, s.name.size());
    const bool comparing = !diffs.empty();
    std::printf("\n%-*s  %-18s %-9s %11s %11s %11s %11s%s\n", int(width), "tensor", "shape",
                "dtype", "bytes", "L2 norm", "min", "max",
                comparing ? "  Δ relative      cosine" : "");
    std::uint64_t bytes = 0;
    std::int64_t values = 0;
    for (const auto& s : stats) {
        bytes += s.bytes;
        values += s.numel;
        const std::string shape = shapeString(s.shape);
        std::printf("%-*s  %-18s %-9s %11llu %11.4g %11.4g %11.4g", int(width), s.name.c_str(),
                    shape.c_str(), dtypeName(s.dtype), static_cast<unsigned long long>(s.bytes),
                    s.l2Norm, s.min, s.max);
        if (const TensorDifference* d = diffOf(s.name)) {
            if (!d->problem.empty()) {
                std::printf("  %s", d->problem.c_str());
            } else {
                std::printf("  %11.4g %11.6f", d->relativeChange.value_or(NAN),
                            d->cosine.value_or(NAN));
            }
        }
        if (s.nonFinite) std::printf("  (%lld non-finite)", static_cast<long long>(s.nonFinite));
        std::printf("\n");
    }
    for (const auto& d : diffs) {
        if (d.problem == "only in B")
            std::printf("%-*s  only in the other checkpoint\n", int(width), d.name.c_str());
    }
    std::printf("\n%zu tensors, %lld values, %llu bytes\n", stats.size(),
                static_cast<long long>(values), static_cast<unsigned long long>(bytes));
    return 0;
}

}  // namespace

Subcommand inspectSubcommand() {
    Subcommand inspect;
    inspect.name = QStringLiteral("inspect");
    inspect.summary =
        QStringLiteral("List a checkpoint's tensors with statistics; --diff compares two");
    inspect.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Reads a checkpoint (torch.save zip or safetensors; nothing in it is executed) or a "
            "TorchScript model and "
            "prints each tensor of its weights with shape, dtype, size, L2 norm and range, and "
            "the file's other entries (epoch, accuracy, arguments). With --diff, adds per tensor "
            "the relative change |a-b|/|a| and the cosine similarity to another checkpoint."));
        p.addOption({QStringLiteral("root"),
                     QStringLiteral("Which dict holds the weights (default: the best guess)."),
                     QStringLiteral("KEY")});
        p.addOption({QStringLiteral("diff"), QStringLiteral("Compare with another checkpoint."),
                     QStringLiteral("OTHER")});
        p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON instead of a table.")});
        p.addPositionalArgument(QStringLiteral("file"), QStringLiteral("The checkpoint."),
                                QStringLiteral("FILE"));
    };
    inspect.run = &runInspect;
    return inspect;
}

}  // namespace basin::app
