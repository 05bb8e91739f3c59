#pragma once
// A landscape as a 2D contour map (QCustomPlot): the values as a heat map in
// a sequential colormap with a colour scale, isolines, the training
// trajectory as a polyline with labelled checkpoint markers, and the probe as
// a cross. Hovering reads out (a, b, value); a click emits the point so the
// session can move the probe there. A 1D landscape (one row) is drawn as a
// line plot. Exports PNG (any size and DPI), SVG and PDF (vector) and CSV.

#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <utility>
#include <vector>

#include "landscape/Grid2D.h"
#include "util/Colormap.h"

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QComboBox;
class QLabel;

namespace basin::widgets {

class ContourMapView : public QWidget {
    Q_OBJECT
public:
    struct Options {
        Colormap colormap = Colormap::Viridis;
        bool logScale = false;  // colour and isolines by log(1 + v − min)
        int isolines = 12;      // evenly spaced levels; 0 = none
    };
    struct Marker {
        double a = 0, b = 0;
        QString label;
    };

    explicit ContourMapView(QWidget* parent = nullptr);

    void setGrid(const Grid2D& grid, const Options& options);
    void setGrid(const Grid2D& grid) { setGrid(grid, Options{}); }
    const Grid2D& grid() const { return grid_; }
    void setAxisLabels(const QString& x, const QString& y);
    // The trajectory through the plane (checkpoints projected), in order.
    void setTrajectory(const std::vector<Marker>& points);
    void setProbe(double a, double b);
    void clearProbe();
    // A choice of what the map shows (e.g. "train loss", "test accuracy"),
    // offered in the view's bottom bar when there are two or more; the view
    // only reports the choice (metricChosen) and the owner sets the new grid.
    void setMetricChoices(const QStringList& labels, int current);
    int currentMetric() const;
    // The value the map shows at (a, b) and the widget pixel of a point.
    double valueAt(double a, double b) const { return grid_.interpolate(a, b); }
    QPointF pixelOf(double a, double b) const;
    QString readout() const;

    bool savePng(const QString& path, int width, int height, double scale = 1.0);
    bool savePdf(const QString& path, int width, int height);
    bool saveSvg(const QString& path, int width, int height);
    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside
    // it (same name, .csv): what "Export figure…" and `--figure` write.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // x, y, value per grid point (x outer, like the surface files).
    bool saveCsv(const QString& path, QString* error = nullptr) const;

    QCustomPlot* plot() const { return plot_; }

Q_SIGNALS:
    void pointClicked(double a, double b);
    void metricChosen(int index);
    // From the context menu: a 1D slice of the map along the first axis
    // (alongX) at y = `at`, or along the second at x = `at`, through the probe
    // (or the point under the cursor when there is no probe).
    void sliceRequested(bool alongX, double at);

private:
    void rebuild();
    // The axes to the map, widened when the trajectory runs off it.
    void fitRanges();
    double shown(double v) const;

    Grid2D grid_;
    Options options_;
    double minimum_ = 0;
    std::vector<Marker> trajectory_;
    QCustomPlot* plot_;
    QLabel* readout_;
    QComboBox* metric_;
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    bool hasProbe_ = false;
    double probeA_ = 0, probeB_ = 0;
    QString xLabel_ = QStringLiteral("a"), yLabel_ = QStringLiteral("b");
};

}  // namespace basin::widgets
