#include "connectivity/PathPlotView.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <algorithm>
#include <cmath>
#include <limits>

#include "connectivity/ConnectivityCsv.h"
#include "plot/CategoricalColours.h"
#include "plot/PlotFigure.h"
#include "plot/PlotRanges.h"
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

const QColor kProbe = categoricalRed();
constexpr double kPad = 0.02;  // of the t range either side, so the end points are not on the frame

// tab10 without its red, which is the probe's colour.
QColor colourOf(std::size_t path) {
    const std::size_t i = path % 9;
    return categoricalColour(i < 3 ? i : i + 1);
}

QCPAxis* tAxis(QCPAxisRect* rect) {
    return rect->axis(QCPAxis::atBottom);
}
QCPAxis* valueAxis(QCPAxisRect* rect) {
    return rect->axis(QCPAxis::atLeft);
}

// A vertical line at t across `rect`.
QCPItemStraightLine* verticalLine(QCustomPlot* plot, QCPAxisRect* rect, double t, const QPen& pen) {
    auto* line = new QCPItemStraightLine(plot);
    line->setClipAxisRect(rect);
    for (QCPItemPosition* p : {line->point1, line->point2})
        p->setAxes(tAxis(rect), valueAxis(rect));
    line->point1->setCoords(t, 0);
    line->point2->setCoords(t, 1);
    line->setPen(pen);
    return line;
}

// A label at t, at the top (`y` = 0) or bottom (1) of `rect`: left of a line
// near t = 1 and right of it elsewhere, so it stays inside the panel.
QCPItemText* labelAt(QCustomPlot* plot, QCPAxisRect* rect, double t, double y, const QString& text,
                     const QColor& colour) {
    auto* label = new QCPItemText(plot);
    label->setClipAxisRect(rect);
    label->position->setAxisRect(rect);
    label->position->setAxes(tAxis(rect), valueAxis(rect));
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(t, y);
    const bool leftOfLine = t > 0.5;
    label->setPositionAlignment((leftOfLine ? Qt::AlignRight : Qt::AlignLeft) |
                                (y < 0.5 ? Qt::AlignTop : Qt::AlignBottom));
    label->setPadding(leftOfLine ? QMargins(0, 2, 4, 2) : QMargins(4, 2, 0, 2));
    label->setText(text);
    label->setColor(colour);
    label->setBrush(QColor(255, 255, 255, 190));  // readable where it crosses a curve
    return label;
}

}  // namespace

std::vector<QString> checkpointShortNames(const std::vector<std::string>& paths) {
    std::vector<QString> names;
    for (const std::string& p : paths)
        names.push_back(QFileInfo(QString::fromStdString(p)).completeBaseName());
    const std::vector<QString> plain = names;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (std::count(plain.begin(), plain.end(), plain[i]) < 2) continue;
        const QFileInfo f(QString::fromStdString(paths[i]));
        names[i] = f.dir().dirName() + QLatin1Char('/') + f.completeBaseName();
    }
    return names;
}

PathPlotView::PathPlotView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), readout_(new QLabel) {
    plotViewFrame(this, plot_, readout_, QStringLiteral("path"), QStringLiteral("lmc-path.pdf"),
                  [this](const QString& path, QSize size, QString* error) {
                      return exportFigure(path, size, error);
                  });
    lossRect_ = plot_->axisRect();
    // The legend in a row above the panels, centred, so it never hides a curve.
    plot_->legend->setVisible(true);
    lossRect_->insetLayout()->take(plot_->legend);
    auto* legendRow = new QCPLayoutGrid;
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, legendRow);
    legendRow->addElement(0, 0, new QCPLayoutElement(plot_));
    legendRow->addElement(0, 1, plot_->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(plot_));
    legendRow->setColumnStretchFactors({1.0, 0.001, 1.0});
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(4);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setMargins(QMargins(6, 6, 6, 0));
    plot_->legend->setColumnSpacing(14);

    accuracyRect_ = new QCPAxisRect(plot_);
    auto* margins = new QCPMarginGroup(plot_);
    for (QCPAxisRect* rect : {lossRect_, accuracyRect_}) {
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        tAxis(rect)->setRange(-kPad, 1 + kPad);
    }
    valueAxis(lossRect_)->setLabel(tr("loss"));
    valueAxis(accuracyRect_)->setLabel(tr("accuracy (%)"));
    tAxis(accuracyRect_)->setLabel(QStringLiteral("t"));
    showAccuracyPanel(false);

    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton || !inPanels(e->position())) return;
        dragging_ = true;
        setProbe(tAt(e->position().x()));
        Q_EMIT probeDragged(probeT_);
    });
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        if (dragging_) {
            setProbe(tAt(e->position().x()));
            Q_EMIT probeDragged(probeT_);
        }
        showReadout(dragging_ ? probeT_ : tAxis(lossRect_)->pixelToCoord(e->position().x()));
    });
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (!dragging_ || e->button() != Qt::LeftButton) return;
        dragging_ = false;
        setProbe(tAt(e->position().x()));
        Q_EMIT probeReleased(probeT_);
    });
    // Labels that would overlap (close checkpoints, long names) go a line
    // lower; decided on each layout, since it depends on the width.
    connect(plot_, &QCustomPlot::afterLayout, this, &PathPlotView::stackLabels);
    rebuild();
}

void PathPlotView::stackLabels() {
    std::vector<std::vector<std::pair<double, double>>> lines;  // per line: taken x ranges
    for (QCPItemText* label : labels_) {
        const int height = QFontMetrics(label->font()).height();
        const QMargins padding = label->padding();
        label->setPadding(QMargins(padding.left(), 2, padding.right(), 2));
        const double left = label->left->pixelPosition().x() - 4;
        const double right = label->right->pixelPosition().x() + 4;
        std::size_t line = 0;
        for (; line < lines.size(); ++line) {
            const bool free = std::none_of(lines[line].begin(), lines[line].end(), [&](auto r) {
                return left < r.second && r.first < right;
            });
            if (free) break;
        }
        if (line == lines.size()) lines.emplace_back();
        lines[line].emplace_back(left, right);
        label->setPadding(QMargins(padding.left(), 2 + int(line) * height, padding.right(), 2));
    }
}

void PathPlotView::setPaths(std::vector<PathCurve> paths) {
    paths_ = std::move(paths);
    rebuild();
}

bool PathPlotView::accuracyShown() const {
    return plot_->plotLayout()->hasElement(2, 0);
}

void PathPlotView::showAccuracyPanel(bool show) {
    if (show == accuracyShown()) return;
    if (show) {
        plot_->plotLayout()->addElement(2, 0, accuracyRect_);
        plot_->plotLayout()->setRowStretchFactors({0.001, 3, 2});
    } else {
        plot_->plotLayout()->take(accuracyRect_);
        plot_->plotLayout()->simplify();
        plot_->plotLayout()->setRowStretchFactors({0.001, 1});
    }
    // The t axis is labelled once, under the lowest panel.
    tAxis(lossRect_)->setTickLabels(!show);
    tAxis(lossRect_)->setLabel(show ? QString() : QStringLiteral("t"));
}

void PathPlotView::rebuild() {
    plot_->clearPlottables();
    plot_->clearItems();
    labels_.clear();
    cursor_.clear();
    cursorLabel_ = nullptr;

    bool anyAccuracy = false;
    for (const PathCurve& p : paths_)
        for (SurfaceMetric m : {SurfaceMetric::TrainAccuracy, SurfaceMetric::TestAccuracy})
            anyAccuracy = anyAccuracy || anyComputed(p.samples.row(m, p.row));
    showAccuracyPanel(anyAccuracy);

    std::vector<double> losses, accuracies;
    // One path: its curves in the legend. Several: a legend entry per path
    // (its colour) and one per line style (grey), so names are not repeated.
    const bool several = paths_.size() > 1;
    bool anyTest = false, anyPrediction = false;
    auto legendOnly = [this](const QString& name, const QPen& pen) {
        QCPGraph* entry = plot_->addGraph(tAxis(lossRect_), valueAxis(lossRect_));
        entry->setName(name);
        entry->setPen(pen);
    };
    for (std::size_t k = 0; k < paths_.size(); ++k) {
        const PathCurve& p = paths_[k];
        const QVector<double> ts(p.samples.t.begin(), p.samples.t.end());
        if (several) legendOnly(p.name, QPen(colourOf(k), 2));
        for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss,
                                SurfaceMetric::TrainAccuracy, SurfaceMetric::TestAccuracy}) {
            const std::vector<double> row = p.samples.row(m, p.row);
            if (!anyComputed(row)) continue;
            const bool accuracy =
                m == SurfaceMetric::TrainAccuracy || m == SurfaceMetric::TestAccuracy;
            const bool test = m == SurfaceMetric::TestLoss || m == SurfaceMetric::TestAccuracy;
            anyTest = anyTest || test;
            QCPAxisRect* rect = accuracy ? accuracyRect_ : lossRect_;
            QVector<double> vs;
            for (double v : row)
                vs << shownValue(v);
            QCPGraph* graph = plot_->addGraph(tAxis(rect), valueAxis(rect));
            graph->setData(ts, vs, true);
            graph->setPen(QPen(colourOf(k), 2, test ? Qt::DashLine : Qt::SolidLine));
            graph->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, colourOf(k), colourOf(k), 5));
            graph->setName(
                several ? QStringLiteral("%1: %2").arg(p.name, test ? tr("test") : tr("train"))
                : test ? tr("test")
                        : tr("train"));
            // The accuracy panel repeats the loss panel's styles.
            if (accuracy || several) graph->removeFromLegend();
            (accuracy ? accuracies : losses)
                .insert((accuracy ? accuracies : losses).end(), vs.begin(), vs.end());
        }
        if (!p.prediction.empty() && p.prediction.size() == p.predictionT.size()) {
            QCPGraph* graph = plot_->addGraph(tAxis(lossRect_), valueAxis(lossRect_));
            graph->setData(QVector<double>(p.predictionT.begin(), p.predictionT.end()),
                           QVector<double>(p.prediction.begin(), p.prediction.end()), true);
            graph->setPen(QPen(colourOf(k).darker(130), 1.6, Qt::DotLine));
            graph->setName(several ? QStringLiteral("%1: %2").arg(p.name, tr("second order"))
                                   : tr("second-order prediction"));
            if (several) graph->removeFromLegend();
            anyPrediction = true;
            losses.insert(losses.end(), p.prediction.begin(), p.prediction.end());
        }
    }
    if (several) {
        const QColor grey(110, 110, 110);
        legendOnly(tr("train"), QPen(grey, 2));
        if (anyTest) legendOnly(tr("test"), QPen(grey, 2, Qt::DashLine));
        if (anyPrediction) legendOnly(tr("second-order prediction"), QPen(grey, 1.6, Qt::DotLine));
    }
    plot_->legend->setVisible(plot_->graphCount() > 0);
    valueAxis(lossRect_)->setRange(paddedRange(losses, 0.08));
    valueAxis(accuracyRect_)->setRange(paddedRange(accuracies, 0.08));

    // Checkpoints of every path (paths usually share them), one label per t:
    // different checkpoints at the same t (B and the aligned B) share it, one
    // line each.
    struct Knot {
        double t;
        QString label;
        std::vector<std::string> files;
    };
    std::vector<Knot> knots;
    for (const PathCurve& p : paths_) {
        const std::vector<QString> names = checkpointShortNames(p.samples.checkpoints);
        for (std::size_t i = 0; i < p.samples.knots.size(); ++i) {
            const double t = p.samples.knots[i];
            const QString name = i < names.size() ? names[i] : QString();
            const std::string file =
                i < p.samples.checkpoints.size() ? p.samples.checkpoints[i] : std::string();
            auto at = std::find_if(knots.begin(), knots.end(),
                                   [&](const Knot& k) { return std::abs(k.t - t) < 1e-9; });
            if (at == knots.end()) {
                knots.push_back({t, name, {file}});
            } else if (std::find(at->files.begin(), at->files.end(), file) == at->files.end()) {
                at->files.push_back(file);
                // Another path's own end (the aligned B): named by its path,
                // on a line of its own, so the label stays narrow.
                const QString other = p.name.isEmpty() ? name : p.name;
                if (!other.isEmpty()) at->label += QLatin1Char('\n') + other;
            }
        }
    }
    std::stable_sort(knots.begin(), knots.end(),
                     [](const Knot& x, const Knot& y) { return x.t < y.t; });
    const QPen knotPen(QColor(90, 90, 90), 1.2, Qt::DotLine);
    for (const Knot& k : knots) {
        verticalLine(plot_, lossRect_, k.t, knotPen);
        if (accuracyShown()) verticalLine(plot_, accuracyRect_, k.t, knotPen);
        labels_ << labelAt(plot_, lossRect_, k.t, 0.0, k.label, QColor(60, 60, 60));
    }
    placeProbe();
    plot_->replot();
}

void PathPlotView::placeProbe() {
    if (!hasProbe_) {
        for (QCPItemStraightLine* line : cursor_)
            plot_->removeItem(line);
        if (cursorLabel_) plot_->removeItem(cursorLabel_);
        cursor_.clear();
        cursorLabel_ = nullptr;
        return;
    }
    if (cursor_.isEmpty()) {
        const QPen pen(kProbe, 2);
        cursor_ << verticalLine(plot_, lossRect_, probeT_, pen);
        if (accuracyShown()) cursor_ << verticalLine(plot_, accuracyRect_, probeT_, pen);
        cursorLabel_ = labelAt(plot_, lossRect_, probeT_, 1.0, QString(), kProbe);
    }
    for (QCPItemStraightLine* line : cursor_) {
        line->point1->setCoords(probeT_, 0);
        line->point2->setCoords(probeT_, 1);
    }
    cursorLabel_->position->setCoords(probeT_, 1.0);
    const bool leftOfLine = probeT_ > 0.5;
    cursorLabel_->setPositionAlignment((leftOfLine ? Qt::AlignRight : Qt::AlignLeft) |
                                       Qt::AlignBottom);
    cursorLabel_->setPadding(leftOfLine ? QMargins(0, 2, 4, 2) : QMargins(4, 2, 0, 2));
    cursorLabel_->setText(tr("probe t = %1").arg(probeT_, 0, 'f', 3));
}

void PathPlotView::setProbe(double t) {
    hasProbe_ = true;
    probeT_ = std::clamp(t, 0.0, 1.0);
    placeProbe();
    plot_->replot(dragging_ ? QCustomPlot::rpQueuedReplot : QCustomPlot::rpRefreshHint);
}

void PathPlotView::clearProbe() {
    hasProbe_ = false;
    placeProbe();
    plot_->replot();
}

double PathPlotView::tAt(double x) const {
    return std::clamp(tAxis(lossRect_)->pixelToCoord(x), 0.0, 1.0);
}

bool PathPlotView::inPanels(const QPointF& pos) const {
    return lossRect_->rect().contains(pos.toPoint()) ||
           (accuracyShown() && accuracyRect_->rect().contains(pos.toPoint()));
}

QPointF PathPlotView::pixelOf(double t, double loss) const {
    return {tAxis(lossRect_)->coordToPixel(t), valueAxis(lossRect_)->coordToPixel(loss)};
}

void PathPlotView::showReadout(double t) {
    if (paths_.empty() || t < -kPad || t > 1 + kPad) {
        readout_->clear();
        return;
    }
    // Per path, the sample nearest to t: "t = 0.5: train loss 0.58, …".
    QStringList parts;
    for (const PathCurve& p : paths_) {
        if (p.samples.t.empty()) continue;
        const std::size_t i = nearestIndex(p.samples.t, t);
        QStringList values;
        for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss,
                                SurfaceMetric::TrainAccuracy, SurfaceMetric::TestAccuracy}) {
            const std::vector<double> row = p.samples.row(m, p.row);
            if (!anyComputed(row)) continue;
            const double v = shownValue(row[i]);
            const bool accuracy =
                m == SurfaceMetric::TrainAccuracy || m == SurfaceMetric::TestAccuracy;
            const bool test = m == SurfaceMetric::TestLoss || m == SurfaceMetric::TestAccuracy;
            values << QStringLiteral("%1 %2 %3")
                          .arg(test ? tr("test") : tr("train"), accuracy ? tr("acc") : tr("loss"),
                               !std::isfinite(v) ? QStringLiteral("—")
                               : accuracy        ? QString::number(v, 'f', 1) + QLatin1Char('%')
                                                 : QString::number(v, 'g', 4));
        }
        parts << (paths_.size() > 1 ? p.name + QStringLiteral(", ") : QString()) +
                     QStringLiteral("t = %1: ").arg(p.samples.t[i], 0, 'g', 3) +
                     values.join(QStringLiteral(", "));
    }
    readout_->setText(parts.join(QStringLiteral("   ")));
}

QString PathPlotView::readout() const {
    return readout_->text();
}

bool PathPlotView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, tr("loss along the path between checkpoints"),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool PathPlotView::saveCsv(const QString& path, QString* error) const {
    QString out =
        QStringLiteral("path,t,train_loss,train_acc,test_loss,test_acc,predicted_train_loss\n");
    for (const PathCurve& p : paths_) {
        const QString name = csvText(p.name);
        for (std::size_t i = 0; i < p.samples.nt(); ++i) {
            QStringList fields{name, QString::number(p.samples.t[i], 'g', 10)};
            for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                                    SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy}) {
                const std::vector<double> row = p.samples.row(m, p.row);
                fields << (row.empty() ? QString() : csvSample(row[i]));
            }
            QString predicted;
            for (std::size_t j = 0; j < p.predictionT.size() && j < p.prediction.size(); ++j)
                if (std::abs(p.predictionT[j] - p.samples.t[i]) < 1e-12)
                    predicted = csvNumber(p.prediction[j]);
            fields << predicted;
            out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    }
    return writeFileAtomically(path, out.toUtf8(), error);
}

}  // namespace basin::widgets
