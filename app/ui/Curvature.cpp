#include "ui/Curvature.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPointer>
#include <QSpinBox>
#include <memory>

#include "curvature/HessianSpectrumFile.h"
#include "curvature/HessianSpectrumJob.h"
#include "curvature/SpectrumView.h"
#include "jobs/JobsPanel.h"
#include "project/Session.h"
#include "ui/MainWindow.h"

namespace basin::app {
namespace {

const QString kSpectrum = QStringLiteral("hessian-spectrum");

// Writes the file inside the job, so a finished job always has its result
// on disk.
class HessianFileJob : public Job {
public:
    HessianFileJob(HessianSpectrumRecipe recipe, QString path)
        : recipe_(std::move(recipe)), path_(std::move(path)) {}
    std::string title() const override { return HessianSpectrumJob(recipe_).title(); }
    void run(JobContext& context) override {
        result_ = computeHessianFile(recipe_, path_, context);
    }
    const HessianSpectrum& result() const { return result_; }

private:
    HessianSpectrumRecipe recipe_;
    QString path_;
    HessianSpectrum result_;
};

}  // namespace

HessianSpectrum computeHessianFile(const HessianSpectrumRecipe& recipe, const QString& path,
                                   JobContext& context) {
    HessianSpectrumJob job(recipe);
    job.run(context);
    widgets::writeHessianSpectrum(path, job.result());
    return job.result();
}

HessianSpectrumRecipe hessianRecipe(const HessianRequest& request) {
    HessianSpectrumRecipe recipe;
    recipe.modelPath = request.model.toStdString();
    recipe.checkpointPath = request.checkpoint.toStdString();
    recipe.datasetPath = request.dataset.toStdString();
    HessianJobOptions& o = recipe.options;
    o.lanczos.k = std::max(1, request.top);
    o.lanczos.bottom = request.bottom;
    o.lanczos.eigenvectors = false;
    o.trace = request.trace;
    o.hutchinson.samples = 50;  // as `basin hessian`
    o.density = request.density;
    o.perLayer = request.perLayer;
    return recipe;
}

QString hessianSpectrumPathFor(const QString& checkpointPath) {
    const QFileInfo info(checkpointPath);
    return info.path() + QLatin1Char('/') + info.completeBaseName() +
           QStringLiteral(".hessian.json");
}

ViewSpec hessianSpectrumSpec(const QString& resultPath) {
    QString name = QFileInfo(resultPath).completeBaseName();
    if (name.endsWith(QLatin1String(".hessian"))) name.chop(8);
    return {kSpectrum, QObject::tr("%1 (Hessian)").arg(name), QJsonObject{{"path", resultPath}}};
}

QWidget* createCurvatureView(const ViewSpec& spec) {
    if (spec.type != kSpectrum) return nullptr;
    const QString path = spec.settings.value("path").toString();
    try {
        auto* view = new widgets::SpectrumView;
        std::unique_ptr<QWidget> guard(view);
        view->setSpectrum(widgets::readHessianSpectrum(path));
        return guard.release();
    } catch (const std::exception& e) {
        auto* label =
            new QLabel(QObject::tr("Cannot show the Hessian spectrum %1:\n%2")
                           .arg(QFileInfo(path).fileName(), QString::fromStdString(e.what())));
        label->setObjectName(QStringLiteral("viewError"));
        label->setWordWrap(true);
        label->setAlignment(Qt::AlignCenter);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return label;
    }
}

bool isHessianSpectrumFile(const QString& path) {
    if (!path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)) return false;
    try {
        widgets::readHessianSpectrum(path);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void startHessian(MainWindow* window, const HessianRequest& request, const QString& resultPath) {
    auto job = std::make_shared<HessianFileJob>(hessianRecipe(request), resultPath);
    QPointer<MainWindow> guard(window);
    window->jobs()->submit(job, [guard, job, resultPath](const JobStatus& status) {
        if (!guard || status.state != JobState::Succeeded) return;
        guard->session()->addResultOnce(resultPath);
        // Views of an earlier run of the same file show the new result.
        bool shown = false;
        for (QWidget* v : guard->viewArea()->views()) {
            auto* view = qobject_cast<widgets::SpectrumView*>(v);
            if (view &&
                guard->viewArea()->specOf(v).settings.value("path").toString() == resultPath) {
                view->setSpectrum(job->result());
                shown = true;
            }
        }
        if (shown) return;
        guard->viewArea()->addView(hessianSpectrumSpec(resultPath));
    });
}

void computeHessianForItem(MainWindow* window, int checkpointItem) {
    const Project& project = window->session()->project();
    const QList<ProjectItem> models = project.itemsOfKind(ItemKind::Model);
    const QList<ProjectItem> datasets = project.itemsOfKind(ItemKind::Dataset);
    if (models.isEmpty() || datasets.isEmpty()) {
        window->showError(
            QObject::tr("A Hessian spectrum needs a model and a dataset in the project "
                        "(File › Add model…, Add dataset…)."));
        return;
    }
    const ProjectItem& checkpoint = project.items[checkpointItem];
    const QString suggested = checkpoint.extra.value(QStringLiteral("model")).toString();

    QDialog dialog(window);
    dialog.setWindowTitle(QObject::tr("Hessian spectrum of %1").arg(checkpoint.name));
    auto* form = new QFormLayout(&dialog);
    auto* model = new QComboBox;
    for (const ProjectItem& m : models) {
        model->addItem(m.name, m.path);
        if (m.path == suggested) model->setCurrentIndex(model->count() - 1);
    }
    auto* dataset = new QComboBox;
    for (const ProjectItem& d : datasets) {
        dataset->addItem(d.name, d.path);
        // The curvature of the training loss is what PyHessian reports.
        if (d.name.contains(QLatin1String("train"), Qt::CaseInsensitive) &&
            !dataset->itemText(dataset->currentIndex())
                 .contains(QLatin1String("train"), Qt::CaseInsensitive))
            dataset->setCurrentIndex(dataset->count() - 1);
    }
    const HessianRequest defaults;
    auto* top = new QSpinBox;
    top->setRange(1, 50);
    top->setValue(defaults.top);
    auto* bottom = new QCheckBox(QObject::tr("the smallest eigenvalue (negative curvature)"));
    bottom->setChecked(defaults.bottom);
    auto* trace = new QCheckBox(QObject::tr("the trace (Hutchinson, 50 probes)"));
    trace->setChecked(defaults.trace);
    auto* density =
        new QCheckBox(QObject::tr("the spectral density (stochastic Lanczos quadrature)"));
    density->setChecked(defaults.density);
    auto* perLayer =
        new QCheckBox(QObject::tr("per layer: top eigenvalue and trace of each module"));
    perLayer->setChecked(defaults.perLayer);
    form->addRow(QObject::tr("Model:"), model);
    form->addRow(QObject::tr("Loss on:"), dataset);
    form->addRow(QObject::tr("Top eigenvalues:"), top);
    form->addRow(QObject::tr("Also:"), bottom);
    form->addRow(QString(), trace);
    form->addRow(QString(), density);
    form->addRow(QString(), perLayer);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted) return;

    HessianRequest request;
    request.model = model->currentData().toString();
    request.checkpoint = checkpoint.path;
    request.dataset = dataset->currentData().toString();
    request.top = top->value();
    request.bottom = bottom->isChecked();
    request.trace = trace->isChecked();
    request.density = density->isChecked();
    request.perLayer = perLayer->isChecked();
    startHessian(window, request, hessianSpectrumPathFor(checkpoint.path));
}

}  // namespace basin::app
