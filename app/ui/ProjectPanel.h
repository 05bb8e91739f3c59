#pragma once
// The project panel (docked left): models, checkpoints, datasets and results
// of the open project as a tree. Selecting an item shows it in the inspector;
// double-clicking a checkpoint makes it the probe, double-clicking a dataset
// shows its samples; the context menu browses a checkpoint's tensors, compares
// two checkpoints, fingerprints or removes items.

#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace basin::app {

class Session;
struct ViewSpec;

class ProjectPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProjectPanel(Session* session, QWidget* parent = nullptr);

    // Index into Session::project().items of the selected item, or -1.
    int selectedIndex() const;
    QTreeWidget* tree() const { return tree_; }

Q_SIGNALS:
    void selectionChanged(int itemIndex);
    void fingerprintRequested(const QList<int>& itemIndices);
    // "Browse tensors", "Compare these two checkpoints".
    void viewRequested(const basin::app::ViewSpec& spec);
    void evaluateRequested(const QList<int>& checkpointItems);
    void landscapeRequested(int checkpointItem);
    void hessianRequested(int checkpointItem);
    void connectivityRequested(int checkpointItem);
    void saliencyRequested(int checkpointItem);

private:
    void rebuild();
    void showContextMenu(const QPoint& pos);
    void activate(QTreeWidgetItem* item);

    Session* session_;
    QTreeWidget* tree_;
};

}  // namespace basin::app
