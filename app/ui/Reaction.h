#pragma once
// A Reaction (after ParaView's pqReaction) is the behaviour behind one menu or
// toolbar action: what triggering it does and when it is enabled. Each
// reaction is a small object parented to its QAction, so MainWindow only
// builds menus and never grows into a god class.

#include <QAction>
#include <QObject>

namespace basin::app {

class Reaction : public QObject {
    Q_OBJECT
public:
    explicit Reaction(QAction* action) : QObject(action), action_(action) {
        connect(action, &QAction::triggered, this, [this] { onTriggered(); });
    }
    QAction* action() const { return action_; }
    // Re-evaluates whether the action can run now; connect to whatever state
    // it depends on.
    virtual void updateEnableState() {}

protected:
    virtual void onTriggered() = 0;

private:
    QAction* action_;
};

}  // namespace basin::app
