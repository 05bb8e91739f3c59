#pragma once
// The BlockMNIST test's result (saliency/BlockMnistJob.h) as a bar chart: per
// saliency method, the mean share of attribution mass on the null block —
// the half of each image that carries no information about the label — with
// the line at 0.5 (no preference between the blocks) and the trained model's
// test accuracy in the title. Lower is better. Hovering a bar reads out its
// value; exports PNG, SVG and PDF with a CSV beside it (plot/PlotFigure.h).

#include <QSize>
#include <QString>
#include <QWidget>

#include "saliency/BlockMnistJob.h"

class QCPBars;
class QCPTextElement;
class QCustomPlot;
class QLabel;

namespace basin::widgets {

class NullBlockMassView : public QWidget {
    Q_OBJECT
public:
    explicit NullBlockMassView(QWidget* parent = nullptr);

    void setResult(const BlockMnistResult& result);
    const BlockMnistResult& result() const { return result_; }

    QCustomPlot* plot() const { return plot_; }
    QCPBars* bars() const { return bars_; }
    QString readout() const;
    // The plot's title: the test and the model's accuracy.
    QString title() const;

    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside it.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // method,layer,null_block_mass — one line per method.
    bool saveCsv(const QString& path, QString* error = nullptr) const;

private:
    void showReadout(double x);

    BlockMnistResult result_;
    QCustomPlot* plot_;
    QCPBars* bars_;
    QCPTextElement* title_;
    QLabel* readout_;
};

}  // namespace basin::widgets
