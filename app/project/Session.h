#pragma once
// The open project and the probe, as the GUI sees them: one object every panel
// and view observes, so a change made anywhere (a click on a landscape, the
// LMC slider, the project panel) reaches every other view (DESIGN.md rule 6).

#include <QObject>

#include "project/Project.h"

namespace basin::app {

class Session : public QObject {
    Q_OBJECT
public:
    explicit Session(QObject* parent = nullptr);

    const Project& project() const { return project_; }
    // Empty while the project has never been saved.
    const QString& filePath() const { return filePath_; }
    bool isModified() const { return modified_; }
    QString displayName() const;

    // A fresh, unmodified project (optionally with a title and a view layout).
    void newProject(const QString& title = {}, const QJsonObject& layout = {});
    // Throw std::runtime_error with a sentence naming the file.
    void open(const QString& path);
    void saveAs(const QString& path);

    void addItem(const ProjectItem& item);
    // Adds a computed result file (named by its base name) unless the project
    // already lists that path.
    void addResultOnce(const QString& path);
    void removeItem(int index);
    void setFingerprint(const QString& path, quint64 size, const QString& sha256);
    void setProbe(const Probe& probe);
    void setLayout(const QJsonObject& layout);

Q_SIGNALS:
    // A different project was created or opened: rebuild everything.
    void projectReplaced();
    void itemsChanged();
    void probeChanged(const basin::app::Probe& probe);
    void modifiedChanged(bool modified);

private:
    void markModified();

    Project project_;
    QString filePath_;
    bool modified_ = false;
};

// Describes a probe in a few words for the status bar ("checkpoint epoch_10").
QString describeProbe(const Probe& probe);

}  // namespace basin::app
