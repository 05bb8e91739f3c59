#include "curvature/SpectrumView.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

// Matplotlib's default cycle, which researchers' own figures use.
const QColor kBlue(31, 119, 180);
const QColor kOrange(255, 127, 14);
const QColor kRed(214, 39, 40);

// A log density axis shows this many decades below the peak (PyHessian adds
// 1e-7 before its semilogy plot for the same reason: the broadened density
// falls to 0 between the bulk and the outliers).
constexpr double kDecadesShown = 8.0;

QString num(double v, int digits = 4) {
    return std::isfinite(v) ? QString::number(v, 'g', digits) : QStringLiteral("–");
}

// "₁₂" for 12.
QString subscript(int n) {
    QString out;
    for (QChar c : QString::number(n))
        out += QChar(0x2080 + c.digitValue());
    return out;
}

QString withSeparators(std::int64_t n) {
    return QLocale(QLocale::English).toString(qlonglong(n));
}

QString fileWithFolder(const std::string& path) {
    const QFileInfo info(QString::fromStdString(path));
    const QString folder = info.dir().dirName();
    return folder.isEmpty() || folder == QLatin1String(".")
               ? info.fileName()
               : folder + QLatin1Char('/') + info.fileName();
}

QCPAxisRect* newRect(QCustomPlot* plot, const QString& x, const QString& y) {
    auto* rect = new QCPAxisRect(plot);
    rect->axis(QCPAxis::atBottom)->setLabel(x);
    rect->axis(QCPAxis::atLeft)->setLabel(y);
    for (QCPAxis* axis : rect->axes()) {
        axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::DotLine));
        axis->grid()->setZeroLinePen(QPen(QColor(150, 150, 150), 0));
    }
    return rect;
}

// Text ticks at 1, 2, … (`labels`), thinned to at most ~12.
QSharedPointer<QCPAxisTickerText> textTicker(const QStringList& labels, bool firstIsOne) {
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const int step = std::max(1, int(std::ceil(labels.size() / 12.0)));
    for (int i = 0; i < labels.size(); ++i) {
        if (i % step == 0 || i + 1 == labels.size())
            ticker->addTick(firstIsOne ? i + 1 : i, labels[i]);
    }
    return ticker;
}

// y range with 0 inside and a margin, for stems and bars.
QCPRange valueRange(double lo, double hi) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    const double pad = 0.08 * std::max(hi - lo, 1e-12);
    return {lo < 0 ? lo - pad : 0.0, hi + pad};
}

QByteArray csvField(const QString& s) {
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"'))) return s.toUtf8();
    QString quoted = s;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return '"' + quoted.toUtf8() + '"';
}

QByteArray csvNumber(double v) {
    return std::isfinite(v) ? QByteArray::number(v, 'g', 12) : QByteArray();
}

}  // namespace

SpectrumView::SpectrumView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), readout_(new QLabel) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    plot_->setObjectName(QStringLiteral("spectrumPlot"));
    layout->addWidget(plot_, 1);
    readout_->setObjectName(QStringLiteral("spectrumReadout"));
    readout_->setContentsMargins(6, 2, 6, 4);
    auto* bottom = new QHBoxLayout;
    bottom->setContentsMargins(0, 0, 4, 2);
    bottom->addWidget(readout_, 1);
    bottom->addWidget(exportFigureButton(
        this, QStringLiteral("hessian-spectrum.pdf"),
        [this](const QString& path, QSize size, QString* error) {
            return exportFigure(path, size.width(), size.height(), 192, error);
        },
        [this](const QString& error) { readout_->setText(error); }));
    layout->addLayout(bottom);
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { readout_->setText(describeAt(e->position())); });
    rebuild();
}

void SpectrumView::setSpectrum(const HessianSpectrum& spectrum, const QString& title) {
    spectrum_ = spectrum;
    title_ = title;
    if (title_.isEmpty()) {
        title_ = tr("Hessian spectrum");
        if (!spectrum_.checkpoint.empty())
            title_ = tr("Hessian at %1").arg(fileWithFolder(spectrum_.checkpoint));
        if (!spectrum_.dataset.empty())
            title_ +=
                tr(" on %1").arg(QFileInfo(QString::fromStdString(spectrum_.dataset)).fileName());
    }
    // Two short lines, so a figure a column wide keeps them: the results,
    // then what they were computed from.
    QStringList results, setting;
    if (!spectrum_.topEigenvalues.empty())
        results << tr("λₘₐₓ %1").arg(num(spectrum_.topEigenvalues.front())) +
                       (spectrum_.converged ? QString() : tr(" (not converged)"));
    if (spectrum_.hasBottom()) results << tr("λₘᵢₙ %1").arg(num(spectrum_.bottomEigenvalue));
    if (spectrum_.hasTrace())
        results << tr("trace %1 ± %2 (Hutchinson, ±1 SE)")
                       .arg(num(spectrum_.trace), num(spectrum_.traceStandardError, 2));
    if (spectrum_.parameters > 0)
        setting << tr("%1 parameters").arg(withSeparators(spectrum_.parameters));
    if (std::isfinite(spectrum_.loss)) setting << tr("loss %1").arg(num(spectrum_.loss));
    if (spectrum_.products > 0)
        setting << tr("%1 Hessian-vector products").arg(withSeparators(spectrum_.products));
    const QString separator = QStringLiteral("   ·   ");
    summary_ = results.join(separator);
    if (!results.isEmpty() && !setting.isEmpty()) summary_ += QLatin1Char('\n');
    summary_ += setting.join(separator);
    rebuild();
    plot_->replot();
}

void SpectrumView::rebuild() {
    plot_->clearPlottables();
    plot_->clearItems();
    plot_->plotLayout()->clear();
    eigenRect_ = densityRect_ = layerTopRect_ = layerTraceRect_ = nullptr;
    eigenvalues_ = bottom_ = density_ = nullptr;
    layerTop_ = layerTrace_ = nullptr;

    QCPLayoutGrid* layout = plot_->plotLayout();
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    layout->addElement(
        0, 0,
        new QCPTextElement(plot_, title_.isEmpty() ? tr("Hessian spectrum") : title_, titleFont));
    auto* summary = new QCPTextElement(plot_, summary_, font());
    summary->setTextColor(QColor(70, 70, 70));
    layout->addElement(1, 0, summary);

    const bool eigen = !spectrum_.topEigenvalues.empty() || spectrum_.hasBottom();
    const bool density = spectrum_.hasDensity();
    if (!eigen && !density && spectrum_.layers.empty()) {
        summary->setText(summary_.isEmpty() ? tr("No Hessian result to show") : summary_);
        return;
    }
    int row = 2;
    if (eigen || density) {
        auto* top = new QCPLayoutGrid;
        layout->addElement(row++, 0, top);
        int column = 0;
        if (eigen) {
            eigenRect_ = newRect(plot_, tr("rank"), tr("eigenvalue λ"));
            top->addElement(0, column++, eigenRect_);
            addEigenvalues(eigenRect_);
        }
        if (density) {
            densityRect_ = newRect(plot_, tr("eigenvalue λ"), tr("spectral density"));
            top->addElement(0, column++, densityRect_);
            addDensity(densityRect_);
        }
        if (column == 2) top->setColumnStretchFactors({2, 3});
    }
    if (!spectrum_.layers.empty()) {
        auto* bottom = new QCPLayoutGrid;
        layout->addElement(row++, 0, bottom);
        layerTopRect_ = newRect(plot_, tr("layer"), tr("layer λₘₐₓ"));
        layerTraceRect_ = newRect(plot_, tr("layer"), tr("layer trace (±1 SE)"));
        bottom->addElement(0, 0, layerTopRect_);
        bottom->addElement(0, 1, layerTraceRect_);
        addLayers(layerTopRect_, layerTraceRect_);
    }
    // Title rows take their text's height; plot rows share the rest.
    layout->setRowStretchFactor(0, 0.001);
    layout->setRowStretchFactor(1, 0.001);
    for (int r = 2; r < row; ++r)
        layout->setRowStretchFactor(r, 1);
}

void SpectrumView::addEigenvalues(QCPAxisRect* rect) {
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    const std::vector<double>& top = spectrum_.topEigenvalues;
    QVector<double> ranks, values;
    QStringList labels;
    double lo = 0, hi = 0;
    for (std::size_t i = 0; i < top.size(); ++i) {
        ranks << double(i + 1);
        values << top[i];
        labels << QString::number(i + 1);
        if (std::isfinite(top[i])) {
            lo = std::min(lo, top[i]);
            hi = std::max(hi, top[i]);
        }
    }
    const QPen stemPen(kBlue, 1.6);
    eigenvalues_ = plot_->addGraph(x, y);
    eigenvalues_->setName(tr("top eigenvalues"));
    eigenvalues_->setData(ranks, values, true);
    eigenvalues_->setLineStyle(QCPGraph::lsImpulse);
    eigenvalues_->setPen(stemPen);
    eigenvalues_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kBlue, kBlue, 8));
    if (spectrum_.hasBottom()) {
        const double at = double(top.size() + 1);
        labels << tr("min");
        bottom_ = plot_->addGraph(x, y);
        bottom_->setName(tr("smallest eigenvalue"));
        bottom_->setData({at}, {spectrum_.bottomEigenvalue}, true);
        bottom_->setLineStyle(QCPGraph::lsImpulse);
        bottom_->setPen(QPen(kRed, 1.6));
        bottom_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, kRed, kRed, 9));
        lo = std::min(lo, spectrum_.bottomEigenvalue);
        hi = std::max(hi, spectrum_.bottomEigenvalue);
    }
    x->setTicker(textTicker(labels, true));
    x->setRange(0.4, labels.size() + 0.6);
    y->setRange(valueRange(lo, hi));
}

void SpectrumView::addDensity(QCPAxisRect* rect) {
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    double peak = 0;
    for (double d : spectrum_.density)
        if (std::isfinite(d)) peak = std::max(peak, d);
    if (!(peak > 0)) peak = 1;
    // Whole decades, so the log axis is labelled at both ends.
    const double topDecade = std::ceil(std::log10(peak) + 0.15);
    const double floor = std::pow(10.0, topDecade - kDecadesShown);
    // Below the axis the curve is left out (a gap), except where it crosses
    // the bottom, so each peak ends on the axis.
    const std::vector<double>& d = spectrum_.density;
    auto above = [&](std::size_t i) { return i < d.size() && d[i] >= floor; };
    QVector<double> grid, values;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (!std::isfinite(spectrum_.densityGrid[i]) || !std::isfinite(d[i])) continue;
        grid << spectrum_.densityGrid[i];
        const bool crossing = (i > 0 && above(i - 1)) || above(i + 1);
        values << (above(i) ? d[i] : crossing ? floor : std::nan(""));
    }
    density_ = plot_->addGraph(x, y);
    density_->setName(tr("spectral density (SLQ)"));
    density_->setData(grid, values, true);
    density_->setPen(QPen(kBlue, 1.6));
    density_->setBrush(QColor(31, 119, 180, 40));
    // Narrow peaks are the point of this plot: draw every grid point.
    density_->setAdaptiveSampling(false);
    y->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    ticker->setSubTickCount(0);
    ticker->setTickCount(int(kDecadesShown / 2));
    y->setTicker(ticker);
    y->setNumberFormat(QStringLiteral("eb"));
    y->setNumberPrecision(0);
    y->setRange(floor, std::pow(10.0, topDecade));
    if (!grid.isEmpty()) x->setRange(grid.front(), grid.back());
}

void SpectrumView::addLayers(QCPAxisRect* topRect, QCPAxisRect* traceRect) {
    QVector<double> at, tops, traces, errors;
    QStringList names;
    double topLo = 0, topHi = 0, traceLo = 0, traceHi = 0;
    bool longNames = false;
    for (std::size_t i = 0; i < spectrum_.layers.size(); ++i) {
        const HessianSpectrum::Layer& l = spectrum_.layers[i];
        at << double(i + 1);
        tops << l.topEigenvalue;
        traces << l.trace;
        const double se = std::isfinite(l.traceStandardError) ? l.traceStandardError : 0.0;
        errors << se;
        names << QString::fromStdString(l.name);
        longNames = longNames || l.name.size() > 8;
        if (std::isfinite(l.topEigenvalue)) {
            topLo = std::min(topLo, l.topEigenvalue);
            topHi = std::max(topHi, l.topEigenvalue);
        }
        if (std::isfinite(l.trace)) {
            traceLo = std::min(traceLo, l.trace - se);
            traceHi = std::max(traceHi, l.trace + se);
        }
    }
    const double rotation = longNames || names.size() > 6 ? -35 : 0;
    auto setUp = [&](QCPAxisRect* rect, const QCPRange& range) {
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        x->setTicker(textTicker(names, true));
        x->setTickLabelRotation(rotation);
        x->setSubTicks(false);
        x->grid()->setVisible(false);
        x->setRange(0.4, names.size() + 0.6);
        rect->axis(QCPAxis::atLeft)->setRange(range);
    };
    layerTop_ = new QCPBars(topRect->axis(QCPAxis::atBottom), topRect->axis(QCPAxis::atLeft));
    layerTop_->setName(tr("top eigenvalue per layer"));
    layerTop_->setData(at, tops, true);
    layerTop_->setWidth(0.6);
    layerTop_->setPen(QPen(kBlue.darker(130)));
    layerTop_->setBrush(kBlue);
    setUp(topRect, valueRange(topLo, topHi));

    layerTrace_ = new QCPBars(traceRect->axis(QCPAxis::atBottom), traceRect->axis(QCPAxis::atLeft));
    layerTrace_->setName(tr("trace per layer"));
    layerTrace_->setData(at, traces, true);
    layerTrace_->setWidth(0.6);
    layerTrace_->setPen(QPen(kOrange.darker(130)));
    layerTrace_->setBrush(kOrange);
    auto* bars =
        new QCPErrorBars(traceRect->axis(QCPAxis::atBottom), traceRect->axis(QCPAxis::atLeft));
    bars->setDataPlottable(layerTrace_);
    bars->setData(errors);
    bars->setPen(QPen(QColor(40, 40, 40), 1.2));
    bars->setWhiskerWidth(8);
    bars->setSymbolGap(0);
    setUp(traceRect, valueRange(traceLo, traceHi));
}

QString SpectrumView::describeAt(const QPointF& pixel) const {
    QCPAxisRect* rect = plot_->axisRectAt(pixel);
    if (!rect) return {};
    const double x = rect->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x());
    const int index = int(std::lround(x));
    if (rect == eigenRect_) {
        const int k = int(spectrum_.topEigenvalues.size());
        if (index >= 1 && index <= k)
            return tr("λ%1 = %2")
                .arg(subscript(index))
                .arg(num(spectrum_.topEigenvalues[index - 1], 6));
        if (index == k + 1 && spectrum_.hasBottom())
            return tr("λₘᵢₙ = %1").arg(num(spectrum_.bottomEigenvalue, 6));
        return {};
    }
    if (rect == densityRect_) {
        const std::vector<double>& g = spectrum_.densityGrid;
        const auto it = std::lower_bound(g.begin(), g.end(), x);
        if (it == g.begin() || it == g.end()) return {};
        const std::size_t i = std::size_t(it - g.begin());
        const double t = (x - g[i - 1]) / (g[i] - g[i - 1]);
        const double d = (1 - t) * spectrum_.density[i - 1] + t * spectrum_.density[i];
        return tr("λ = %1   density = %2").arg(num(x), num(d, 3));
    }
    if ((rect == layerTopRect_ || rect == layerTraceRect_) && index >= 1 &&
        index <= int(spectrum_.layers.size())) {
        const HessianSpectrum::Layer& l = spectrum_.layers[std::size_t(index - 1)];
        return tr("%1 (%2 parameters):   λₘₐₓ = %3   trace = %4 ± %5")
            .arg(QString::fromStdString(l.name), withSeparators(l.parameters),
                 num(l.topEigenvalue, 5), num(l.trace, 5), num(l.traceStandardError, 2));
    }
    return {};
}

QString SpectrumView::readout() const {
    return readout_->text();
}

QPointF SpectrumView::eigenvaluePixel(int rank) const {
    if (!eigenRect_ || rank < 1 || rank > int(spectrum_.topEigenvalues.size())) return {};
    return {eigenRect_->axis(QCPAxis::atBottom)->coordToPixel(rank),
            eigenRect_->axis(QCPAxis::atLeft)
                ->coordToPixel(spectrum_.topEigenvalues[std::size_t(rank - 1)])};
}

bool SpectrumView::exportFigure(const QString& path, int width, int height, double dpi,
                                QString* error) {
    return exportPlotFigure(
        plot_, path, QSize(width, height), title_,
        [this](const QString& csv, QString* e) { return writeFileAtomically(csv, toCsv(), e); },
        error, dpi);
}

QByteArray SpectrumView::toCsv() const {
    QByteArray out = "series,label,x,value,standard_error\n";
    auto row = [&out](const char* series, const QString& label, double x, double v, double se) {
        out += QByteArray(series) + ',' + csvField(label) + ',' + csvNumber(x) + ',' +
               csvNumber(v) + ',' + csvNumber(se) + '\n';
    };
    const double none = std::nan("");
    for (std::size_t i = 0; i < spectrum_.topEigenvalues.size(); ++i)
        row("top_eigenvalue", QString::number(i + 1), double(i + 1), spectrum_.topEigenvalues[i],
            none);
    if (spectrum_.hasBottom())
        row("bottom_eigenvalue", QStringLiteral("min"), none, spectrum_.bottomEigenvalue, none);
    if (spectrum_.hasTrace())
        row("trace", QString(), none, spectrum_.trace, spectrum_.traceStandardError);
    if (spectrum_.hasDensity()) {
        for (std::size_t i = 0; i < spectrum_.density.size(); ++i)
            row("density", QString(), spectrum_.densityGrid[i], spectrum_.density[i], none);
    }
    for (const HessianSpectrum::Layer& l : spectrum_.layers) {
        const QString name = QString::fromStdString(l.name);
        row("layer_top_eigenvalue", name, none, l.topEigenvalue, none);
        row("layer_trace", name, none, l.trace, l.traceStandardError);
    }
    return out;
}

}  // namespace basin::widgets
