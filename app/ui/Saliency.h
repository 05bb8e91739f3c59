#pragma once
// Saliency in the GUI: "Saliency…" on a checkpoint (and Probe › Saliency at
// the probe) asks what to explain (SaliencyDialog), then a "saliency" view
// computes the maps in the jobs panel (core's SaliencyJob) and shows them —
// one map in a SaliencyView with its class picker, several (methods ×
// checkpoints, or methods × layers) in a comparison grid. A view that
// follows the probe recomputes, in the background, whenever the weights at
// the probe change (a checkpoint, a landscape click, the LMC slider),
// cancelling the computation it no longer needs (DESIGN.md rule 6).

#include <QJsonObject>
#include <QStringList>
#include <QVariantMap>

#include "saliency/SaliencyJob.h"
#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;
class Session;
struct Probe;
class Project;

// What a saliency view explains; its settings (toJson) keep it in the project.
struct SaliencyRequest {
    QString model;
    // Weights compared side by side; with followProbe, the probe's weights
    // are used instead whenever the probe is on a checkpoint or a result.
    QStringList checkpoints;
    bool followProbe = true;
    // The image: a sample of a dataset file, or an image file.
    QString dataset;
    qint64 index = 0;
    QString imageFile;
    QStringList methods{QStringLiteral("gradcampp")};  // method keys
    QStringList layers;       // layer methods: one map per layer; empty: the default
    SaliencyOptions options;  // target and parameters
    // Metrics shown under the maps (deletion/insertion curves, the
    // randomization sanity check).
    bool deletionInsertion = false;
    bool randomization = false;
    bool classSensitivity = false;  // maps of the most and least likely class compared
    // How the view draws the map (colormap, sign mode, opacity, clipping,
    // upsampling: widgets::SaliencyView::settings()), kept with the view.
    QVariantMap display;

    QJsonObject toJson() const;
    static SaliencyRequest fromJson(const QJsonObject& json);
};

// The job's recipe for `request` at `probe` (the probe's weights when the
// request follows it and the probe has weights, else its checkpoints).
// Throws a sentence when a method key is unknown.
SaliencyRecipe saliencyRecipe(const SaliencyRequest& request, const Project& project,
                              const Probe& probe);

// settings: the request.
ViewSpec saliencySpec(const SaliencyRequest& request);
// nullptr for other view types.
QWidget* createSaliencyView(const ViewSpec& spec, Session* session);

// Asks (SaliencyDialog) with `checkpointItem` ticked (-1: the probe's
// weights), then opens the view.
void saliencyForItem(MainWindow* window, int checkpointItem);
void saliencyAtProbe(MainWindow* window);

}  // namespace basin::app
