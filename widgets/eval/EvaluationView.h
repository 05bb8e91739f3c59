#pragma once
// Results of evaluating a model at a series of checkpoints: a table (loss,
// accuracy, samples, or the reason a checkpoint could not be evaluated) and a
// plot of loss and accuracy against the checkpoints in order — the training
// curve recomputed from the files. Exports CSV.

#include <QWidget>
#include <vector>

#include "eval/CheckpointEvaluation.h"

class QCustomPlot;
class QLabel;
class QTableWidget;

namespace basin::widgets {

class EvaluationView : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationView(QWidget* parent = nullptr);

    // `title` says what was evaluated on what ("mlp_spirals.pt on spirals_test.npz").
    void setResults(const QString& title, std::vector<CheckpointEvaluation> results);
    const std::vector<CheckpointEvaluation>& results() const { return results_; }
    // Comma-separated: checkpoint,loss,accuracy,samples,error.
    QString toCsv() const;
    bool exportCsv(const QString& path, QString* error) const;

    QTableWidget* table() const { return table_; }
    QCustomPlot* plot() const { return plot_; }

private:
    std::vector<CheckpointEvaluation> results_;
    QLabel* title_;
    QTableWidget* table_;
    QCustomPlot* plot_;
};

}  // namespace basin::widgets
