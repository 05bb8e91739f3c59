#pragma once
// "Linear mode connectivity": what `basin lmc` asks, as one dialog opened
// from a checkpoint A (project panel › Linear mode connectivity…): the other
// checkpoint(s) — B, or a chain A → B → C in the list's order; the other
// seed's checkpoint of the same epoch is ticked by default — the model, the
// training and optional test data, the number of points, BatchNorm
// re-estimation, and for two checkpoints the layer-wise rows and the
// second-order prediction and "Align B to A first" (none, weight or activation
// matching) and "Also find a low-loss curve" (Bezier or polygonal chain,
// bends, epochs, learning rate, optimizer, and the plane through its ends and
// middle bend); the path file is suggested beside A. OK stays
// disabled, with the reason shown, until the request is complete.
//
// A plain widget: tests set its fields (found by object name) and read
// request() without running an event loop.

#include <QDialog>
#include <QList>

#include "project/Project.h"
#include "ui/Connectivity.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace basin::app {

class ConnectivityDialog : public QDialog {
    Q_OBJECT
public:
    ConnectivityDialog(const Project& project, int checkpointItem, QWidget* parent = nullptr);

    LmcRequest request() const;
    bool isValid() const { return problem().isEmpty(); }
    QString problem() const;

private:
    QStringList chain() const;
    void update();

    ProjectItem a_;
    QComboBox* model_;
    QListWidget* others_;
    QLabel* chainLabel_;
    QComboBox* train_;
    QComboBox* test_;
    QSpinBox* points_;
    QCheckBox* reestimate_;
    QCheckBox* layerwise_;
    QCheckBox* secondOrder_;
    QComboBox* alignment_;
    QCheckBox* repair_;
    QCheckBox* curve_;
    QComboBox* curveKind_;
    QSpinBox* curveBends_;
    QSpinBox* curveEpochs_;
    QDoubleSpinBox* curveLearningRate_;
    QComboBox* curveOptimizer_;
    QComboBox* curveSchedule_;
    QCheckBox* curvePlane_;
    QLineEdit* output_;
    QLabel* problem_;
    QDialogButtonBox* buttons_;
    bool outputEdited_ = false;
};

}  // namespace basin::app
