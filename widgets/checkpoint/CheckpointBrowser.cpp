#include "checkpoint/CheckpointBrowser.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <cmath>
#include <map>
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

constexpr int kStatsRole = Qt::UserRole + 1;
enum Column { Name, Shape, Type, Size, Norm, Min, Max, Change, Cosine, ColumnCount };

QString number(double v) {
    if (std::isinf(v)) return v > 0 ? QStringLiteral("∞") : QStringLiteral("-∞");
    return QString::number(v, 'g', 4);
}

QString shapeText(const std::vector<std::int64_t>& shape) {
    QStringList parts;
    for (auto d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

}  // namespace

CheckpointBrowser::CheckpointBrowser(QWidget* parent)
    : QWidget(parent),
      rootBox_(new QComboBox),
      summary_(new QLabel),
      tree_(new QTreeWidget),
      metadata_(new QTreeWidget),
      plot_(new QCustomPlot) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Weights:")));
    rootBox_->setObjectName(QStringLiteral("weightRoot"));
    rootBox_->setToolTip(tr("The dict in the file that holds the model's weights"));
    top->addWidget(rootBox_);
    summary_->setWordWrap(true);  // never let the file name set the view's minimum width
    top->addWidget(summary_, 1);
    layout->addLayout(top);

    tree_->setObjectName(QStringLiteral("tensorTree"));
    tree_->setColumnCount(ColumnCount);
    tree_->setHeaderLabels({tr("Module / tensor"), tr("Shape"), tr("Type"), tr("Size"),
                            tr("L2 norm"), tr("Min"), tr("Max"), tr("Δ relative"), tr("Cosine")});
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(Name, QHeaderView::Stretch);
    tree_->header()->setStretchLastSection(false);
    tree_->setAlternatingRowColors(true);
    tree_->setUniformRowHeights(true);

    metadata_->setObjectName(QStringLiteral("checkpointMetadata"));
    metadata_->setHeaderLabels({tr("Entry"), tr("Value")});
    metadata_->setRootIsDecorated(false);
    metadata_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);

    plot_->setObjectName(QStringLiteral("tensorHistogram"));
    plot_->setMinimumHeight(180);
    plot_->xAxis->setLabel(tr("value"));
    plot_->yAxis->setLabel(tr("count"));

    auto* bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(plot_);
    bottom->addWidget(metadata_);
    bottom->setSizes({3, 2});
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(tree_);
    split->addWidget(bottom);
    split->setSizes({3, 2});
    layout->addWidget(split, 1);

    connect(rootBox_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (!item) return;
        const QVariant v = item->data(0, kStatsRole);
        if (!v.isValid()) return;
        showHistogram(v.toInt());
        Q_EMIT tensorSelected(item->data(0, Qt::UserRole).toString());
    });
}

CheckpointBrowser::~CheckpointBrowser() = default;

void CheckpointBrowser::setCheckpoint(Checkpoint checkpoint) {
    checkpoint_ = std::move(checkpoint);
    const QSignalBlocker block(rootBox_);
    rootBox_->clear();
    for (const auto& r : checkpoint_.weightRoots) {
        rootBox_->addItem(r.empty() ? tr("(file root)") : QString::fromStdString(r),
                          QString::fromStdString(r));
    }
    rootBox_->setEnabled(checkpoint_.weightRoots.size() > 1);
    metadata_->clear();
    for (const auto& [key, value] : checkpoint_.metadata) {
        new QTreeWidgetItem(metadata_,
                            {QString::fromStdString(key), QString::fromStdString(value)});
    }
    rebuild();
}

void CheckpointBrowser::setComparison(Checkpoint other) {
    other_ = std::make_unique<Checkpoint>(std::move(other));
    rebuild();
}

void CheckpointBrowser::clearComparison() {
    other_.reset();
    rebuild();
}

void CheckpointBrowser::setRoot(const QString& root) {
    const int index = rootBox_->findData(root);
    if (index >= 0) rootBox_->setCurrentIndex(index);
}

QString CheckpointBrowser::root() const {
    return rootBox_->currentData().toString();
}

void CheckpointBrowser::rebuild() {
    tree_->clear();
    stats_.clear();
    diffs_.clear();
    if (checkpoint_.weightRoots.empty()) {
        summary_->setText(tr("%1 holds no tensors")
                              .arg(QFileInfo(QString::fromStdString(checkpoint_.path)).fileName()));
        return;
    }
    const std::string rootName = root().toStdString();
    const std::vector<NamedTensor> tensors = checkpoint_.stateDict(rootName);
    stats_ = computeStatistics(tensors);
    std::map<std::string, const TensorDifference*> diffByName;
    const bool comparing = other_ && !other_->weightRoots.empty();
    if (comparing) {
        const auto& roots = other_->weightRoots;
        const std::string otherRoot = std::find(roots.begin(), roots.end(), rootName) != roots.end()
                                          ? rootName
                                          : roots.front();
        diffs_ = compareStateDicts(tensors, other_->stateDict(otherRoot));
        for (const auto& d : diffs_)
            diffByName[d.name] = &d;
    }
    tree_->setColumnHidden(Change, !comparing);
    tree_->setColumnHidden(Cosine, !comparing);

    // Modules in first-appearance order, tensors under them.
    std::map<std::string, QTreeWidgetItem*> modules;
    std::uint64_t totalBytes = 0;
    std::int64_t totalElements = 0;
    for (std::size_t i = 0; i < stats_.size(); ++i) {
        const TensorStatistics& s = stats_[i];
        totalBytes += s.bytes;
        totalElements += s.numel;
        const std::string module = moduleOf(s.name);
        QTreeWidgetItem* parent = nullptr;
        if (!module.empty()) {
            auto& m = modules[module];
            if (!m) {
                m = new QTreeWidgetItem(tree_, {QString::fromStdString(module)});
                m->setExpanded(true);
            }
            parent = m;
        }
        const QString leaf =
            QString::fromStdString(module.empty() ? s.name : s.name.substr(module.size() + 1));
        auto* row = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree_);
        row->setText(Name, leaf);
        row->setData(0, Qt::UserRole, QString::fromStdString(s.name));
        row->setData(0, kStatsRole, int(i));
        row->setText(Shape, shapeText(s.shape));
        row->setText(Type, QString::fromLatin1(dtypeName(s.dtype)));
        row->setText(Size, QLocale().formattedDataSize(qint64(s.bytes)));
        row->setText(Norm, number(s.l2Norm));
        row->setText(Min, number(s.min));
        row->setText(Max, number(s.max));
        for (int c = Shape; c < ColumnCount; ++c) {
            if (c != Type) row->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        }
        if (s.nonFinite > 0) {
            row->setForeground(Norm, QColor(0xb0, 0x00, 0x20));
            row->setToolTip(Norm, tr("%n non-finite value(s)", nullptr, int(s.nonFinite)));
        }
        if (comparing) {
            const auto it = diffByName.find(s.name);
            if (it != diffByName.end()) {
                const TensorDifference& d = *it->second;
                if (d.relativeChange) row->setText(Change, number(*d.relativeChange));
                if (d.cosine) row->setText(Cosine, number(*d.cosine));
                if (!d.problem.empty()) row->setText(Change, QString::fromStdString(d.problem));
            }
        }
    }
    summary_->setText(tr("%1 — %2 tensors, %3 values, %4")
                          .arg(QFileInfo(QString::fromStdString(checkpoint_.path)).fileName())
                          .arg(stats_.size())
                          .arg(QLocale().toString(qlonglong(totalElements)))
                          .arg(QLocale().formattedDataSize(qint64(totalBytes))));
    if (!stats_.empty()) showHistogram(0);
}

bool CheckpointBrowser::selectTensor(const QString& name) {
    for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
        if ((*it)->data(0, Qt::UserRole).toString() == name) {
            tree_->setCurrentItem(*it);
            return true;
        }
    }
    return false;
}

void CheckpointBrowser::showHistogram(int index) {
    plot_->clearPlottables();
    if (index < 0 || std::size_t(index) >= stats_.size()) return;
    const TensorStatistics& s = stats_[std::size_t(index)];
    const int bins = int(s.histogram.size());
    const double width = bins > 0 && s.max > s.min ? (s.max - s.min) / bins : 1.0;
    QVector<double> centres, counts;
    for (int b = 0; b < bins; ++b) {
        centres << s.min + (b + 0.5) * width;
        counts << double(s.histogram[std::size_t(b)]);
    }
    auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars->setWidth(width);
    bars->setData(centres, counts, true);
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(0x3b, 0x52, 0x8b));  // viridis, a quarter up
    plot_->xAxis->setLabel(tr("value of %1").arg(QString::fromStdString(s.name)));
    plot_->rescaleAxes();
    plot_->yAxis->setRangeLower(0);
    plot_->replot();
}

}  // namespace basin::widgets
