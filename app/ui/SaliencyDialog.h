#pragma once
// "Saliency…": what a saliency view explains, opened from a checkpoint
// (project panel) or for the probe's weights (Probe menu): the model; the
// weights — "follow the probe" (the view recomputes when the probe moves) or
// one or more ticked checkpoints (several: a grid of methods × checkpoints);
// the image — a sample of one of the project's datasets by index, or an
// image file; the methods (several: a grid); the layer(s) for the Grad-CAM
// family and NormGrad, listed from the model (several: methods × layers),
// the default being the last layer with a spatial output; the target class
// (predicted, a class, or the contrast of two); and the methods' parameters.
// OK stays disabled, with the reason shown, until the request is complete.
//
// A plain widget: tests set its fields (found by object name) and read
// request() without running an event loop.

#include <QDialog>

#include "project/Project.h"
#include "ui/Saliency.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace basin::app {

class SaliencyDialog : public QDialog {
    Q_OBJECT
public:
    // checkpointItem: the checkpoint ticked at first; -1 to follow the probe.
    SaliencyDialog(const Project& project, int checkpointItem, QWidget* parent = nullptr);

    SaliencyRequest request() const;
    QString problem() const;

private:
    void listLayers();
    void update();

    const Project& project_;
    QComboBox* model_;
    QCheckBox* followProbe_;
    QListWidget* checkpoints_;
    QComboBox* image_;  // the project's datasets, then "Image file"
    QSpinBox* index_;
    QLineEdit* imageFile_;
    QListWidget* methods_;
    QListWidget* layers_;
    QLabel* layersNote_;
    QComboBox* target_;
    QSpinBox* class_;
    QSpinBox* otherClass_;
    QSpinBox* samples_;
    QDoubleSpinBox* noise_;
    QSpinBox* steps_;
    QComboBox* quadrature_;
    QComboBox* baseline_;
    QSpinBox* window_;
    QSpinBox* stride_;
    QSpinBox* masks_;
    QCheckBox* deletionInsertion_;
    QCheckBox* randomization_;
    QCheckBox* classSensitivity_;
    QLabel* problem_;
    QDialogButtonBox* buttons_;
};

}  // namespace basin::app
