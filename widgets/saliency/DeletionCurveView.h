#pragma once
// Deletion and insertion curves of saliency maps (Petsiuk et al. 2018,
// saliency/DeletionInsertion.h), several maps or methods in one figure: the
// target class's probability against the fraction of pixels deleted (left
// panel; a good map falls fast, low AUC) and inserted (right panel; a good
// map rises fast, high AUC). One colour per map, the AUC beside its name in
// each panel's legend (legends under the panels, so they never hide a
// curve). Hovering reads out every curve of the panel at the nearest
// fraction. Exports PNG, SVG and PDF with a CSV beside it (plot/PlotFigure.h).

#include <QSize>
#include <QString>
#include <QWidget>
#include <vector>

#include "saliency/DeletionInsertion.h"

class QCPAxisRect;
class QCPGraph;
class QCPLegend;
class QCustomPlot;
class QLabel;

namespace basin::widgets {

// One map's curves, named in the legends ("Grad-CAM", "IG (50 steps)").
struct DeletionCurves {
    QString name;
    DeletionInsertionResult result;
};

class DeletionCurveView : public QWidget {
    Q_OBJECT
public:
    explicit DeletionCurveView(QWidget* parent = nullptr);

    void setCurves(std::vector<DeletionCurves> curves);
    const std::vector<DeletionCurves>& curves() const { return curves_; }

    QCustomPlot* plot() const { return plot_; }
    QCPAxisRect* deletionRect() const { return deletionRect_; }
    QCPAxisRect* insertionRect() const { return insertionRect_; }
    QCPLegend* deletionLegend() const { return deletionLegend_; }
    QCPLegend* insertionLegend() const { return insertionLegend_; }
    // The graph of curve `index` (in setCurves order) in either panel.
    QCPGraph* deletionGraph(std::size_t index) const;
    QCPGraph* insertionGraph(std::size_t index) const;
    // What hovering the panel at `fraction` shows.
    void showReadout(bool deletion, double fraction);
    QString readout() const;

    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside it.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // One line per map, curve and step: map,curve,fraction,probability,auc
    // (curve = deletion | insertion).
    bool saveCsv(const QString& path, QString* error = nullptr) const;

private:
    void rebuild();

    std::vector<DeletionCurves> curves_;
    QCustomPlot* plot_;
    QCPAxisRect* deletionRect_;
    QCPAxisRect* insertionRect_;
    QCPLegend* deletionLegend_;
    QCPLegend* insertionLegend_;
    std::vector<QCPGraph*> deletionGraphs_, insertionGraphs_;
    QLabel* readout_;
};

}  // namespace basin::widgets
