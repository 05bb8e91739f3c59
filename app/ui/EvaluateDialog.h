#pragma once
// "Evaluate on a dataset…" for checkpoints of the project: which model runs
// them (a checkpoint's own model by default), on which dataset (a test split
// by default), and whether BatchNorm statistics are first re-estimated on
// another dataset (a training split) — what `basin evaluate --bn-data` does,
// needed for checkpoints whose running statistics do not fit their weights
// (averaged or interpolated weights, re-based models).

#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

#include "project/Project.h"

class QComboBox;
class QLabel;

namespace basin::app {

class EvaluateDialog : public QDialog {
    Q_OBJECT
public:
    // `checkpointItems` index project.items; the project must hold a model
    // and a dataset (evaluateItems says so otherwise).
    EvaluateDialog(const Project& project, const QList<int>& checkpointItems,
                   QWidget* parent = nullptr);

    QString modelPath() const;
    QString datasetPath() const;
    // Empty: the checkpoints' own statistics.
    QString batchNormDataPath() const;
    const QStringList& checkpoints() const { return checkpoints_; }

private:
    QList<ProjectItem> models_, datasets_;
    QStringList checkpoints_;
    QComboBox* model_ = nullptr;
    QComboBox* dataset_ = nullptr;
    QComboBox* batchNorm_ = nullptr;
};

}  // namespace basin::app
