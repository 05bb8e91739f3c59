#pragma once
// The inspector (docked right): properties of whatever is selected — a
// project item's path, size, fingerprint and settings — or, with nothing
// selected, the probe and the current view.

#include <QWidget>

class QTreeWidget;

namespace basin::app {

class Session;
struct ViewSpec;

class InspectorPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectorPanel(Session* session, QWidget* parent = nullptr);

    void showItem(int itemIndex);  // -1: the probe
    void showView(const ViewSpec& spec);
    QTreeWidget* tree() const { return tree_; }

private:
    void showProbe();
    void addRow(const QString& key, const QString& value);

    Session* session_;
    QTreeWidget* tree_;
    int shownItem_ = -1;
};

}  // namespace basin::app
