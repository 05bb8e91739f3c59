#include "splats/IterationComparisonView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <unordered_map>

#include "plot/CategoricalColours.h"
#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"
#include "splats/SplatStatsView.h"

namespace basin::widgets {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
constexpr int kDensityBins = 50;

using Point = std::array<float, 3>;

// Centres in a sparse uniform grid of cubic cells: the points sorted by
// their cell's key, a cell's range found by hashing, so the grid costs memory
// per point, not per cell, however thin the cloud (an avatar's splats lie on
// its surface). The nearest centre to a point is found ring by ring around
// the point's cell, stopping once no unvisited cell can hold a closer one.
class CentreGrid {
public:
    // `cell` ≤ 0: chosen so that an occupied cell holds about four points.
    CentreGrid(std::vector<Point> points, double cell) : points_(std::move(points)) {
        if (points_.empty()) return;
        for (std::size_t a = 0; a < 3; ++a) {
            float lo = points_[0][a], hi = lo;
            for (const Point& p : points_)
                lo = std::min(lo, p[a]), hi = std::max(hi, p[a]);
            origin_[a] = lo;
            extent_ = std::max(extent_, double(hi) - lo);
        }
        // Keys pack 20 bits per axis: no cell smaller than that allows.
        const double smallest = std::max(extent_, 1e-12) / double(kAxisCells - 2);
        if (cell > 0) {
            build(std::max(cell, smallest));
            return;
        }
        // Start from the cell of a filled bounding box, then refine by the
        // occupancy seen: on a surface the points per cell go as its area.
        double h = std::max(extent_ / std::cbrt(double(points_.size()) / 4.0), smallest);
        for (int pass = 0; pass < 3; ++pass) {
            build(h);
            const double occupancy =
                double(points_.size()) / double(std::max<std::size_t>(occupied_, 1));
            if (occupancy > 2 && occupancy < 8) break;
            h = std::max(h * std::sqrt(4.0 / occupancy), smallest);
        }
    }

    // Distance from p to the nearest centre other than `self`; +inf when none.
    double nearest(const Point& p, std::size_t self = kNone) const {
        double best = std::numeric_limits<double>::infinity();
        if (points_.empty()) return best;
        const std::array<long, 3> c = cellCoords(p);
        const long maxRing = long(extent_ / cell_) + 2;
        for (long r = 0; r <= maxRing; ++r) {
            for (long x = c[0] - r; x <= c[0] + r; ++x)
                for (long y = c[1] - r; y <= c[1] + r; ++y) {
                    // Inside the shell only its two z faces; on it, the whole row.
                    const bool onShell = std::abs(x - c[0]) == r || std::abs(y - c[1]) == r;
                    for (long z = c[2] - r; z <= c[2] + r; z += onShell || r == 0 ? 1 : 2 * r)
                        visit(x, y, z, p, self, best);
                }
            // Cells beyond ring r are at least r cells away from p's cell.
            if (best <= double(r) * cell_ * double(r) * cell_) break;
        }
        return std::sqrt(best);
    }

    double cell() const { return cell_; }

    // True when a centre lies within `distance` of p.
    bool anyWithin(const Point& p, double distance) const {
        if (points_.empty()) return false;
        const double d2 = distance * distance;
        const Point lo{float(p[0] - distance), float(p[1] - distance), float(p[2] - distance)};
        const Point hi{float(p[0] + distance), float(p[1] + distance), float(p[2] + distance)};
        const std::array<long, 3> a = cellCoords(lo), b = cellCoords(hi);
        for (long x = a[0]; x <= b[0]; ++x)
            for (long y = a[1]; y <= b[1]; ++y)
                for (long z = a[2]; z <= b[2]; ++z) {
                    const auto [first, last] = cellRange(x, y, z);
                    for (std::size_t k = first; k < last; ++k) {
                        const Point& q = points_[items_[k]];
                        const double dx = q[0] - p[0], dy = q[1] - p[1], dz = q[2] - p[2];
                        if (dx * dx + dy * dy + dz * dz <= d2) return true;
                    }
                }
        return false;
    }

private:
    static constexpr long kAxisCells = 1L << 20;

    void build(double h) {
        cell_ = h;
        std::vector<std::pair<std::uint64_t, std::size_t>> keyed(points_.size());
        for (std::size_t i = 0; i < points_.size(); ++i) {
            const auto c = cellCoords(points_[i]);
            keyed[i] = {key(c[0], c[1], c[2]), i};
        }
        std::sort(keyed.begin(), keyed.end());
        items_.resize(keyed.size());
        cells_.clear();
        cells_.reserve(keyed.size());
        for (std::size_t i = 0; i < keyed.size(); ++i) {
            items_[i] = keyed[i].second;
            if (i == 0 || keyed[i].first != keyed[i - 1].first)
                cells_[keyed[i].first] = {i, i + 1};
            else
                cells_[keyed[i].first].second = i + 1;
        }
        occupied_ = cells_.size();
    }

    std::array<long, 3> cellCoords(const Point& p) const {
        std::array<long, 3> c{};
        for (std::size_t a = 0; a < 3; ++a)
            c[a] = std::clamp(long(std::floor((double(p[a]) - origin_[a]) / cell_)), -1L,
                              kAxisCells - 2);
        return c;
    }
    static std::uint64_t key(long x, long y, long z) {
        // +1: cell −1 (a query just below the cloud) stays representable.
        return (std::uint64_t(z + 1) << 40) | (std::uint64_t(y + 1) << 20) | std::uint64_t(x + 1);
    }
    std::pair<std::size_t, std::size_t> cellRange(long x, long y, long z) const {
        if (x < -1 || y < -1 || z < -1 || x >= kAxisCells - 1 || y >= kAxisCells - 1 ||
            z >= kAxisCells - 1)
            return {0, 0};
        const auto found = cells_.find(key(x, y, z));
        return found == cells_.end() ? std::pair<std::size_t, std::size_t>{0, 0} : found->second;
    }
    void visit(long x, long y, long z, const Point& p, std::size_t self, double& best) const {
        const auto [first, last] = cellRange(x, y, z);
        for (std::size_t k = first; k < last; ++k) {
            const std::size_t i = items_[k];
            if (i == self) continue;
            const Point& q = points_[i];
            const double dx = q[0] - p[0], dy = q[1] - p[1], dz = q[2] - p[2];
            best = std::min(best, dx * dx + dy * dy + dz * dz);
        }
    }

    std::vector<Point> points_;
    std::array<double, 3> origin_{};
    double extent_ = 0, cell_ = 1;
    std::vector<std::size_t> items_;
    // Occupied cells: key → [first, last) in items_.
    std::unordered_map<std::uint64_t, std::pair<std::size_t, std::size_t>> cells_;
    std::size_t occupied_ = 0;
};

// Finite centres of one part.
std::vector<Point> centresOfPart(const GaussianCloud& cloud, const std::vector<int>& labels,
                                 int label) {
    std::vector<Point> points;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] != label) continue;
        const Point p{cloud.positions[3 * i], cloud.positions[3 * i + 1],
                      cloud.positions[3 * i + 2]};
        if (std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2])) points.push_back(p);
    }
    return points;
}

// Each point's distance to its nearest neighbour in the same set.
std::vector<float> spacings(const std::vector<Point>& points) {
    if (points.size() < 2) return {};
    const CentreGrid grid(points, 0);
    std::vector<float> d(points.size());
    for (std::size_t i = 0; i < points.size(); ++i)
        d[i] = float(grid.nearest(points[i], i));
    return d;
}

// How many of `queries` have a point of `points` within `tolerance`.
std::size_t keptWithin(const std::vector<Point>& points, const std::vector<Point>& queries,
                       double tolerance) {
    // Cells of the data's spacing, or of half the tolerance when it is much
    // larger, keep each query to a few cells.
    CentreGrid grid(points, 0);
    if (tolerance > 4 * grid.cell()) grid = CentreGrid(points, tolerance / 2);
    std::size_t kept = 0;
    for (const Point& q : queries)
        kept += grid.anyWithin(q, tolerance);
    return kept;
}

QColor partColour(int label) {
    // Categorical colours: parts are labels, not magnitudes.
    return categoricalColour(std::size_t(std::abs(label)) % 6);
}

QString count(std::size_t n) {
    return QLocale().toString(qulonglong(n));
}

// The spacing as a length a reader takes in: mm below a metre (avatars and
// scenes alike have their splats millimetres to centimetres apart).
QString length(double metres) {
    return metres < 1 ? QStringLiteral("%1 mm").arg(metres * 1000, 0, 'g', 3)
                      : QStringLiteral("%1 m").arg(metres, 0, 'g', 3);
}

}  // namespace

double medianOf(std::vector<float> values) {
    if (values.empty()) return 0;
    const auto mid = values.begin() + std::ptrdiff_t(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    return double(*mid);
}

IterationComparison compareIterations(const GaussianCloud& a, const GaussianCloud& b,
                                      double tolerance) {
    const std::vector<int> labelsA = splatPartLabels(a), labelsB = splatPartLabels(b);
    std::map<int, PartComparison> parts;
    for (int l : labelsA)
        ++parts[l].countA;
    for (int l : labelsB)
        ++parts[l].countB;

    std::map<int, std::pair<std::vector<Point>, std::vector<Point>>> centres;
    std::vector<float> allSpacingA;
    for (auto& [label, part] : parts) {
        part.label = label;
        auto& [pa, pb] = centres[label];
        pa = centresOfPart(a, labelsA, label);
        pb = centresOfPart(b, labelsB, label);
        part.spacingA = spacings(pa);
        part.spacingB = spacings(pb);
        part.medianSpacingA = medianOf(part.spacingA);
        part.medianSpacingB = medianOf(part.spacingB);
        allSpacingA.insert(allSpacingA.end(), part.spacingA.begin(), part.spacingA.end());
    }

    IterationComparison result;
    result.tolerance = tolerance > 0 ? tolerance : 0.5 * medianOf(allSpacingA);
    for (auto& [label, part] : parts) {
        const auto& [pa, pb] = centres[label];
        part.keptA = keptWithin(pb, pa, result.tolerance);
        part.keptB = keptWithin(pa, pb, result.tolerance);
        result.parts.push_back(std::move(part));
    }
    return result;
}

IterationComparisonView::IterationComparisonView(QWidget* parent)
    : QWidget(parent),
      summary_(new QLabel),
      countPlot_(new QCustomPlot),
      densityPlot_(new QCustomPlot) {
    summary_->setObjectName(QStringLiteral("comparisonSummary"));
    summary_->setWordWrap(true);
    countPlot_->setObjectName(QStringLiteral("comparisonCounts"));
    densityPlot_->setObjectName(QStringLiteral("comparisonDensity"));
    countPlot_->setMinimumHeight(140);
    densityPlot_->setMinimumHeight(140);
    countPlot_->yAxis->setLabel(tr("splats"));
    countPlot_->legend->setVisible(true);
    densityPlot_->xAxis->setLabel(tr("distance to the nearest splat of the part (log10 m)"));
    densityPlot_->yAxis->setLabel(tr("share of the part's splats"));
    densityPlot_->legend->setVisible(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    countPlot_->legend->setFont(small);
    densityPlot_->legend->setFont(small);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(countPlot_);
    split->addWidget(densityPlot_);
    layout->addWidget(split, 1);
    auto* bar = new QHBoxLayout;
    bar->addWidget(summary_, 1);
    bar->addWidget(exportFigureButton(
        this, QStringLiteral("splat-density.pdf"),
        [this](const QString& path, QSize size, QString* error) {
            return exportFigure(path, size, error);
        },
        [this](const QString& error) { summary_->setText(error); }));
    layout->addLayout(bar);
}

bool IterationComparisonView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        densityPlot_, path, size, tr("splat spacing per part, %1 and %2").arg(nameA_, nameB_),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool IterationComparisonView::saveCsv(const QString& path, QString* error) const {
    // Names are the view's own ("iteration 7000"): no commas to quote.
    QString out = QStringLiteral("part,iteration,splats,unmatched,median_spacing\n");
    for (const PartComparison& p : comparison_.parts) {
        out += QStringLiteral("%1,%2,%3,%4,%5\n")
                   .arg(splatPartName(p.label), nameA_)
                   .arg(p.countA)
                   .arg(p.removed())
                   .arg(p.medianSpacingA, 0, 'g', 9);
        out += QStringLiteral("%1,%2,%3,%4,%5\n")
                   .arg(splatPartName(p.label), nameB_)
                   .arg(p.countB)
                   .arg(p.added())
                   .arg(p.medianSpacingB, 0, 'g', 9);
    }
    return writeFileAtomically(path, out.toUtf8(), error);
}

void IterationComparisonView::setIterations(const QString& nameA, const GaussianCloud& a,
                                            const QString& nameB, const GaussianCloud& b,
                                            double tolerance) {
    nameA_ = nameA;
    nameB_ = nameB;
    comparison_ = compareIterations(a, b, tolerance);
    redraw();
}

void IterationComparisonView::setComparison(const QString& nameA, const QString& nameB,
                                            IterationComparison comparison) {
    nameA_ = nameA;
    nameB_ = nameB;
    comparison_ = std::move(comparison);
    redraw();
}

QString IterationComparisonView::summary() const {
    QStringList lines;
    for (const PartComparison& p : comparison_.parts)
        lines << tr("%1: %2 → %3 (+%4 added, −%5 removed; median spacing %6 → %7)")
                     .arg(splatPartName(p.label), count(p.countA), count(p.countB),
                          count(p.added()), count(p.removed()), length(p.medianSpacingA),
                          length(p.medianSpacingB));
    return tr("%1 → %2, matched by centre within %3. %4")
        .arg(nameA_, nameB_, length(comparison_.tolerance), lines.join(QStringLiteral("; ")));
}

void IterationComparisonView::redraw() {
    for (auto* old : countPlot_->findChildren<QCPBarsGroup*>())
        delete old;
    countPlot_->clearPlottables();
    densityPlot_->clearPlottables();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* group = new QCPBarsGroup(countPlot_);
    struct Series {
        QString name;
        QColor colour;
        std::function<std::size_t(const PartComparison&)> value;
    };
    const std::vector<Series> series{
        {nameA_, QColor(150, 160, 175), [](const PartComparison& p) { return p.countA; }},
        {nameB_, QColor(70, 110, 170), [](const PartComparison& p) { return p.countB; }},
        {tr("added"), QColor(44, 160, 44), [](const PartComparison& p) { return p.added(); }},
        {tr("removed"), QColor(214, 39, 40), [](const PartComparison& p) { return p.removed(); }}};
    double top = 1;
    for (const Series& s : series) {
        auto* bars = new QCPBars(countPlot_->xAxis, countPlot_->yAxis);
        bars->setName(s.name);
        bars->setPen(Qt::NoPen);
        bars->setBrush(s.colour);
        bars->setWidth(0.18);
        bars->setBarsGroup(group);
        for (std::size_t i = 0; i < comparison_.parts.size(); ++i) {
            const double v = double(s.value(comparison_.parts[i]));
            bars->addData(double(i), v);
            top = std::max(top, v);
        }
    }
    for (std::size_t i = 0; i < comparison_.parts.size(); ++i)
        ticker->addTick(double(i), splatPartName(comparison_.parts[i].label));
    countPlot_->xAxis->setTicker(ticker);
    countPlot_->xAxis->setRange(-0.6, std::max(0.6, double(comparison_.parts.size()) - 0.4));
    countPlot_->yAxis->setRange(0, top * 1.15);

    // Density: histograms of log10 spacing per part on shared bins, B solid
    // and A dashed.
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const PartComparison& p : comparison_.parts)
        for (const auto* set : {&p.spacingA, &p.spacingB})
            for (float d : *set)
                if (d > 0 && std::isfinite(d)) {
                    lo = std::min(lo, std::log10(double(d)));
                    hi = std::max(hi, std::log10(double(d)));
                }
    if (!(lo < hi)) lo = -4, hi = 0;
    const double width = (hi - lo) / kDensityBins;
    double peak = 0.01;
    for (const PartComparison& p : comparison_.parts)
        for (int which = 0; which < 2; ++which) {
            const std::vector<float>& set = which == 0 ? p.spacingA : p.spacingB;
            if (set.empty()) continue;
            std::vector<double> bins(kDensityBins, 0);
            for (float d : set)
                if (d > 0 && std::isfinite(d))
                    bins[std::size_t(std::clamp(int((std::log10(double(d)) - lo) / width), 0,
                                                kDensityBins - 1))] += 1.0 / double(set.size());
            auto* graph = densityPlot_->addGraph();
            graph->setLineStyle(QCPGraph::lsStepCenter);
            QPen pen(partColour(p.label), which == 1 ? 2.0 : 1.2);
            if (which == 0) pen.setStyle(Qt::DashLine);
            graph->setPen(pen);
            const double median = which == 0 ? p.medianSpacingA : p.medianSpacingB;
            graph->setName(
                QStringLiteral("%1, %2 (median %3)")
                    .arg(splatPartName(p.label), which == 0 ? nameA_ : nameB_, length(median)));
            for (int k = 0; k < kDensityBins; ++k) {
                graph->addData(lo + (k + 0.5) * width, bins[std::size_t(k)]);
                peak = std::max(peak, bins[std::size_t(k)]);
            }
        }
    densityPlot_->xAxis->setRange(lo - width, hi + width);
    densityPlot_->yAxis->setRange(0, peak * 1.1);
    summary_->setText(summary());
    countPlot_->replot(QCustomPlot::rpQueuedReplot);
    densityPlot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace basin::widgets
