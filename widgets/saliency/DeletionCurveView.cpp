#include "saliency/DeletionCurveView.h"

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

// A legend in a cell under a panel: entries in rows, no frame.
void styleLegend(QCPLegend* legend) {
    legend->setVisible(true);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setMargins(QMargins(6, 2, 6, 2));
    legend->setFillOrder(QCPLegend::foRowsFirst);
}

}  // namespace

DeletionCurveView::DeletionCurveView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), readout_(new QLabel) {
    plotViewFrame(this, plot_, readout_, QStringLiteral("deletion"),
                  QStringLiteral("deletion-insertion.pdf"),
                  [this](const QString& path, QSize size, QString* error) {
                      return exportFigure(path, size, error);
                  });
    // A long readout is cut, it does not widen the view.
    readout_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    QCPLayoutGrid* layout = plot_->plotLayout();
    deletionRect_ = plot_->axisRect();
    insertionRect_ = new QCPAxisRect(plot_);
    layout->addElement(0, 1, insertionRect_);
    // Titles above, legends below the panels.
    layout->insertRow(0);
    layout->addElement(0, 0,
                       new QCPTextElement(plot_, tr("Deletion (lower AUC is better)"),
                                          QFont(font().family(), 10, QFont::Bold)));
    layout->addElement(0, 1,
                       new QCPTextElement(plot_, tr("Insertion (higher AUC is better)"),
                                          QFont(font().family(), 10, QFont::Bold)));
    deletionLegend_ = plot_->legend;
    deletionRect_->insetLayout()->take(deletionLegend_);
    insertionLegend_ = new QCPLegend;
    layout->addElement(2, 0, deletionLegend_);
    layout->addElement(2, 1, insertionLegend_);
    insertionLegend_->setLayer(QStringLiteral("legend"));
    styleLegend(deletionLegend_);
    styleLegend(insertionLegend_);
    layout->setRowStretchFactors({0.001, 1, 0.001});

    auto* margins = new QCPMarginGroup(plot_);
    for (QCPAxisRect* rect : {deletionRect_, insertionRect_}) {
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
        rect->axis(QCPAxis::atBottom)
            ->setLabel(rect == deletionRect_ ? tr("fraction of pixels deleted")
                                             : tr("fraction of pixels inserted"));
        rect->axis(QCPAxis::atLeft)->setLabel(tr("probability of the class"));
        rect->axis(QCPAxis::atBottom)->setRange(-0.02, 1.02);
        rect->axis(QCPAxis::atLeft)->setRange(-0.02, 1.02);
    }

    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        const QPoint p = e->position().toPoint();
        if (deletionRect_->rect().contains(p))
            showReadout(true, deletionRect_->axis(QCPAxis::atBottom)->pixelToCoord(p.x()));
        else if (insertionRect_->rect().contains(p))
            showReadout(false, insertionRect_->axis(QCPAxis::atBottom)->pixelToCoord(p.x()));
        else
            readout_->clear();
    });
    rebuild();
}

void DeletionCurveView::setCurves(std::vector<DeletionCurves> curves) {
    curves_ = std::move(curves);
    rebuild();
}

QCPGraph* DeletionCurveView::deletionGraph(std::size_t index) const {
    return index < deletionGraphs_.size() ? deletionGraphs_[index] : nullptr;
}

QCPGraph* DeletionCurveView::insertionGraph(std::size_t index) const {
    return index < insertionGraphs_.size() ? insertionGraphs_[index] : nullptr;
}

void DeletionCurveView::rebuild() {
    plot_->clearPlottables();
    deletionGraphs_.clear();
    insertionGraphs_.clear();
    std::vector<double> deletionValues, insertionValues;
    for (std::size_t k = 0; k < curves_.size(); ++k) {
        const DeletionCurves& c = curves_[k];
        auto add = [&](QCPAxisRect* rect, QCPLegend* legend, const PerturbationCurve& curve,
                       std::vector<double>& values) {
            QCPGraph* graph =
                plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            graph->setData(QVector<double>(curve.fraction.begin(), curve.fraction.end()),
                           QVector<double>(curve.probability.begin(), curve.probability.end()),
                           true);
            graph->setPen(QPen(colourOf(k), 2));
            // The AUC first: a long name is cut at the legend's edge, not the number.
            graph->setName(tr("AUC %1 · %2").arg(curve.auc, 0, 'f', 3).arg(c.name));
            graph->removeFromLegend();
            graph->addToLegend(legend);
            values.insert(values.end(), curve.probability.begin(), curve.probability.end());
            return graph;
        };
        deletionGraphs_.push_back(
            add(deletionRect_, deletionLegend_, c.result.deletion, deletionValues));
        insertionGraphs_.push_back(
            add(insertionRect_, insertionLegend_, c.result.insertion, insertionValues));
    }
    // Probabilities: 0 … 1 unless every curve stays well inside.
    for (auto [rect, values] :
         {std::pair{deletionRect_, &deletionValues}, std::pair{insertionRect_, &insertionValues}}) {
        QCPRange range = paddedRange(*values, 0.05);
        range.lower = std::max(-0.02, std::min(range.lower, 0.0));
        range.upper = std::min(1.02, std::max(range.upper, range.lower + 0.1));
        rect->axis(QCPAxis::atLeft)->setRange(range);
    }
    plot_->replot();
}

void DeletionCurveView::showReadout(bool deletion, double fraction) {
    QStringList parts;
    for (const DeletionCurves& c : curves_) {
        const PerturbationCurve& curve = deletion ? c.result.deletion : c.result.insertion;
        if (curve.fraction.empty()) continue;
        const std::size_t i = nearestIndex(curve.fraction, fraction);
        if (parts.isEmpty())
            parts << tr("%1 %2%:")
                         .arg(deletion ? tr("deleted") : tr("inserted"))
                         .arg(100 * curve.fraction[i], 0, 'f', 1);
        parts << QStringLiteral("%1 %2").arg(c.name).arg(curve.probability[i], 0, 'f', 3);
    }
    readout_->setText(parts.join(QLatin1Char(' ')));
}

QString DeletionCurveView::readout() const {
    return readout_->text();
}

bool DeletionCurveView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, tr("deletion and insertion curves"),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool DeletionCurveView::saveCsv(const QString& path, QString* error) const {
    QString out = QStringLiteral("map,curve,fraction,probability,auc\n");
    for (const DeletionCurves& c : curves_) {
        for (bool deletion : {true, false}) {
            const PerturbationCurve& curve = deletion ? c.result.deletion : c.result.insertion;
            for (std::size_t i = 0; i < curve.fraction.size() && i < curve.probability.size(); ++i)
                out +=
                    QStringList{csvText(c.name),
                                deletion ? QStringLiteral("deletion") : QStringLiteral("insertion"),
                                csvNumber(curve.fraction[i]), csvNumber(curve.probability[i]),
                                csvNumber(curve.auc)}
                        .join(QLatin1Char(',')) +
                    QLatin1Char('\n');
        }
    }
    return writeFileAtomically(path, out.toUtf8(), error);
}

}  // namespace basin::widgets
