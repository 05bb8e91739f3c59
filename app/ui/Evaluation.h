#pragma once
// Evaluating checkpoints from the GUI: loads the model and the dataset, runs
// CheckpointEvaluationJob in the jobs panel, and opens an "evaluation" view
// whose settings hold the results (so the project keeps them).

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <vector>

#include "eval/CheckpointEvaluation.h"
#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;

// Runs in the background; the view opens when it is done. With
// `batchNormDataPath`, BatchNorm statistics are re-estimated on that dataset
// at each checkpoint first.
void startEvaluation(MainWindow* window, const QString& modelPath, const QString& datasetPath,
                     const QStringList& checkpoints, const QString& batchNormDataPath = {});
// Asks (EvaluateDialog) which model and dataset of the project to use for
// the given checkpoint items (a checkpoint's own "model" entry is the
// default) and whether to re-estimate BatchNorm statistics, then starts the
// evaluation.
void evaluateItems(MainWindow* window, const QList<int>& checkpointItems);

ViewSpec evaluationSpec(const QString& title, const std::vector<CheckpointEvaluation>& results);
std::vector<CheckpointEvaluation> evaluationResults(const QJsonObject& settings);

}  // namespace basin::app
