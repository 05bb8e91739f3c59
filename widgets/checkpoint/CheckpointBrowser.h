#pragma once
// The checkpoint browser: a checkpoint's tensors as a tree of modules →
// tensors with shape, dtype, size, norm and range; the selected tensor's
// histogram; the file's other contents (epoch, accuracy, arguments...); and,
// compared with a second checkpoint, per tensor the relative change and the
// cosine similarity. When a file holds several state-dict-like dicts (model
// weights, optimizer state, EMA weights), a selector picks which one to show.

#include <QWidget>
#include <memory>

#include "io/Checkpoint.h"
#include "io/TensorStatistics.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QTreeWidget;

namespace basin::widgets {

class CheckpointBrowser : public QWidget {
    Q_OBJECT
public:
    explicit CheckpointBrowser(QWidget* parent = nullptr);
    ~CheckpointBrowser() override;

    void setCheckpoint(Checkpoint checkpoint);
    // Adds "Δ relative" and "cosine" columns against `other` (same root
    // name when it has one, else its best root); an empty path clears them.
    void setComparison(Checkpoint other);
    void clearComparison();
    // Which weight root is shown ("" = the file's root).
    void setRoot(const QString& root);
    QString root() const;

    QTreeWidget* tree() const { return tree_; }
    QCustomPlot* histogram() const { return plot_; }
    // Statistics of the shown tensors, in order (for tests and export).
    const std::vector<TensorStatistics>& statistics() const { return stats_; }
    // Selects a tensor by name and shows its histogram; false if absent.
    bool selectTensor(const QString& name);

Q_SIGNALS:
    void tensorSelected(const QString& name);

private:
    void rebuild();
    void showHistogram(int statsIndex);

    Checkpoint checkpoint_;
    std::unique_ptr<Checkpoint> other_;
    std::vector<TensorStatistics> stats_;
    std::vector<TensorDifference> diffs_;
    QComboBox* rootBox_;
    QLabel* summary_;
    QTreeWidget* tree_;
    QTreeWidget* metadata_;
    QCustomPlot* plot_;
};

}  // namespace basin::widgets
