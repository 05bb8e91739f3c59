#include "ui/ConnectivityDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>

namespace basin::app {
namespace {

// How well a dataset suits a model as its `split` ("train"/"test") set: the
// split in its name, and a word shared with the model's file name
// ("mlp_spirals.pt" and "spirals_train.npz").
int datasetScore(const ProjectItem& dataset, const QString& modelPath, const QString& split) {
    const QString file = QFileInfo(dataset.path).completeBaseName().toLower();
    int score = (dataset.name + file).toLower().contains(split) ? 2 : 0;
    for (const QString& word :
         QFileInfo(modelPath).completeBaseName().toLower().split(QLatin1Char('_')))
        if (word.size() > 2 && file.contains(word)) score += 1;
    return score;
}

void chooseBest(QComboBox* box, const QList<ProjectItem>& datasets, const QString& model,
                const QString& split, int offset) {
    int best = -1, bestScore = 1;  // at least the split in the name
    for (int i = 0; i < datasets.size(); ++i) {
        const int score = datasetScore(datasets[i], model, split);
        if (score > bestScore) {
            best = i;
            bestScore = score;
        }
    }
    if (best >= 0) box->setCurrentIndex(best + offset);
}

}  // namespace

ConnectivityDialog::ConnectivityDialog(const Project& project, int checkpointItem, QWidget* parent)
    : QDialog(parent), a_(project.items.value(checkpointItem)) {
    setWindowTitle(tr("Linear mode connectivity"));
    setObjectName(QStringLiteral("connectivityDialog"));
    const QString suggestedModel = a_.extra.value(QStringLiteral("model")).toString();
    const QString run = a_.extra.value(QStringLiteral("run")).toString();

    model_ = new QComboBox;
    model_->setObjectName(QStringLiteral("model"));
    for (const ProjectItem& m : project.itemsOfKind(ItemKind::Model)) {
        model_->addItem(m.name, m.path);
        if (m.path == suggestedModel) model_->setCurrentIndex(model_->count() - 1);
    }

    // The other checkpoints; by default the other seed's checkpoint of the same
    // epoch ("mlp_seed0 epoch 3" → "mlp_seed1 epoch 3"): the classic LMC pair.
    others_ = new QListWidget;
    others_->setObjectName(QStringLiteral("otherCheckpoints"));
    const QString epoch = run.isEmpty() ? QString() : a_.name.mid(run.size());
    bool ticked = false;
    for (const ProjectItem& c : project.itemsOfKind(ItemKind::Checkpoint)) {
        if (c.path == a_.path) continue;
        auto* row = new QListWidgetItem(c.name, others_);
        row->setData(Qt::UserRole, c.path);
        row->setFlags(row->flags() | Qt::ItemIsUserCheckable);
        const QString otherRun = c.extra.value(QStringLiteral("run")).toString();
        const bool partner = !ticked && !run.isEmpty() && !otherRun.isEmpty() && otherRun != run &&
                             c.extra.value(QStringLiteral("model")).toString() == suggestedModel &&
                             c.name.mid(otherRun.size()) == epoch;
        row->setCheckState(partner ? Qt::Checked : Qt::Unchecked);
        ticked = ticked || partner;
    }
    others_->setMinimumHeight(120);
    chainLabel_ = new QLabel;
    chainLabel_->setObjectName(QStringLiteral("chain"));
    chainLabel_->setWordWrap(true);

    const QList<ProjectItem> datasets = project.itemsOfKind(ItemKind::Dataset);
    train_ = new QComboBox;
    train_->setObjectName(QStringLiteral("trainData"));
    test_ = new QComboBox;
    test_->setObjectName(QStringLiteral("testData"));
    test_->addItem(tr("(none)"), QString());
    for (const ProjectItem& d : datasets) {
        train_->addItem(d.name, d.path);
        test_->addItem(d.name, d.path);
    }
    chooseBest(train_, datasets, suggestedModel, QStringLiteral("train"), 0);
    chooseBest(test_, datasets, suggestedModel, QStringLiteral("test"), 1);

    points_ = new QSpinBox;
    points_->setObjectName(QStringLiteral("points"));
    points_->setRange(2, 1001);
    points_->setValue(LmcRequest{}.points);
    points_->setToolTip(
        tr("Points along the whole path, ends included (raised so that every "
           "checkpoint is one)"));
    reestimate_ = new QCheckBox(tr("re-estimate BatchNorm statistics at every point"));
    reestimate_->setObjectName(QStringLiteral("reestimateBatchNorm"));
    reestimate_->setToolTip(
        tr("Interpolated running statistics are stale: without this, BatchNorm networks show "
           "false barriers. One more pass over the training data per point."));
    layerwise_ = new QCheckBox(tr("layer-wise: one layer at a time, and the first k layers"));
    layerwise_->setObjectName(QStringLiteral("layerwise"));
    secondOrder_ = new QCheckBox(tr("second-order prediction from the curvature along the path"));
    secondOrder_->setObjectName(QStringLiteral("secondOrder"));
    alignment_ = new QComboBox;
    alignment_->setObjectName(QStringLiteral("alignment"));
    alignment_->addItem(tr("none"), QString());
    alignment_->addItem(tr("weight matching"), QStringLiteral("weights"));
    alignment_->addItem(tr("activation matching (on the training data)"),
                        QStringLiteral("activations"));
    alignment_->setToolTip(
        tr("Permute B's hidden units to line up with A's (Git Re-Basin), save the aligned B "
           "beside the path file as a checkpoint of the project, and compute the path A → "
           "aligned B too: the plot and the barrier table show both."));
    // The curve, with `basin lmc --curve`'s defaults (LmcRequest).
    const LmcRequest defaults;
    repair_ = new QCheckBox(tr("also the REPAIRed paths (and aligned, when aligning)"));
    repair_->setObjectName(QStringLiteral("repair"));
    repair_->setToolTip(
        tr("REPAIR (Jordan et al. 2023): every hidden unit of the interpolated network gets the "
           "mean and standard deviation interpolated between A's and B's, measured on the "
           "training data and folded into the layer's weights"));
    curve_ = new QCheckBox(tr("Also find a low-loss curve"));
    curve_->setObjectName(QStringLiteral("curve"));
    curve_->setToolTip(
        tr("Train the bends of a curve between A and B (the aligned B when aligning) so that the "
           "whole curve has low loss (Garipov et al. 2018), then compute the loss along it: the "
           "plot and the barrier table show it as \"curve\"."));
    curveKind_ = new QComboBox;
    curveKind_->setObjectName(QStringLiteral("curveKind"));
    curveKind_->addItem(tr("Bezier"), QStringLiteral("bezier"));
    curveKind_->addItem(tr("polygonal chain"), QStringLiteral("polychain"));
    curveBends_ = new QSpinBox;
    curveBends_->setObjectName(QStringLiteral("curveBends"));
    curveBends_->setRange(1, 16);
    curveBends_->setValue(defaults.curveBends);
    curveBends_->setSuffix(tr(" bends"));
    curveEpochs_ = new QSpinBox;
    curveEpochs_->setObjectName(QStringLiteral("curveEpochs"));
    curveEpochs_->setRange(1, 10000);
    curveEpochs_->setValue(defaults.curveEpochs);
    curveEpochs_->setSuffix(tr(" epochs"));
    curveLearningRate_ = new QDoubleSpinBox;
    curveLearningRate_->setObjectName(QStringLiteral("curveLearningRate"));
    curveLearningRate_->setDecimals(5);
    curveLearningRate_->setRange(1e-5, 10.0);
    curveLearningRate_->setSingleStep(0.001);
    curveLearningRate_->setValue(defaults.curveLearningRate);
    curveLearningRate_->setPrefix(tr("lr "));
    curveOptimizer_ = new QComboBox;
    curveOptimizer_->setObjectName(QStringLiteral("curveOptimizer"));
    curveOptimizer_->addItem(tr("Adam"), QStringLiteral("adam"));
    curveOptimizer_->addItem(tr("SGD (momentum 0.9)"), QStringLiteral("sgd"));
    curveSchedule_ = new QComboBox;
    curveSchedule_->setObjectName(QStringLiteral("curveSchedule"));
    curveSchedule_->addItem(tr("constant lr"), QStringLiteral("constant"));
    curveSchedule_->addItem(tr("Garipov schedule"), QStringLiteral("garipov"));
    curveSchedule_->setToolTip(
        tr("Garipov et al.'s schedule: the learning rate for the first half of the epochs, then "
           "falling linearly to 1% of it at 90% of them"));
    curvePlane_ = new QCheckBox(tr("the plane through A, B and the middle bend as a landscape"));
    curvePlane_->setObjectName(QStringLiteral("curvePlane"));
    auto* curveOptions = new QWidget;
    auto* curveRow = new QHBoxLayout(curveOptions);
    curveRow->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w :
         std::initializer_list<QWidget*>{curveKind_, curveBends_, curveEpochs_, curveLearningRate_,
                                         curveOptimizer_, curveSchedule_})
        curveRow->addWidget(w);

    output_ = new QLineEdit;
    output_->setObjectName(QStringLiteral("output"));
    problem_ = new QLabel;
    problem_->setObjectName(QStringLiteral("problem"));
    problem_->setStyleSheet(QStringLiteral("color: #b00020"));
    problem_->setWordWrap(true);

    auto* form = new QFormLayout(this);
    form->addRow(tr("From:"), new QLabel(a_.name));
    form->addRow(tr("To:"), others_);
    form->addRow(QString(), chainLabel_);
    form->addRow(tr("Model:"), model_);
    form->addRow(tr("Training data:"), train_);
    form->addRow(tr("Test data:"), test_);
    form->addRow(tr("Points:"), points_);
    form->addRow(tr("BatchNorm:"), reestimate_);
    form->addRow(tr("Also:"), layerwise_);
    form->addRow(QString(), secondOrder_);
    form->addRow(tr("Align B to A first:"), alignment_);
    form->addRow(tr("REPAIR:"), repair_);
    form->addRow(tr("Curve:"), curve_);
    form->addRow(QString(), curveOptions);
    form->addRow(QString(), curvePlane_);
    form->addRow(tr("Path file:"), output_);
    form->addRow(problem_);
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(others_, &QListWidget::itemChanged, this, [this] { update(); });
    connect(reestimate_, &QCheckBox::toggled, this, [this] { update(); });
    connect(curve_, &QCheckBox::toggled, this, [this] { update(); });
    connect(points_, &QSpinBox::valueChanged, this, [this] { update(); });
    connect(model_, &QComboBox::currentIndexChanged, this, [this] { update(); });
    connect(train_, &QComboBox::currentIndexChanged, this, [this] { update(); });
    connect(output_, &QLineEdit::textEdited, this, [this] {
        outputEdited_ = true;
        update();
    });
    update();
}

QStringList ConnectivityDialog::chain() const {
    QStringList paths{a_.path};
    for (int i = 0; i < others_->count(); ++i)
        if (others_->item(i)->checkState() == Qt::Checked)
            paths << others_->item(i)->data(Qt::UserRole).toString();
    return paths;
}

void ConnectivityDialog::update() {
    const QStringList paths = chain();
    QStringList names{a_.name};
    for (int i = 0; i < others_->count(); ++i)
        if (others_->item(i)->checkState() == Qt::Checked) names << others_->item(i)->text();
    chainLabel_->setText(paths.size() < 2 ? tr("Tick B (or B, C, … for a chain, in this order).")
                                          : names.join(QStringLiteral(" → ")));
    // Layer-wise LMC and the prediction compare two networks.
    const bool two = paths.size() == 2;
    for (QCheckBox* box : {layerwise_, secondOrder_}) {
        box->setEnabled(two);
        if (!two) box->setChecked(false);
    }
    alignment_->setEnabled(two);
    if (!two) alignment_->setCurrentIndex(0);
    curve_->setEnabled(two);
    if (!two) curve_->setChecked(false);
    for (QWidget* w :
         std::initializer_list<QWidget*>{curveKind_, curveBends_, curveEpochs_, curveLearningRate_,
                                         curveOptimizer_, curveSchedule_, curvePlane_})
        w->setEnabled(curve_->isChecked());
    if (!outputEdited_ && paths.size() >= 2)
        output_->setText(lmcPathFileToUse(paths, reestimate_->isChecked(), points_->value()));
    problem_->setText(problem());
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(isValid());
}

QString ConnectivityDialog::problem() const {
    if (chain().size() < 2) return tr("Choose at least one other checkpoint.");
    if (model_->currentData().toString().isEmpty()) return tr("The project has no model.");
    if (train_->currentData().toString().isEmpty()) return tr("The project has no dataset.");
    if (!output_->text().trimmed().endsWith(QLatin1String(".h5")))
        return tr("The path file must end in .h5.");
    return {};
}

LmcRequest ConnectivityDialog::request() const {
    LmcRequest r;
    r.model = model_->currentData().toString();
    r.checkpoints = chain();
    r.trainData = train_->currentData().toString();
    r.testData = test_->currentData().toString();
    r.points = points_->value();
    r.reestimateBatchNorm = reestimate_->isChecked();
    r.layerwise = layerwise_->isChecked();
    r.secondOrder = secondOrder_->isChecked();
    r.pathFile = output_->text().trimmed();
    r.alignment = alignment_->currentData().toString();
    r.repair = repair_->isChecked();
    r.curve = curve_->isChecked();
    r.curveKind = curveKind_->currentData().toString();
    r.curveBends = curveBends_->value();
    r.curveEpochs = curveEpochs_->value();
    r.curveLearningRate = curveLearningRate_->value();
    r.curveOptimizer = curveOptimizer_->currentData().toString();
    r.curveSchedule = curveSchedule_->currentData().toString();
    r.curvePlane = r.curve && curvePlane_->isChecked();
    return r;
}

}  // namespace basin::app
