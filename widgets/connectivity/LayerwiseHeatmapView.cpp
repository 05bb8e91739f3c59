#include "connectivity/LayerwiseHeatmapView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <algorithm>
#include <cmath>
#include <limits>

#include "connectivity/ConnectivityCsv.h"
#include "landscape/SliceView.h"
#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"
#include "util/Colormap.h"

namespace basin::widgets {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr LayerwiseVariant kVariants[] = {LayerwiseVariant::OthersAtA, LayerwiseVariant::OthersAtB,
                                          LayerwiseVariant::Cumulative};
constexpr SurfaceMetric kMetrics[] = {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss,
                                      SurfaceMetric::TrainAccuracy, SurfaceMetric::TestAccuracy};

QString variantLabel(LayerwiseVariant v) {
    switch (v) {
        case LayerwiseVariant::OthersAtA:
            return QObject::tr("others at A");
        case LayerwiseVariant::OthersAtB:
            return QObject::tr("others at B");
        case LayerwiseVariant::Cumulative:
            return QObject::tr("first k layers");
    }
    return {};
}

bool isAccuracy(SurfaceMetric m) {
    return m == SurfaceMetric::TrainAccuracy || m == SurfaceMetric::TestAccuracy;
}

// Sequential viridis, as every magnitude in Basin; grey where not computed.
QCPColorGradient viridis() {
    QCPColorGradient g;
    g.clearColorStops();
    const std::vector<Rgb> table = colormapTable(Colormap::Viridis, 16);
    for (std::size_t i = 0; i < table.size(); ++i)
        g.setColorStopAt(double(i) / double(table.size() - 1),
                         QColor::fromRgbF(table[i].r, table[i].g, table[i].b));
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(QColor(200, 200, 200));
    return g;
}

// "at_a/fc1" → (variant, "fc1"); false for other names.
bool parseRow(const std::string& name, LayerwiseVariant* variant, QString* layer) {
    const auto slash = name.find('/');
    if (slash == std::string::npos) return false;
    const std::string v = name.substr(0, slash);
    for (LayerwiseVariant candidate : kVariants) {
        if (v == layerwiseVariantName(candidate)) {
            *variant = candidate;
            *layer = QString::fromStdString(name.substr(slash + 1));
            return true;
        }
    }
    return false;
}

}  // namespace

LayerwiseHeatmapView::LayerwiseHeatmapView(QWidget* parent)
    : QWidget(parent),
      plot_(new QCustomPlot),
      variantChoice_(new QComboBox),
      metricChoice_(new QComboBox),
      readout_(new QLabel) {
    QHBoxLayout* bottom = plotViewFrame(this, plot_, readout_, QStringLiteral("layerwise"),
                                        QStringLiteral("lmc-layerwise.pdf"),
                                        [this](const QString& path, QSize size, QString* error) {
                                            return exportFigure(path, size, error);
                                        });
    variantChoice_->setObjectName(QStringLiteral("layerwiseVariant"));
    metricChoice_->setObjectName(QStringLiteral("layerwiseMetric"));
    variantChoice_->setToolTip(
        tr("Which network each row is: one layer interpolated with the others at A, or at B, "
           "or the first k layers interpolated together (cumulative)"));
    for (QComboBox* box : {variantChoice_, metricChoice_})
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bottom->insertWidget(1, variantChoice_);
    bottom->insertWidget(2, metricChoice_);
    connect(variantChoice_, &QComboBox::activated, this, [this](int index) {
        setVariant(LayerwiseVariant(variantChoice_->itemData(index).toInt()));
    });
    connect(metricChoice_, &QComboBox::activated, this, [this](int index) {
        setMetric(SurfaceMetric(metricChoice_->itemData(index).toInt()));
    });

    mapRect_ = plot_->axisRect();
    map_ = new QCPColorMap(mapRect_->axis(QCPAxis::atBottom), mapRect_->axis(QCPAxis::atLeft));
    map_->setInterpolate(false);
    map_->setTightBoundary(false);
    scale_ = new QCPColorScale(plot_);
    scale_->setBarWidth(14);
    plot_->plotLayout()->addElement(0, 1, scale_);
    // setColorScale hands the scale's gradient to the map: the gradient after it.
    map_->setColorScale(scale_);
    map_->setGradient(viridis());
    barrierRect_ = new QCPAxisRect(plot_);
    plot_->plotLayout()->addElement(0, 2, barrierRect_);
    plot_->plotLayout()->setColumnStretchFactors({4.0, 0.001, 1.4});
    auto* margins = new QCPMarginGroup(plot_);
    for (QCPLayoutElement* e :
         std::initializer_list<QCPLayoutElement*>{mapRect_, scale_, barrierRect_})
        e->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    bars_ = new QCPBars(barrierRect_->axis(QCPAxis::atLeft), barrierRect_->axis(QCPAxis::atBottom));
    const Rgb c = sampleColormap(Colormap::Viridis, 0.3);
    bars_->setBrush(QColor::fromRgbF(c.r, c.g, c.b));
    bars_->setPen(Qt::NoPen);
    bars_->setWidth(0.7);
    mapRect_->axis(QCPAxis::atBottom)->setLabel(QStringLiteral("t"));
    mapRect_->axis(QCPAxis::atLeft)->setLabel(tr("layer"));
    for (QCPAxisRect* rect : {mapRect_, barrierRect_}) {
        QCPAxis* layers = rect->axis(QCPAxis::atLeft);
        layers->setRangeReversed(true);  // the first layer at the top
        layers->grid()->setVisible(false);
    }
    barrierRect_->axis(QCPAxis::atLeft)->setTickLabels(false);
    barrierRect_->axis(QCPAxis::atBottom)->grid()->setVisible(true);
    barrierRect_->axis(QCPAxis::atBottom)->ticker()->setTickCount(2);
    barrierRect_->axis(QCPAxis::atBottom)
        ->ticker()
        ->setTickStepStrategy(QCPAxisTicker::tssMeetTickCount);
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showReadout(e->position()); });
    rebuild();
}

void LayerwiseHeatmapView::setSamples(const PathSamples& samples) {
    samples_ = samples;
    // Offer the variants and metrics the result has; keep the choice when possible.
    variantChoice_->clear();
    for (LayerwiseVariant v : kVariants) {
        const std::string prefix = std::string(layerwiseVariantName(v)) + '/';
        const bool present =
            std::any_of(samples_.rows.begin(), samples_.rows.end(),
                        [&](const std::string& r) { return r.rfind(prefix, 0) == 0; });
        if (present) variantChoice_->addItem(variantLabel(v), int(v));
    }
    if (variantChoice_->count() > 0 && variantChoice_->findData(int(variant_)) < 0)
        variant_ = LayerwiseVariant(variantChoice_->itemData(0).toInt());
    variantChoice_->setCurrentIndex(std::max(0, variantChoice_->findData(int(variant_))));
    metricChoice_->clear();
    for (SurfaceMetric m : kMetrics)
        if (samples_.has(m) && samples_.missingCount(m) < samples_.pointCount())
            metricChoice_->addItem(surfaceMetricLabel(m), int(m));
    if (metricChoice_->count() > 0 && metricChoice_->findData(int(metric_)) < 0)
        metric_ = SurfaceMetric(metricChoice_->itemData(0).toInt());
    metricChoice_->setCurrentIndex(std::max(0, metricChoice_->findData(int(metric_))));
    rebuild();
}

void LayerwiseHeatmapView::setVariant(LayerwiseVariant variant) {
    variant_ = variant;
    variantChoice_->setCurrentIndex(std::max(0, variantChoice_->findData(int(variant))));
    rebuild();
}

void LayerwiseHeatmapView::setMetric(SurfaceMetric metric) {
    metric_ = metric;
    metricChoice_->setCurrentIndex(std::max(0, metricChoice_->findData(int(metric))));
    rebuild();
}

std::vector<std::size_t> LayerwiseHeatmapView::rowsShown() const {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < samples_.rows.size(); ++r) {
        LayerwiseVariant v;
        QString layer;
        if (parseRow(samples_.rows[r], &v, &layer) && v == variant_) rows.push_back(r);
    }
    return rows;
}

void LayerwiseHeatmapView::rebuild() {
    const std::vector<std::size_t> rows = rowsShown();
    const std::size_t nt = samples_.nt();
    layers_.clear();
    barriers_.assign(rows.size(), kNaN);
    barrierT_.assign(rows.size(), kNaN);
    const std::vector<LayerBarrier> measured = basin::layerBarriers(samples_);
    for (std::size_t k = 0; k < rows.size(); ++k) {
        LayerwiseVariant v;
        QString layer;
        parseRow(samples_.rows[rows[k]], &v, &layer);
        layers_ << layer;
        for (const LayerBarrier& b : measured) {
            if (b.variant != variant_ || QString::fromStdString(b.layer) != layer) continue;
            const bool test =
                metric_ == SurfaceMetric::TestLoss || metric_ == SurfaceMetric::TestAccuracy;
            if (test && !b.test) continue;
            const Barrier& barrier = test ? *b.test : b.train;
            barriers_[k] = isAccuracy(metric_) ? barrier.accuracyDrop : barrier.linear;
            barrierT_[k] = isAccuracy(metric_) ? barrier.accuracyT : barrier.linearT;
        }
    }

    const int nLayers = int(rows.size());
    QCPAxis* tAxis = mapRect_->axis(QCPAxis::atBottom);
    if (nt >= 2 && nLayers > 0 && samples_.has(metric_)) {
        map_->data()->setSize(int(nt), nLayers);
        map_->data()->setRange(QCPRange(samples_.t.front(), samples_.t.back()),
                               QCPRange(0, std::max(1, nLayers - 1)));
        if (nLayers == 1) map_->data()->setValueRange(QCPRange(-0.5, 0.5));
        for (int k = 0; k < nLayers; ++k) {
            const std::vector<double> values = samples_.row(metric_, rows[std::size_t(k)]);
            for (std::size_t i = 0; i < nt; ++i)
                map_->data()->setCell(int(i), k, values[i] < 0 ? kNaN : values[i]);
        }
        map_->rescaleDataRange(true);
        const double half = 0.5 * (samples_.t.back() - samples_.t.front()) / double(nt - 1);
        tAxis->setRange(samples_.t.front() - half, samples_.t.back() + half);
    } else {
        map_->data()->clear();
        tAxis->setRange(0, 1);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int k = 0; k < nLayers; ++k)
        ticker->addTick(k, layers_[k]);
    for (QCPAxisRect* rect : {mapRect_, barrierRect_}) {
        QCPAxis* axis = rect->axis(QCPAxis::atLeft);
        axis->setTicker(ticker);
        axis->setRange(-0.5, std::max(0.5, nLayers - 0.5));
    }
    scale_->axis()->setLabel(surfaceMetricLabel(metric_) +
                             (isAccuracy(metric_) ? QStringLiteral(" (%)") : QString()));

    QVector<double> keys, values;
    double lo = 0, hi = 0;
    for (int k = 0; k < nLayers; ++k) {
        if (!std::isfinite(barriers_[std::size_t(k)])) continue;
        keys << k;
        values << barriers_[std::size_t(k)];
        lo = std::min(lo, values.back());
        hi = std::max(hi, values.back());
    }
    bars_->setData(keys, values, true);
    // Barriers of zero (monotone paths) on a scale of the heatmap's values,
    // not blown up to rounding noise.
    const QCPRange shownRange = map_->dataRange();
    hi = std::max(hi, lo + 0.05 * std::max(shownRange.size(), 1e-9));
    const double pad = 0.08 * (hi - lo);
    barrierRect_->axis(QCPAxis::atBottom)->setRange(lo < 0 ? lo - pad : 0.0, hi + pad);
    barrierRect_->axis(QCPAxis::atBottom)
        ->setLabel(isAccuracy(metric_) ? tr("accuracy drop (iv)") : tr("barrier (i)"));
    plot_->replot();
}

double LayerwiseHeatmapView::cellValue(int layer, std::size_t i) const {
    if (layer < 0 || layer >= layers_.size() || i >= samples_.nt()) return kNaN;
    return map_->data()->cell(int(i), layer);
}

QPointF LayerwiseHeatmapView::pixelOf(double t, int layer) const {
    return {mapRect_->axis(QCPAxis::atBottom)->coordToPixel(t),
            mapRect_->axis(QCPAxis::atLeft)->coordToPixel(layer)};
}

void LayerwiseHeatmapView::showReadout(const QPointF& pos) {
    const int layer = int(std::lround(mapRect_->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
    if (layer < 0 || layer >= layers_.size() || samples_.nt() == 0) {
        readout_->clear();
        return;
    }
    QString text = tr("layer %1").arg(layers_[layer]);
    if (mapRect_->rect().contains(pos.toPoint())) {
        const double t = mapRect_->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
        int i = 0, unused = 0;
        map_->data()->coordToCell(t, layer, &i, &unused);
        i = std::clamp(i, 0, int(samples_.nt()) - 1);
        const double v = cellValue(layer, std::size_t(i));
        text += tr(", t = %1: %2 %3")
                    .arg(samples_.t[std::size_t(i)], 0, 'g', 3)
                    .arg(surfaceMetricLabel(metric_),
                         std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("—"));
    }
    const double b = barriers_[std::size_t(layer)];
    if (std::isfinite(b))
        text += tr("   %1 %2 at t = %3")
                    .arg(isAccuracy(metric_) ? tr("accuracy drop") : tr("barrier"))
                    .arg(b, 0, 'g', 4)
                    .arg(barrierT_[std::size_t(layer)], 0, 'g', 3);
    readout_->setText(text);
}

QString LayerwiseHeatmapView::readout() const {
    return readout_->text();
}

bool LayerwiseHeatmapView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, tr("layer-wise linear mode connectivity"),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool LayerwiseHeatmapView::saveCsv(const QString& path, QString* error) const {
    QStringList header{QStringLiteral("layer"), QStringLiteral("barrier"),
                       QStringLiteral("barrier_t")};
    for (double t : samples_.t)
        header << QString::number(t, 'g', 6);
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int k = 0; k < layers_.size(); ++k) {
        QStringList fields{csvText(layers_[k]), csvNumber(barriers_[std::size_t(k)]),
                           csvNumber(barrierT_[std::size_t(k)])};
        for (std::size_t i = 0; i < samples_.nt(); ++i)
            fields << csvNumber(cellValue(k, i));
        out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return writeFileAtomically(path, out.toUtf8(), error);
}

}  // namespace basin::widgets
