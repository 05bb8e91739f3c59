#pragma once
// Reactions for the View menu: open a view, split, move and close views.

#include "ui/Reaction.h"
#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;

class NewViewReaction : public Reaction {
public:
    NewViewReaction(QAction* action, MainWindow* window, ViewSpec spec);

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
    ViewSpec spec_;
};

// Split right/down, close, move to the next pane: each needs a current view
// (moving also needs a second pane).
class ViewLayoutReaction : public Reaction {
public:
    enum class Operation { SplitRight, SplitDown, Close, MoveToNextPane };
    ViewLayoutReaction(QAction* action, MainWindow* window, Operation operation);
    void updateEnableState() override;

protected:
    void onTriggered() override;

private:
    MainWindow* window_;
    Operation operation_;
};

}  // namespace basin::app
