// `basin hessian`: curvature of the loss at a checkpoint — top eigenvalues by
// Lanczos, trace by Hutchinson, spectral density by stochastic Lanczos
// quadrature, per layer on request.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "curvature/HessianJob.h"
#include "data/DatasetFiles.h"
#include "model/Model.h"

namespace basin::app {
namespace {

QJsonArray numbers(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

int runHessian(const QCommandLineParser& p) {
    if (!p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("data"))) {
        std::fprintf(stderr, "basin hessian: --model and --data are required (see --help)\n");
        return 2;
    }
    Model model = Model::load(p.value(QStringLiteral("model")).toStdString());
    if (p.isSet(QStringLiteral("checkpoint"))) {
        const Checkpoint c = loadCheckpoint(p.value(QStringLiteral("checkpoint")).toStdString());
        const ApplyReport report = model.applyStateDict(c.stateDict());
        if (!report.shapeMismatches.empty() || report.applied.empty())
            throw std::runtime_error(report.describe());
    }
    Dataset data = loadDatasetFile(p.value(QStringLiteral("data")).toStdString());
    HessianJobOptions options;
    options.lanczos.k = p.value(QStringLiteral("top")).toInt();
    options.lanczos.bottom = p.isSet(QStringLiteral("bottom"));
    options.lanczos.tolerance = p.value(QStringLiteral("tolerance")).toDouble();
    options.lanczos.eigenvectors = false;
    options.trace = p.isSet(QStringLiteral("trace"));
    options.hutchinson.samples = p.value(QStringLiteral("probes")).toInt();
    options.density = p.isSet(QStringLiteral("density"));
    options.perLayer = p.isSet(QStringLiteral("per-layer"));
    options.hessian.batchSize = p.value(QStringLiteral("batch")).toLongLong();
    if (options.lanczos.k < 1 || options.hutchinson.samples < 1 || options.hessian.batchSize < 1) {
        std::fprintf(stderr, "basin hessian: --top, --probes and --batch must be positive\n");
        return 2;
    }
    HessianJob job(model, data, options);
    const JobStatus status = runJobInTerminal(job);
    if (status.state != JobState::Succeeded) return 1;
    const HessianReport& r = job.result();

    if (p.isSet(QStringLiteral("json"))) {
        QJsonObject out{{"parameters", double(r.dimension)},
                        {"loss", r.loss},
                        {"products", double(r.products)},
                        {"topEigenvalues", numbers(r.lanczos.eigenvalues)},
                        {"converged", r.lanczos.converged}};
        if (options.lanczos.bottom) out["bottomEigenvalue"] = r.lanczos.bottomEigenvalue;
        if (options.trace)
            out["trace"] =
                QJsonObject{{"mean", r.trace.trace}, {"standardError", r.trace.standardError}};
        if (options.density)
            out["density"] = QJsonObject{{"grid", numbers(r.density.grid)},
                                         {"density", numbers(r.density.density)}};
        QJsonArray layers;
        for (const LayerCurvature& l : r.layers) {
            layers.append(QJsonObject{{"name", QString::fromStdString(l.name)},
                                      {"parameters", double(l.dimension)},
                                      {"topEigenvalue", l.topEigenvalue},
                                      {"trace", l.trace},
                                      {"traceStandardError", l.traceStandardError}});
        }
        if (options.perLayer) out["layers"] = layers;
        std::printf("%s", QJsonDocument(out).toJson().constData());
        return 0;
    }
    std::printf("%lld parameters, loss %.6g, %lld Hessian-vector products\n",
                static_cast<long long>(r.dimension), r.loss, static_cast<long long>(r.products));
    for (std::size_t i = 0; i < r.lanczos.eigenvalues.size(); ++i) {
        std::printf("eigenvalue %zu: %.6g\n", i + 1, r.lanczos.eigenvalues[i]);
    }
    if (!r.lanczos.converged) std::printf("(Lanczos stopped before reaching the tolerance)\n");
    if (options.lanczos.bottom)
        std::printf("smallest eigenvalue: %.6g\n", r.lanczos.bottomEigenvalue);
    if (options.trace)
        std::printf("trace: %.6g ± %.2g (standard error)\n", r.trace.trace, r.trace.standardError);
    if (options.density) {
        std::printf("spectral density (grid, density):\n");
        for (std::size_t i = 0; i < r.density.grid.size();
             i += std::max<std::size_t>(1, r.density.grid.size() / 20)) {
            std::printf("  %12.5g %12.5g\n", r.density.grid[i], r.density.density[i]);
        }
    }
    for (const LayerCurvature& l : r.layers) {
        std::printf("layer %-24s %9lld params  top %.5g  trace %.5g ± %.2g\n", l.name.c_str(),
                    static_cast<long long>(l.dimension), l.topEigenvalue, l.trace,
                    l.traceStandardError);
    }
    return 0;
}

}  // namespace

Subcommand hessianSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("hessian");
    s.summary = QStringLiteral("Hessian spectrum of the loss: top eigenvalues, trace, density");
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Curvature of the mean loss over the dataset at a checkpoint, from exact "
            "Hessian-vector products (double backprop): the top-k eigenvalues by Lanczos with "
            "full reorthogonalization, optionally the smallest, the trace by Hutchinson's "
            "estimator, the spectral density by stochastic Lanczos quadrature, and the same per "
            "layer."));
        addOption(p, "model", "TorchScript model.", "MODEL");
        addOption(p, "checkpoint", "Weights to use (default: the model's own).", "CKPT");
        addOption(p, "data", "Dataset (.npz/.npy/.pt).", "DATA");
        addOption(p, "top", "Number of top eigenvalues.", "K", "1");
        addOption(p, "bottom", "Also the smallest eigenvalue.");
        addOption(p, "tolerance", "Relative tolerance of the Ritz values.", "TOL", "1e-3");
        addOption(p, "trace", "Estimate the trace (Hutchinson).");
        addOption(p, "probes", "Random probes for the trace.", "N", "50");
        addOption(p, "density", "Spectral density (stochastic Lanczos quadrature).");
        addOption(p, "per-layer", "Top eigenvalue and trace of each layer's block.");
        addOption(p, "batch", "Samples per batch.", "N", "1000");
        addOption(p, "json", "Print JSON.");
    };
    s.run = &runHessian;
    return s;
}

}  // namespace basin::app
