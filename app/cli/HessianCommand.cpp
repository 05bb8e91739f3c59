// `basin hessian`: curvature of the loss at a checkpoint — top eigenvalues by
// Lanczos, trace by Hutchinson, spectral density by stochastic Lanczos
// quadrature, per layer on request — printed, as JSON (the spectrum file the
// GUI opens) or drawn as the GUI's spectrum figure.

#include <QFileInfo>
#include <cstdio>

#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "curvature/HessianSpectrumFile.h"
#include "curvature/HessianSpectrumJob.h"
#include "curvature/SpectrumView.h"

namespace basin::app {
namespace {

void printText(const HessianSpectrum& r) {
    std::printf("%lld parameters, loss %.6g, %lld Hessian-vector products\n",
                static_cast<long long>(r.parameters), r.loss, static_cast<long long>(r.products));
    for (std::size_t i = 0; i < r.topEigenvalues.size(); ++i) {
        std::printf("eigenvalue %zu: %.6g\n", i + 1, r.topEigenvalues[i]);
    }
    if (!r.converged) std::printf("(Lanczos stopped before reaching the tolerance)\n");
    if (r.hasBottom()) std::printf("smallest eigenvalue: %.6g\n", r.bottomEigenvalue);
    if (r.hasTrace())
        std::printf("trace: %.6g ± %.2g (standard error)\n", r.trace, r.traceStandardError);
    if (r.hasDensity()) {
        std::printf("spectral density (grid, density):\n");
        for (std::size_t i = 0; i < r.densityGrid.size();
             i += std::max<std::size_t>(1, r.densityGrid.size() / 20)) {
            std::printf("  %12.5g %12.5g\n", r.densityGrid[i], r.density[i]);
        }
    }
    for (const HessianSpectrum::Layer& l : r.layers) {
        std::printf("layer %-24s %9lld params  top %.5g  trace %.5g ± %.2g\n", l.name.c_str(),
                    static_cast<long long>(l.parameters), l.topEigenvalue, l.trace,
                    l.traceStandardError);
    }
}

int runHessian(const QCommandLineParser& p) {
    if (!p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("data"))) {
        std::fprintf(stderr, "basin hessian: --model and --data are required (see --help)\n");
        return 2;
    }
    HessianSpectrumRecipe recipe;
    recipe.modelPath = p.value(QStringLiteral("model")).toStdString();
    recipe.checkpointPath = p.value(QStringLiteral("checkpoint")).toStdString();
    recipe.datasetPath = p.value(QStringLiteral("data")).toStdString();
    HessianJobOptions& options = recipe.options;
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
    QSize figureSize;
    if (p.isSet(QStringLiteral("figure"))) {
        const QStringList size = p.value(QStringLiteral("figure-size")).split(QLatin1Char('x'));
        figureSize = size.size() == 2 ? QSize(size[0].toInt(), size[1].toInt()) : QSize();
        if (figureSize.width() < 100 || figureSize.height() < 100) {
            std::fprintf(stderr, "basin hessian: --figure-size must look like 900x700\n");
            return 2;
        }
    }
    HessianSpectrumJob job(recipe);
    const JobStatus status = runJobInTerminal(job);
    if (status.state != JobState::Succeeded) return 1;
    const HessianSpectrum& r = job.result();

    if (p.isSet(QStringLiteral("out"))) {
        widgets::writeHessianSpectrum(p.value(QStringLiteral("out")), r);
    }
    if (figureSize.isValid()) {
        // The GUI's spectrum view, drawn offscreen (Raster subcommand).
        widgets::SpectrumView view;
        view.resize(figureSize);
        view.setSpectrum(r);
        QString error;
        if (!view.exportFigure(p.value(QStringLiteral("figure")), figureSize.width(),
                               figureSize.height(), 192, &error))
            throw std::runtime_error(error.toStdString());
    }
    if (p.isSet(QStringLiteral("json"))) {
        std::printf("%s", widgets::hessianSpectrumJsonText(r).constData());
    } else {
        printText(r);
    }
    return 0;
}

}  // namespace

Subcommand hessianSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("hessian");
    s.summary = QStringLiteral("Hessian spectrum of the loss: top eigenvalues, trace, density");
    s.kind = Subcommand::Kind::Raster;
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Curvature of the mean loss over the dataset at a checkpoint, from exact "
            "Hessian-vector products (double backprop): the top-k eigenvalues by Lanczos with "
            "full reorthogonalization, optionally the smallest, the trace by Hutchinson's "
            "estimator, the spectral density by stochastic Lanczos quadrature, and the same per "
            "layer. --json prints the result as the spectrum file the GUI opens; --out saves "
            "it; --figure draws the GUI's spectrum view (PNG, SVG or PDF) with its CSV beside "
            "it."));
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
        addOption(p, "json", "Print JSON (the spectrum file the GUI opens).");
        addOption(p, "out", "Also save the result as JSON to this file.", "FILE");
        addOption(p, "figure", "Also draw the spectrum into this PNG, SVG or PDF.", "FILE");
        addOption(p, "figure-size", "Figure size in pixels (PNG at 2x).", "WxH", "900x700");
    };
    s.run = &runHessian;
    return s;
}

}  // namespace basin::app
