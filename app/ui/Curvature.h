#pragma once
// The Hessian spectrum in the GUI: compute it at a checkpoint in the jobs
// panel (HessianSpectrumJob), save it as JSON beside the checkpoint — the
// file `basin hessian --json` prints — as a project result, and show it in a
// "hessian-spectrum" view (widgets/curvature/SpectrumView).

#include <QString>

#include "ui/ViewArea.h"

namespace basin {
class JobContext;
struct HessianSpectrum;
struct HessianSpectrumRecipe;
}  // namespace basin

namespace basin::app {

class MainWindow;
class Session;

// What the "Hessian spectrum…" dialog asks, with its defaults.
struct HessianRequest {
    QString model, checkpoint, dataset;
    int top = 5;
    bool bottom = true;
    bool trace = true;
    bool density = true;
    bool perLayer = false;  // one Lanczos run and one trace per module: off for large models
};

HessianSpectrumRecipe hessianRecipe(const HessianRequest& request);
// "<folder>/<checkpoint name>.hessian.json".
QString hessianSpectrumPathFor(const QString& checkpointPath);

// Computes the spectrum and writes it to `path` (atomically), in a job.
HessianSpectrum computeHessianFile(const HessianSpectrumRecipe& recipe, const QString& path,
                                   JobContext& context);

// Asks for the model and dataset (the checkpoint's own model and a training
// set by default), how many eigenvalues and which extras, then starts.
void computeHessianForItem(MainWindow* window, int checkpointItem);
// Runs in the background; when done the JSON file is written to `resultPath`,
// added to the project and shown.
void startHessian(MainWindow* window, const HessianRequest& request, const QString& resultPath);

// settings: path (the JSON file).
ViewSpec hessianSpectrumSpec(const QString& resultPath);
// nullptr for other view types; a sentence when the file cannot be read.
QWidget* createCurvatureView(const ViewSpec& spec);
// Whether `path` is a readable Hessian spectrum file (for the project panel).
bool isHessianSpectrumFile(const QString& path);

}  // namespace basin::app
