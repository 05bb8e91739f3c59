#include "ui/SaliencyDialog.h"
#include "ui/DialogRows.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>

#include "saliency/SaliencyJob.h"
#include "ui/DialogRows.h"

namespace basin::app {
namespace {

QStringList checkedData(const QListWidget* list) {
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked)
            out << list->item(i)->data(Qt::UserRole).toString();
    return out;
}

QListWidgetItem* checkable(QListWidget* list, const QString& text, const QString& data,
                           bool checked) {
    auto* item = new QListWidgetItem(text, list);
    item->setData(Qt::UserRole, data);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    return item;
}

QSpinBox* spin(int low, int high, int value, const char* name) {
    auto* box = new QSpinBox;
    box->setRange(low, high);
    box->setValue(value);
    box->setObjectName(QString::fromLatin1(name));
    return box;
}

}  // namespace

SaliencyDialog::SaliencyDialog(const Project& project, int checkpointItem, QWidget* parent)
    : QDialog(parent), project_(project) {
    setWindowTitle(tr("Saliency"));
    const SaliencyRequest defaults;
    auto* form = new QFormLayout(this);

    QString suggestedModel;
    if (checkpointItem >= 0)
        suggestedModel =
            project.items[checkpointItem].extra.value(QStringLiteral("model")).toString();
    model_ = new QComboBox;
    model_->setObjectName(QStringLiteral("model"));
    for (const ProjectItem& m : project.itemsOfKind(ItemKind::Model)) {
        model_->addItem(m.name, m.path);
        if (m.path == suggestedModel) model_->setCurrentIndex(model_->count() - 1);
    }
    form->addRow(tr("Model:"), model_);

    followProbe_ = new QCheckBox(tr("the weights at the probe (recompute when it moves)"));
    followProbe_->setObjectName(QStringLiteral("followProbe"));
    const bool isProbe =
        checkpointItem < 0 || (project.probe.kind == Probe::Kind::Checkpoint &&
                               project.probe.checkpoint == project.items[checkpointItem].name);
    followProbe_->setChecked(isProbe);
    checkpoints_ = new QListWidget;
    checkpoints_->setObjectName(QStringLiteral("checkpoints"));
    checkpoints_->setMaximumHeight(110);
    for (int i = 0; i < project.items.size(); ++i)
        if (project.items[i].kind == ItemKind::Checkpoint)
            checkable(checkpoints_, project.items[i].name, project.items[i].path,
                      i == checkpointItem);
    form->addRow(tr("Weights:"), followProbe_);
    form->addRow(tr("or compare:"), checkpoints_);

    image_ = new QComboBox;
    image_->setObjectName(QStringLiteral("image"));
    for (const ProjectItem& d : project.itemsOfKind(ItemKind::Dataset)) {
        image_->addItem(d.name, d.path);
        // The test split when there is one: images the model has not seen.
        if (d.name.contains(QLatin1String("test"), Qt::CaseInsensitive) &&
            !image_->itemText(image_->currentIndex()).contains(QLatin1String("test")))
            image_->setCurrentIndex(image_->count() - 1);
    }
    image_->addItem(tr("Image file"), QString());
    index_ = spin(0, 1 << 30, 0, "index");
    imageFile_ = new QLineEdit;
    imageFile_->setObjectName(QStringLiteral("imageFile"));
    auto* imageRow = new QHBoxLayout;
    imageRow->addWidget(image_, 1);
    imageRow->addWidget(new QLabel(tr("sample")));
    imageRow->addWidget(index_);
    QHBoxLayout* fileRow = browseRow(imageFile_, [this](const QString&) {
        return QFileDialog::getOpenFileName(this, tr("Image to explain"), {},
                                            tr("Images (*.png *.jpg *.jpeg *.bmp)"));
    });
    form->addRow(tr("Image:"), imageRow);
    form->addRow(tr("Image file:"), fileRow);

    methods_ = new QListWidget;
    methods_->setObjectName(QStringLiteral("methods"));
    methods_->setMaximumHeight(150);
    for (SaliencyMethod m : allSaliencyMethods()) {
        const QString key = QString::fromLatin1(saliencyMethodKey(m));
        checkable(methods_, QString::fromLatin1(saliencyMethodTitle(m)), key,
                  defaults.methods.contains(key));
    }
    form->addRow(tr("Methods:"), methods_);
    layers_ = new QListWidget;
    layers_->setObjectName(QStringLiteral("layers"));
    layers_->setMaximumHeight(110);
    layersNote_ = new QLabel;
    layersNote_->setWordWrap(true);
    form->addRow(tr("Layers:"), layers_);
    form->addRow(QString(), layersNote_);

    target_ = new QComboBox;
    target_->setObjectName(QStringLiteral("target"));
    target_->addItem(tr("the predicted class"), QStringLiteral("predicted"));
    target_->addItem(tr("class"), QStringLiteral("class"));
    target_->addItem(tr("class A − class B (contrast)"), QStringLiteral("contrast"));
    class_ = spin(0, 100000, 0, "class");
    otherClass_ = spin(0, 100000, 1, "otherClass");
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(target_, 1);
    targetRow->addWidget(class_);
    targetRow->addWidget(otherClass_);
    form->addRow(tr("Explain:"), targetRow);

    const SaliencyOptions& o = defaults.options;
    samples_ = spin(1, 10000, o.samples, "samples");
    noise_ = new QDoubleSpinBox;
    noise_->setObjectName(QStringLiteral("noise"));
    noise_->setRange(0.001, 2.0);
    noise_->setSingleStep(0.05);
    noise_->setValue(o.noiseFraction);
    steps_ = spin(1, 10000, o.steps, "steps");
    quadrature_ = new QComboBox;
    quadrature_->addItem(tr("Gauss–Legendre"), QStringLiteral("gauss-legendre"));
    quadrature_->addItem(tr("Riemann (midpoints)"), QStringLiteral("riemann"));
    baseline_ = new QComboBox;
    baseline_->addItem(tr("black"), QStringLiteral("black"));
    baseline_->addItem(tr("blurred"), QStringLiteral("blurred"));
    window_ = spin(1, 1024, o.occlusionWindow, "window");
    stride_ = spin(1, 1024, o.occlusionStride, "stride");
    masks_ = spin(1, 100000, o.riseMasks, "masks");
    auto* smooth = new QHBoxLayout;
    smooth->addWidget(samples_);
    smooth->addWidget(new QLabel(tr("samples, noise σ")));
    smooth->addWidget(noise_);
    smooth->addWidget(new QLabel(tr("of the range")));
    auto* ig = new QHBoxLayout;
    ig->addWidget(steps_);
    ig->addWidget(new QLabel(tr("steps")));
    ig->addWidget(quadrature_);
    ig->addWidget(baseline_);
    auto* perturbation = new QHBoxLayout;
    perturbation->addWidget(new QLabel(tr("occlusion window")));
    perturbation->addWidget(window_);
    perturbation->addWidget(new QLabel(tr("stride")));
    perturbation->addWidget(stride_);
    perturbation->addWidget(new QLabel(tr("RISE masks")));
    perturbation->addWidget(masks_);
    form->addRow(tr("SmoothGrad:"), smooth);
    form->addRow(tr("Integrated Gradients:"), ig);
    form->addRow(tr("Perturbation:"), perturbation);
    deletionInsertion_ = new QCheckBox(tr("deletion and insertion curves (AUC)"));
    deletionInsertion_->setObjectName(QStringLiteral("deletionInsertion"));
    randomization_ = new QCheckBox(tr("the randomization sanity check (Adebayo et al.)"));
    randomization_->setObjectName(QStringLiteral("randomization"));
    form->addRow(tr("Metrics:"), deletionInsertion_);
    form->addRow(QString(), randomization_);
    classSensitivity_ =
        new QCheckBox(tr("class sensitivity (maps of the most and least likely class compared)"));
    classSensitivity_->setObjectName(QStringLiteral("classSensitivity"));
    form->addRow(QString(), classSensitivity_);

    problem_ = new QLabel;
    problem_->setObjectName(QStringLiteral("problem"));
    problem_->setWordWrap(true);
    form->addRow(problem_);
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    for (QListWidget* list : {checkpoints_, methods_, layers_})
        connect(list, &QListWidget::itemChanged, this, &SaliencyDialog::update);
    connect(followProbe_, &QCheckBox::toggled, this, &SaliencyDialog::update);
    connect(target_, &QComboBox::currentIndexChanged, this, &SaliencyDialog::update);
    connect(imageFile_, &QLineEdit::textChanged, this, &SaliencyDialog::update);
    connect(model_, &QComboBox::currentIndexChanged, this, &SaliencyDialog::listLayers);
    connect(image_, &QComboBox::currentIndexChanged, this, &SaliencyDialog::listLayers);
    connect(imageFile_, &QLineEdit::editingFinished, this, &SaliencyDialog::listLayers);
    listLayers();
}

// The layers with a spatial output, from one forward pass of the model on
// the chosen image; the default one ticked.
void SaliencyDialog::listLayers() {
    layers_->clear();
    layersNote_->clear();
    SaliencyRequest r = request();
    r.followProbe = false;
    r.checkpoints.clear();
    r.methods = {QStringLiteral("gradcam")};
    r.layers.clear();
    if (r.model.isEmpty() || (r.dataset.isEmpty() && r.imageFile.isEmpty())) {
        update();
        return;
    }
    try {
        const std::vector<SaliencyLayer> all =
            saliencyLayersOf(saliencyRecipe(r, project_, project_.probe));
        const std::string chosen = defaultCamLayer(all);
        for (const SaliencyLayer& l : all) {
            if (l.outputShape.size() != 3) continue;
            const QString path = QString::fromStdString(l.path);
            checkable(layers_,
                      QStringLiteral("%1  (%2, %3)")
                          .arg(path, QString::fromStdString(l.kind),
                               QString::fromStdString(shapeString(l.outputShape))),
                      path, l.path == chosen);
        }
    } catch (const std::exception& e) {
        layersNote_->setText(QString::fromStdString(e.what()));
    }
    update();
}

SaliencyRequest SaliencyDialog::request() const {
    SaliencyRequest r;
    r.model = model_->currentData().toString();
    r.checkpoints = checkedData(checkpoints_);
    r.followProbe = followProbe_->isChecked() && r.checkpoints.size() <= 1;
    const QString dataset = image_->currentData().toString();
    if (dataset.isEmpty())
        r.imageFile = imageFile_->text().trimmed();
    else
        r.dataset = dataset;
    r.index = index_->value();
    r.methods = checkedData(methods_);
    r.layers = checkedData(layers_);
    SaliencyOptions& o = r.options;
    const QString target = target_->currentData().toString();
    o.target.kind = target == QLatin1String("class")      ? SaliencyTarget::Kind::Class
                    : target == QLatin1String("contrast") ? SaliencyTarget::Kind::Contrast
                                                          : SaliencyTarget::Kind::Predicted;
    o.target.classIndex = o.target.kind == SaliencyTarget::Kind::Predicted ? -1 : class_->value();
    o.target.otherClass =
        o.target.kind == SaliencyTarget::Kind::Contrast ? otherClass_->value() : -1;
    o.samples = samples_->value();
    o.noiseFraction = noise_->value();
    o.steps = steps_->value();
    o.quadrature = quadrature_->currentData().toString() == QLatin1String("riemann")
                       ? IgQuadrature::Riemann
                       : IgQuadrature::GaussLegendre;
    o.baseline = baseline_->currentData().toString() == QLatin1String("blurred")
                     ? IgBaseline::Blurred
                     : IgBaseline::Black;
    o.occlusionWindow = window_->value();
    o.occlusionStride = stride_->value();
    o.riseMasks = masks_->value();
    r.deletionInsertion = deletionInsertion_->isChecked();
    r.randomization = randomization_->isChecked();
    r.classSensitivity = classSensitivity_->isChecked();
    return r;
}

QString SaliencyDialog::problem() const {
    const SaliencyRequest r = request();
    if (r.model.isEmpty()) return tr("Add the model to the project first (File › Add model…).");
    if (r.dataset.isEmpty() && r.imageFile.isEmpty())
        return tr("Choose a dataset sample or an image file.");
    if (r.methods.isEmpty()) return tr("Tick at least one method.");
    if (!r.followProbe && r.checkpoints.isEmpty() && !followProbe_->isChecked())
        return tr("Tick a checkpoint, or follow the probe.");
    if (r.options.target.kind == SaliencyTarget::Kind::Contrast &&
        r.options.target.classIndex == r.options.target.otherClass)
        return tr("A contrast needs two different classes.");
    return {};
}

void SaliencyDialog::update() {
    const QString target = target_->currentData().toString();
    class_->setEnabled(target != QLatin1String("predicted"));
    otherClass_->setEnabled(target == QLatin1String("contrast"));
    const bool file = image_->currentData().toString().isEmpty();
    index_->setEnabled(!file);
    imageFile_->setEnabled(file);
    const QString why = problem();
    problem_->setText(why);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

}  // namespace basin::app
