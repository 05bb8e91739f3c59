#include "ui/ProjectReactions.h"

#include <QFileDialog>
#include <QFileInfo>

#include "io/FileFingerprint.h"
#include "jobs/JobsPanel.h"
#include "project/Session.h"
#include "ui/MainWindow.h"
#include "ui/Screenshot.h"
#include "ui/ViewArea.h"

namespace basin::app {
namespace {
const QString kProjectFilter = QStringLiteral("Basin projects (*.basin);;All files (*)");

QString filterFor(ItemKind kind) {
    switch (kind) {
        case ItemKind::Model:
            return QStringLiteral("TorchScript models (*.pt *.pth);;All files (*)");
        case ItemKind::Checkpoint:
            return QStringLiteral(
                "Checkpoints (*.pt *.pth *.ckpt *.bin *.safetensors);;All files (*)");
        case ItemKind::Dataset:
            return QStringLiteral("Datasets (*.pt *.npz *.npy);;All files (*)");
        case ItemKind::Result:
            return QStringLiteral("Results (*.h5 *.hdf5 *.json);;All files (*)");
    }
    return {};
}
}  // namespace

NewProjectReaction::NewProjectReaction(QAction* action, MainWindow* window)
    : Reaction(action), window_(window) {}

void NewProjectReaction::onTriggered() {
    if (window_->confirmDiscard()) window_->session()->newProject();
}

OpenProjectReaction::OpenProjectReaction(QAction* action, MainWindow* window)
    : Reaction(action), window_(window) {}

void OpenProjectReaction::onTriggered() {
    if (!window_->confirmDiscard()) return;
    const QString path =
        QFileDialog::getOpenFileName(window_, tr("Open project"), QString(), kProjectFilter);
    if (!path.isEmpty()) window_->openProject(path);
}

SaveProjectReaction::SaveProjectReaction(QAction* action, MainWindow* window, bool saveAs)
    : Reaction(action), window_(window), saveAs_(saveAs) {
    connect(window->session(), &Session::modifiedChanged, this, [this] { updateEnableState(); });
    updateEnableState();
}

void SaveProjectReaction::updateEnableState() {
    action()->setEnabled(saveAs_ || window_->session()->isModified() ||
                         window_->session()->filePath().isEmpty());
}

void SaveProjectReaction::onTriggered() {
    QString path = window_->session()->filePath();
    if (saveAs_ || path.isEmpty()) {
        path = QFileDialog::getSaveFileName(window_, tr("Save project"), path, kProjectFilter);
        if (path.isEmpty()) return;
        if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".basin");
    }
    window_->saveProject(path);
}

AddFilesReaction::AddFilesReaction(QAction* action, MainWindow* window, ItemKind kind)
    : Reaction(action), window_(window), kind_(kind) {}

void AddFilesReaction::onTriggered() {
    const QStringList paths = QFileDialog::getOpenFileNames(
        window_, tr("Add %1").arg(tr(itemKindLabel(kind_)).toLower()), QString(), filterFor(kind_));
    addFilesToProject(window_, kind_, paths);
}

void addFilesToProject(MainWindow* window, ItemKind kind, const QStringList& paths) {
    Session* session = window->session();
    QList<int> added;
    for (const QString& p : paths) {
        ProjectItem item;
        item.kind = kind;
        item.path = QFileInfo(p).absoluteFilePath();
        item.name = QFileInfo(p).completeBaseName();
        session->addItem(item);
        added.push_back(session->project().items.size() - 1);
    }
    if (!added.isEmpty()) fingerprintItems(window, added);
}

void fingerprintItems(MainWindow* window, const QList<int>& itemIndices) {
    std::vector<std::string> paths;
    for (int i : itemIndices) {
        if (i >= 0 && i < window->session()->project().items.size()) {
            paths.push_back(window->session()->project().items[i].path.toStdString());
        }
    }
    if (paths.empty()) return;
    auto job = std::make_shared<FingerprintJob>(paths);
    QPointer<Session> session = window->session();
    window->jobs()->submit(job, [job, session](const JobStatus&) {
        // Files finished before a failure or cancel keep their fingerprints.
        if (!session) return;
        for (const auto& f : job->results()) {
            session->setFingerprint(QString::fromStdString(f.path), f.size,
                                    QString::fromStdString(f.sha256));
        }
    });
}

ExportScreenshotReaction::ExportScreenshotReaction(QAction* action, MainWindow* window,
                                                   bool currentViewOnly)
    : Reaction(action), window_(window), viewOnly_(currentViewOnly) {
    if (viewOnly_) {
        connect(window->viewArea(), &ViewArea::currentViewChanged, this,
                [this] { updateEnableState(); });
    }
    updateEnableState();
}

void ExportScreenshotReaction::updateEnableState() {
    action()->setEnabled(!viewOnly_ || window_->viewArea()->currentView());
}

void ExportScreenshotReaction::onTriggered() {
    const QString path =
        QFileDialog::getSaveFileName(window_, tr("Export screenshot"), QStringLiteral("basin.png"),
                                     QStringLiteral("PNG images (*.png)"));
    if (path.isEmpty()) return;
    QWidget* target = viewOnly_ ? window_->viewArea()->currentView() : window_;
    QString error;
    if (!saveScreenshot(target, path, &error)) window_->showError(error);
}

}  // namespace basin::app
