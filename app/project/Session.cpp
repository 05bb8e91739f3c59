#include "project/Session.h"

#include <QFileInfo>

namespace basin::app {

Session::Session(QObject* parent) : QObject(parent) {}

QString Session::displayName() const {
    if (!filePath_.isEmpty()) return QFileInfo(filePath_).fileName();
    return project_.title.isEmpty() ? QStringLiteral("Untitled") : project_.title;
}

void Session::newProject(const QString& title, const QJsonObject& layout) {
    project_ = Project();
    project_.title = title;
    project_.layout = layout;
    filePath_.clear();
    modified_ = false;
    Q_EMIT projectReplaced();
    Q_EMIT modifiedChanged(false);
}

void Session::open(const QString& path) {
    Project loaded = Project::load(path);  // throws before anything changes
    project_ = std::move(loaded);
    filePath_ = QFileInfo(path).absoluteFilePath();
    modified_ = false;
    Q_EMIT projectReplaced();
    Q_EMIT modifiedChanged(false);
}

void Session::saveAs(const QString& path) {
    project_.save(path);
    filePath_ = QFileInfo(path).absoluteFilePath();
    modified_ = false;
    Q_EMIT modifiedChanged(false);
}

void Session::addItem(const ProjectItem& item) {
    project_.items.push_back(item);
    markModified();
    Q_EMIT itemsChanged();
}

void Session::addResultOnce(const QString& path) {
    for (const ProjectItem& item : project_.items)
        if (item.path == path) return;
    ProjectItem result;
    result.kind = ItemKind::Result;
    result.name = QFileInfo(path).completeBaseName();
    result.path = path;
    addItem(result);
}

void Session::removeItem(int index) {
    if (index < 0 || index >= project_.items.size()) return;
    const ProjectItem removed = project_.items.takeAt(index);
    markModified();
    Q_EMIT itemsChanged();
    if (project_.probe.kind == Probe::Kind::Checkpoint &&
        project_.probe.checkpoint == removed.name) {
        setProbe(Probe());
    }
}

void Session::setFingerprint(const QString& path, quint64 size, const QString& sha256) {
    bool changed = false;
    for (auto& item : project_.items) {
        if (item.path == path && (item.sha256 != sha256 || item.size != size)) {
            item.size = size;
            item.sha256 = sha256;
            changed = true;
        }
    }
    if (!changed) return;
    markModified();
    Q_EMIT itemsChanged();
}

void Session::setProbe(const Probe& probe) {
    if (probe == project_.probe) return;
    project_.probe = probe;
    markModified();
    Q_EMIT probeChanged(probe);
}

void Session::setLayout(const QJsonObject& layout) {
    if (layout == project_.layout) return;
    project_.layout = layout;
    markModified();
}

void Session::markModified() {
    if (modified_) return;
    modified_ = true;
    Q_EMIT modifiedChanged(true);
}

QString describeProbe(const Probe& probe) {
    switch (probe.kind) {
        case Probe::Kind::None:
            return QStringLiteral("no probe");
        case Probe::Kind::Checkpoint:
            return QStringLiteral("checkpoint %1").arg(probe.checkpoint);
        case Probe::Kind::Plane:
            return QStringLiteral("(a, b) = (%1, %2) on %3")
                .arg(probe.a, 0, 'g', 4)
                .arg(probe.b, 0, 'g', 4)
                .arg(probe.result);
        case Probe::Kind::Path:
            return QStringLiteral("t = %1 on %2").arg(probe.t, 0, 'f', 3).arg(probe.result);
    }
    return {};
}

}  // namespace basin::app
