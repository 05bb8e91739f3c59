#pragma once
// The model-parameter randomization sanity check (Adebayo et al. 2018,
// saliency/RandomizationCheck.h) as the paper draws it: the similarity of
// each recomputed map to the original one against the layers re-initialized,
// cascading (cumulatively from the top) in the left panel and independent
// (one layer at a time) in the right one, one line per method. The x axis
// names the layers ("original" first), rotated when they are long or many.
// The similarity shown is chosen in the bar: Spearman rank correlation of
// absolute values (the default), of signed values, or SSIM. Hovering reads
// out every method at the nearest layer. Exports PNG, SVG and PDF with a CSV
// beside it holding every measure (plot/PlotFigure.h).

#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "saliency/RandomizationCheck.h"

class QCPAxisRect;
class QCPGraph;
class QComboBox;
class QCustomPlot;
class QLabel;

namespace basin::widgets {

// One method's check, named in the legend ("Gradient", "Grad-CAM").
struct RandomizationSeries {
    QString name;
    RandomizationResult result;
};

enum class SimilarityMeasure { SpearmanAbs, Spearman, Ssim };

class RandomizationView : public QWidget {
    Q_OBJECT
public:
    explicit RandomizationView(QWidget* parent = nullptr);

    // Series are drawn by step; the x labels are the first series' layers
    // (methods checked on one model share them).
    void setSeries(std::vector<RandomizationSeries> series);
    const std::vector<RandomizationSeries>& series() const { return series_; }
    void setMeasure(SimilarityMeasure measure);
    SimilarityMeasure measure() const { return measure_; }

    QCustomPlot* plot() const { return plot_; }
    QCPAxisRect* rect(RandomizationMode mode) const;
    // The line of series `index` in a panel; nullptr when that mode was not run.
    QCPGraph* graph(RandomizationMode mode, std::size_t index) const;
    // The x axis labels: "original", then the layers.
    QStringList stepLabels() const;
    QComboBox* measureBox() const { return measureBox_; }
    void showReadout(RandomizationMode mode, double step);
    QString readout() const;

    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside it.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // One line per method, mode and step:
    // method,mode,step,layer,spearman_abs,spearman,ssim (layer empty for the original).
    bool saveCsv(const QString& path, QString* error = nullptr) const;

private:
    void rebuild();

    std::vector<RandomizationSeries> series_;
    SimilarityMeasure measure_ = SimilarityMeasure::SpearmanAbs;
    QCustomPlot* plot_;
    QCPAxisRect* cascadingRect_;
    QCPAxisRect* independentRect_;
    std::vector<QCPGraph*> cascadingGraphs_, independentGraphs_;
    QComboBox* measureBox_;
    QLabel* readout_;
};

}  // namespace basin::widgets
