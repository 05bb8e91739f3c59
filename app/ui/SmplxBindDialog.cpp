#include "ui/SmplxBindDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>
#include <cmath>
#include <exception>

#include "splats/SmplxSequence.h"
#include "ui/DialogRows.h"

namespace basin::app {

bool parseNumberList(const QString& text, std::vector<double>* values) {
    values->clear();
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    for (const QString& token : text.split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = token.toDouble(&ok);
        if (!ok || !std::isfinite(v)) return false;
        values->push_back(v);
    }
    return true;
}

SmplxBindDialog::SmplxBindDialog(QWidget* parent)
    : QDialog(parent),
      model_(new QLineEdit),
      betas_(new QLineEdit),
      handMean_(new QCheckBox(tr("Add the model's mean hand pose to motions"))),
      problem_(problemLabel(QStringLiteral("smplxProblem"))) {
    setWindowTitle(tr("Bind to SMPL-X"));
    model_->setObjectName(QStringLiteral("smplxModel"));
    betas_->setObjectName(QStringLiteral("smplxBetas"));
    handMean_->setObjectName(QStringLiteral("smplxHandMean"));
    model_->setPlaceholderText(tr("SMPLX_NEUTRAL.npz (from smpl-x.is.tue.mpg.de)"));
    betas_->setPlaceholderText(tr("zeros: the template shape"));
    handMean_->setToolTip(
        tr("As the smplx package does with flat_hand_mean=False (its default): the hand poses "
           "of a motion are offsets from the model's relaxed mean hand."));

    QHBoxLayout* modelRow = browseRow(model_, [this](const QString& current) {
        return QFileDialog::getOpenFileName(this, tr("SMPL-X body model"), current,
                                            tr("SMPL-X models (*.npz)"));
    });
    auto* fromFile = new QPushButton(tr("From a parameter file…"));
    fromFile->setToolTip(
        tr("The betas of the first frame of an SMPL-X parameter file (.pkl, .npz) "
           "of the subject the splats were trained on."));
    connect(fromFile, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("SMPL-X parameters"), QString(),
            tr("SMPL-X parameters (*.pkl *.pickle *.npz);;All files (*)"));
        if (!path.isEmpty()) readBetasFrom(path);
    });
    auto* betasRow = new QHBoxLayout;
    betasRow->addWidget(betas_, 1);
    betasRow->addWidget(fromFile);

    auto* form = new QFormLayout;
    form->addRow(tr("Body model:"), modelRow);
    form->addRow(tr("Betas:"), betasRow);
    form->addRow(QString(), handMean_);
    auto* explanation = new QLabel(
        tr("Each splat takes the skinning weights of the model's nearest vertex at the shape "
           "given by the betas (the shape the splats were trained at); the pose panel then poses "
           "it with SMPL-X's joints."));
    explanation->setWordWrap(true);
    QDialogButtonBox* buttons = okCancelButtons(this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(explanation);
    layout->addLayout(form);
    layout->addWidget(problem_);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

void SmplxBindDialog::setModelPath(const QString& path) {
    model_->setText(path);
}

void SmplxBindDialog::setBetas(const std::vector<double>& betas) {
    QStringList parts;
    for (double b : betas)
        parts << QString::number(b, 'g', 8);
    betas_->setText(parts.join(QStringLiteral(", ")));
}

void SmplxBindDialog::setHandMean(bool add) {
    handMean_->setChecked(add);
}

QString SmplxBindDialog::modelPath() const {
    return model_->text().trimmed();
}

std::vector<double> SmplxBindDialog::betas() const {
    std::vector<double> values;
    if (!parseNumberList(betas_->text(), &values)) values.clear();
    return values;
}

bool SmplxBindDialog::handMean() const {
    return handMean_->isChecked();
}

bool SmplxBindDialog::readBetasFrom(const QString& parameterFile) {
    try {
        const std::vector<SmplxParameters> frames =
            readSmplxParameters(parameterFile.toStdString());
        if (frames.empty() || frames.front().betas.empty())
            throw std::runtime_error(parameterFile.toStdString() + " holds no betas");
        setBetas(frames.front().betas);
        showProblem(problem_, {});
        return true;
    } catch (const std::exception& e) {
        showProblem(problem_, QString::fromStdString(e.what()));
        return false;
    }
}

void SmplxBindDialog::accept() {
    std::vector<double> values;
    QString problem;
    if (modelPath().isEmpty())
        problem = tr("Choose the SMPL-X body model (.npz) the splats were trained with.");
    else if (!QFileInfo(modelPath()).isFile())
        problem = tr("%1 is not a file.").arg(modelPath());
    else if (!parseNumberList(betas_->text(), &values))
        problem = tr("The betas must be numbers separated by commas or spaces.");
    showProblem(problem_, problem);
    if (!problem.isEmpty()) return;
    QDialog::accept();
}

}  // namespace basin::app
