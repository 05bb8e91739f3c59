#pragma once
// Reactions for the File menu: new, open, save, save as, add files to the
// project, fingerprint them, export a screenshot.

#include "project/Project.h"
#include "ui/Reaction.h"

namespace basin::app {

class MainWindow;

class NewProjectReaction : public Reaction {
public:
    NewProjectReaction(QAction* action, MainWindow* window);

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
};

class OpenProjectReaction : public Reaction {
public:
    OpenProjectReaction(QAction* action, MainWindow* window);

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
};

class SaveProjectReaction : public Reaction {
public:
    SaveProjectReaction(QAction* action, MainWindow* window, bool saveAs);
    void updateEnableState() override;

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
    bool saveAs_;
};

// Adds model, checkpoint or dataset files; each is fingerprinted in the
// background as it arrives.
class AddFilesReaction : public Reaction {
public:
    AddFilesReaction(QAction* action, MainWindow* window, ItemKind kind);

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
    ItemKind kind_;
};

// Saves the whole window, or the current view alone, as a PNG.
class ExportScreenshotReaction : public Reaction {
public:
    ExportScreenshotReaction(QAction* action, MainWindow* window, bool currentViewOnly);
    void updateEnableState() override;

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
    bool viewOnly_;
};

// Adds files to the session and starts fingerprinting them.
void addFilesToProject(MainWindow* window, ItemKind kind, const QStringList& paths);
// Starts a fingerprint job for the given project items.
void fingerprintItems(MainWindow* window, const QList<int>& itemIndices);

}  // namespace basin::app
