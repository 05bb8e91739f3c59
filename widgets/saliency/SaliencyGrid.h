#pragma once
// Saliency maps of one image side by side: rows × columns of overlays with
// their labels (methods × checkpoints, methods × layers, …), the paper
// figure that compares methods. Normalization is shared (one range over all
// cells, one colorbar: magnitudes comparable across cells) or per cell (each
// map on its own range, printed under the cell; the colorbar then reads as
// the fraction of each cell's range). Hovering reads "row · column — x, y:
// value" out; clicking a cell emits cellClicked (the app shows it in the
// saliency view); "Export figure…" writes the whole grid with its labels as
// PNG, SVG or PDF.
//
// The figure is drawn by a free function from plain data
// (SaliencyGridContent), so `basin saliency` can write a grid headless.

#include <QRectF>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

#include "io/TensorData.h"
#include "saliency/SaliencyMap.h"
#include "saliency/SaliencyOverlay.h"

class QCheckBox;
class QLabel;
class QPainter;

namespace basin::widgets {

struct SaliencyGridContent {
    TensorData image;  // [C, H, W], shared by every cell
    QStringList rowLabels, columnLabels;
    // rows × columns maps, row-major. A map without values is a cell not
    // computed yet (drawn empty).
    std::vector<SaliencyMap> maps;
    OverlayOptions options;
    bool sharedNormalization = true;
    QString title;  // above the grid; may be empty

    int rows() const { return int(rowLabels.size()); }
    int columns() const { return int(columnLabels.size()); }
    const SaliencyMap* cell(int row, int column) const;
};

// Where each part of a grid figure goes inside a rectangle.
struct SaliencyGridLayout {
    QRectF title;
    std::vector<QRectF> rowLabels, columnLabels;
    std::vector<QRectF> cells;         // row-major, keeping the image's aspect
    std::vector<QRectF> cellCaptions;  // per-cell ranges, under each cell
    QRectF colorbar;
    int fontPixelSize = 12;
};

SaliencyGridLayout saliencyGridLayout(const SaliencyGridContent& content, const QRectF& rect);
// The range a cell is drawn with (the shared one, or its own).
OverlayRange saliencyGridRange(const SaliencyGridContent& content, int row, int column);
// Draws the figure (white background, labels, cells, colorbar) into `rect`.
SaliencyGridLayout paintSaliencyGrid(QPainter& painter, const QRectF& rect,
                                     const SaliencyGridContent& content);
// The figure as a file, by extension (SaliencyExport.h's exportFigure).
bool exportSaliencyGrid(const QString& path, const SaliencyGridContent& content, QSize size,
                        QString* error = nullptr, double dpi = 192);

class SaliencyGridCanvas;

class SaliencyGrid : public QWidget {
    Q_OBJECT
public:
    explicit SaliencyGrid(QWidget* parent = nullptr);

    void setImage(const TensorData& image);
    // Labels and rows × columns maps (row-major; maps.size() must equal
    // rows·columns, else a std::invalid_argument names the counts).
    void setMaps(const QStringList& rowLabels, const QStringList& columnLabels,
                 const std::vector<SaliencyMap>& maps);
    // One cell, e.g. when its background computation finishes.
    void setMap(int row, int column, const SaliencyMap& map);
    void setOptions(const OverlayOptions& options);
    void setSharedNormalization(bool shared);
    void setTitle(const QString& title);
    const SaliencyGridContent& content() const { return content_; }

    // The cell under a point of the widget, and a cell's rectangle in the
    // widget's coordinates (as last laid out).
    std::optional<std::pair<int, int>> cellAt(const QPoint& pos) const;
    QRectF cellRect(int row, int column) const;
    QString readout() const;

    bool exportFigure(const QString& path, QSize size, QString* error = nullptr,
                      double dpi = 192) const;

Q_SIGNALS:
    void cellClicked(int row, int column);
    void hovered(int row, int column, int x, int y, double value);

private:
    void showHover(const QPoint& canvasPos);

    SaliencyGridContent content_;
    SaliencyGridCanvas* canvas_;
    QCheckBox* shared_;
    QLabel* readout_;
};

}  // namespace basin::widgets
