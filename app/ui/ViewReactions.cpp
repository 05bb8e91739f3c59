#include "ui/ViewReactions.h"

#include "ui/MainWindow.h"

namespace basin::app {

NewViewReaction::NewViewReaction(QAction* action, MainWindow* window, ViewSpec spec)
    : Reaction(action), window_(window), spec_(std::move(spec)) {}

void NewViewReaction::onTriggered() {
    if (!window_->viewArea()->addView(spec_)) {
        window_->showError(tr("cannot create a view of type '%1'").arg(spec_.type));
    }
}

ViewLayoutReaction::ViewLayoutReaction(QAction* action, MainWindow* window, Operation operation)
    : Reaction(action), window_(window), operation_(operation) {
    connect(window->viewArea(), &ViewArea::currentViewChanged, this,
            [this] { updateEnableState(); });
    connect(window->viewArea(), &ViewArea::layoutChanged, this, [this] { updateEnableState(); });
    updateEnableState();
}

void ViewLayoutReaction::updateEnableState() {
    const ViewArea* area = window_->viewArea();
    bool enabled = area->currentView() != nullptr;
    if (operation_ == Operation::MoveToNextPane) enabled = enabled && area->paneCount() > 1;
    action()->setEnabled(enabled);
}

void ViewLayoutReaction::onTriggered() {
    ViewArea* area = window_->viewArea();
    switch (operation_) {
        case Operation::SplitRight:
            area->splitCurrent(Qt::Horizontal);
            break;
        case Operation::SplitDown:
            area->splitCurrent(Qt::Vertical);
            break;
        case Operation::Close:
            area->closeCurrentView();
            break;
        case Operation::MoveToNextPane:
            area->moveCurrentViewToNextPane();
            break;
    }
}

}  // namespace basin::app
