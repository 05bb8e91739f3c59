#pragma once
// Basin's main window: the project panel docked left, the view area in the
// centre, the inspector docked right, the jobs panel at the bottom, a status
// bar, and menus whose behaviour lives in Reactions. Window geometry and dock
// layout are remembered between runs; the view layout travels with the
// project file.

#include <QMainWindow>

namespace basin::widgets {
class JobsPanel;
}

class QLabel;
class QMenu;

namespace basin {
struct DemoOptions;
}

namespace basin::app {

class InspectorPanel;
class ProjectPanel;
class Session;
class ViewArea;
struct ViewSpec;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Session* session() const { return session_; }
    ViewArea* viewArea() const { return viewArea_; }
    widgets::JobsPanel* jobs() const { return jobs_; }
    ProjectPanel* projectPanel() const { return projectPanel_; }
    InspectorPanel* inspector() const { return inspector_; }

    // Opening, saving and errors, for reactions and the command line. Errors
    // are shown without blocking and kept in lastError().
    bool openProject(const QString& path);
    bool saveProject(const QString& path);
    void showError(const QString& message);
    const QString& lastError() const { return lastError_; }

    // Fills the window with the built-in analytic demo (no files needed).
    void loadDemo();
    // Shows the analytic demo at once, writes (or completes) the demo project
    // in `dir` as a job, then opens it (DIR/demo.basin).
    void startDemo(const QString& dir, const DemoOptions& options);
    // Asks whether unsaved changes may be dropped; always yes when confirmation
    // is off (tests, screenshots).
    bool confirmDiscard();
    void setConfirmDiscard(bool on) { confirmDiscard_ = on; }
    // Restores and saves window geometry and dock state through QSettings.
    void restoreWindowState();
    void saveWindowState() const;
    void addRecentProject(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildDocks();
    void rebuildRecentMenu();
    void updateTitle();
    void updateStatus();

    Session* session_;
    ViewArea* viewArea_;
    ProjectPanel* projectPanel_;
    InspectorPanel* inspector_;
    widgets::JobsPanel* jobs_;
    QMenu* recentMenu_ = nullptr;
    QLabel* probeLabel_ = nullptr;
    QLabel* jobsLabel_ = nullptr;
    QString lastError_;
    bool confirmDiscard_ = true;
};

}  // namespace basin::app
