#include "splats/SplatStatsView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QResizeEvent>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"
#include "splats/SplatSelection.h"

namespace basin::widgets {
namespace {

constexpr int kBins = 60;
// A press and release closer than this (pixels) is a click: it clears.
constexpr int kClickPixels = 3;

const QColor kTotalColour(150, 160, 175);
const QColor kBrushColour(230, 120, 20);

float sigmoid(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

QString count(std::size_t n) {
    return QLocale().toString(qulonglong(n));
}

}  // namespace

const QString SplatStatsView::kOpacity = QStringLiteral("opacity");
const QString SplatStatsView::kScale = QStringLiteral("log10 scale (largest axis)");

QString splatPartName(int label) {
    switch (label) {
        case kUnlabelledPart:
            return QObject::tr("unlabelled");
        case 0:
            return QObject::tr("body");
        case 1:
            return QObject::tr("hand");
        case 2:
            return QObject::tr("face");
        default:
            return QObject::tr("part %1").arg(label);
    }
}

std::vector<int> splatPartLabels(const GaussianCloud& cloud) {
    std::vector<int> labels(cloud.size(), kUnlabelledPart);
    if (const SplatQuantity* part = partQuantity(cloud.quantities, cloud.size()))
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const float v = part->values[i];
            labels[i] =
                std::isfinite(v) && std::abs(v) < 1e6f ? int(std::lround(v)) : kUnlabelledPart;
        }
    return labels;
}

SplatStatsView::SplatStatsView(QWidget* parent)
    : QWidget(parent),
      valueBox_(new QComboBox),
      summary_(new QLabel),
      partPlot_(new QCustomPlot),
      histogramPlot_(new QCustomPlot) {
    valueBox_->setObjectName(QStringLiteral("statsValue"));
    valueBox_->setToolTip(tr("The per-splat value the histogram counts"));
    summary_->setObjectName(QStringLiteral("statsSummary"));
    summary_->setWordWrap(true);
    partPlot_->setObjectName(QStringLiteral("statsParts"));
    histogramPlot_->setObjectName(QStringLiteral("statsHistogram"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    bar->addWidget(valueBox_, 1);
    bar->addWidget(exportFigureButton(
        this, QStringLiteral("splat-histogram.pdf"),
        [this](const QString& path, QSize size, QString* error) {
            return exportFigure(path, size, error);
        },
        [this](const QString& error) { summary_->setText(error); }));
    layout->addLayout(bar);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(partPlot_);
    split->addWidget(histogramPlot_);
    split->setSizes({2, 3});
    layout->addWidget(split, 1);
    layout->addWidget(summary_);

    partPlot_->setMinimumHeight(120);
    partPlot_->yAxis->setLabel(tr("splats"));
    // The legend sits in a row of its own above the bars, never over them.
    partPlot_->legend->setVisible(true);
    partPlot_->plotLayout()->insertRow(0);
    partPlot_->plotLayout()->addElement(0, 0, partPlot_->legend);
    partPlot_->plotLayout()->setRowStretchFactor(0, 0.001);
    partPlot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    partPlot_->legend->setBorderPen(Qt::NoPen);
    partPlot_->legend->setMargins(QMargins(4, 2, 4, 0));
    partTotals_ = new QCPBars(partPlot_->xAxis, partPlot_->yAxis);
    partTotals_->setName(tr("all"));
    partTotals_->setPen(Qt::NoPen);
    partTotals_->setBrush(kTotalColour);
    partTotals_->setWidth(0.7);
    partBrushed_ = new QCPBars(partPlot_->xAxis, partPlot_->yAxis);
    partBrushed_->setName(tr("brushed"));
    partBrushed_->setPen(Qt::NoPen);
    partBrushed_->setBrush(kBrushColour);
    partBrushed_->setWidth(0.4);

    histogramPlot_->setMinimumHeight(140);
    histogramPlot_->yAxis->setLabel(tr("splats"));
    histogramBars_ = new QCPBars(histogramPlot_->xAxis, histogramPlot_->yAxis);
    histogramBars_->setPen(Qt::NoPen);
    histogramBars_->setBrush(QColor(70, 110, 170));
    brushRect_ = new QCPItemRect(histogramPlot_);
    brushRect_->setPen(QPen(kBrushColour, 1));
    QColor fill = kBrushColour;
    fill.setAlpha(60);
    brushRect_->setBrush(fill);
    brushRect_->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    brushRect_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    brushRect_->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
    brushRect_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    brushRect_->topLeft->setCoords(0, 0);
    brushRect_->bottomRight->setCoords(0, 1);
    brushRect_->setVisible(false);

    connect(valueBox_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (!name.isEmpty() && name != value_) setValue(name);
    });
    // Brushing: press starts a range, moves stretch it, release applies it.
    connect(histogramPlot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton || values_.empty()) return;
        dragging_ = true;
        dragStartPixel_ = int(e->position().x());
        dragStart_ = histogramPlot_->xAxis->pixelToCoord(e->position().x());
    });
    connect(histogramPlot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        if (!dragging_) return;
        const double x = histogramPlot_->xAxis->pixelToCoord(e->position().x());
        brushRect_->topLeft->setCoords(std::min(dragStart_, x), 0);
        brushRect_->bottomRight->setCoords(std::max(dragStart_, x), 1);
        brushRect_->setVisible(true);
        histogramPlot_->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(histogramPlot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (!dragging_) return;
        dragging_ = false;
        if (std::abs(int(e->position().x()) - dragStartPixel_) < kClickPixels) {
            clearBrush();
            return;
        }
        setBrush(dragStart_, histogramPlot_->xAxis->pixelToCoord(e->position().x()));
    });
    redrawParts();
    redrawHistogram();
}

void SplatStatsView::setCloud(const GaussianCloud& cloud) {
    const std::size_t n = cloud.size();
    labels_ = splatPartLabels(cloud);
    opacities_.assign(n, 0.0f);
    scales_.assign(n, 0.0f);
    const bool activated = cloud.opacities.size() == n;
    for (std::size_t i = 0; i < n; ++i) {
        opacities_[i] = activated ? cloud.opacities[i] : sigmoid(cloud.opacityLogits[i]);
        const float* s = &cloud.logScales[3 * i];
        // log10(exp(max log scale)): the largest axis in decades.
        scales_[i] = std::max({s[0], s[1], s[2]}) / float(std::log(10.0));
    }
    quantities_ = cloud.quantities;

    std::map<int, std::size_t> totals;
    for (int label : labels_)
        ++totals[label];
    parts_.clear();
    for (const auto& [label, total] : totals)
        parts_.push_back({label, total, 0});

    const QString keep = value_;
    value_.clear();
    {
        const QSignalBlocker block(valueBox_);
        valueBox_->clear();
        valueBox_->addItems(valueNames());
    }
    if (!setValue(valueNames().contains(keep) ? keep : kOpacity)) setValue(kOpacity);
}

QStringList SplatStatsView::valueNames() const {
    QStringList names{kOpacity, kScale};
    for (const SplatQuantity& q : quantities_)
        names << QString::fromStdString(q.name);
    return names;
}

bool SplatStatsView::setValue(const QString& name) {
    if (!valueNames().contains(name)) return false;
    value_ = name;
    {
        const QSignalBlocker block(valueBox_);
        valueBox_->setCurrentText(name);
    }
    computeValues();
    computeHistogram();
    const bool hadBrush = hasBrush_;
    hasBrush_ = false;
    applyBrush(hadBrush);
    redrawHistogram();
    Q_EMIT valueChanged(value_);
    return true;
}

void SplatStatsView::computeValues() {
    const std::size_t n = labels_.size();
    if (value_ == kOpacity) {
        values_ = opacities_;
    } else if (value_ == kScale) {
        values_ = scales_;
    } else {
        values_.assign(n, std::numeric_limits<float>::quiet_NaN());
        for (const SplatQuantity& q : quantities_)
            if (QString::fromStdString(q.name) == value_ && q.values.size() == n)
                values_ = q.values;
    }
    for (float& v : values_)
        if (!std::isfinite(v)) v = std::numeric_limits<float>::quiet_NaN();
}

void SplatStatsView::computeHistogram() {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (float v : values_)
        if (std::isfinite(v)) {
            lo = std::min(lo, double(v));
            hi = std::max(hi, double(v));
        }
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    low_ = lo;
    high_ = hi;
    bins_.assign(kBins, 0);
    const double width = (hi - lo) / kBins;
    for (float v : values_)
        if (std::isfinite(v)) ++bins_[std::size_t(std::clamp(int((v - lo) / width), 0, kBins - 1))];
}

void SplatStatsView::setBrush(double low, double high) {
    hasBrush_ = true;
    brushLow_ = std::min(low, high);
    brushHigh_ = std::max(low, high);
    applyBrush(true);
}

void SplatStatsView::clearBrush() {
    const bool had = hasBrush_;
    hasBrush_ = false;
    applyBrush(had);
}

void SplatStatsView::applyBrush(bool emitSignal) {
    brushed_ = 0;
    for (SplatPartCount& p : parts_)
        p.brushed = 0;
    if (hasBrush_) {
        mask_.assign(values_.size(), 0);
        std::map<int, std::size_t> perPart;
        for (std::size_t i = 0; i < values_.size(); ++i) {
            const float v = values_[i];
            if (std::isfinite(v) && v >= brushLow_ && v <= brushHigh_) {
                mask_[i] = 1;
                ++brushed_;
                ++perPart[labels_[i]];
            }
        }
        for (SplatPartCount& p : parts_)
            p.brushed = perPart[p.label];
    } else {
        mask_.clear();
    }
    updateBrushRect();
    redrawParts();
    if (emitSignal) Q_EMIT brushChanged(mask_);
}

bool SplatStatsView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        histogramPlot_, path, size, tr("%1 of %2 splats").arg(value_, count(labels_.size())),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool SplatStatsView::saveCsv(const QString& path, QString* error) const {
    std::vector<std::size_t> brushedBins(bins_.size(), 0);
    const double width = (high_ - low_) / std::max(1, binCount());
    for (std::size_t i = 0; i < mask_.size(); ++i)
        if (mask_[i])
            ++brushedBins[std::size_t(
                std::clamp(int((values_[i] - low_) / width), 0, binCount() - 1))];
    QString out = QStringLiteral("bin_low,bin_high,splats,brushed\n");
    for (int b = 0; b < binCount(); ++b)
        out += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(low_ + b * width, 0, 'g', 9)
                   .arg(low_ + (b + 1) * width, 0, 'g', 9)
                   .arg(bins_[std::size_t(b)])
                   .arg(brushedBins[std::size_t(b)]);
    return writeFileAtomically(path, out.toUtf8(), error);
}

QString SplatStatsView::summary() const {
    QStringList perPart;
    for (const SplatPartCount& p : parts_)
        perPart << QStringLiteral("%1 %2").arg(splatPartName(p.label), count(p.total));
    QString text =
        tr("%1 splats (%2)").arg(count(labels_.size()), perPart.join(QStringLiteral(", ")));
    if (hasBrush_)
        text += tr("; brushed %1 in [%2, %3]")
                    .arg(count(brushed_))
                    .arg(brushLow_, 0, 'g', 4)
                    .arg(brushHigh_, 0, 'g', 4);
    return text;
}

void SplatStatsView::updateBrushRect() {
    brushRect_->setVisible(hasBrush_);
    if (hasBrush_) {
        brushRect_->topLeft->setCoords(brushLow_, 0);
        brushRect_->bottomRight->setCoords(brushHigh_, 1);
    }
    histogramPlot_->replot(QCustomPlot::rpQueuedReplot);
}

void SplatStatsView::redrawParts() {
    QVector<double> keys, totals, brushed;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double top = 1;
    for (std::size_t i = 0; i < parts_.size(); ++i) {
        keys << double(i);
        totals << double(parts_[i].total);
        brushed << double(parts_[i].brushed);
        ticker->addTick(double(i), splatPartName(parts_[i].label));
        top = std::max(top, double(parts_[i].total));
    }
    partTotals_->setData(keys, totals, true);
    partBrushed_->setData(keys, brushed, true);
    partBrushed_->setVisible(hasBrush_);
    partPlot_->legend->setVisible(hasBrush_);
    partPlot_->xAxis->setTicker(ticker);
    partPlot_->xAxis->setRange(-0.6, std::max<double>(0.6, double(parts_.size()) - 0.4));
    partPlot_->yAxis->setRange(0, top * 1.1);
    summary_->setText(summary());
    partPlot_->replot(QCustomPlot::rpQueuedReplot);
}

void SplatStatsView::redrawHistogram() {
    QVector<double> keys, counts;
    const double width = (high_ - low_) / std::max(1, binCount());
    double top = 1;
    for (int b = 0; b < binCount(); ++b) {
        keys << low_ + (b + 0.5) * width;
        counts << double(bins_[std::size_t(b)]);
        top = std::max(top, counts.back());
    }
    histogramBars_->setWidth(width);
    histogramBars_->setData(keys, counts, true);
    histogramPlot_->xAxis->setLabel(value_);
    histogramPlot_->xAxis->setRange(low_ - width, high_ + width);
    histogramPlot_->yAxis->setRange(0, top * 1.05);
    updateBrushRect();
}

void SplatStatsView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // About one tick label per 70 pixels of axis, so that they never run
    // together in a narrow panel.
    histogramPlot_->xAxis->ticker()->setTickCount(std::clamp((width() - 60) / 70, 2, 8));
    histogramPlot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace basin::widgets
