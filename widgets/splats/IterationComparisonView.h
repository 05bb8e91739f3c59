#pragma once
// Two iterations of a 3DGS training run side by side, per part (body, hand,
// face): how many splats each has, how many were added and removed between
// them, and the EVA-style density picture — the distribution of each splat's
// distance to its nearest neighbour in the same part, which shows hands and
// face holding finer, denser Gaussians than the body.
//
// 3DGS keeps no splat identities across iterations (densification clones and
// splits, pruning removes, the survivors move), so "added" and "removed" are
// judged geometrically: a splat of iteration B whose centre has a centre of
// iteration A of the same part within the tolerance is kept, otherwise it
// was added; likewise a splat of A with no B centre of its part within the
// tolerance was removed. The count per part is exact; the split of it into
// kept/added/removed depends on the tolerance, which by default is half the
// median nearest-neighbour spacing of iteration A (a splat that moved less
// than half the typical spacing is taken to be the same splat).

#include <QSize>
#include <QString>
#include <QWidget>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "splats/GaussianCloud.h"

class QCustomPlot;
class QLabel;

namespace basin::widgets {

struct PartComparison {
    int label = 0;  // splatPartName
    std::size_t countA = 0, countB = 0;
    // A splats with a B centre of the part within the tolerance, and B
    // splats with an A centre within it.
    std::size_t keptA = 0, keptB = 0;
    std::size_t removed() const { return countA - keptA; }
    std::size_t added() const { return countB - keptB; }
    // Each splat's distance to the nearest other centre of its part, in the
    // cloud's units (empty for a part of one splat).
    std::vector<float> spacingA, spacingB;
    double medianSpacingA = 0, medianSpacingB = 0;
};

struct IterationComparison {
    double tolerance = 0;
    std::vector<PartComparison> parts;  // every label in either cloud, ascending
};

// The median of `values` (0 for none).
double medianOf(std::vector<float> values);

// Compares `a` and `b` per part as described above; tolerance ≤ 0 takes half
// the median spacing of `a` over all its parts.
IterationComparison compareIterations(const GaussianCloud& a, const GaussianCloud& b,
                                      double tolerance = 0);

class IterationComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit IterationComparisonView(QWidget* parent = nullptr);

    // The two iterations with their names ("iteration 7000"); tolerance as in
    // compareIterations.
    void setIterations(const QString& nameA, const GaussianCloud& a, const QString& nameB,
                       const GaussianCloud& b, double tolerance = 0);
    // A comparison computed elsewhere (a worker thread: compareIterations
    // takes seconds for a million splats).
    void setComparison(const QString& nameA, const QString& nameB, IterationComparison comparison);
    const IterationComparison& comparison() const { return comparison_; }

    // The density picture as a figure by the file's extension (pdf, svg, else
    // PNG at 2×) with a CSV beside it: one row per part and iteration —
    // part,iteration,splats,unmatched,median_spacing, where unmatched counts
    // the splats with no centre of the other iteration within the tolerance
    // (removed for the first, added for the second).
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr);
    bool saveCsv(const QString& path, QString* error = nullptr) const;

    QCustomPlot* countPlot() const { return countPlot_; }
    QCustomPlot* densityPlot() const { return densityPlot_; }
    QString summary() const;

private:
    void redraw();

    QString nameA_, nameB_;
    IterationComparison comparison_;
    QLabel* summary_;
    QCustomPlot* countPlot_;
    QCustomPlot* densityPlot_;
};

}  // namespace basin::widgets
