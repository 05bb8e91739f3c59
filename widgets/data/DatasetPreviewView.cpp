#include "data/DatasetPreviewView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <algorithm>
#include <cmath>

#include "plot/CategoricalColours.h"
#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"
#include "util/Colormap.h"

namespace basin::widgets {
namespace {

// Height of a grid row in cell widths: the image, then its label.
constexpr double kRowHeight = 1.3;

// Categorical colours, then darker variants for classes 10..19; beyond that
// they repeat.
QColor classColour(std::int64_t c) {
    const QColor base = categoricalColour(std::size_t(c) % 10);
    return (c / 10) % 2 ? base.darker(150) : base;
}

QColor valueColour(double t) {
    const Rgb c = sampleColormap(Colormap::Viridis, t);
    return QColor::fromRgbF(c.r, c.g, c.b);
}

QString elided(const QString& s, int chars) {
    return s.size() <= chars ? s : s.left(chars - 1) + QChar(0x2026);
}

QByteArray csvField(QString s) {
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"'))) return s.toUtf8();
    s.replace(QLatin1String("\""), QLatin1String("\"\""));
    return '"' + s.toUtf8() + '"';
}

}  // namespace

DatasetPreviewView::DatasetPreviewView(QWidget* parent)
    : QWidget(parent),
      plot_(new QCustomPlot),
      readout_(new QLabel),
      classBox_(new QComboBox),
      previous_(new QPushButton(tr("◀ Previous"))),
      next_(new QPushButton(tr("Next ▶"))),
      pageLabel_(new QLabel) {
    QHBoxLayout* bar = plotViewFrame(
        this, plot_, readout_, QStringLiteral("dataset"), QStringLiteral("dataset.pdf"),
        [this](const QString& path, QSize size, QString* error) {
            return exportFigure(path, size.width(), size.height(), 192, error);
        });
    classBox_->setObjectName(QStringLiteral("datasetClassFilter"));
    classBox_->setToolTip(tr("Show the samples of one class only"));
    previous_->setObjectName(QStringLiteral("datasetPrevious"));
    next_->setObjectName(QStringLiteral("datasetNext"));
    pageLabel_->setObjectName(QStringLiteral("datasetPage"));
    bar->insertWidget(1, classBox_);
    bar->insertWidget(2, previous_);
    bar->insertWidget(3, pageLabel_);
    bar->insertWidget(4, next_);
    connect(classBox_, &QComboBox::activated, this,
            [this](int i) { setClassFilter(classBox_->itemData(i).toInt()); });
    connect(previous_, &QPushButton::clicked, this, [this] { setPage(page_ - 1); });
    connect(next_, &QPushButton::clicked, this, [this] { setPage(page_ + 1); });
    connect(plot_, &QCustomPlot::afterLayout, this, &DatasetPreviewView::fitAspect);
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { readout_->setText(describeAt(e->position())); });
    plot_->setMinimumSize(300, 250);
}

void DatasetPreviewView::setDataset(Dataset dataset, const QString& title) {
    dataset_ = std::move(dataset);
    title_ = title;
    layout_ = datasetLayout(dataset_);
    classFilter_ = -1;
    page_ = 0;
    windowStart_ = -1;
    windowCount_ = kPageSize;
    if (layout_ == DatasetLayout::Images) range_ = datasetPixelRange(dataset_);
    classBox_->clear();
    classBox_->addItem(tr("All classes"), -1);
    const auto counts = classCounts(dataset_);
    for (std::size_t c = 0; c < counts.size(); ++c)
        classBox_->addItem(tr("Class %1 (%2)")
                               .arg(elided(className(dataset_, std::int64_t(c)), 24))
                               .arg(counts[c]),
                           int(c));
    rebuild();
}

void DatasetPreviewView::setClassFilter(int c) {
    if (!dataset_.isClassification() || c < -1 || c >= dataset_.classCount()) c = -1;
    if (c == classFilter_) return;
    classFilter_ = c;
    page_ = 0;
    rebuild();
    Q_EMIT selectionChanged();
}

int DatasetPreviewView::pageCount() const {
    const auto n = std::int64_t(samplesOfClass(dataset_, classFilter_).size());
    return int(std::max<std::int64_t>(1, (n + kPageSize - 1) / kPageSize));
}

void DatasetPreviewView::setPage(int page) {
    page = std::clamp(page, 0, pageCount() - 1);
    if (page == page_ && windowStart_ < 0) return;
    page_ = page;
    windowStart_ = -1;
    rebuild();
    Q_EMIT selectionChanged();
}

void DatasetPreviewView::setWindow(int start, int count) {
    windowStart_ = std::max(0, start);
    windowCount_ = std::clamp(count, 1, kPageSize);
    rebuild();
}

QImage DatasetPreviewView::cellImage(int k) const {
    if (k < 0 || k >= int(cells_.size())) return {};
    return cells_[std::size_t(k)]->pixmap().toImage();
}

QString DatasetPreviewView::cellLabel(int k) const {
    if (k < 0 || k >= int(shown_.size())) return {};
    return sampleLabel(dataset_, shown_[std::size_t(k)]);
}

QCPGraph* DatasetPreviewView::classGraph(int c) const {
    return c >= 0 && c < int(classGraphs_.size()) ? classGraphs_[std::size_t(c)] : nullptr;
}

void DatasetPreviewView::rebuild() {
    plot_->clearItems();
    plot_->clearPlottables();
    plot_->plotLayout()->clear();
    cells_.clear();
    classGraphs_.clear();
    countBars_ = nullptr;
    gridRect_ = scatterRect_ = nullptr;
    shown_.clear();
    shownX_.clear();
    shownY_.clear();
    dataBox_ = QRectF();

    QCPLayoutGrid* layout = plot_->plotLayout();
    auto* title = new QCPTextElement(plot_, title_, QFont(font().family(), 12, QFont::Bold));
    layout->addElement(0, 0, title);
    auto* caption = new QCPTextElement(plot_, QString(), QFont(font().family(), 9));
    caption->setTextColor(QColor(70, 70, 70));
    layout->addElement(1, 0, caption);
    auto* body = new QCPLayoutGrid;
    layout->addElement(2, 0, body);
    layout->setRowStretchFactors({0.01, 0.01, 1});

    if (dataset_.size() > 0) {
        if (layout_ == DatasetLayout::Images) {
            gridRect_ = new QCPAxisRect(plot_);
            auto* counts = dataset_.isClassification() ? new QCPAxisRect(plot_) : nullptr;
            body->addElement(0, 0, gridRect_);
            if (counts) {
                body->addElement(0, 1, counts);
                body->setColumnStretchFactors({3, 1});
            }
            drawImages(gridRect_, counts);
        } else {
            scatterRect_ = new QCPAxisRect(plot_);
            body->addElement(0, 0, scatterRect_);
            drawScatter(scatterRect_, body);
        }
    }
    caption->setText(caption_);
    updateControls();
    plot_->replot();
}

void DatasetPreviewView::drawImages(QCPAxisRect* grid, QCPAxisRect* countsRect) {
    const auto filtered = samplesOfClass(dataset_, classFilter_);
    const std::int64_t start = windowStart_ >= 0 ? windowStart_ : std::int64_t(page_) * kPageSize;
    const std::int64_t count = windowStart_ >= 0 ? windowCount_ : kPageSize;
    for (std::int64_t i = start; i < std::min<std::int64_t>(start + count, filtered.size()); ++i)
        shown_.push_back(filtered[std::size_t(i)]);

    const int n = int(shown_.size());
    columns_ = std::max(1, int(std::ceil(std::sqrt(double(std::max(n, 1))))));
    const int rows = std::max(1, (n + columns_ - 1) / columns_);
    QCPAxis* x = grid->axis(QCPAxis::atBottom);
    QCPAxis* y = grid->axis(QCPAxis::atLeft);
    for (QCPAxis* axis : grid->axes())
        axis->setVisible(false);
    grid->setAutoMargins(QCP::msNone);
    grid->setMargins(QMargins(8, 4, 8, 4));
    y->setRangeReversed(true);
    dataBox_ = QRectF(0, 0, columns_, rows * kRowHeight);

    QFont labelFont(font().family(), columns_ > 6 ? 8 : 10);
    for (int k = 0; k < n; ++k) {
        const double cx = k % columns_, cy = (k / columns_) * kRowHeight;
        auto* pixmap = new QCPItemPixmap(plot_);
        pixmap->setClipAxisRect(grid);
        pixmap->setScaled(true, Qt::KeepAspectRatio, Qt::FastTransformation);
        for (QCPItemPosition* p : {pixmap->topLeft, pixmap->bottomRight}) {
            p->setType(QCPItemPosition::ptPlotCoords);
            p->setAxes(x, y);
        }
        pixmap->topLeft->setCoords(cx + 0.06, cy + 0.04);
        pixmap->bottomRight->setCoords(cx + 0.94, cy + 0.96);
        pixmap->setPixmap(
            QPixmap::fromImage(sampleImage(dataset_, shown_[std::size_t(k)], range_)));
        cells_.push_back(pixmap);

        auto* label = new QCPItemText(plot_);
        label->setClipAxisRect(grid);
        label->position->setAxes(x, y);
        label->position->setCoords(cx + 0.5, cy + 0.98);
        label->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
        label->setFont(labelFont);
        label->setText(elided(sampleLabel(dataset_, shown_[std::size_t(k)]), 12));
    }

    const ImageShape s = imageShape(dataset_);
    const QString shape = QStringLiteral("%1×%2×%3").arg(s.channels).arg(s.height).arg(s.width);
    const QString which =
        classFilter_ >= 0 ? tr(" in class %1").arg(className(dataset_, classFilter_)) : QString();
    caption_ = n == 0 ? tr("%1 samples of %2; none%3").arg(dataset_.size()).arg(shape, which)
                      : tr("%1 samples of %2; showing %3–%4 of %5%6\n%7")
                            .arg(dataset_.size())
                            .arg(shape)
                            .arg(start + 1)
                            .arg(start + n)
                            .arg(filtered.size())
                            .arg(which, range_.caption());

    if (!countsRect) return;
    const auto counts = classCounts(dataset_);
    QCPAxis* key = countsRect->axis(QCPAxis::atLeft);
    QCPAxis* value = countsRect->axis(QCPAxis::atBottom);
    countBars_ = new QCPBars(key, value);
    countBars_->setName(tr("samples per class"));
    QVector<double> keys, values;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const int step = std::max(1, int(std::ceil(counts.size() / 25.0)));
    double most = 1;
    for (std::size_t c = 0; c < counts.size(); ++c) {
        keys << double(c);
        values << double(counts[c]);
        most = std::max(most, double(counts[c]));
        if (int(c) % step == 0) ticker->addTick(double(c), elided(className(dataset_, c), 14));
    }
    countBars_->setData(keys, values, true);
    countBars_->setWidth(0.7);
    countBars_->setPen(Qt::NoPen);
    countBars_->setBrush(QColor(31, 119, 180));
    key->setTicker(ticker);
    key->setRange(-0.6, double(counts.size()) - 0.4);
    key->setRangeReversed(true);
    key->setLabel(tr("class"));
    value->setRange(0, most * 1.25);  // room for the count beside each bar
    QSharedPointer<QCPAxisTickerFixed> integers(new QCPAxisTickerFixed);
    integers->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    value->setTicker(integers);
    value->setLabel(tr("samples per class"));
    if (classFilter_ >= 0) {
        auto* chosen = new QCPBars(key, value);
        chosen->setData({double(classFilter_)}, {double(counts[std::size_t(classFilter_)])});
        chosen->setWidth(0.7);
        chosen->setPen(Qt::NoPen);
        chosen->setBrush(QColor(255, 127, 14));
    }
    if (counts.size() <= 30) {
        for (std::size_t c = 0; c < counts.size(); ++c) {
            auto* text = new QCPItemText(plot_);
            text->setClipAxisRect(countsRect);
            text->position->setAxes(value, key);
            text->position->setCoords(double(counts[c]) + most * 0.02, double(c));
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            text->setFont(QFont(font().family(), 8));
            text->setText(QString::number(counts[c]));
        }
    }
}

void DatasetPreviewView::drawScatter(QCPAxisRect* rect, QCPLayoutGrid* body) {
    const auto filtered = samplesOfClass(dataset_, classFilter_);
    shown_ = evenlySampled(filtered, kMaxScatterPoints);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    for (QCPAxis* axis : rect->axes())
        axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::DotLine));
    if (layout_ == DatasetLayout::Scatter2D) {
        for (std::int64_t i : shown_) {
            const auto row = featureRow(dataset_, i);
            shownX_.push_back(row[0]);
            shownY_.push_back(row[1]);
        }
        x->setLabel(tr("feature 1 (x₁)"));
        y->setLabel(tr("feature 2 (x₂)"));
        caption_ = tr("%1 samples with 2 features").arg(dataset_.size());
    } else {
        pca_ = principalComponents(dataset_, shown_);
        shownX_ = pca_.x;
        shownY_ = pca_.y;
        x->setLabel(
            tr("principal component 1 (%1% of variance)").arg(100 * pca_.explained[0], 0, 'f', 1));
        y->setLabel(
            tr("principal component 2 (%1% of variance)").arg(100 * pca_.explained[1], 0, 'f', 1));
        std::int64_t d = 1;
        for (std::int64_t s : dataset_.sampleShape())
            d *= s;
        caption_ = tr("%1 samples with %2 features\nprojected on their first two principal "
                      "components (exact PCA of the drawn samples)")
                       .arg(dataset_.size())
                       .arg(d);
    }
    if (classFilter_ >= 0) caption_ += tr("; class %1 only").arg(className(dataset_, classFilter_));
    if (shown_.size() < filtered.size())
        caption_ +=
            tr("\n%1 of %2 points drawn, evenly spaced").arg(shown_.size()).arg(filtered.size());

    if (dataset_.isClassification()) {
        auto* legend = new QCPLegend;
        rect->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignRight);
        legend->setLayer(QStringLiteral("legend"));
        legend->setBrush(QColor(255, 255, 255, 220));
        legend->setFont(QFont(font().family(), 9));
        const auto labels = classLabels(dataset_);
        const auto counts = classCounts(dataset_);
        std::vector<QVector<double>> xs(counts.size()), ys(counts.size());
        for (std::size_t k = 0; k < shown_.size(); ++k) {
            const auto c = std::size_t(labels[std::size_t(shown_[k])]);
            xs[c] << shownX_[k];
            ys[c] << shownY_[k];
        }
        for (std::size_t c = 0; c < counts.size(); ++c) {
            QCPGraph* g = plot_->addGraph(x, y);
            g->setLineStyle(QCPGraph::lsNone);
            QColor colour = classColour(std::int64_t(c));
            colour.setAlpha(200);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 5));
            g->setData(xs[c], ys[c]);
            g->setName(
                tr("%1 (%2)").arg(elided(className(dataset_, std::int64_t(c)), 20)).arg(counts[c]));
            if (!xs[c].isEmpty()) g->addToLegend(legend);
            classGraphs_.push_back(g);
        }
    } else {
        // Regression: colour by the target's value (viridis) with a colorbar,
        // the points grouped into kValueSteps colour steps.
        const auto values = targetValues(dataset_);
        double lo = INFINITY, hi = -INFINITY;
        for (std::int64_t i : shown_) {
            lo = std::min(lo, values[std::size_t(i)]);
            hi = std::max(hi, values[std::size_t(i)]);
        }
        if (!(hi > lo)) hi = lo + 1;
        std::vector<QVector<double>> xs(kValueSteps), ys(kValueSteps);
        for (std::size_t k = 0; k < shown_.size(); ++k) {
            const double t = (values[std::size_t(shown_[k])] - lo) / (hi - lo);
            const int step = std::clamp(int(t * kValueSteps), 0, kValueSteps - 1);
            xs[std::size_t(step)] << shownX_[k];
            ys[std::size_t(step)] << shownY_[k];
        }
        for (int s = 0; s < kValueSteps; ++s) {
            QCPGraph* g = plot_->addGraph(x, y);
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, valueColour((s + 0.5) / kValueSteps), 5));
            g->setData(xs[std::size_t(s)], ys[std::size_t(s)]);
            classGraphs_.push_back(g);
        }
        auto* scale = new QCPColorScale(plot_);
        QCPColorGradient gradient;
        gradient.clearColorStops();
        for (int i = 0; i <= 16; ++i)
            gradient.setColorStopAt(i / 16.0, valueColour(i / 16.0));
        scale->setGradient(gradient);
        scale->setDataRange(QCPRange(lo, hi));
        scale->axis()->setLabel(tr("target"));
        body->addElement(0, 1, scale);
    }
    x->rescale();
    y->rescale();
    x->scaleRange(1.08, x->range().center());
    y->scaleRange(1.08, y->range().center());
    // Equal units only when the two spreads are comparable; otherwise the
    // narrower one would collapse to a line.
    const double ratio = x->range().size() / std::max(y->range().size(), 1e-300);
    if (ratio < 4 && ratio > 0.25)
        dataBox_ = QRectF(x->range().lower, y->range().lower, x->range().size(), y->range().size());
}

// One unit is as long on both axes (square images, round spirals, PCA
// distances as they are, when the spreads are comparable): the data box is fitted into the axis
// rect as laid out for this drawing — on screen or at an export's size.
void DatasetPreviewView::fitAspect() {
    QCPAxisRect* rect = gridRect_ ? gridRect_ : scatterRect_;
    if (!rect || rect->width() <= 0 || rect->height() <= 0 || dataBox_.isEmpty()) return;
    const double scale =
        std::min(rect->width() / dataBox_.width(), rect->height() / dataBox_.height());
    const double halfWidth = rect->width() / (2 * scale), halfHeight = rect->height() / (2 * scale);
    const QPointF centre = dataBox_.center();
    rect->axis(QCPAxis::atBottom)->setRange(centre.x() - halfWidth, centre.x() + halfWidth);
    if (gridRect_)  // the grid starts at the top
        rect->axis(QCPAxis::atLeft)->setRange(dataBox_.top(), dataBox_.top() + 2 * halfHeight);
    else
        rect->axis(QCPAxis::atLeft)->setRange(centre.y() - halfHeight, centre.y() + halfHeight);
}

void DatasetPreviewView::updateControls() {
    const bool images = layout_ == DatasetLayout::Images;
    classBox_->setVisible(dataset_.isClassification());
    classBox_->setCurrentIndex(std::max(0, classBox_->findData(classFilter_)));
    previous_->setVisible(images);
    next_->setVisible(images);
    pageLabel_->setVisible(images);
    previous_->setEnabled(page_ > 0);
    next_->setEnabled(page_ + 1 < pageCount());
    pageLabel_->setText(tr("page %1 of %2").arg(page_ + 1).arg(pageCount()));
}

QString DatasetPreviewView::describeAt(const QPointF& pixel) const {
    if (gridRect_ && gridRect_->rect().contains(pixel.toPoint())) {
        const double cx = gridRect_->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x());
        const double cy = gridRect_->axis(QCPAxis::atLeft)->pixelToCoord(pixel.y());
        const int k = int(std::floor(cy / kRowHeight)) * columns_ + int(std::floor(cx));
        if (cx < 0 || cx >= columns_ || k < 0 || k >= int(shown_.size())) return {};
        return tr("sample %1: %2").arg(shown_[std::size_t(k)]).arg(cellLabel(k));
    }
    if (scatterRect_ && scatterRect_->rect().contains(pixel.toPoint()) && !shown_.empty()) {
        QCPAxis* x = scatterRect_->axis(QCPAxis::atBottom);
        QCPAxis* y = scatterRect_->axis(QCPAxis::atLeft);
        std::size_t best = 0;
        double bestDistance = INFINITY;
        for (std::size_t k = 0; k < shown_.size(); ++k) {
            const double dx = x->coordToPixel(shownX_[k]) - pixel.x();
            const double dy = y->coordToPixel(shownY_[k]) - pixel.y();
            if (dx * dx + dy * dy < bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = k;
            }
        }
        if (bestDistance > 100) {
            return QStringLiteral("(%1, %2)")
                .arg(x->pixelToCoord(pixel.x()), 0, 'g', 4)
                .arg(y->pixelToCoord(pixel.y()), 0, 'g', 4);
        }
        return tr("sample %1: %2 at (%3, %4)")
            .arg(shown_[best])
            .arg(sampleLabel(dataset_, shown_[best]))
            .arg(shownX_[best], 0, 'g', 4)
            .arg(shownY_[best], 0, 'g', 4);
    }
    return {};
}

QByteArray DatasetPreviewView::toCsv() const {
    QByteArray csv = "index,label,x,y\n";
    const bool scatter = shownX_.size() == shown_.size() && !shownX_.empty();
    for (std::size_t k = 0; k < shown_.size(); ++k) {
        csv += QByteArray::number(shown_[k]) + ',' + csvField(sampleLabel(dataset_, shown_[k]));
        if (scatter)
            csv += ',' + QByteArray::number(shownX_[k], 'g', 9) + ',' +
                   QByteArray::number(shownY_[k], 'g', 9);
        else
            csv += ",,";
        csv += '\n';
    }
    return csv;
}

bool DatasetPreviewView::exportFigure(const QString& path, int width, int height, double dpi,
                                      QString* error) {
    return exportPlotFigure(
        plot_, path, QSize(width, height), title_,
        [this](const QString& csvPath, QString* e) {
            return writeFileAtomically(csvPath, toCsv(), e);
        },
        error, dpi);
}

}  // namespace basin::widgets
