#pragma once
// Loss landscapes in the GUI: compute one around a checkpoint in the
// background (the views fill in coarse to fine while it runs), and show a
// surface file as a contour map or a 3D surface. Surfaces are project
// results (HDF5, the loss-landscape tool's layout).

#include <QList>
#include <QString>

#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;
class Session;

// Asks for the model and the dataset (defaults as for evaluation) and starts
// a 2D landscape around the checkpoint item along filter-normalized random
// directions or the Hessian's top two eigenvectors (the user picks),
// written next to the checkpoint.
void computeLandscapeForItem(MainWindow* window, int checkpointItem);
void startLandscape(MainWindow* window, const QString& modelPath, const QString& datasetPath,
                    const QString& checkpointPath, const QString& surfacePath,
                    bool hessianDirections = false);

// settings: path (the surface file), metric ("train_loss", ...).
ViewSpec landscapeContourSpec(const QString& surfacePath);
ViewSpec landscapeSurfaceSpec(const QString& surfacePath);
// nullptr for other view types.
QWidget* createLandscapeView(const ViewSpec& spec, Session* session);

}  // namespace basin::app
