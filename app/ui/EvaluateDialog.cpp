#include "ui/EvaluateDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "ui/DialogRows.h"

namespace basin::app {

EvaluateDialog::EvaluateDialog(const Project& project, const QList<int>& checkpointItems,
                               QWidget* parent)
    : QDialog(parent),
      models_(project.itemsOfKind(ItemKind::Model)),
      datasets_(project.itemsOfKind(ItemKind::Dataset)),
      model_(new QComboBox),
      dataset_(new QComboBox),
      batchNorm_(new QComboBox) {
    setWindowTitle(tr("Evaluate"));
    model_->setObjectName(QStringLiteral("evaluateModel"));
    dataset_->setObjectName(QStringLiteral("evaluateDataset"));
    batchNorm_->setObjectName(QStringLiteral("evaluateBatchNorm"));

    QString suggestedModel;
    QStringList names;
    for (int i : checkpointItems) {
        const ProjectItem& item = project.items[i];
        checkpoints_ << item.path;
        names << item.name;
        const QString model = item.extra.value(QStringLiteral("model")).toString();
        if (!model.isEmpty()) suggestedModel = model;
    }
    for (const ProjectItem& m : models_) {
        model_->addItem(m.name, m.path);
        if (m.path == suggestedModel) model_->setCurrentIndex(model_->count() - 1);
    }
    // A test split to measure on by default; statistics re-estimated on
    // request (a training split, typically).
    batchNorm_->addItem(tr("keep the checkpoints' statistics"), QString());
    int test = -1;
    for (const ProjectItem& d : datasets_) {
        dataset_->addItem(d.name, d.path);
        batchNorm_->addItem(tr("re-estimate on %1").arg(d.name), d.path);
        if (test < 0 && d.name.contains(QLatin1String("test"))) test = dataset_->count() - 1;
    }
    if (test >= 0) dataset_->setCurrentIndex(test);
    batchNorm_->setToolTip(
        tr("Running BatchNorm statistics that do not fit the weights (averaged, interpolated or "
           "re-based checkpoints) give misleading losses; re-estimating them on training data "
           "first fixes that. Models without BatchNorm are unaffected."));

    auto* form = new QFormLayout;
    auto* what = new QLabel(
        names.size() <= 3
            ? names.join(QStringLiteral(", "))
            : tr("%1 checkpoints (%2, …, %3)").arg(names.size()).arg(names.front(), names.back()));
    what->setWordWrap(true);
    form->addRow(tr("Checkpoints:"), what);
    form->addRow(tr("Model:"), model_);
    form->addRow(tr("Dataset:"), dataset_);
    form->addRow(tr("BatchNorm:"), batchNorm_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(okCancelButtons(this));
    resize(480, sizeHint().height());
}

QString EvaluateDialog::modelPath() const {
    return model_->currentData().toString();
}

QString EvaluateDialog::datasetPath() const {
    return dataset_->currentData().toString();
}

QString EvaluateDialog::batchNormDataPath() const {
    return batchNorm_->currentData().toString();
}

}  // namespace basin::app
