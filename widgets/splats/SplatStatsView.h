#pragma once
// Statistics of a Gaussian cloud, linked to the splat view (issue 7): the
// splats per part (body, hand, face — the part label "part" of the procedural
// avatar or EVA's f_view_ind_0) and a histogram of one per-splat value: the
// opacity, the scale (the largest of the three axes, as log10 metres, since
// 3DGS scales span decades) or any quantity the file carried (EVA's
// xyz_gradient_prev_0, a dominant bone).
//
// Brushing: dragging across the histogram selects a range of the value; the
// splats whose value lies in it form the brush mask, emitted by brushChanged
// for the splat view to highlight, and the part chart shows how many splats
// of each part the brush holds beside each part's total. A click without a
// drag clears the brush. Non-finite values are left out of the histogram and
// never brushed.

#include <QSize>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "splats/GaussianCloud.h"

class QCPBars;
class QCPItemRect;
class QComboBox;
class QCustomPlot;
class QLabel;

namespace basin::widgets {

// The label of splats without a part: every splat of a cloud with no part
// quantity, and a non-finite label.
constexpr int kUnlabelledPart = -1;

// "body", "hand", "face" for the labels 0, 1, 2 of the procedural avatar and
// EVA; "unlabelled" for kUnlabelledPart; "part N" for any other.
QString splatPartName(int label);

// The part label of every splat (rounded), or kUnlabelledPart for all when
// the cloud carries no part quantity (see partQuantity in SplatSelection.h).
std::vector<int> splatPartLabels(const GaussianCloud& cloud);

// Splats of one part, in all and inside the brush.
struct SplatPartCount {
    int label = 0;
    std::size_t total = 0;
    std::size_t brushed = 0;
};

class SplatStatsView : public QWidget {
    Q_OBJECT
public:
    static const QString kOpacity;  // "opacity"
    static const QString kScale;    // "log10 scale (largest axis)"

    explicit SplatStatsView(QWidget* parent = nullptr);

    // Replaces the statistics (and clears the brush). The value shown stays
    // when the new cloud has it, else the opacity.
    void setCloud(const GaussianCloud& cloud);
    std::size_t splatCount() const { return labels_.size(); }

    // kOpacity, kScale, then the cloud's quantities by name.
    QStringList valueNames() const;
    // Shows the histogram of `name` (one of valueNames); clears the brush.
    // False for an unknown name.
    bool setValue(const QString& name);
    const QString& value() const { return value_; }
    // The shown value of every splat (NaN where the cloud's is not finite).
    const std::vector<float>& values() const { return values_; }

    // The histogram: binCount() equal bins from histogramLow() to
    // histogramHigh() over the finite values.
    int binCount() const { return int(bins_.size()); }
    const std::vector<std::size_t>& binCounts() const { return bins_; }
    double histogramLow() const { return low_; }
    double histogramHigh() const { return high_; }

    // Per part label present, ascending.
    const std::vector<SplatPartCount>& partCounts() const { return parts_; }

    // Brushes the value range [low, high] (either order) as a drag does.
    void setBrush(double low, double high);
    void clearBrush();
    bool hasBrush() const { return hasBrush_; }
    double brushLow() const { return brushLow_; }
    double brushHigh() const { return brushHigh_; }
    // 1 for the splats inside the brush, one entry per splat; empty without
    // a brush.
    const std::vector<std::uint8_t>& brushMask() const { return mask_; }
    std::size_t brushedCount() const { return brushed_; }

    // The histogram as a figure by the file's extension (pdf, svg, else PNG
    // at 2×) with its CSV beside it: bin_low,bin_high,splats,brushed.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    bool saveCsv(const QString& path, QString* error = nullptr) const;

    QCustomPlot* partPlot() const { return partPlot_; }
    QCustomPlot* histogramPlot() const { return histogramPlot_; }
    QString summary() const;

Q_SIGNALS:
    // The brush changed; `mask` is brushMask() (empty: no brush).
    void brushChanged(const std::vector<std::uint8_t>& mask);
    // The histogram shows another value (setValue or the combo box).
    void valueChanged(const QString& name);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void computeValues();
    void computeHistogram();
    void applyBrush(bool emitSignal);
    void redrawParts();
    void redrawHistogram();
    void updateBrushRect();

    // What the values come from: opacities, log10 of the largest scale, the
    // cloud's quantities.
    std::vector<float> opacities_, scales_;
    std::vector<SplatQuantity> quantities_;
    std::vector<int> labels_;
    QString value_;
    std::vector<float> values_;
    std::vector<std::size_t> bins_;
    double low_ = 0, high_ = 1;
    std::vector<SplatPartCount> parts_;

    bool hasBrush_ = false;
    double brushLow_ = 0, brushHigh_ = 0;
    std::vector<std::uint8_t> mask_;
    std::size_t brushed_ = 0;
    bool dragging_ = false;
    double dragStart_ = 0;
    int dragStartPixel_ = 0;

    QComboBox* valueBox_;
    QLabel* summary_;
    QCustomPlot* partPlot_;
    QCustomPlot* histogramPlot_;
    QCPBars* partTotals_ = nullptr;
    QCPBars* partBrushed_ = nullptr;
    QCPBars* histogramBars_ = nullptr;
    QCPItemRect* brushRect_ = nullptr;
};

}  // namespace basin::widgets
