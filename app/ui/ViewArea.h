#pragma once
// The central area of the main window: views in tabbed panes, panes arranged
// side by side or stacked in nested splitters, like an editor's splits.
// The layout (splits, sizes, which views with which settings) is saved in the
// project file and restored with it.

#include <QJsonObject>
#include <QPointer>
#include <QWidget>
#include <functional>

class QSplitter;
class QTabWidget;

namespace basin::app {

// What a view is, enough to create it again: its type ("surface3d"), its tab
// title and its settings.
struct ViewSpec {
    QString type;
    QString title;
    QJsonObject settings;
};

class ViewArea : public QWidget {
    Q_OBJECT
public:
    // Creates the widget for a spec; returns nullptr for an unknown type.
    using Factory = std::function<QWidget*(const ViewSpec&)>;

    explicit ViewArea(Factory factory, QWidget* parent = nullptr);
    ~ViewArea() override;

    // Adds a view to the current pane and makes it current.
    QWidget* addView(const ViewSpec& spec);
    QWidget* currentView() const;
    QList<QWidget*> views() const;
    int paneCount() const;
    ViewSpec specOf(QWidget* view) const;

    // Puts a new pane beside (Qt::Horizontal) or below (Qt::Vertical) the
    // current one. The current view moves there when its pane holds others;
    // otherwise the new pane gets a second view of the same spec.
    void splitCurrent(Qt::Orientation orientation);
    void closeCurrentView();
    void closeAll();
    // Moves the current view into the next pane (cycling).
    void moveCurrentViewToNextPane();

    // A view changes its saved settings (a metric, a log scale chosen in the
    // view) by setting this dynamic property on itself to a QVariantMap: the
    // keys are merged into its spec's settings and the layout changes, so the
    // project keeps the choice.
    static constexpr const char* kSettingsProperty = "viewSettings";

    QJsonObject saveLayout() const;
    // Replaces every view; unknown view types are skipped and reported.
    // Loading is not a change: layoutChanged is not emitted.
    void restoreLayout(QJsonObject layout, QStringList* problems = nullptr);

Q_SIGNALS:
    void currentViewChanged(QWidget* view);
    // Views were added, removed, moved or resized.
    void layoutChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QTabWidget* newPane();
    QTabWidget* currentPane() const;
    QList<QTabWidget*> panes() const;
    void setCurrentPane(QTabWidget* pane);
    void removePaneIfEmpty(QTabWidget* pane);
    QSplitter* newSplitter(Qt::Orientation orientation);
    // Puts `replacement` where `old` stands (in its splitter, or as the root).
    void replaceNode(QWidget* old, QWidget* replacement);
    void insertBeside(QTabWidget* existing, QTabWidget* added, Qt::Orientation orientation);
    QJsonObject saveNode(QWidget* node) const;
    QWidget* restoreNode(const QJsonObject& node, QStringList* problems);
    QWidget* createView(const ViewSpec& spec);
    void watchView(QWidget* view);
    void notifyLayoutChanged();

    Factory factory_;
    QWidget* root_ = nullptr;  // a pane or a splitter
    QPointer<QTabWidget> current_;
    QHash<QWidget*, ViewSpec> specs_;
    bool restoring_ = false;
};

}  // namespace basin::app
