#pragma once
// Layer-wise linear mode connectivity (Adilova et al. 2024; core:
// connectivity/LayerwiseLmc.h) as a heatmap: one row per layer (first layer
// at the top, named on the y axis), t along x, coloured by the loss (or
// accuracy) of the network with only that layer interpolated — the others at
// A, at B, or the first k layers together (the variant chosen above the
// plot). Sequential viridis with a colour scale; samples not computed yet
// are grey. Beside it, sharing the layer axis, each layer's barrier as a bar
// (definition (i) of connectivity/Barrier.h for a loss, the accuracy drop
// (iv) for an accuracy), so the layers that carry the barrier stand out.
// Hovering reads a cell out; exports PNG, SVG and PDF with the matrix as CSV.

#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "connectivity/LayerwiseLmc.h"
#include "connectivity/PathSamples.h"

class QCPAxisRect;
class QCPBars;
class QCPColorMap;
class QCPColorScale;
class QComboBox;
class QCustomPlot;
class QLabel;

namespace basin::widgets {

class LayerwiseHeatmapView : public QWidget {
    Q_OBJECT
public:
    explicit LayerwiseHeatmapView(QWidget* parent = nullptr);

    // A layer-wise result (rows "at_a/fc1", …); rows of other names are ignored.
    void setSamples(const PathSamples& samples);
    void setVariant(LayerwiseVariant variant);
    void setMetric(SurfaceMetric metric);
    LayerwiseVariant variant() const { return variant_; }
    SurfaceMetric metric() const { return metric_; }

    // The layers of the variant shown, top to bottom.
    const QStringList& layers() const { return layers_; }
    // The value shown in the cell of layer `layer` (index into layers()) at
    // sample `i` (NaN when not computed).
    double cellValue(int layer, std::size_t i) const;
    // The bar of each layer (NaN until its ends are computed).
    const std::vector<double>& layerBarriers() const { return barriers_; }

    QCustomPlot* plot() const { return plot_; }
    QCPColorMap* colorMap() const { return map_; }
    QCPColorScale* colorScale() const { return scale_; }
    QCPAxisRect* barrierRect() const { return barrierRect_; }
    QPointF pixelOf(double t, int layer) const;
    QString readout() const;

    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside it.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // One line per layer: layer, barrier, barrier_t, then the value at each t
    // (the header names the t).
    bool saveCsv(const QString& path, QString* error = nullptr) const;

private:
    void rebuild();
    void showReadout(const QPointF& pos);
    // Rows of the samples for the variant shown, in layer order.
    std::vector<std::size_t> rowsShown() const;

    PathSamples samples_;
    LayerwiseVariant variant_ = LayerwiseVariant::OthersAtA;
    SurfaceMetric metric_ = SurfaceMetric::TrainLoss;
    QStringList layers_;
    std::vector<double> barriers_, barrierT_;
    QCustomPlot* plot_;
    QCPAxisRect* mapRect_;
    QCPAxisRect* barrierRect_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPBars* bars_;
    QComboBox* variantChoice_;
    QComboBox* metricChoice_;
    QLabel* readout_;
};

}  // namespace basin::widgets
