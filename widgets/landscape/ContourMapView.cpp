#include "landscape/ContourMapView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "landscape/Isolines.h"
#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

QCPColorGradient gradientOf(Colormap map) {
    QCPColorGradient g;
    g.clearColorStops();
    const std::vector<Rgb> table = colormapTable(map, 16);
    for (std::size_t i = 0; i < table.size(); ++i) {
        g.setColorStopAt(double(i) / (table.size() - 1),
                         QColor::fromRgbF(table[i].r, table[i].g, table[i].b));
    }
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(QColor(128, 128, 128));
    return g;
}

}  // namespace

ContourMapView::ContourMapView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), readout_(new QLabel), metric_(new QComboBox) {
    QHBoxLayout* bottom = plotViewFrame(this, plot_, readout_, QStringLiteral("contour"),
                                        QStringLiteral("landscape.pdf"),
                                        [this](const QString& path, QSize size, QString* error) {
                                            return exportFigure(path, size, error);
                                        });
    metric_->setObjectName(QStringLiteral("contourMetric"));
    metric_->setToolTip(tr("What the map shows"));
    metric_->hide();
    bottom->insertWidget(1, metric_);
    connect(metric_, &QComboBox::activated, this, &ContourMapView::metricChosen);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (grid_.ny() < 2) return;
        const double a = hasProbe_ ? probeA_ : plot_->xAxis->pixelToCoord(pos.x());
        const double b = hasProbe_ ? probeB_ : plot_->yAxis->pixelToCoord(pos.y());
        const QString where = hasProbe_ ? tr(" through the probe") : QString();
        QMenu menu(this);
        QAction* alongX =
            menu.addAction(tr("Slice along %1 at %2 = %3%4")
                               .arg(xLabel_, yLabel_, QString::number(b, 'g', 3), where));
        QAction* alongY =
            menu.addAction(tr("Slice along %1 at %2 = %3%4")
                               .arg(yLabel_, xLabel_, QString::number(a, 'g', 3), where));
        QAction* chosen = menu.exec(plot_->mapToGlobal(pos));
        if (chosen == alongX) Q_EMIT sliceRequested(true, b);
        if (chosen == alongY) Q_EMIT sliceRequested(false, a);
    });
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        const double a = plot_->xAxis->pixelToCoord(e->position().x());
        const double b = plot_->yAxis->pixelToCoord(e->position().y());
        const double v =
            grid_.ny() > 1 ? valueAt(a, b) : grid_.interpolate(a, grid_.y.empty() ? 0 : grid_.y[0]);
        readout_->setText(std::isfinite(v) ? tr("%1 = %2   %3 = %4   %5 = %6")
                                                 .arg(xLabel_)
                                                 .arg(a, 0, 'g', 4)
                                                 .arg(yLabel_)
                                                 .arg(b, 0, 'g', 4)
                                                 .arg(QString::fromStdString(grid_.name))
                                                 .arg(v, 0, 'g', 5)
                                           : QString());
    });
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        // A click, not the end of a drag.
        if (e->button() != Qt::LeftButton) return;
        const double a = plot_->xAxis->pixelToCoord(e->position().x());
        const double b = plot_->yAxis->pixelToCoord(e->position().y());
        if (std::isfinite(valueAt(a, b))) Q_EMIT pointClicked(a, b);
    });
}

double ContourMapView::shown(double v) const {
    return options_.logScale ? std::log1p(std::max(0.0, v - minimum_)) : v;
}

void ContourMapView::setGrid(const Grid2D& grid, const Options& options) {
    grid_ = grid;
    options_ = options;
    minimum_ = grid_.finiteRange().first;
    rebuild();
    fitRanges();
    plot_->replot();
}

void ContourMapView::fitRanges() {
    plot_->rescaleAxes();  // the map and the trajectory
    if (grid_.ny() < 2) return;
    // A trajectory leaving the grid: room for its outer markers and labels.
    const bool outside = std::any_of(trajectory_.begin(), trajectory_.end(), [&](const Marker& m) {
        return m.a < grid_.x.front() || m.a > grid_.x.back() || m.b < grid_.y.front() ||
               m.b > grid_.y.back();
    });
    if (!outside) return;
    // Labels extend right of and above their markers.
    const QCPRange x = plot_->xAxis->range(), y = plot_->yAxis->range();
    plot_->xAxis->setRange(x.lower - 0.05 * x.size(), x.upper + 0.16 * x.size());
    plot_->yAxis->setRange(y.lower - 0.05 * y.size(), y.upper + 0.08 * y.size());
}

void ContourMapView::setAxisLabels(const QString& x, const QString& y) {
    xLabel_ = x;
    yLabel_ = y;
    rebuild();
    plot_->replot();
}

void ContourMapView::setTrajectory(const std::vector<Marker>& points) {
    trajectory_ = points;
    rebuild();
    fitRanges();
    plot_->replot();
}

void ContourMapView::setProbe(double a, double b) {
    hasProbe_ = true;
    probeA_ = a;
    probeB_ = b;
    rebuild();
    plot_->replot();
}

void ContourMapView::clearProbe() {
    hasProbe_ = false;
    rebuild();
    plot_->replot();
}

void ContourMapView::setMetricChoices(const QStringList& labels, int current) {
    QStringList now;
    for (int i = 0; i < metric_->count(); ++i)
        now << metric_->itemText(i);
    if (now != labels) {
        metric_->clear();
        metric_->addItems(labels);
    }
    metric_->setCurrentIndex(current);
    metric_->setVisible(labels.size() > 1);
}

int ContourMapView::currentMetric() const {
    return metric_->currentIndex();
}

void ContourMapView::rebuild() {
    plot_->clearPlottables();
    plot_->clearItems();
    if (scale_) {
        plot_->plotLayout()->remove(scale_);
        scale_ = nullptr;
    }
    map_ = nullptr;
    plot_->xAxis->setLabel(xLabel_);
    const std::size_t nx = grid_.nx(), ny = grid_.ny();
    if (nx < 2) return;
    const QString name = QString::fromStdString(grid_.name);

    if (ny < 2) {  // a 1D landscape: value along the direction
        QVector<double> xs, vs;
        for (std::size_t i = 0; i < nx; ++i) {
            if (!std::isfinite(grid_.values[i])) continue;
            xs << grid_.x[i];
            vs << grid_.values[i];
        }
        QCPGraph* line = plot_->addGraph();
        line->setData(xs, vs, true);
        const Rgb c = sampleColormap(options_.colormap, 0.2);
        line->setPen(QPen(QColor::fromRgbF(c.r, c.g, c.b), 2));
        line->setName(name);
        plot_->yAxis->setLabel(name);
        if (options_.logScale) plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
        return;
    }

    plot_->yAxis->setLabel(yLabel_);
    plot_->yAxis->setScaleType(QCPAxis::stLinear);
    map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    map_->data()->setSize(int(nx), int(ny));
    map_->data()->setRange(QCPRange(grid_.x.front(), grid_.x.back()),
                           QCPRange(grid_.y.front(), grid_.y.back()));
    for (std::size_t i = 0; i < nx; ++i) {
        for (std::size_t j = 0; j < ny; ++j) {
            map_->data()->setCell(int(i), int(j), shown(grid_.value(i, j)));
        }
    }
    map_->setInterpolate(true);
    scale_ = new QCPColorScale(plot_);
    scale_->setType(QCPAxis::atRight);
    scale_->axis()->setLabel(options_.logScale ? tr("log(1 + %1 − min)").arg(name) : name);
    plot_->plotLayout()->addElement(0, 1, scale_);
    // The map takes the scale's gradient: set ours after linking them.
    map_->setColorScale(scale_);
    map_->setGradient(gradientOf(options_.colormap));
    map_->rescaleDataRange(true);
    auto* group = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    // Isolines in the shown scale, drawn as continuous curves.
    if (options_.isolines > 0) {
        Grid2D shownGrid = grid_;
        for (double& v : shownGrid.values)
            v = shown(v);
        const auto [lo, hi] = shownGrid.finiteRange();
        for (const Isoline& iso :
             computeIsolines(shownGrid, evenLevels(lo, hi, options_.isolines))) {
            // Dark lines over the bright end of the map, light over the dark end.
            const double t = (iso.level - lo) / (hi - lo);
            const QColor colour = t > 0.6 ? QColor(40, 40, 40, 170) : QColor(255, 255, 255, 170);
            for (const auto& polyline : iso.polylines) {
                auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
                QVector<double> xs, ys;
                for (const auto& [x, y] : polyline) {
                    xs << x;
                    ys << y;
                }
                curve->setData(xs, ys);
                curve->setPen(QPen(colour, 1));
                curve->setSelectable(QCP::stNone);
            }
        }
    }

    if (!trajectory_.empty()) {
        auto* path = new QCPCurve(plot_->xAxis, plot_->yAxis);
        QVector<double> xs, ys;
        for (const Marker& m : trajectory_) {
            xs << m.a;
            ys << m.b;
        }
        path->setData(xs, ys);
        path->setPen(QPen(QColor(220, 50, 47), 2));
        path->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(220, 50, 47), Qt::white, 7));
        for (const Marker& m : trajectory_) {
            if (m.label.isEmpty()) continue;
            auto* text = new QCPItemText(plot_);
            text->position->setCoords(m.a, m.b);
            text->setText(m.label);
            // White on a dark backing: readable over the map and beside it.
            text->setColor(Qt::white);
            text->setBrush(QColor(0, 0, 0, 130));
            text->setPadding(QMargins(3, 1, 3, 1));
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        }
    }
    if (hasProbe_) {
        auto* probe = new QCPGraph(plot_->xAxis, plot_->yAxis);
        probe->setData({probeA_}, {probeB_});
        probe->setLineStyle(QCPGraph::lsNone);
        probe->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QPen(Qt::white, 2), Qt::NoBrush, 14));
        probe->setName(tr("probe"));
    }
}

QPointF ContourMapView::pixelOf(double a, double b) const {
    return {plot_->xAxis->coordToPixel(a), plot_->yAxis->coordToPixel(b)};
}

QString ContourMapView::readout() const {
    return readout_->text();
}

bool ContourMapView::savePng(const QString& path, int width, int height, double scale) {
    return plot_->savePng(path, width, height, scale);
}

bool ContourMapView::savePdf(const QString& path, int width, int height) {
    return plot_->savePdf(path, width, height);
}

bool ContourMapView::saveSvg(const QString& path, int width, int height) {
    return savePlotSvg(plot_, path, QSize(width, height), QString::fromStdString(grid_.name));
}

bool ContourMapView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, QString::fromStdString(grid_.name),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool ContourMapView::saveCsv(const QString& path, QString* error) const {
    QByteArray out =
        "x,y," + QByteArray::fromStdString(grid_.name.empty() ? "value" : grid_.name) + "\n";
    for (std::size_t i = 0; i < grid_.nx(); ++i) {
        for (std::size_t j = 0; j < std::max<std::size_t>(grid_.ny(), 1); ++j) {
            const double y = grid_.ny() ? grid_.y[j] : 0.0;
            const double v = grid_.ny() ? grid_.value(i, j) : std::nan("");
            out += QByteArray::number(grid_.x[i], 'g', 10) + ',' + QByteArray::number(y, 'g', 10) +
                   ',' + (std::isfinite(v) ? QByteArray::number(v, 'g', 10) : QByteArray()) + '\n';
        }
    }
    return writeFileAtomically(path, out, error);
}

}  // namespace basin::widgets
