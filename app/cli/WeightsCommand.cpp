// `basin weights`: the network at a point of a landscape surface, θ₀ + a·d_x
// + b·d_y, or of an LMC path, θ(t), saved as a torch.save state dict — the
// point a researcher found on a plot, as a checkpoint to evaluate, fine-tune
// or load in PyTorch.

#include <cmath>
#include <cstdio>

#include "cli/Subcommand.h"
#include "connectivity/PathPoint.h"
#include "connectivity/PathSamples.h"
#include "landscape/PlanePoint.h"
#include "model/StateDictFile.h"

namespace basin::app {
namespace {

// The result's own train/test loss and accuracy at the point, when it has them.
void printValues(const Surface& s, double a, double b, const char* where) {
    QStringList parts;
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy}) {
        const double v = surfaceValueAt(s, m, a, b);
        if (!std::isnan(v))
            parts << QStringLiteral("%1 %2").arg(QString::fromLatin1(surfaceMetricName(m))).arg(v);
    }
    if (!parts.isEmpty()) std::printf("%s: %s\n", where, qPrintable(parts.join(", ")));
}

bool number(const QCommandLineParser& p, const char* name, double* value) {
    if (!p.isSet(QLatin1String(name))) return false;
    bool ok = false;
    *value = p.value(QLatin1String(name)).toDouble(&ok);
    if (!ok || !std::isfinite(*value))
        throw std::invalid_argument(std::string("--") + name + " must be a number, not '" +
                                    p.value(QLatin1String(name)).toStdString() + "'");
    return true;
}

int runWeights(const QCommandLineParser& p) {
    const QStringList files = p.positionalArguments();
    const bool onPath = p.isSet(QStringLiteral("t"));
    const bool onPlane = p.isSet(QStringLiteral("a")) || p.isSet(QStringLiteral("b"));
    if (files.size() != 1 || !p.isSet(QStringLiteral("out")) || onPath == onPlane ||
        (onPlane && !p.isSet(QStringLiteral("a")))) {
        std::fprintf(stderr,
                     "basin weights: give one surface with --a [--b], or one path file with --t, "
                     "and --out (see --help)\n");
        return 2;
    }
    const std::string file = files[0].toStdString();
    const std::string out = p.value(QStringLiteral("out")).toStdString();
    double a = 0, b = 0, t = 0;
    try {
        number(p, "a", &a);
        number(p, "b", &b);
        number(p, "t", &t);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "basin weights: %s\n", e.what());
        return 2;
    }
    if (isPathFile(file) != onPath) {
        std::fprintf(stderr, "basin weights: %s is %s\n", file.c_str(),
                     onPath ? "a landscape surface: give --a [--b], not --t"
                            : "a path file of basin lmc: give --t, not --a/--b");
        return 2;
    }
    const PointWeights weights = onPath ? weightsOnPath(file, t) : weightsOnPlane(file, a, b);
    const std::vector<NamedTensor> state = weights.model.stateDict();
    saveStateDict(out, state);
    std::printf("%s\nmodel %s, %zu tensors written to %s\n", weights.description.c_str(),
                weights.modelPath.c_str(), state.size(), out.c_str());
    if (onPath)
        printValues(readPathSamples(file).rowSurface(0), t, 0, "the path there");
    else
        printValues(readSurface(file), a, b, "the surface there");
    if (!weights.caveat.empty()) std::printf("note: %s\n", weights.caveat.c_str());
    return 0;
}

}  // namespace

Subcommand weightsSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("weights");
    s.summary = QStringLiteral("the network at a point of a landscape or an LMC path, saved");
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Rebuilds the weights at a point of a result and saves them as a torch.save state "
            "dict (torch.load reads it; model.load_state_dict accepts it). On a landscape "
            "surface: θ₀ + a·d_x + b·d_y from the surface's model, centre checkpoint and "
            "directions file. On a path file of basin lmc: (1 − t)·θ_A + t·θ_B (or the chain's "
            "segment holding t). Files the result names by relative path are looked up in the "
            "current folder, then beside the result and in the folders above it."));
        p.addPositionalArgument(QStringLiteral("result"),
                                QStringLiteral("A surface (basin landscape) or a path file "
                                               "(basin lmc)."),
                                QStringLiteral("SURFACE.h5|PATH.h5"));
        addOption(p, "a", "The point's a on a surface.", "A");
        addOption(p, "b", "The point's b on a 2-D surface (default 0).", "B");
        addOption(p, "t", "The point's t on a path, from 0 (A) to 1 (B).", "T");
        addOption(p, "out", "The state dict to write (.pt).", "W.pt");
    };
    s.run = &runWeights;
    return s;
}

}  // namespace basin::app
