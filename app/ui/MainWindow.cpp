#include "ui/MainWindow.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>

#include "jobs/JobsPanel.h"
#include "project/Demo.h"
#include "project/Session.h"
#include "ui/Avatars.h"
#include "ui/BlockMnistView.h"
#include "ui/Connectivity.h"
#include "ui/Curvature.h"
#include "ui/DemoLayout.h"
#include "ui/Evaluation.h"
#include "ui/InspectorPanel.h"
#include "ui/Landscape.h"
#include "ui/ProbeWeights.h"
#include "ui/ProjectPanel.h"
#include "ui/ProjectReactions.h"
#include "ui/Saliency.h"
#include "ui/ViewArea.h"
#include "ui/ViewFactory.h"
#include "ui/ViewReactions.h"

namespace basin::app {
namespace {
constexpr int kMaxRecent = 10;
const QString kRecentKey = QStringLiteral("recentProjects");
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      session_(new Session(this)),
      viewArea_(new ViewArea([this](const ViewSpec& s) { return createView(s, session_); })),
      projectPanel_(new ProjectPanel(session_)),
      inspector_(new InspectorPanel(session_)),
      jobs_(new widgets::JobsPanel(2)) {
    setObjectName(QStringLiteral("basinMainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/basin/icons/basin.svg")));
    setCentralWidget(viewArea_);
    buildDocks();
    buildMenus();
    probeLabel_ = new QLabel;
    jobsLabel_ = new QLabel;
    statusBar()->addWidget(probeLabel_, 1);
    statusBar()->addPermanentWidget(jobsLabel_);

    connect(session_, &Session::projectReplaced, this, [this] {
        QStringList problems;
        viewArea_->restoreLayout(session_->project().layout, &problems);
        if (!problems.isEmpty()) showError(problems.join(QLatin1Char('\n')));
        updateTitle();
        updateStatus();
    });
    connect(session_, &Session::modifiedChanged, this, &MainWindow::updateTitle);
    connect(session_, &Session::probeChanged, this, &MainWindow::updateStatus);
    connect(viewArea_, &ViewArea::layoutChanged, this,
            [this] { session_->setLayout(viewArea_->saveLayout()); });
    connect(viewArea_, &ViewArea::currentViewChanged, this,
            [this](QWidget* view) { inspector_->showView(viewArea_->specOf(view)); });
    connect(projectPanel_, &ProjectPanel::selectionChanged, inspector_, &InspectorPanel::showItem);
    connect(projectPanel_, &ProjectPanel::viewRequested, this, [this](const ViewSpec& spec) {
        if (!viewArea_->addView(spec)) showError(tr("cannot open a %1 view").arg(spec.type));
    });
    connect(projectPanel_, &ProjectPanel::evaluateRequested, this,
            [this](const QList<int>& items) { evaluateItems(this, items); });
    connect(projectPanel_, &ProjectPanel::landscapeRequested, this,
            [this](int item) { computeLandscapeForItem(this, item); });
    connect(projectPanel_, &ProjectPanel::hessianRequested, this,
            [this](int item) { computeHessianForItem(this, item); });
    connect(projectPanel_, &ProjectPanel::connectivityRequested, this,
            [this](int item) { linearModeConnectivityForItem(this, item); });
    connect(projectPanel_, &ProjectPanel::saliencyRequested, this,
            [this](int item) { saliencyForItem(this, item); });
    connect(projectPanel_, &ProjectPanel::fingerprintRequested, this,
            [this](const QList<int>& items) { fingerprintItems(this, items); });
    connect(jobs_, &widgets::JobsPanel::activeCountChanged, this, &MainWindow::updateStatus);
    connect(jobs_, &widgets::JobsPanel::jobFinished, this,
            [this](const QString& title, int state, const QString& error) {
                if (state == int(JobState::Failed)) {
                    showError(tr("%1 failed: %2").arg(title, error));
                } else {
                    statusBar()->showMessage(
                        tr("%1: %2").arg(title, QString::fromLatin1(jobStateName(JobState(state)))),
                        5000);
                }
            });
    resize(1400, 900);
    updateTitle();
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks() {
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    auto makeDock = [this](QWidget* content, const QString& title, const QString& name,
                           Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);  // required for saveState/restoreState
        dock->setWidget(content);
        addDockWidget(area, dock);
        return dock;
    };
    makeDock(projectPanel_, tr("Project"), QStringLiteral("projectDock"), Qt::LeftDockWidgetArea);
    makeDock(inspector_, tr("Inspector"), QStringLiteral("inspectorDock"), Qt::RightDockWidgetArea);
    makeDock(jobs_, tr("Jobs"), QStringLiteral("jobsDock"), Qt::BottomDockWidgetArea);
    resizeDocks({findChild<QDockWidget*>(QStringLiteral("projectDock")),
                 findChild<QDockWidget*>(QStringLiteral("inspectorDock"))},
                {260, 300}, Qt::Horizontal);
    resizeDocks({findChild<QDockWidget*>(QStringLiteral("jobsDock"))}, {130}, Qt::Vertical);
}

void MainWindow::buildMenus() {
    auto action = [this](QMenu* menu, const QString& text, const QKeySequence& shortcut = {}) {
        QAction* a = menu->addAction(text);
        if (!shortcut.isEmpty()) a->setShortcut(shortcut);
        return a;
    };

    QMenu* file = menuBar()->addMenu(tr("&File"));
    new NewProjectReaction(action(file, tr("&New project"), QKeySequence::New), this);
    new OpenProjectReaction(action(file, tr("&Open project…"), QKeySequence::Open), this);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    new SaveProjectReaction(action(file, tr("&Save project"), QKeySequence::Save), this, false);
    new SaveProjectReaction(action(file, tr("Save project &as…"), QKeySequence::SaveAs), this,
                            true);
    file->addSeparator();
    new AddFilesReaction(action(file, tr("Add &model…"), QKeySequence(tr("Ctrl+Shift+M"))), this,
                         ItemKind::Model);
    new AddFilesReaction(action(file, tr("Add &checkpoints…"), QKeySequence(tr("Ctrl+Shift+K"))),
                         this, ItemKind::Checkpoint);
    new AddFilesReaction(action(file, tr("Add &dataset…"), QKeySequence(tr("Ctrl+Shift+D"))), this,
                         ItemKind::Dataset);
    connect(action(file, tr("Open &splats…")), &QAction::triggered, this,
            [this] { openSplatsFile(this); });
    connect(action(file, tr("Open 3DGS &training run…")), &QAction::triggered, this,
            [this] { openTrainingRun(this); });
    file->addSeparator();
    new ExportScreenshotReaction(action(file, tr("Export &window as PNG…")), this, false);
    new ExportScreenshotReaction(
        action(file, tr("Export current &view as PNG…"), QKeySequence(tr("Ctrl+E"))), this, true);
    file->addSeparator();
    connect(action(file, tr("&Quit"), QKeySequence::Quit), &QAction::triggered, this,
            &QWidget::close);
    rebuildRecentMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QMenu* newView = view->addMenu(tr("&New view"));
    int n = 1;
    for (const ViewSpec& spec : builtinViewSpecs()) {
        // Ctrl+1 … Ctrl+9 for the first nine.
        const QKeySequence key = n <= 9 ? QKeySequence(tr("Ctrl+%1").arg(n)) : QKeySequence();
        ++n;
        new NewViewReaction(action(newView, spec.title, key), this, spec);
    }
    connect(action(view, tr("&Avatar preview")), &QAction::triggered, this,
            [this] { openAvatarPreview(this); });
    connect(action(view, tr("&BlockMNIST saliency test")), &QAction::triggered, this,
            [this] { openBlockMnistTest(this); });
    using Op = ViewLayoutReaction::Operation;
    new ViewLayoutReaction(action(view, tr("Split &right"), QKeySequence(tr("Ctrl+\\"))), this,
                           Op::SplitRight);
    new ViewLayoutReaction(action(view, tr("Split &down"), QKeySequence(tr("Ctrl+Shift+\\"))), this,
                           Op::SplitDown);
    new ViewLayoutReaction(action(view, tr("&Move view to next pane"), QKeySequence(tr("Ctrl+M"))),
                           this, Op::MoveToNextPane);
    new ViewLayoutReaction(action(view, tr("&Close view"), QKeySequence(tr("Ctrl+W"))), this,
                           Op::Close);
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* probe = menuBar()->addMenu(tr("&Probe"));
    QAction* evaluateProbe = action(probe, tr("&Evaluate the weights at the probe"));
    evaluateProbe->setIconText(tr("Evaluate here"));
    new EvaluateProbeReaction(evaluateProbe, this);
    QAction* saveProbe = action(probe, tr("&Save the weights at the probe as a checkpoint…"));
    saveProbe->setIconText(tr("Save as checkpoint…"));
    new SaveProbeWeightsReaction(saveProbe, this);
    connect(action(probe, tr("Sa&liency at the probe…")), &QAction::triggered, this,
            [this] { saliencyAtProbe(this); });
    inspector_->setProbeActions({evaluateProbe, saveProbe});

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    connect(action(help, tr("&About Basin")), &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Basin"),
                           tr("<b>Basin %1</b><p>See inside trained neural networks: loss "
                              "landscapes, mode connectivity, saliency and Gaussian avatars.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& path : recent) {
        QAction* a = recentMenu_->addAction(QFileInfo(path).fileName());
        a->setToolTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (confirmDiscard()) openProject(path);
        });
    }
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::addRecentProject(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

bool MainWindow::openProject(const QString& path) {
    try {
        session_->open(path);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    addRecentProject(path);
    return true;
}

bool MainWindow::saveProject(const QString& path) {
    try {
        session_->setLayout(viewArea_->saveLayout());
        session_->saveAs(path);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    addRecentProject(path);
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

void MainWindow::showError(const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message, 10000);
    if (!isVisible() || !confirmDiscard_) return;  // headless or under test: no dialogs
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Basin"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::loadDemo() {
    session_->newProject(tr("Demo"), demoLayout());
}

void MainWindow::startDemo(const QString& dir, const DemoOptions& options) {
    loadDemo();
    auto job = std::make_shared<DemoJob>(dir, options);
    QPointer<MainWindow> self(this);
    jobs_->submit(job, [self, job](const JobStatus& status) {
        // A failure is reported by the jobs panel; a cancelled demo resumes
        // where it stopped next time.
        if (!self || status.state != JobState::Succeeded) return;
        const QString file = QDir(job->dir()).filePath(QStringLiteral("demo.basin"));
        try {
            demoProject(job->manifest()).save(file);
        } catch (const std::exception& e) {
            self->showError(QString::fromStdString(e.what()));
            return;
        }
        if (!self->session_->isModified() || !self->confirmDiscard_) self->openProject(file);
    });
}

bool MainWindow::confirmDiscard() {
    if (!confirmDiscard_ || !session_->isModified()) return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"),
        tr("%1 has unsaved changes. Save them first?").arg(session_->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Discard) return true;
    QString path = session_->filePath();
    if (path.isEmpty()) return false;  // Save As needs a name: let the user do it
    return saveProject(path);
}

void MainWindow::restoreWindowState() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveWindowState() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmDiscard()) {
        event->ignore();
        return;
    }
    saveWindowState();
    jobs_->cancelAll();
    event->accept();
}

void MainWindow::updateTitle() {
    setWindowTitle(QStringLiteral("%1%2 — Basin")
                       .arg(session_->displayName(),
                            session_->isModified() ? QStringLiteral(" *") : QString()));
}

void MainWindow::updateStatus() {
    probeLabel_->setText(tr("Probe: %1").arg(describeProbe(session_->project().probe)));
    const int active = jobs_->activeCount();
    jobsLabel_->setText(active ? tr("%n job(s) running", nullptr, active) : tr("idle"));
}

}  // namespace basin::app
