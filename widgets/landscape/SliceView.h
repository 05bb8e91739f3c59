#pragma once
// A 1D loss landscape as line plots (QCustomPlot), the way Li et al. (2018)
// draw their 1D figures: loss on the left axis, accuracy (percent) on the
// right, train solid and test dashed. Points not computed yet (−1 in the
// file, NaN) are gaps, and every computed point is a dot, so a grid filling
// in coarse to fine shows its shape from the first points. Checkpoints are
// vertical markers (for the line through two checkpoints, a = 0 and a = 1),
// the probe a red line. Hovering reads out the nearest grid point; a click
// emits its coordinate so the session can move the probe there. Exports PNG,
// SVG and PDF with the CSV beside it (plot/PlotFigure.h).
//
// The same view shows a slice of a 2D surface: the row b = const (along a)
// or the column a = const (along b) nearest to the coordinate asked for.
// Coordinates in and out (probe, markers, clicks) are then the plane's (a, b).

#include <QSize>
#include <QString>
#include <QWidget>
#include <vector>

#include "landscape/Surface.h"

class QCustomPlot;
class QLabel;

namespace basin::widgets {

enum class SliceAxis { A, B };

// "train loss", "train accuracy", "test loss", "test accuracy".
QString surfaceMetricLabel(SurfaceMetric metric);

// The 1D surface along `axis` of a 2D one through the grid line nearest to
// `at` (the other coordinate); *line gets that line's coordinate. A 1D
// surface is returned as it is.
Surface sliceOfSurface(const Surface& surface, SliceAxis axis, double at, double* line = nullptr);

class SliceView : public QWidget {
    Q_OBJECT
public:
    struct Marker {
        double a = 0, b = 0;
        QString label;
    };

    explicit SliceView(QWidget* parent = nullptr);

    // A 1D surface (the whole of it), or a 2D one sliced as set by setSlice.
    void setSurface(const Surface& surface);
    // For 2D surfaces: which slice to show (along a at b = at, or along b at a = at).
    void setSlice(SliceAxis axis, double at);
    // The 1D data shown (after slicing).
    const Surface& slice() const { return slice_; }
    SliceAxis axis() const { return axis_; }
    // The coordinate of the grid line shown (0 for a 1D surface).
    double line() const { return line_; }

    // Checkpoints in plane coordinates; on a 2D slice only those within half a
    // grid step of the line are drawn.
    void setMarkers(const std::vector<Marker>& markers);
    void setProbe(double a, double b);
    void clearProbe();

    QString readout() const;
    // The widget pixel of a coordinate along the slice and a loss value.
    QPointF pixelOf(double along, double loss) const;
    // The number of markers drawn (after filtering to the slice).
    int markerCount() const { return markersShown_; }

    // By the file's extension (pdf, svg, else PNG at 2×), with the CSV beside it.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    // along (a or b), the fixed coordinate for a 2D slice, then one column per
    // metric the surface has; empty fields for points not computed.
    bool saveCsv(const QString& path, QString* error = nullptr) const;

    QCustomPlot* plot() const { return plot_; }

Q_SIGNALS:
    // The plane coordinates of the point clicked.
    void pointClicked(double a, double b);

private:
    void reslice();
    void rebuild();
    QString alongName() const;
    // Plane coordinates of a position along the slice.
    std::pair<double, double> planeOf(double along) const;
    void showReadout(double along);

    Surface surface_;
    Surface slice_;
    SliceAxis axis_ = SliceAxis::A;
    double at_ = 0, line_ = 0;
    std::vector<Marker> markers_;
    int markersShown_ = 0;
    bool hasProbe_ = false;
    double probeA_ = 0, probeB_ = 0;
    QCustomPlot* plot_;
    QLabel* readout_;
};

}  // namespace basin::widgets
