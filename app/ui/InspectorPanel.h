#pragma once
// The inspector (docked right): properties of whatever is selected — a
// project item's path, size, fingerprint and settings — or, with nothing
// selected, the probe and the current view. A probe on a landscape or path
// of the project shows the result's own values there and, under the list,
// buttons for the weights at the probe (ui/ProbeWeights.h); once evaluated,
// their loss and accuracy on each dataset are listed too.

#include <QList>
#include <QWidget>

#include "project/Project.h"
#include "ui/ProbeWeights.h"

class QAction;
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
    // The actions offered as buttons while the probe is on a landscape or path.
    void setProbeActions(const QList<QAction*>& actions);
    // Results of evaluating `weights` (what they are) at `probe`, listed while
    // the probe stays there.
    void setProbeEvaluation(const Probe& probe, const QString& weights,
                            const QList<ProbeEvaluation>& results);

private:
    void showProbe();
    void showProbeResult();
    void addRow(const QString& key, const QString& value);

    Session* session_;
    QTreeWidget* tree_;
    QWidget* probeButtons_;
    int shownItem_ = -1;
    Probe evaluatedProbe_;
    QString evaluatedWeights_;
    QList<ProbeEvaluation> evaluation_;
};

}  // namespace basin::app
