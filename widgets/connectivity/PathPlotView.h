#pragma once
// Loss and accuracy along paths between checkpoints (linear mode
// connectivity), several paths in one figure: the straight line between two
// seeds, the same with B aligned, with and without BatchNorm re-estimation.
// Loss is the upper panel, accuracy (percent) the lower one, sharing the t
// axis, as Frankle et al. (2020) and Entezari et al. (2022) draw them: one
// colour per path, train solid, test dashed, every computed point a dot
// (points not computed yet are gaps, so a path filling in coarse to fine
// shows its shape early). The second-order prediction of the train loss
// (connectivity/SecondOrderBarrier.h) is drawn dotted beside its path.
//
// Checkpoints are dotted vertical lines labelled inside the plot (the label
// of t = 1 right-aligned, so it is never cut off at the edge; labels that
// would overlap go a line lower). The probe is
// a red vertical cursor that can be dragged: pressing in either panel moves
// it there, dragging emits probeDragged(t) continuously and releasing emits
// probeReleased(t) — the session sets the probe then. Hovering reads out
// every path at the nearest sample. Exports PNG, SVG and PDF with a CSV
// beside it (plot/PlotFigure.h).

#include <QList>
#include <QSize>
#include <QString>
#include <QWidget>
#include <vector>

#include "connectivity/PathSamples.h"

class QCPAxisRect;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QLabel;

namespace basin::widgets {

// One path of the figure: row `row` of `samples`, named in the legend.
struct PathCurve {
    QString name;
    PathSamples samples;
    std::size_t row = 0;
    // The second-order prediction of the train loss at `predictionT`; empty
    // when not computed.
    std::vector<double> predictionT, prediction;
};

// Names of checkpoint files for labels: the file name without extension, with
// its folder when two would read the same (two seeds' epoch_010.pt).
std::vector<QString> checkpointShortNames(const std::vector<std::string>& paths);

class PathPlotView : public QWidget {
    Q_OBJECT
public:
    explicit PathPlotView(QWidget* parent = nullptr);

    // The probe stays where it is.
    void setPaths(std::vector<PathCurve> paths);
    const std::vector<PathCurve>& paths() const { return paths_; }

    void setProbe(double t);
    void clearProbe();
    bool hasProbe() const { return hasProbe_; }
    double probeT() const { return probeT_; }

    QCustomPlot* plot() const { return plot_; }
    QCPAxisRect* lossRect() const { return lossRect_; }
    // The accuracy panel; not in the layout when no path has accuracies.
    QCPAxisRect* accuracyRect() const { return accuracyRect_; }
    bool accuracyShown() const;
    // The checkpoint labels, in order of t.
    const QList<QCPItemText*>& checkpointLabels() const { return labels_; }
    // The widget pixel of (t, loss) in the loss panel.
    QPointF pixelOf(double t, double loss) const;
    QString readout() const;

    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside it.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // One line per path and sample: path,t,train_loss,train_acc,test_loss,
    // test_acc,predicted_train_loss (empty fields where not computed).
    bool saveCsv(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    void probeDragged(double t);
    void probeReleased(double t);

private:
    void rebuild();
    void placeProbe();
    void stackLabels();
    void showAccuracyPanel(bool show);
    void showReadout(double t);
    // The t under a widget x, clamped to [0, 1].
    double tAt(double x) const;
    bool inPanels(const QPointF& pos) const;

    std::vector<PathCurve> paths_;
    bool hasProbe_ = false;
    double probeT_ = 0;
    bool dragging_ = false;
    QCustomPlot* plot_;
    QCPAxisRect* lossRect_;
    QCPAxisRect* accuracyRect_;
    QList<QCPItemText*> labels_;
    QList<QCPItemStraightLine*> cursor_;
    QCPItemText* cursorLabel_ = nullptr;
    QLabel* readout_;
};

}  // namespace basin::widgets
