#pragma once
// The curvature of the loss at a checkpoint, as a researcher reads it in
// PyHessian's figures (Yao et al. 2020): the top eigenvalues of the Hessian
// as a stem plot by rank (the smallest, when computed, at the end in red),
// the spectral density from stochastic Lanczos quadrature on a log density
// axis (the bulk near zero and the outliers both visible), the Hutchinson
// trace with its standard error in the summary line, and per-layer top
// eigenvalue and trace (with ±1 standard error bars) as bar charts when the
// result has them. Hovering reads out the value under the pointer. Exports
// PNG at any size and DPI, SVG and PDF (vector), with the numbers as CSV
// beside the figure.

#include <QByteArray>
#include <QString>
#include <QWidget>

#include "curvature/HessianSpectrum.h"

class QCustomPlot;
class QCPAxisRect;
class QCPBars;
class QCPGraph;
class QLabel;

namespace basin::widgets {

class SpectrumView : public QWidget {
    Q_OBJECT
public:
    explicit SpectrumView(QWidget* parent = nullptr);

    // `title` heads the figure; empty: made from the spectrum's checkpoint
    // and dataset.
    void setSpectrum(const HessianSpectrum& spectrum, const QString& title = {});
    const HessianSpectrum& spectrum() const { return spectrum_; }
    QString title() const { return title_; }
    // The line under the title: parameters, loss, λ_max, λ_min, trace ± SE.
    QString summary() const { return summary_; }
    QString readout() const;

    // By the file's extension: PDF or SVG (vector, `width`×`height` points),
    // else PNG of width·dpi/96 × height·dpi/96 pixels (text sized as on a
    // 96-DPI screen, resolution recorded in the file); the CSV (toCsv) is
    // written beside it with the same name. What "Export figure…" and
    // `basin hessian --figure` write.
    bool exportFigure(const QString& path, int width, int height, double dpi = 192,
                      QString* error = nullptr);
    // Tidy CSV, one number per row: series,label,x,value,standard_error with
    // series top_eigenvalue (x = rank), bottom_eigenvalue, trace, density
    // (x = λ), layer_top_eigenvalue and layer_trace (label = layer).
    QByteArray toCsv() const;

    QCustomPlot* plot() const { return plot_; }
    // The plotted data, for tests (nullptr when the spectrum lacks it).
    QCPGraph* eigenvalueGraph() const { return eigenvalues_; }
    QCPGraph* bottomGraph() const { return bottom_; }
    QCPGraph* densityGraph() const { return density_; }
    QCPBars* layerEigenvalueBars() const { return layerTop_; }
    QCPBars* layerTraceBars() const { return layerTrace_; }
    // Pixel (in the plot widget) of the stem of the top eigenvalue `rank` (1-based).
    QPointF eigenvaluePixel(int rank) const;

private:
    void rebuild();
    void addEigenvalues(QCPAxisRect* rect);
    void addDensity(QCPAxisRect* rect);
    void addLayers(QCPAxisRect* top, QCPAxisRect* trace);
    QString describeAt(const QPointF& pixel) const;

    HessianSpectrum spectrum_;
    QString title_, summary_;
    QCustomPlot* plot_;
    QLabel* readout_;
    QCPAxisRect* eigenRect_ = nullptr;
    QCPAxisRect* densityRect_ = nullptr;
    QCPAxisRect* layerTopRect_ = nullptr;
    QCPAxisRect* layerTraceRect_ = nullptr;
    QCPGraph* eigenvalues_ = nullptr;
    QCPGraph* bottom_ = nullptr;
    QCPGraph* density_ = nullptr;
    QCPBars* layerTop_ = nullptr;
    QCPBars* layerTrace_ = nullptr;
};

}  // namespace basin::widgets
