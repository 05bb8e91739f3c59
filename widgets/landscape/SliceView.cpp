#include "landscape/SliceView.h"

#include <QLabel>
#include <algorithm>
#include <cmath>
#include <limits>

#include "plot/PlotFigure.h"
#include "plot/PlotRanges.h"
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

constexpr SurfaceMetric kMetrics[] = {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                                      SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy};

bool isAccuracy(SurfaceMetric m) {
    return m == SurfaceMetric::TrainAccuracy || m == SurfaceMetric::TestAccuracy;
}
bool isTest(SurfaceMetric m) {
    return m == SurfaceMetric::TestLoss || m == SurfaceMetric::TestAccuracy;
}

// Loss in blue, accuracy in orange (matplotlib's first two colours, which
// readers of Li et al.'s figures know); test dashed.
QPen penOf(SurfaceMetric m) {
    QPen pen(isAccuracy(m) ? QColor(255, 127, 14) : QColor(31, 119, 180), 2);
    if (isTest(m)) pen.setStyle(Qt::DashLine);
    return pen;
}

}  // namespace

QString surfaceMetricLabel(SurfaceMetric metric) {
    switch (metric) {
        case SurfaceMetric::TrainLoss:
            return QObject::tr("train loss");
        case SurfaceMetric::TrainAccuracy:
            return QObject::tr("train accuracy");
        case SurfaceMetric::TestLoss:
            return QObject::tr("test loss");
        case SurfaceMetric::TestAccuracy:
            return QObject::tr("test accuracy");
    }
    return {};
}

Surface sliceOfSurface(const Surface& surface, SliceAxis axis, double at, double* line) {
    if (line) *line = 0;
    if (!surface.twoDimensional()) return surface;
    const std::size_t ny = surface.ny();
    const bool alongA = axis == SliceAxis::A;
    const std::size_t fixed = nearestIndex(alongA ? surface.y : surface.x, at);
    if (line) *line = alongA ? surface.y[fixed] : surface.x[fixed];
    Surface out(alongA ? surface.x : surface.y);
    out.metadata = surface.metadata;
    for (SurfaceMetric m : kMetrics) {
        if (!surface.has(m)) continue;
        const std::vector<double>& in = surface.metric(m);
        std::vector<double>& values = out.metric(m);
        for (std::size_t k = 0; k < out.nx(); ++k)
            values[k] = alongA ? in[k * ny + fixed] : in[fixed * ny + k];
    }
    return out;
}

SliceView::SliceView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), readout_(new QLabel) {
    plotViewFrame(this, plot_, readout_, QStringLiteral("slice"),
                  QStringLiteral("landscape-1d.pdf"),
                  [this](const QString& path, QSize size, QString* error) {
                      return exportFigure(path, size, error);
                  });

    plot_->yAxis->setLabel(tr("loss"));
    plot_->yAxis2->setLabel(tr("accuracy (%)"));
    // The legend in a row above the plot, so it never hides a curve.
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    // Centred: empty cells either side take the spare width.
    auto* legendRow = new QCPLayoutGrid;
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, legendRow);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    legendRow->addElement(0, 0, new QCPLayoutElement(plot_));
    legendRow->addElement(0, 1, plot_->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(plot_));
    legendRow->setColumnStretchFactors({1.0, 0.001, 1.0});
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setMargins(QMargins(6, 6, 6, 0));
    plot_->legend->setColumnSpacing(14);
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showReadout(plot_->xAxis->pixelToCoord(e->position().x())); });
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton || slice_.nx() < 2) return;
        const double along = plot_->xAxis->pixelToCoord(e->position().x());
        if (along < slice_.x.front() || along > slice_.x.back()) return;
        const auto [a, b] = planeOf(along);
        Q_EMIT pointClicked(a, b);
    });
    rebuild();
}

void SliceView::setSurface(const Surface& surface) {
    surface_ = surface;
    reslice();
}

void SliceView::setSlice(SliceAxis axis, double at) {
    axis_ = axis;
    at_ = at;
    reslice();
}

void SliceView::reslice() {
    slice_ = sliceOfSurface(surface_, axis_, at_, &line_);
    rebuild();
}

void SliceView::setMarkers(const std::vector<Marker>& markers) {
    markers_ = markers;
    rebuild();
}

void SliceView::setProbe(double a, double b) {
    hasProbe_ = true;
    probeA_ = a;
    probeB_ = b;
    rebuild();
}

void SliceView::clearProbe() {
    hasProbe_ = false;
    rebuild();
}

QString SliceView::alongName() const {
    return axis_ == SliceAxis::A ? QStringLiteral("a") : QStringLiteral("b");
}

std::pair<double, double> SliceView::planeOf(double along) const {
    if (!surface_.twoDimensional()) return {along, 0.0};
    return axis_ == SliceAxis::A ? std::pair{along, line_} : std::pair{line_, along};
}

void SliceView::rebuild() {
    plot_->clearPlottables();
    plot_->clearItems();
    markersShown_ = 0;
    const bool twoD = surface_.twoDimensional();
    const QString other = axis_ == SliceAxis::A ? QStringLiteral("b") : QStringLiteral("a");
    plot_->xAxis->setLabel(
        twoD ? tr("%1   (slice at %2 = %3)").arg(alongName(), other, QString::number(line_, 'g', 4))
             : alongName());
    bool anyAccuracy = false;
    std::vector<double> losses, accuracies;
    const QVector<double> xs(slice_.x.begin(), slice_.x.end());
    for (SurfaceMetric m : kMetrics) {
        // A metric with no value at all (test metrics without test data) is left out.
        if (!slice_.has(m) || !anyComputed(slice_.metric(m))) continue;
        QVector<double> vs;
        for (double v : slice_.metric(m))
            vs << shownValue(v);
        QCPGraph* graph =
            plot_->addGraph(plot_->xAxis, isAccuracy(m) ? plot_->yAxis2 : plot_->yAxis);
        graph->setData(xs, vs, true);
        graph->setPen(penOf(m));
        graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, penOf(m).color(), penOf(m).color(), 5));
        graph->setName(surfaceMetricLabel(m));
        std::vector<double>& range = isAccuracy(m) ? accuracies : losses;
        range.insert(range.end(), vs.begin(), vs.end());
        anyAccuracy = anyAccuracy || isAccuracy(m);
    }
    plot_->yAxis2->setVisible(anyAccuracy);
    plot_->yAxis->setLabelColor(QColor(31, 119, 180));
    plot_->yAxis2->setLabelColor(QColor(255, 127, 14));
    plot_->legend->setVisible(plot_->graphCount() > 0);
    if (!slice_.x.empty()) plot_->xAxis->setRange(slice_.x.front(), slice_.x.back());
    plot_->yAxis->setRange(paddedRange(losses, 0.05));
    plot_->yAxis2->setRange(paddedRange(accuracies, 0.05));

    // Checkpoints: a dotted vertical line each, labelled at the top.
    double halfStep = std::numeric_limits<double>::infinity();
    if (twoD) {
        const std::vector<double>& across = axis_ == SliceAxis::A ? surface_.y : surface_.x;
        halfStep = across.size() > 1 ? 0.5 * std::abs(across[1] - across[0]) : 0.0;
    }
    auto onSlice = [&](double a, double b) {
        return std::abs((axis_ == SliceAxis::A ? b : a) - line_) <= halfStep + 1e-12;
    };
    auto along = [&](double a, double b) { return axis_ == SliceAxis::A || !twoD ? a : b; };
    // Checkpoint labels at the top of the plot, the probe's at the bottom.
    auto verticalLine = [this](double x, const QPen& pen, const QString& label, bool top) {
        auto* line = new QCPItemStraightLine(plot_);
        line->point1->setCoords(x, plot_->yAxis->range().lower);
        line->point2->setCoords(x, plot_->yAxis->range().upper);
        line->setPen(pen);
        if (label.isEmpty()) return;
        auto* text = new QCPItemText(plot_);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(x, top ? 0.0 : 1.0);
        text->setPositionAlignment(Qt::AlignLeft | (top ? Qt::AlignTop : Qt::AlignBottom));
        text->setText(label);
        text->setColor(pen.color());
        text->setPadding(QMargins(3, 2, 0, 2));
        text->setClipToAxisRect(true);
    };
    for (const Marker& m : markers_) {
        if (twoD && !onSlice(m.a, m.b)) continue;
        verticalLine(along(m.a, m.b), QPen(QColor(90, 90, 90), 1.2, Qt::DotLine), m.label, true);
        ++markersShown_;
    }
    if (hasProbe_ && (!twoD || onSlice(probeA_, probeB_)))
        verticalLine(along(probeA_, probeB_), QPen(QColor(214, 39, 40), 1.5), tr("probe"), false);
    plot_->replot();
}

QPointF SliceView::pixelOf(double along, double loss) const {
    return {plot_->xAxis->coordToPixel(along), plot_->yAxis->coordToPixel(loss)};
}

void SliceView::showReadout(double along) {
    if (slice_.nx() == 0 || along < slice_.x.front() || along > slice_.x.back()) {
        readout_->clear();
        return;
    }
    const std::size_t i = nearestIndex(slice_.x, along);
    QString text = QStringLiteral("%1 = %2").arg(alongName()).arg(slice_.x[i], 0, 'g', 4);
    for (SurfaceMetric m : kMetrics) {
        if (!slice_.has(m)) continue;
        const double v = shownValue(slice_.metric(m)[i]);
        if (!anyComputed(slice_.metric(m))) continue;  // e.g. no test data
        text += QStringLiteral("   %1 %2")
                    .arg(surfaceMetricLabel(m), !std::isfinite(v) ? QStringLiteral("—")
                                                : isAccuracy(m)
                                                    ? QString::number(v, 'f', 1) + QLatin1Char('%')
                                                    : QString::number(v, 'g', 5));
    }
    readout_->setText(text);
}

QString SliceView::readout() const {
    return readout_->text();
}

bool SliceView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, tr("loss landscape along %1").arg(alongName()),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool SliceView::saveCsv(const QString& path, QString* error) const {
    const bool twoD = surface_.twoDimensional();
    QByteArray out = alongName().toLatin1();
    if (twoD) out += axis_ == SliceAxis::A ? ",b" : ",a";
    for (SurfaceMetric m : kMetrics) {
        if (slice_.has(m)) out += ',' + QByteArray(surfaceMetricName(m));
    }
    out += '\n';
    for (std::size_t i = 0; i < slice_.nx(); ++i) {
        out += QByteArray::number(slice_.x[i], 'g', 10);
        if (twoD) out += ',' + QByteArray::number(line_, 'g', 10);
        for (SurfaceMetric m : kMetrics) {
            if (!slice_.has(m)) continue;
            const double v = shownValue(slice_.metric(m)[i]);
            out += ',' + (std::isfinite(v) ? QByteArray::number(v, 'g', 10) : QByteArray());
        }
        out += '\n';
    }
    return writeFileAtomically(path, out, error);
}

}  // namespace basin::widgets
