#include "ui/LandscapeDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

namespace basin::app {
namespace {

// The pages of the direction choice, in the combo box's order.
constexpr DirectionKind kKinds[] = {DirectionKind::Random, DirectionKind::CheckpointLine,
                                    DirectionKind::CheckpointPlane, DirectionKind::TrajectoryPca,
                                    DirectionKind::HessianEigenvectors};

QLabel* errorLabel(const QString& name) {
    auto* label = new QLabel;
    label->setObjectName(name);
    label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    label->setWordWrap(true);
    label->hide();
    return label;
}

QLabel* note(const QString& text) {
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    QFont font = label->font();
    font.setItalic(true);
    label->setFont(font);
    return label;
}

// Checkpoint choices: the name shown, the path as data.
QComboBox* checkpointChoice(const QString& name, const QList<ProjectItem>& checkpoints,
                            int current) {
    auto* box = new QComboBox;
    box->setObjectName(name);
    for (const ProjectItem& c : checkpoints)
        box->addItem(c.name, c.path);
    box->setCurrentIndex(current);
    return box;
}

// A parse error for a range field, or empty.
QString rangeProblem(const QLineEdit* field, const char* axis) {
    try {
        parseGridRange(field->text().trimmed().toStdString(), axis);
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

}  // namespace

LandscapeDialog::LandscapeDialog(const Project& project, int checkpointItem, QWidget* parent)
    : QDialog(parent),
      models_(project.itemsOfKind(ItemKind::Model)),
      datasets_(project.itemsOfKind(ItemKind::Dataset)),
      checkpoints_(project.itemsOfKind(ItemKind::Checkpoint)),
      centre_(project.items.value(checkpointItem)) {
    setWindowTitle(tr("Loss landscape"));
    setObjectName(QStringLiteral("landscapeDialog"));

    // What is evaluated.
    model_ = new QComboBox;
    model_->setObjectName(QStringLiteral("model"));
    const QString suggestedModel = centre_.extra.value(QStringLiteral("model")).toString();
    for (const ProjectItem& m : models_) {
        model_->addItem(m.name, m.path);
        if (m.path == suggestedModel) model_->setCurrentIndex(model_->count() - 1);
    }
    train_ = new QComboBox;
    train_->setObjectName(QStringLiteral("trainData"));
    test_ = new QComboBox;
    test_->setObjectName(QStringLiteral("testData"));
    test_->addItem(tr("(none)"), QString());
    int trainIndex = 0;
    for (int i = 0; i < datasets_.size(); ++i) {
        train_->addItem(datasets_[i].name, datasets_[i].path);
        test_->addItem(datasets_[i].name, datasets_[i].path);
        if (datasets_[i].name.contains(QLatin1String("train")) &&
            !datasets_[trainIndex].name.contains(QLatin1String("train")))
            trainIndex = i;
    }
    train_->setCurrentIndex(trainIndex);
    // The test split that goes with the training data ("x_train" → "x_test").
    if (!datasets_.isEmpty()) {
        const QString partner = datasets_[trainIndex].name;
        for (int i = 0; i < datasets_.size(); ++i) {
            if (partner.contains(QLatin1String("train")) &&
                datasets_[i].name ==
                    QString(partner).replace(QLatin1String("train"), QLatin1String("test")))
                test_->setCurrentIndex(i + 1);
        }
    }
    auto* what = new QGroupBox(tr("Around %1").arg(centre_.name));
    auto* whatForm = new QFormLayout(what);
    whatForm->addRow(tr("Model:"), model_);
    whatForm->addRow(tr("Training data:"), train_);
    whatForm->addRow(tr("Test data:"), test_);

    // Directions.
    kind_ = new QComboBox;
    kind_->setObjectName(QStringLiteral("directionKind"));
    kind_->addItem(tr("Random, normalized (Li et al. 2018)"));
    kind_->addItem(tr("Line to checkpoint B"));
    kind_->addItem(tr("Plane through checkpoints B and C"));
    kind_->addItem(tr("PCA of a training trajectory"));
    kind_->addItem(tr("Hessian's top eigenvectors"));
    pages_ = new QStackedWidget;
    buildDirectionPages(pages_);
    auto* directions = new QGroupBox(tr("Directions"));
    auto* directionsLayout = new QVBoxLayout(directions);
    directionsLayout->addWidget(kind_);
    directionsLayout->addWidget(pages_);

    // Grid.
    dimensions_ = new QComboBox;
    dimensions_->setObjectName(QStringLiteral("dimensions"));
    dimensions_->addItem(tr("1D: a line through the centre"));
    dimensions_->addItem(tr("2D: a plane"));
    dimensions_->setCurrentIndex(1);
    xRange_ = new QLineEdit(QStringLiteral("-1:1:21"));
    xRange_->setObjectName(QStringLiteral("xRange"));
    yRange_ = new QLineEdit(QStringLiteral("-1:1:21"));
    yRange_->setObjectName(QStringLiteral("yRange"));
    for (QLineEdit* field : {xRange_, yRange_}) {
        field->setToolTip(
            tr("min:max:n — n evenly spaced values from min to max inclusive; "
               "fit:n[:margin] — n values covering the slice's checkpoints (line, "
               "plane, PCA) and a margin of 0.25 of their span on each side"));
        field->setPlaceholderText(QStringLiteral("-1:1:21"));
    }
    xError_ = errorLabel(QStringLiteral("xRangeError"));
    yError_ = errorLabel(QStringLiteral("yRangeError"));
    metrics_ = note(QString());
    metrics_->setObjectName(QStringLiteral("metricsNote"));
    reestimate_ = new QCheckBox(tr("Re-estimate BatchNorm statistics at each point"));
    reestimate_->setObjectName(QStringLiteral("reestimateBatchNorm"));
    reestimate_->setToolTip(
        tr("Perturbed weights leave the running statistics stale; re-estimating them on the "
           "training data costs one more pass per point"));
    auto* grid = new QGroupBox(tr("Grid"));
    auto* gridForm = new QFormLayout(grid);
    gridForm->addRow(tr("Slice:"), dimensions_);
    gridForm->addRow(tr("a range:"), xRange_);
    gridForm->addRow(QString(), xError_);
    gridForm->addRow(tr("b range:"), yRange_);
    gridForm->addRow(QString(), yError_);
    gridForm->addRow(tr("Metrics:"), metrics_);
    gridForm->addRow(QString(), reestimate_);

    // Output.
    output_ = new QLineEdit;
    output_->setObjectName(QStringLiteral("output"));
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the surface file"));
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(output_, 1);
    outputRow->addWidget(browse);
    auto* outputForm = new QFormLayout;
    outputForm->addRow(tr("Surface file:"), outputRow);

    problem_ = errorLabel(QStringLiteral("problem"));
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("Compute"));

    auto* columns = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    left->addWidget(what);
    left->addWidget(directions, 1);
    auto* right = new QVBoxLayout;
    right->addWidget(grid);
    right->addStretch(1);
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addLayout(outputForm);
    layout->addWidget(problem_);
    layout->addWidget(buttons_);

    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(kind_, &QComboBox::currentIndexChanged, this, &LandscapeDialog::directionKindChanged);
    connect(dimensions_, &QComboBox::currentIndexChanged, this, [this] {
        suggestOutput();
        validate();
    });
    for (QLineEdit* field : {xRange_, yRange_})
        connect(field, &QLineEdit::textEdited, this, [this] { rangeEdited_ = true; });
    for (QLineEdit* field : {xRange_, yRange_, output_})
        connect(field, &QLineEdit::textChanged, this, &LandscapeDialog::validate);
    connect(output_, &QLineEdit::textEdited, this, [this] { outputEdited_ = true; });
    for (QComboBox* box : {test_, lineEnd_, planeB_, planeC_})
        connect(box, &QComboBox::currentIndexChanged, this, &LandscapeDialog::validate);
    connect(trajectory_, &QListWidget::itemChanged, this, [this] {
        suggestOutput();
        validate();
    });
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Surface file"), output_->text(),
                                                          tr("HDF5 surface (*.h5)"));
        if (path.isEmpty()) return;
        outputEdited_ = true;
        output_->setText(path);
    });
    directionKindChanged();
}

void LandscapeDialog::buildDirectionPages(QStackedWidget* pages) {
    int centreIndex = 0;
    for (int i = 0; i < checkpoints_.size(); ++i) {
        if (checkpoints_[i].path == centre_.path) centreIndex = i;
    }
    // The k-th checkpoint after the centre (wrapping round), so that the
    // defaults for B and C are the checkpoints that follow it in training.
    const int n = int(checkpoints_.size());
    auto following = [&](int k) { return n > 1 ? (centreIndex + 1 + k % (n - 1)) % n : 0; };
    // Random.
    auto* random = new QWidget;
    auto* randomForm = new QFormLayout(random);
    normalization_ = new QComboBox;
    normalization_->setObjectName(QStringLiteral("normalization"));
    normalization_->addItem(tr("per filter (Li et al.)"), QStringLiteral("filter"));
    normalization_->addItem(tr("per layer"), QStringLiteral("layer"));
    normalization_->addItem(tr("whole vector"), QStringLiteral("whole"));
    keepOneDimensional_ = new QCheckBox(tr("Directions for biases and BatchNorm (1-D tensors)"));
    keepOneDimensional_->setObjectName(QStringLiteral("keepOneDimensional"));
    keepOneDimensional_->setToolTip(
        tr("Off (Li et al.'s default): 1-D tensors stay at the centre; moved, landscapes often "
           "come out NaN or misleading"));
    includeBuffers_ = new QCheckBox(tr("Also move BatchNorm running statistics"));
    includeBuffers_->setObjectName(QStringLiteral("includeBuffers"));
    seed_ = new QSpinBox;
    seed_->setObjectName(QStringLiteral("seed"));
    seed_->setRange(0, std::numeric_limits<int>::max());
    randomForm->addRow(tr("Normalization:"), normalization_);
    randomForm->addRow(keepOneDimensional_);
    randomForm->addRow(includeBuffers_);
    randomForm->addRow(tr("Seed:"), seed_);
    pages->addWidget(random);

    // Line: A is the centre.
    auto* line = new QWidget;
    auto* lineForm = new QFormLayout(line);
    lineEnd_ = checkpointChoice(QStringLiteral("lineEnd"), checkpoints_, following(0));
    lineForm->addRow(tr("A (a = 0):"), new QLabel(centre_.name));
    lineForm->addRow(tr("B (a = 1):"), lineEnd_);
    lineForm->addRow(note(tr("θ(a) = θ_A + a·(θ_B − θ_A); a 1D slice.")));
    pages->addWidget(line);

    // Plane through the centre, B and C (Gram–Schmidt).
    auto* plane = new QWidget;
    auto* planeForm = new QFormLayout(plane);
    planeB_ = checkpointChoice(QStringLiteral("planeB"), checkpoints_, following(0));
    planeC_ = checkpointChoice(QStringLiteral("planeC"), checkpoints_, following(1));
    planeForm->addRow(tr("Centre:"), new QLabel(centre_.name));
    planeForm->addRow(tr("B:"), planeB_);
    planeForm->addRow(tr("C:"), planeC_);
    planeForm->addRow(
        note(tr("An orthonormal basis (Gram–Schmidt): a and b are distances in weight space; "
                "the ranges fit:N cover the checkpoints with a margin.")));
    pages->addWidget(plane);

    // PCA: checkpoints of the centre's run up to it, in project order.
    auto* pca = new QWidget;
    auto* pcaLayout = new QVBoxLayout(pca);
    trajectory_ = new QListWidget;
    trajectory_->setObjectName(QStringLiteral("trajectory"));
    trajectory_->setDragDropMode(QAbstractItemView::InternalMove);
    const QString run = centre_.extra.value(QStringLiteral("run")).toString();
    const QString model = centre_.extra.value(QStringLiteral("model")).toString();
    for (int i = 0; i < checkpoints_.size(); ++i) {
        const ProjectItem& c = checkpoints_[i];
        auto* item = new QListWidgetItem(c.name, trajectory_);
        item->setData(Qt::UserRole, c.path);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool sameRun = run.isEmpty()
                                 ? c.extra.value(QStringLiteral("model")).toString() == model
                                 : c.extra.value(QStringLiteral("run")).toString() == run;
        item->setCheckState(sameRun && i <= centreIndex ? Qt::Checked : Qt::Unchecked);
    }
    auto* up = new QPushButton(tr("Earlier"));
    up->setObjectName(QStringLiteral("trajectoryUp"));
    auto* down = new QPushButton(tr("Later"));
    down->setObjectName(QStringLiteral("trajectoryDown"));
    auto move = [this](int by) {
        const int row = trajectory_->currentRow();
        if (row < 0 || row + by < 0 || row + by >= trajectory_->count()) return;
        QListWidgetItem* item = trajectory_->takeItem(row);
        trajectory_->insertItem(row + by, item);
        trajectory_->setCurrentRow(row + by);
        validate();
    };
    connect(up, &QPushButton::clicked, this, [move] { move(-1); });
    connect(down, &QPushButton::clicked, this, [move] { move(1); });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(up);
    buttons->addWidget(down);
    buttons->addStretch(1);
    trajectoryCentre_ = new QLabel;
    trajectoryCentre_->setObjectName(QStringLiteral("trajectoryCentre"));
    pcaLayout->addWidget(
        note(tr("Tick the checkpoints in training order; the last is the centre "
                "and the final weights.")));
    pcaLayout->addWidget(trajectory_, 1);
    pcaLayout->addLayout(buttons);
    pcaLayout->addWidget(trajectoryCentre_);
    pages->addWidget(pca);

    // Hessian eigenvectors at the centre.
    auto* hessian = new QWidget;
    auto* hessianForm = new QFormLayout(hessian);
    hessianSamples_ = new QSpinBox;
    hessianSamples_->setObjectName(QStringLiteral("hessianSamples"));
    hessianSamples_->setRange(10, 1000000);
    hessianSamples_->setValue(1000);
    hessianSamples_->setToolTip(tr("Training samples the Hessian is computed on"));
    hessianBottom_ = new QCheckBox(tr("b along the bottom (most negative) eigenvector"));
    hessianBottom_->setObjectName(QStringLiteral("hessianBottom"));
    hessianForm->addRow(tr("Samples:"), hessianSamples_);
    hessianForm->addRow(hessianBottom_);
    hessianForm->addRow(note(tr("a along the top eigenvector (Lanczos); unit directions.")));
    pages->addWidget(hessian);
}

DirectionKind LandscapeDialog::kind() const {
    return kKinds[std::clamp(kind_->currentIndex(), 0, int(std::size(kKinds)) - 1)];
}

bool LandscapeDialog::twoDimensional() const {
    return dimensions_->currentIndex() == 1;
}

void LandscapeDialog::directionKindChanged() {
    pages_->setCurrentIndex(kind_->currentIndex());
    const DirectionKind k = kind();
    // The line is 1D by nature, a plane 2D; random and Hessian directions either.
    {
        const QSignalBlocker block(dimensions_);
        if (k == DirectionKind::CheckpointLine) dimensions_->setCurrentIndex(0);
        if (k == DirectionKind::CheckpointPlane || k == DirectionKind::TrajectoryPca)
            dimensions_->setCurrentIndex(1);
    }
    dimensions_->setEnabled(k == DirectionKind::Random || k == DirectionKind::HessianEigenvectors);
    // Unless the user chose ranges: past both ends of the line, fitted to
    // the checkpoints of a plane or PCA slice (wherever the directions put
    // them), ±1 for random and Hessian directions.
    if (!rangeEdited_) {
        const QSignalBlocker blockX(xRange_), blockY(yRange_);
        const bool fit = k == DirectionKind::CheckpointPlane || k == DirectionKind::TrajectoryPca;
        xRange_->setText(k == DirectionKind::CheckpointLine ? QStringLiteral("-0.5:1.5:41")
                         : fit                              ? QStringLiteral("fit:21")
                                                            : QStringLiteral("-1:1:21"));
        yRange_->setText(fit ? QStringLiteral("fit:21") : QStringLiteral("-1:1:21"));
    }
    suggestOutput();
    validate();
}

void LandscapeDialog::suggestOutput() {
    if (outputEdited_) return;
    const QStringList path = trajectory();
    const QFileInfo centre(
        kind() == DirectionKind::TrajectoryPca && !path.isEmpty() ? path.back() : centre_.path);
    const QString stem = centre.path() + QLatin1Char('/') + centre.completeBaseName() +
                         QLatin1Char('.') + QLatin1String(directionKindName(kind())) +
                         (twoDimensional() ? QString() : QStringLiteral("-1d")) +
                         QStringLiteral("-landscape");
    // A new file each time: an existing one (or its directions) would be resumed.
    QString candidate = stem + QStringLiteral(".h5");
    for (int n = 2; QFileInfo::exists(candidate) ||
                    QFileInfo::exists(candidate + QStringLiteral(".directions.h5"));
         ++n)
        candidate = stem + QStringLiteral("-%1.h5").arg(n);
    const QSignalBlocker block(output_);
    output_->setText(candidate);
}

QStringList LandscapeDialog::trajectory() const {
    QStringList paths;
    for (int i = 0; i < trajectory_->count(); ++i) {
        if (trajectory_->item(i)->checkState() == Qt::Checked)
            paths << trajectory_->item(i)->data(Qt::UserRole).toString();
    }
    return paths;
}

QString LandscapeDialog::problem() const {
    if (models_.isEmpty() || datasets_.isEmpty())
        return tr(
            "A landscape needs a model and a dataset in the project (File › Add model…, "
            "Add dataset…).");
    if (!rangeProblem(xRange_, "x").isEmpty() ||
        (twoDimensional() && !rangeProblem(yRange_, "y").isEmpty()))
        return tr("Fix the grid ranges.");
    const bool placesCheckpoints = kind() == DirectionKind::CheckpointLine ||
                                   kind() == DirectionKind::CheckpointPlane ||
                                   kind() == DirectionKind::TrajectoryPca;
    if (!placesCheckpoints &&
        (xRange_->text().trimmed().startsWith(QLatin1String("fit")) ||
         (twoDimensional() && yRange_->text().trimmed().startsWith(QLatin1String("fit")))))
        return tr(
            "A fit range covers the checkpoints on the slice: only line, plane and PCA "
            "directions place them. Give min:max:num.");
    switch (kind()) {
        case DirectionKind::CheckpointLine:
            if (lineEnd_->currentData().toString() == centre_.path)
                return tr("B must be another checkpoint than the centre.");
            break;
        case DirectionKind::CheckpointPlane: {
            const QString b = planeB_->currentData().toString();
            const QString c = planeC_->currentData().toString();
            if (b == centre_.path || c == centre_.path || b == c)
                return tr("The centre, B and C must be three different checkpoints.");
            break;
        }
        case DirectionKind::TrajectoryPca:
            if (trajectory().size() < 3)
                return tr("A PCA plane needs a trajectory of at least three checkpoints.");
            break;
        default:
            break;
    }
    if (output_->text().trimmed().isEmpty()) return tr("Name the surface file.");
    return {};
}

bool LandscapeDialog::isValid() const {
    return problem().isEmpty();
}

void LandscapeDialog::validate() {
    const QString x = rangeProblem(xRange_, "x");
    xError_->setText(x);
    xError_->setVisible(!x.isEmpty());
    yRange_->setEnabled(twoDimensional());
    const QString y = twoDimensional() ? rangeProblem(yRange_, "y") : QString();
    yError_->setText(y);
    yError_->setVisible(!y.isEmpty());
    hessianBottom_->setEnabled(twoDimensional());
    const QStringList path = trajectory();
    trajectoryCentre_->setText(path.isEmpty()
                                   ? tr("No checkpoint ticked.")
                                   : tr("%n checkpoint(s); centre: %1", nullptr, int(path.size()))
                                         .arg(QFileInfo(path.back()).completeBaseName()));
    metrics_->setText(test_->currentData().toString().isEmpty()
                          ? tr("train loss and accuracy (choose test data for test loss and "
                               "accuracy too)")
                          : tr("train and test loss and accuracy"));
    const QString why = problem();
    // Range errors already stand under their fields.
    const bool rangeError = !x.isEmpty() || !y.isEmpty();
    problem_->setText(rangeError ? QString() : why);
    problem_->setVisible(!why.isEmpty() && !rangeError);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

QString LandscapeDialog::trainDataPath() const {
    return train_->currentData().toString();
}

QString LandscapeDialog::testDataPath() const {
    return test_->currentData().toString();
}

LandscapeRecipe LandscapeDialog::recipe() const {
    LandscapeRecipe r;
    r.modelPath = model_->currentData().toString().toStdString();
    r.checkpoint = centre_.path.toStdString();
    r.directions = kind();
    r.x = parseGridRange(xRange_->text().trimmed().toStdString(), "x");
    if (twoDimensional()) r.y = parseGridRange(yRange_->text().trimmed().toStdString(), "y");
    switch (r.directions) {
        case DirectionKind::Random:
            r.random.normalization =
                normalizationByName(normalization_->currentData().toString().toStdString());
            r.random.keepOneDimensional = keepOneDimensional_->isChecked();
            r.random.seed = std::uint64_t(seed_->value());
            r.random.twoDimensional = twoDimensional();
            r.includeBuffers = includeBuffers_->isChecked();
            break;
        case DirectionKind::CheckpointLine:
            r.checkpoints = {lineEnd_->currentData().toString().toStdString()};
            break;
        case DirectionKind::CheckpointPlane:
            r.checkpoints = {planeB_->currentData().toString().toStdString(),
                             planeC_->currentData().toString().toStdString()};
            break;
        case DirectionKind::TrajectoryPca:
            for (const QString& path : trajectory())
                r.checkpoints.push_back(path.toStdString());
            if (!r.checkpoints.empty()) r.checkpoint = r.checkpoints.back();
            break;
        case DirectionKind::HessianEigenvectors:
            r.hessian.samples = hessianSamples_->value();
            r.hessian.bottom = twoDimensional() && hessianBottom_->isChecked();
            r.hessian.twoDimensional = twoDimensional();
            break;
        case DirectionKind::Loaded:
            break;
    }
    r.surfacePath = output_->text().trimmed().toStdString();
    r.options.reestimateBatchNorm = reestimate_->isChecked();
    return r;
}

}  // namespace basin::app
