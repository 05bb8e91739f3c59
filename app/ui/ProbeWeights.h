#pragma once
// The weights at the probe (DESIGN.md rule 6). When the probe is a point of a
// result the project holds — (a, b) on a landscape surface, t on an LMC path
// file — the network there is rebuilt from the files the result names
// (landscape/PlanePoint.h, connectivity/PathPoint.h) and can be evaluated on
// the project's datasets or saved as a checkpoint of the project, which every
// checkpoint action then works on. Both run as jobs; the Probe menu and the
// inspector's buttons trigger them (the reactions below).

#include <QList>
#include <QString>

#include "project/Project.h"
#include "ui/Reaction.h"

namespace basin::app {

class MainWindow;

// The file the probe's coordinates refer to: the project result whose file
// name is probe.result. Empty for no probe, a checkpoint probe, or a
// landscape the project has no file of (the analytic demos).
QString probeResultPath(const Project& project, const Probe& probe);

// One of the result's own metrics at the probe ("train loss", "spirals_train.npz").
struct ProbeValue {
    QString metric;   // "train loss", "test accuracy"
    QString dataset;  // the dataset the result was computed on, when it says
    double value = 0;
    bool accuracy = false;  // in percent
};
// Train/test loss and accuracy of the result at the probe, bilinear between
// grid points (linear in t on a path); metrics not computed there are left
// out. Throws a sentence naming the file when it cannot be read.
QList<ProbeValue> resultValuesAtProbe(const QString& resultPath, const Probe& probe);

// Loss and accuracy of the weights at a probe on one project dataset.
struct ProbeEvaluation {
    QString dataset;  // the dataset item's name
    double loss = 0;
    double accuracy = 0;  // fraction; NaN for regression
    qint64 samples = 0;
    QString error;  // set when the model could not be evaluated on it
};

// Evaluates the weights at the probe on every dataset of the project, in a
// job; the results go to the inspector (InspectorPanel::setProbeEvaluation).
void startProbeEvaluation(MainWindow* window);
// Saves the weights at the probe to `path` (a torch.save state dict), in a
// job; then the file becomes a checkpoint item linked to the model (which
// joins the project when it is not in it yet) and is fingerprinted.
void startSavingProbeWeights(MainWindow* window, const QString& path);
// Beside the result: "<result>_a0.5_b-0.25.pt", "<path file>_t0.25.pt".
QString suggestedProbeWeightsPath(const Project& project);

// Enabled while the probe is on a result of the project.
class ProbeReaction : public Reaction {
public:
    ProbeReaction(QAction* action, MainWindow* window);
    void updateEnableState() override;

protected:
    MainWindow* window_;
};

class EvaluateProbeReaction : public ProbeReaction {
public:
    using ProbeReaction::ProbeReaction;

protected:
    void onTriggered() override;
};

// Asks for the file (suggestedProbeWeightsPath by default), then saves.
class SaveProbeWeightsReaction : public ProbeReaction {
public:
    using ProbeReaction::ProbeReaction;

protected:
    void onTriggered() override;
};

}  // namespace basin::app
