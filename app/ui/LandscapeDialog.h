#pragma once
// "Loss landscape": everything `basin landscape` can do, as one dialog opened
// from a checkpoint (project panel › Compute loss landscape around it…).
// It fills a LandscapeRecipe — model, training and test data, the directions
// (random with their normalization, 1-D tensor and BatchNorm options and
// seed; the line to a checkpoint B; the plane through B and C; the PCA plane
// of a trajectory of checkpoints; the Hessian's top eigenvectors), a 1D or 2D
// grid in the `min:max:n` syntax, BatchNorm re-estimation and the surface
// file. Invalid input is named under its field and keeps OK disabled.
//
// A plain widget: tests set its fields (found by object name), accept it and
// read recipe() without running an event loop.

#include <QDialog>
#include <QList>
#include <QString>

#include "landscape/LandscapeJob.h"
#include "project/Project.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QStackedWidget;

namespace basin::app {

class LandscapeDialog : public QDialog {
    Q_OBJECT
public:
    // `checkpointItem` indexes project.items and is the centre (line, plane,
    // random, Hessian) or the default end of the trajectory (PCA).
    LandscapeDialog(const Project& project, int checkpointItem, QWidget* parent = nullptr);

    // What the fields say; valid when isValid().
    LandscapeRecipe recipe() const;
    QString trainDataPath() const;
    QString testDataPath() const;  // empty: no test data
    bool isValid() const;
    // The sentence explaining why OK is disabled (empty when valid).
    QString problem() const;

private:
    void buildDirectionPages(QStackedWidget* pages);
    void directionKindChanged();
    void validate();
    void suggestOutput();
    DirectionKind kind() const;
    bool twoDimensional() const;
    QStringList trajectory() const;

    QList<ProjectItem> models_, datasets_, checkpoints_;
    ProjectItem centre_;

    QComboBox* model_;
    QComboBox* train_;
    QComboBox* test_;
    QComboBox* kind_;
    QStackedWidget* pages_;
    QComboBox* normalization_;
    QCheckBox* keepOneDimensional_;
    QCheckBox* includeBuffers_;
    QSpinBox* seed_;
    QComboBox* lineEnd_;
    QComboBox* planeB_;
    QComboBox* planeC_;
    QListWidget* trajectory_;
    QLabel* trajectoryCentre_;
    QSpinBox* hessianSamples_;
    QCheckBox* hessianBottom_;
    QComboBox* dimensions_;
    QLineEdit* xRange_;
    QLineEdit* yRange_;
    QLabel* xError_;
    QLabel* yError_;
    QLabel* metrics_;
    QCheckBox* reestimate_;
    QLineEdit* output_;
    QLabel* problem_;
    QDialogButtonBox* buttons_;
    bool outputEdited_ = false;
    bool rangeEdited_ = false;
};

}  // namespace basin::app
