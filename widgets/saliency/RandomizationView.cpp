#include "saliency/RandomizationView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <algorithm>
#include <cmath>

#include "connectivity/ConnectivityCsv.h"
#include "plot/CategoricalColours.h"
#include "plot/PlotFigure.h"
#include "plot/PlotRanges.h"
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

QColor colourOf(std::size_t i) {
    return categoricalColour(i);
}

double valueOf(const MapSimilarity& s, SimilarityMeasure m) {
    switch (m) {
        case SimilarityMeasure::Spearman:
            return s.spearman;
        case SimilarityMeasure::Ssim:
            return s.ssim;
        case SimilarityMeasure::SpearmanAbs:
            break;
    }
    return s.spearmanAbs;
}

QString measureTitle(SimilarityMeasure m) {
    switch (m) {
        case SimilarityMeasure::Spearman:
            return RandomizationView::tr("Spearman rank correlation");
        case SimilarityMeasure::Ssim:
            return RandomizationView::tr("SSIM");
        case SimilarityMeasure::SpearmanAbs:
            break;
    }
    return RandomizationView::tr("Spearman rank correlation (absolute)");
}

}  // namespace

RandomizationView::RandomizationView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), measureBox_(new QComboBox), readout_(new QLabel) {
    QHBoxLayout* bar = plotViewFrame(this, plot_, readout_, QStringLiteral("randomization"),
                                     QStringLiteral("randomization-check.pdf"),
                                     [this](const QString& path, QSize size, QString* error) {
                                         return exportFigure(path, size, error);
                                     });
    // A long readout is cut, it does not widen the view.
    readout_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    measureBox_->setObjectName(QStringLiteral("randomizationMeasure"));
    for (SimilarityMeasure m :
         {SimilarityMeasure::SpearmanAbs, SimilarityMeasure::Spearman, SimilarityMeasure::Ssim})
        measureBox_->addItem(measureTitle(m), int(m));
    bar->insertWidget(1, measureBox_);
    connect(measureBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
        setMeasure(SimilarityMeasure(measureBox_->itemData(index).toInt()));
    });

    // Two panels with their titles, and under them the methods' legend in a
    // row of its own, centred, so it never hides a line.
    QCPLayoutGrid* layout = plot_->plotLayout();
    cascadingRect_ = plot_->axisRect();
    independentRect_ = new QCPAxisRect(plot_);
    cascadingRect_->insetLayout()->take(plot_->legend);
    layout->take(cascadingRect_);
    layout->simplify();
    auto* panels = new QCPLayoutGrid;
    layout->addElement(0, 0, panels);
    const QFont titleFont(font().family(), 10, QFont::Bold);
    panels->addElement(0, 0, new QCPTextElement(plot_, tr("Cascading (from the top)"), titleFont));
    panels->addElement(0, 1, new QCPTextElement(plot_, tr("Independent"), titleFont));
    panels->addElement(1, 0, cascadingRect_);
    panels->addElement(1, 1, independentRect_);
    panels->setRowStretchFactors({0.001, 1});
    auto* legendRow = new QCPLayoutGrid;
    layout->addElement(1, 0, legendRow);
    legendRow->addElement(0, 0, new QCPLayoutElement(plot_));
    legendRow->addElement(0, 1, plot_->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(plot_));
    legendRow->setColumnStretchFactors({1.0, 0.001, 1.0});
    layout->setRowStretchFactors({1, 0.001});
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(5);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setColumnSpacing(14);

    auto* margins = new QCPMarginGroup(plot_);
    for (QCPAxisRect* r : {cascadingRect_, independentRect_}) {
        r->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
        r->axis(QCPAxis::atBottom)->setLabel(tr("layers re-initialized"));
        r->axis(QCPAxis::atBottom)->setSubTicks(false);
        r->axis(QCPAxis::atBottom)->grid()->setVisible(false);
    }

    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        const QPoint p = e->position().toPoint();
        for (RandomizationMode mode :
             {RandomizationMode::Cascading, RandomizationMode::Independent})
            if (rect(mode)->rect().contains(p)) {
                showReadout(mode, rect(mode)->axis(QCPAxis::atBottom)->pixelToCoord(p.x()));
                return;
            }
        readout_->clear();
    });
    rebuild();
}

QCPAxisRect* RandomizationView::rect(RandomizationMode mode) const {
    return mode == RandomizationMode::Cascading ? cascadingRect_ : independentRect_;
}

QCPGraph* RandomizationView::graph(RandomizationMode mode, std::size_t index) const {
    const auto& graphs =
        mode == RandomizationMode::Cascading ? cascadingGraphs_ : independentGraphs_;
    return index < graphs.size() ? graphs[index] : nullptr;
}

void RandomizationView::setSeries(std::vector<RandomizationSeries> series) {
    series_ = std::move(series);
    rebuild();
}

void RandomizationView::setMeasure(SimilarityMeasure measure) {
    measure_ = measure;
    const int index = measureBox_->findData(int(measure));
    if (measureBox_->currentIndex() != index) measureBox_->setCurrentIndex(index);
    rebuild();
}

QStringList RandomizationView::stepLabels() const {
    QStringList labels{tr("original")};
    if (!series_.empty())
        for (const std::string& layer : series_.front().result.layers)
            labels << QString::fromStdString(layer);
    return labels;
}

void RandomizationView::rebuild() {
    plot_->clearPlottables();
    cascadingGraphs_.clear();
    independentGraphs_.clear();
    const QStringList labels = stepLabels();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < labels.size(); ++i)
        ticker->addTick(i, labels[i]);
    bool longNames = false;
    for (const QString& l : labels)
        longNames = longNames || l.size() > 8;
    const double rotation = longNames || labels.size() > 6 ? -45 : 0;

    std::vector<double> values{0.0, 1.0};
    for (std::size_t k = 0; k < series_.size(); ++k) {
        for (RandomizationMode mode :
             {RandomizationMode::Cascading, RandomizationMode::Independent}) {
            const std::vector<RandomizationStep>& steps = series_[k].result.steps(mode);
            auto& graphs =
                mode == RandomizationMode::Cascading ? cascadingGraphs_ : independentGraphs_;
            if (steps.empty()) {
                graphs.push_back(nullptr);
                continue;
            }
            QVector<double> xs, ys;
            for (std::size_t i = 0; i < steps.size(); ++i) {
                xs << double(i);
                ys << valueOf(steps[i].similarity, measure_);
                values.push_back(ys.back());
            }
            QCPAxisRect* r = rect(mode);
            QCPGraph* g = plot_->addGraph(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
            g->setData(xs, ys, true);
            g->setPen(QPen(colourOf(k), 2));
            g->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, colourOf(k), colourOf(k), 6));
            g->setName(series_[k].name);
            graphs.push_back(g);
            // One legend entry per method: its cascading line when it has one.
            if (mode == RandomizationMode::Independent && cascadingGraphs_.back())
                g->removeFromLegend();
        }
    }
    const QCPRange range = paddedRange(values, 0.05);
    for (QCPAxisRect* r : {cascadingRect_, independentRect_}) {
        QCPAxis* x = r->axis(QCPAxis::atBottom);
        x->setTicker(ticker);
        x->setTickLabelRotation(rotation);
        x->setRange(-0.4, std::max(1.0, double(labels.size()) - 0.6));
        r->axis(QCPAxis::atLeft)->setRange(range);
        r->axis(QCPAxis::atLeft)->setLabel(measureTitle(measure_));
    }
    plot_->legend->setVisible(!series_.empty());
    plot_->replot();
}

void RandomizationView::showReadout(RandomizationMode mode, double step) {
    const QStringList labels = stepLabels();
    const long i = std::lround(step);
    if (series_.empty() || i < 0 || i >= labels.size()) {
        readout_->clear();
        return;
    }
    QStringList parts;
    for (const RandomizationSeries& s : series_) {
        const std::vector<RandomizationStep>& steps = s.result.steps(mode);
        if (std::size_t(i) >= steps.size()) continue;
        const MapSimilarity& m = steps[std::size_t(i)].similarity;
        parts << tr("%1: |ρ| %2, ρ %3, SSIM %4")
                     .arg(s.name)
                     .arg(m.spearmanAbs, 0, 'f', 3)
                     .arg(m.spearman, 0, 'f', 3)
                     .arg(m.ssim, 0, 'f', 3);
    }
    readout_->setText(
        QStringLiteral("%1, %2: ").arg(tr(randomizationModeName(mode)), labels[int(i)]) +
        parts.join(QStringLiteral("; ")));
}

QString RandomizationView::readout() const {
    return readout_->text();
}

bool RandomizationView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, tr("model-parameter randomization check"),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool RandomizationView::saveCsv(const QString& path, QString* error) const {
    QString out = QStringLiteral("method,mode,step,layer,spearman_abs,spearman,ssim\n");
    for (const RandomizationSeries& s : series_)
        for (RandomizationMode mode :
             {RandomizationMode::Cascading, RandomizationMode::Independent}) {
            const std::vector<RandomizationStep>& steps = s.result.steps(mode);
            for (std::size_t i = 0; i < steps.size(); ++i) {
                const MapSimilarity& m = steps[i].similarity;
                out +=
                    QStringList{
                        csvText(s.name),          QString::fromLatin1(randomizationModeName(mode)),
                        QString::number(i),       csvText(QString::fromStdString(steps[i].layer)),
                        csvNumber(m.spearmanAbs), csvNumber(m.spearman),
                        csvNumber(m.ssim)}
                        .join(QLatin1Char(',')) +
                    QLatin1Char('\n');
            }
        }
    return writeFileAtomically(path, out.toUtf8(), error);
}

}  // namespace basin::widgets
