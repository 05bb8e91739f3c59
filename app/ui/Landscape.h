#pragma once
// Loss landscapes in the GUI: compute one around a checkpoint in the
// background (the views fill in coarse to fine while it runs), and show a
// surface file as a contour map, a 3D surface or (1D, and slices of 2D) line
// plots. Surfaces are project results (HDF5, the loss-landscape tool's
// layout).

#include <QList>
#include <QString>
#include <vector>

#include "landscape/LandscapeJob.h"
#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;
class Session;

// Opens the "Loss landscape" dialog (LandscapeDialog.h) for the checkpoint
// item and starts what it describes, with a view that fills in at once.
void computeLandscapeForItem(MainWindow* window, int checkpointItem);
// Runs the recipe as a job on `trainData` (and `testData` when not empty).
// Views already showing recipe.surfacePath fill in coarse to fine; at the end
// the surface becomes a project result and, when no view shows it yet, a
// slice view (1D) or the contour map and 3D surface (2D) open.
void startLandscape(MainWindow* window, const LandscapeRecipe& recipe, const QString& trainData,
                    const QString& testData = {});

// settings: path (the surface file), metric ("train_loss", ...). A contour
// spec of a 1D surface shows the slice view.
ViewSpec landscapeContourSpec(const QString& surfacePath);
ViewSpec landscapeSurfaceSpec(const QString& surfacePath);
// A 1D surface as line plots (no axis); for a 2D surface the slice along a
// (at b = at) or along b (at a = at). settings: path, axis ("a", "b"), at.
ViewSpec landscapeSliceSpec(const QString& surfacePath, const QString& axis = {}, double at = 0);
// The checkpoints projected onto the surface's slice (its directions file's
// basin_points), labelled by file name; empty when the file has none.
std::vector<ProjectedPoint> trajectoryOf(const QString& surfacePath);
// nullptr for other view types.
QWidget* createLandscapeView(const ViewSpec& spec, Session* session);

}  // namespace basin::app
