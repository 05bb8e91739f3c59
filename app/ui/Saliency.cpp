#include "ui/Saliency.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPointer>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <memory>

#include "connectivity/PathPoint.h"
#include "jobs/JobsPanel.h"
#include "project/Session.h"
#include "saliency/DeletionCurveView.h"
#include "saliency/RandomizationView.h"
#include "saliency/SaliencyGrid.h"
#include "saliency/SaliencyView.h"
#include "ui/MainWindow.h"
#include "ui/ProbeWeights.h"
#include "ui/SaliencyDialog.h"

namespace basin::app {
namespace {

const QString kSaliency = QStringLiteral("saliency");

QStringList stringList(const QJsonValue& v) {
    QStringList out;
    for (const QJsonValue& s : v.toArray())
        out << s.toString();
    return out;
}

const char* targetKindKey(SaliencyTarget::Kind k) {
    switch (k) {
        case SaliencyTarget::Kind::Class:
            return "class";
        case SaliencyTarget::Kind::Contrast:
            return "contrast";
        case SaliencyTarget::Kind::Predicted:
            break;
    }
    return "predicted";
}

// The weights at the probe, when it has some the project can rebuild (a
// checkpoint of another model than `model` is not followed).
std::optional<SaliencyWeights> probeWeights(const Project& project, const Probe& probe,
                                            QString* model) {
    SaliencyWeights w;
    w.label = describeProbe(probe).toStdString();
    if (probe.kind == Probe::Kind::Checkpoint) {
        for (const ProjectItem& item : project.itemsOfKind(ItemKind::Checkpoint)) {
            if (item.name != probe.checkpoint) continue;
            w.checkpointPath = item.path.toStdString();
            const QString own = item.extra.value(QStringLiteral("model")).toString();
            if (!own.isEmpty() && !model->isEmpty() && QFileInfo(own) != QFileInfo(*model))
                return std::nullopt;
            if (!own.isEmpty()) *model = own;
            return w;
        }
        return std::nullopt;
    }
    const QString result = probeResultPath(project, probe);
    if (result.isEmpty()) return std::nullopt;
    w.resultPath = result.toStdString();
    // A path file shown as a 1-D slice gives a plane probe whose a is t.
    w.pathPosition = probe.kind == Probe::Kind::Path || isPathFile(w.resultPath);
    w.t = probe.kind == Probe::Kind::Path ? probe.t : probe.a;
    w.a = probe.a;
    w.b = probe.b;
    return w;
}

bool sameWeights(const std::vector<SaliencyWeights>& x, const std::vector<SaliencyWeights>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const SaliencyWeights &a = x[i], &b = y[i];
        if (a.checkpointPath != b.checkpointPath || a.resultPath != b.resultPath ||
            a.pathPosition != b.pathPosition || a.a != b.a || a.b != b.b || a.t != b.t)
            return false;
    }
    return true;
}

// The view: the maps of the last finished job, a line saying what is being
// computed, and the link to the probe.
class SaliencyPanel : public QWidget {
public:
    SaliencyPanel(SaliencyRequest request, Session* session)
        : request_(std::move(request)), session_(session) {
        auto* layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        status_ = new QLabel;
        status_->setObjectName(QStringLiteral("saliencyStatus"));
        status_->setWordWrap(true);
        view_ = new widgets::SaliencyView;
        grid_ = new widgets::SaliencyGrid;
        maps_ = new QStackedWidget;
        maps_->addWidget(view_);
        maps_->addWidget(grid_);
        metrics_ = new QTabWidget;
        metrics_->setObjectName(QStringLiteral("saliencyMetrics"));
        deletion_ = new widgets::DeletionCurveView;
        randomization_ = new widgets::RandomizationView;
        metrics_->addTab(deletion_, tr("Deletion / insertion"));
        metrics_->addTab(randomization_, tr("Randomization check"));
        sensitivity_ = new QTableWidget(0, 6);
        sensitivity_->setObjectName(QStringLiteral("classSensitivity"));
        sensitivity_->setHorizontalHeaderLabels({tr("map"), tr("most likely"), tr("least likely"),
                                                 tr("Spearman"), tr("Spearman |·|"), tr("SSIM")});
        sensitivity_->setEditTriggers(QAbstractItemView::NoEditTriggers);
        sensitivity_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        metrics_->addTab(sensitivity_, tr("Class sensitivity"));
        metrics_->hide();
        // The metrics beside the maps: a grid of small images leaves room at
        // its side, and curves with a legend per map need height.
        auto* split = new QSplitter(Qt::Horizontal);
        split->addWidget(maps_);
        split->addWidget(metrics_);
        split->setStretchFactor(0, 1);
        split->setStretchFactor(1, 1);
        layout->addWidget(status_);
        layout->addWidget(split, 1);
        connect(view_, &widgets::SaliencyView::classChosen, this, [this](int c) {
            request_.options.target.kind = SaliencyTarget::Kind::Class;
            request_.options.target.classIndex = c;
            settingsChanged();
            compute(true);
        });
        connect(view_, &widgets::SaliencyView::methodChosen, this, [this](SaliencyMethod m) {
            request_.methods = {QString::fromLatin1(saliencyMethodKey(m))};
            settingsChanged();
            compute(true);
        });
        if (!request_.display.isEmpty()) view_->restoreSettings(request_.display);
        connect(view_, &widgets::SaliencyView::settingsChanged, this, [this] {
            request_.display = view_->settings();
            settingsChanged();
        });
        // A cell of the comparison grid opens large in the view; the status
        // line's link goes back to the grid.
        connect(grid_, &widgets::SaliencyGrid::cellClicked, this,
                [this](int row, int column) { showCell(row, column); });
        connect(status_, &QLabel::linkActivated, this, [this] {
            maps_->setCurrentWidget(grid_);
            status_->setText(gridStatus_);
        });
        poll_.setInterval(150);
        connect(&poll_, &QTimer::timeout, this, &SaliencyPanel::showProgress);
        if (session_ && request_.followProbe)
            connect(session_, &Session::probeChanged, this, [this] { compute(false); });
        // After the view area has taken the widget (the window's jobs panel).
        QTimer::singleShot(0, this, [this] { compute(true); });
    }
    ~SaliencyPanel() override {
        if (running_) running_->cancel();
    }

private:
    MainWindow* window() const {
        return session_ ? qobject_cast<MainWindow*>(session_->parent()) : nullptr;
    }

    void settingsChanged() {
        setProperty(ViewArea::kSettingsProperty, request_.toJson().toVariantMap());
    }

    // Starts a job for the current request and probe, cancelling the one
    // running; unless `always`, only when the weights changed.
    void compute(bool always) {
        MainWindow* w = window();
        if (!w) {
            status_->setText(tr("Saliency views compute in the main window's jobs panel."));
            return;
        }
        SaliencyRecipe recipe;
        try {
            recipe = saliencyRecipe(request_, session_->project(), session_->project().probe);
        } catch (const std::exception& e) {
            status_->setText(QString::fromStdString(e.what()));
            return;
        }
        if (!always && sameWeights(recipe.weights, wanted_)) return;
        wanted_ = recipe.weights;
        if (running_) running_->cancel();
        auto job = std::make_shared<SaliencyJob>(std::move(recipe));
        QPointer<SaliencyPanel> self(this);
        running_ = w->jobs()->submit(job, [self, job](const JobStatus& status) {
            if (!self || self->latest_ != job) return;
            self->running_.reset();
            self->poll_.stop();
            if (status.state == JobState::Succeeded) {
                self->show(job);
            } else if (status.state == JobState::Failed) {
                self->status_->setText(QString::fromStdString(status.error));
            }
        });
        latest_ = job;
        poll_.start();
        showProgress();
    }

    void showProgress() {
        if (!running_) return;
        const JobStatus s = running_->status();
        status_->setText(tr("Computing %1 — %2%")
                             .arg(QString::fromStdString(s.progress.message))
                             .arg(int(s.progress.fraction * 100)));
    }

    void show(const std::shared_ptr<SaliencyJob>& job) {
        if (job->results().empty()) return;
        shown_ = job;
        widgets::OverlayOptions options = view_->options();
        options.image.mean = job->recipe().mean;
        options.image.std = job->recipe().std;
        showMetrics(*job);
        if (job->results().size() > 1) {
            showGrid(*job, options);
            return;
        }
        showSingle(*job, 0, options, {});
    }

    // Result `k` of `job` in the single view; `back` is a link shown after
    // the status (to return to the grid), or empty.
    void showSingle(const SaliencyJob& job, std::size_t k, widgets::OverlayOptions options,
                    const QString& back) {
        const SaliencyResult& r = job.results()[k];
        options.image.mean = job.recipe().mean;
        options.image.std = job.recipe().std;
        maps_->setCurrentWidget(view_);
        view_->setOptions(options);
        view_->setImage(job.images()[r.image].input);
        std::vector<widgets::SaliencyClassChoice> choices;
        for (const ClassScore& c : job.predictions()[r.image][r.weights])
            choices.push_back({c.index, {}, c.probability});
        view_->setClassChoices(choices, r.map.targetClass);
        view_->setMap(r.map);
        status_->setText(tr("%1 of %2 at %3 (%4 ms)")
                             .arg(QString::fromLatin1(saliencyMethodTitle(r.map.method)),
                                  QString::fromStdString(job.images()[r.image].name),
                                  QString::fromStdString(job.weightLabels()[r.weights]))
                             .arg(r.seconds * 1e3, 0, 'f', 0) +
                         back);
    }

    void showCell(int row, int column) {
        const std::size_t cell = std::size_t(row) * std::size_t(columns_) + std::size_t(column);
        if (!shown_ || column < 0 || column >= columns_ || cell >= cellResults_.size()) return;
        showSingle(*shown_, cellResults_[cell], view_->options(),
                   QStringLiteral(" — <a href=\"grid\">back to the grid</a>"));
    }

    // Methods (× layers) down, weights across, for the first image.
    void showGrid(const SaliencyJob& job, const widgets::OverlayOptions& options) {
        QStringList rows, columns;
        for (const std::string& w : job.weightLabels())
            columns << QString::fromStdString(w);
        const bool layered = job.recipe().layers.size() > 1;
        std::vector<SaliencyMap> maps;
        for (const SaliencyResult& r : job.results()) {
            if (r.image != 0) continue;
            if (r.weights == 0) {
                QString row = QString::fromLatin1(saliencyMethodTitle(r.map.method));
                if (layered && !r.map.layer.empty())
                    row += QStringLiteral(" · ") + QString::fromStdString(r.map.layer);
                rows << row;
            }
        }
        maps.resize(std::size_t(rows.size() * columns.size()));
        columns_ = int(columns.size());
        cellResults_.assign(maps.size(), 0);
        std::size_t k = 0;
        for (std::size_t i = 0; i < job.results().size(); ++i) {
            const SaliencyResult& r = job.results()[i];
            if (r.image != 0) continue;
            const std::size_t row = k % std::size_t(rows.size());
            maps[row * std::size_t(columns.size()) + r.weights] = r.map;
            cellResults_[row * std::size_t(columns.size()) + r.weights] = i;
            ++k;
        }
        grid_->setImage(job.images()[0].input);
        grid_->setOptions(options);
        // Methods differ in scale: each cell on its own range.
        grid_->setSharedNormalization(false);
        grid_->setTitle(QString::fromStdString(job.images()[0].name));
        grid_->setMaps(rows, columns, maps);
        maps_->setCurrentWidget(grid_);
        double seconds = 0;
        for (const SaliencyResult& r : job.results())
            seconds += r.seconds;
        gridStatus_ = tr("%1 maps of %2 (%3 ms); click a map to see it large")
                          .arg(job.results().size())
                          .arg(QString::fromStdString(job.images()[0].name))
                          .arg(seconds * 1e3, 0, 'f', 0);
        status_->setText(gridStatus_);
    }

    // A result's name in the metric views: method, layer, weights.
    static QString resultName(const SaliencyJob& job, const SaliencyResult& r) {
        QString name = QString::fromLatin1(saliencyMethodTitle(r.map.method));
        if (!r.map.layer.empty())
            name += QStringLiteral(" · ") + QString::fromStdString(r.map.layer);
        if (job.weightLabels().size() > 1)
            name += QStringLiteral(" · ") + QString::fromStdString(job.weightLabels()[r.weights]);
        return name;
    }

    void showMetrics(const SaliencyJob& job) {
        std::vector<widgets::DeletionCurves> curves;
        std::vector<widgets::RandomizationSeries> series;
        std::vector<const SaliencyResult*> sensitive;
        for (const SaliencyResult& r : job.results()) {
            if (r.deletionInsertion) curves.push_back({resultName(job, r), *r.deletionInsertion});
            if (r.randomization) series.push_back({resultName(job, r), *r.randomization});
            if (r.classSensitivity) sensitive.push_back(&r);
        }
        const bool haveCurves = !curves.empty(), haveSeries = !series.empty(),
                   haveSensitivity = !sensitive.empty();
        metrics_->setTabEnabled(0, haveCurves);
        metrics_->setTabEnabled(1, haveSeries);
        metrics_->setTabEnabled(2, haveSensitivity);
        metrics_->setVisible(haveCurves || haveSeries || haveSensitivity);
        if (haveCurves) deletion_->setCurves(std::move(curves));
        if (haveSeries) randomization_->setSeries(std::move(series));
        showSensitivity(job, sensitive);
        if (!haveCurves)
            metrics_->setCurrentWidget(haveSeries ? static_cast<QWidget*>(randomization_)
                                                  : sensitivity_);
    }

    // One row per map: the two classes compared and how alike their maps are
    // (lower = more class-sensitive; Rebuffi et al. 2020).
    void showSensitivity(const SaliencyJob& job, const std::vector<const SaliencyResult*>& rows) {
        sensitivity_->setRowCount(int(rows.size()));
        auto cell = [](const QString& text) { return new QTableWidgetItem(text); };
        for (int i = 0; i < int(rows.size()); ++i) {
            const ClassSensitivity& c = *rows[std::size_t(i)]->classSensitivity;
            sensitivity_->setItem(i, 0, cell(resultName(job, *rows[std::size_t(i)])));
            sensitivity_->setItem(
                i, 1, cell(tr("%1 (p %2)").arg(c.mostLikely).arg(c.mostProbability, 0, 'f', 3)));
            sensitivity_->setItem(
                i, 2, cell(tr("%1 (p %2)").arg(c.leastLikely).arg(c.leastProbability, 0, 'g', 2)));
            sensitivity_->setItem(i, 3, cell(QString::number(c.similarity.spearman, 'f', 3)));
            sensitivity_->setItem(i, 4, cell(QString::number(c.similarity.spearmanAbs, 'f', 3)));
            sensitivity_->setItem(i, 5, cell(QString::number(c.similarity.ssim, 'f', 3)));
        }
    }

    SaliencyRequest request_;
    QPointer<Session> session_;
    QLabel* status_;
    QStackedWidget* maps_;
    widgets::SaliencyView* view_;
    widgets::SaliencyGrid* grid_;
    QTabWidget* metrics_;
    widgets::DeletionCurveView* deletion_;
    widgets::RandomizationView* randomization_;
    QTableWidget* sensitivity_;
    QTimer poll_;
    std::shared_ptr<JobHandle> running_;
    std::shared_ptr<SaliencyJob> latest_;
    std::shared_ptr<SaliencyJob> shown_;    // the job whose maps are on screen
    std::vector<std::size_t> cellResults_;  // grid cell (row-major) → result index
    int columns_ = 0;
    QString gridStatus_;
    std::vector<SaliencyWeights> wanted_;
};

}  // namespace

QJsonObject SaliencyRequest::toJson() const {
    const SaliencyOptions& o = options;
    return {{"model", model},
            {"checkpoints", QJsonArray::fromStringList(checkpoints)},
            {"followProbe", followProbe},
            {"dataset", dataset},
            {"index", double(index)},
            {"imageFile", imageFile},
            {"methods", QJsonArray::fromStringList(methods)},
            {"layers", QJsonArray::fromStringList(layers)},
            {"target", QString::fromLatin1(targetKindKey(o.target.kind))},
            {"class", double(o.target.classIndex)},
            {"otherClass", double(o.target.otherClass)},
            {"samples", o.samples},
            {"noise", o.noiseFraction},
            {"steps", o.steps},
            {"quadrature", o.quadrature == IgQuadrature::Riemann ? "riemann" : "gauss-legendre"},
            {"baseline", o.baseline == IgBaseline::Blurred ? "blurred" : "black"},
            {"window", o.occlusionWindow},
            {"stride", o.occlusionStride},
            {"masks", o.riseMasks},
            {"cell", o.riseCell},
            {"p", o.riseProbability},
            {"deletionInsertion", deletionInsertion},
            {"randomization", randomization},
            {"classSensitivity", classSensitivity},
            {"display", QJsonObject::fromVariantMap(display)}};
}

SaliencyRequest SaliencyRequest::fromJson(const QJsonObject& json) {
    SaliencyRequest r;
    SaliencyOptions& o = r.options;
    r.model = json.value("model").toString();
    r.checkpoints = stringList(json.value("checkpoints"));
    r.followProbe = json.value("followProbe").toBool(true);
    r.dataset = json.value("dataset").toString();
    r.index = qint64(json.value("index").toDouble());
    r.imageFile = json.value("imageFile").toString();
    if (json.contains("methods")) r.methods = stringList(json.value("methods"));
    r.layers = stringList(json.value("layers"));
    r.display = json.value("display").toObject().toVariantMap();
    const QString target = json.value("target").toString();
    o.target.kind = target == QLatin1String("class")      ? SaliencyTarget::Kind::Class
                    : target == QLatin1String("contrast") ? SaliencyTarget::Kind::Contrast
                                                          : SaliencyTarget::Kind::Predicted;
    o.target.classIndex = qint64(json.value("class").toDouble(-1));
    o.target.otherClass = qint64(json.value("otherClass").toDouble(-1));
    o.samples = json.value("samples").toInt(o.samples);
    o.noiseFraction = json.value("noise").toDouble(o.noiseFraction);
    o.steps = json.value("steps").toInt(o.steps);
    o.quadrature = json.value("quadrature").toString() == QLatin1String("riemann")
                       ? IgQuadrature::Riemann
                       : IgQuadrature::GaussLegendre;
    o.baseline = json.value("baseline").toString() == QLatin1String("blurred") ? IgBaseline::Blurred
                                                                               : IgBaseline::Black;
    o.occlusionWindow = json.value("window").toInt(o.occlusionWindow);
    o.occlusionStride = json.value("stride").toInt(o.occlusionStride);
    o.riseMasks = json.value("masks").toInt(o.riseMasks);
    o.riseCell = json.value("cell").toInt(o.riseCell);
    o.riseProbability = json.value("p").toDouble(o.riseProbability);
    r.deletionInsertion = json.value("deletionInsertion").toBool();
    r.randomization = json.value("randomization").toBool();
    r.classSensitivity = json.value("classSensitivity").toBool();
    return r;
}

SaliencyRecipe saliencyRecipe(const SaliencyRequest& request, const Project& project,
                              const Probe& probe) {
    SaliencyRecipe recipe;
    QString model = request.model;
    std::optional<SaliencyWeights> atProbe;
    if (request.followProbe) atProbe = probeWeights(project, probe, &model);
    if (atProbe) {
        recipe.weights = {*atProbe};
    } else {
        for (const QString& c : request.checkpoints) {
            SaliencyWeights w;
            w.checkpointPath = c.toStdString();
            recipe.weights.push_back(w);
        }
    }
    recipe.modelPath = model.toStdString();
    if (!request.imageFile.isEmpty()) {
        recipe.imagePaths = {request.imageFile.toStdString()};
    } else {
        recipe.datasetPath = request.dataset.toStdString();
        recipe.datasetIndices = {request.index};
    }
    for (const QString& key : request.methods) {
        const auto m = parseSaliencyMethod(key.toStdString());
        if (!m) throw std::runtime_error("unknown saliency method '" + key.toStdString() + "'");
        recipe.methods.push_back(*m);
    }
    for (const QString& l : request.layers)
        recipe.layers.push_back(l.toStdString());
    recipe.options = request.options;
    recipe.deletionInsertion = request.deletionInsertion;
    recipe.randomization = request.randomization;
    recipe.classSensitivity = request.classSensitivity;
    return recipe;
}

ViewSpec saliencySpec(const SaliencyRequest& request) {
    QStringList titles;
    for (const QString& key : request.methods) {
        const auto m = parseSaliencyMethod(key.toStdString());
        titles << (m ? QString::fromLatin1(saliencyMethodTitle(*m)) : key);
    }
    const QString image = request.imageFile.isEmpty()
                              ? QStringLiteral("%1 #%2")
                                    .arg(QFileInfo(request.dataset).completeBaseName())
                                    .arg(request.index)
                              : QFileInfo(request.imageFile).fileName();
    return {kSaliency, QObject::tr("%1: %2").arg(image, titles.join(QStringLiteral(", "))),
            request.toJson()};
}

QWidget* createSaliencyView(const ViewSpec& spec, Session* session) {
    if (spec.type != kSaliency) return nullptr;
    return new SaliencyPanel(SaliencyRequest::fromJson(spec.settings), session);
}

void saliencyForItem(MainWindow* window, int checkpointItem) {
    SaliencyDialog dialog(window->session()->project(), checkpointItem, window);
    if (dialog.exec() != QDialog::Accepted) return;
    window->viewArea()->addView(saliencySpec(dialog.request()));
}

void saliencyAtProbe(MainWindow* window) {
    saliencyForItem(window, -1);
}

}  // namespace basin::app
