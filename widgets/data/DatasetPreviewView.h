#pragma once
// A dataset at a glance, as a researcher checks it before training: image
// datasets as a page of samples (64 at most) with each one's label under it
// and the count per class as a bar chart beside; 2-D features as a scatter
// coloured by class (a categorical palette, with a legend); wider features as
// a scatter of their first two principal components (axis labels give the
// explained variance ratio); regression targets coloured by value with a
// colorbar. Scatters draw at most 20 000 points, evenly spaced, and say so.
// A class filter and paging choose the samples; hovering reads out the
// sample's index and label. One QCustomPlot holds the whole figure, so it
// exports as PNG, SVG and PDF with its numbers as CSV beside it.

#include <QImage>
#include <QRectF>
#include <QString>
#include <QWidget>
#include <vector>

#include "data/Dataset.h"
#include "data/DatasetPreview.h"

class QComboBox;
class QCustomPlot;
class QCPAxisRect;
class QCPBars;
class QCPGraph;
class QCPItemPixmap;
class QCPLayoutGrid;
class QLabel;
class QPushButton;

namespace basin::widgets {

class DatasetPreviewView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPageSize = 64;
    static constexpr std::size_t kMaxScatterPoints = 20000;
    static constexpr int kValueSteps = 64;

    explicit DatasetPreviewView(QWidget* parent = nullptr);

    // `title` heads the figure (the file's name). Resets the filter and page.
    void setDataset(Dataset dataset, const QString& title);
    const Dataset& dataset() const { return dataset_; }
    DatasetLayout layout() const { return layout_; }

    // Only samples of class `c` (−1: every class). Ignored for regression.
    void setClassFilter(int c);
    int classFilter() const { return classFilter_; }
    // Page of the image grid (kPageSize samples from page·kPageSize of the
    // filtered samples); clamped to the pages there are.
    void setPage(int page);
    int page() const { return page_; }
    int pageCount() const;
    // Shows `count` samples per page (1..kPageSize) starting at filtered sample
    // `start` instead of pages (the command line's --count/--start).
    void setWindow(int start, int count);

    // Dataset indices drawn: the page's images, or the scatter's points.
    const std::vector<std::int64_t>& shownSamples() const { return shown_; }
    // The image drawn in grid cell `k` (for tests).
    QImage cellImage(int k) const;
    QString cellLabel(int k) const;
    const PixelRange& pixelRange() const { return range_; }
    // Scatter points of class `c` as drawn; for regression targets, of colour
    // step `c` (kValueSteps of them, from the lowest value to the highest).
    QCPGraph* classGraph(int c) const;
    QCPBars* countBars() const { return countBars_; }
    const PcaProjection& pca() const { return pca_; }
    // The lines under the title: what is shown and how.
    QString caption() const { return caption_; }
    QString describeAt(const QPointF& pixel) const;

    bool exportFigure(const QString& path, int width, int height, double dpi = 192,
                      QString* error = nullptr);
    // index,label,x,y of each drawn sample (x, y empty for images).
    QByteArray toCsv() const;
    QCustomPlot* plot() const { return plot_; }

Q_SIGNALS:
    // The filter or page changed (the view's settings, for the project).
    void selectionChanged();

private:
    void rebuild();
    void drawImages(QCPAxisRect* grid, QCPAxisRect* counts);
    void drawScatter(QCPAxisRect* rect, QCPLayoutGrid* body);
    void updateControls();
    void fitAspect();

    Dataset dataset_;
    DatasetLayout layout_ = DatasetLayout::Pca;
    QString title_, caption_;
    int classFilter_ = -1;
    int page_ = 0;
    int windowStart_ = -1, windowCount_ = kPageSize;
    PixelRange range_;
    PcaProjection pca_;
    std::vector<std::int64_t> shown_;
    std::vector<double> shownX_, shownY_;
    std::vector<QCPItemPixmap*> cells_;
    std::vector<QCPGraph*> classGraphs_;
    QCPBars* countBars_ = nullptr;
    QCPAxisRect* gridRect_ = nullptr;
    QCPAxisRect* scatterRect_ = nullptr;
    int columns_ = 8;
    QRectF dataBox_;  // what must be visible, in plot coordinates

    QCustomPlot* plot_;
    QLabel* readout_;
    QComboBox* classBox_;
    QPushButton* previous_;
    QPushButton* next_;
    QLabel* pageLabel_;
};

}  // namespace basin::widgets
