#pragma once
// Pieces the application's small dialogs share: a path field with a Browse…
// button, the red sentence saying why OK is refused, and OK/Cancel wired to
// the dialog.

#include <QString>
#include <functional>

class QDialog;
class QDialogButtonBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;

namespace basin::app {

// `field` with a Browse… button beside it; the button calls `choose` with the
// field's text and puts a non-empty answer into the field.
QHBoxLayout* browseRow(QLineEdit* field, const std::function<QString(const QString&)>& choose);

// A word-wrapped red label named `objectName`, hidden until showProblem().
QLabel* problemLabel(const QString& objectName);
// Shows `problem` in the label (an empty one hides it).
void showProblem(QLabel* label, const QString& problem);

// OK and Cancel, wired to the dialog's accept() and reject().
QDialogButtonBox* okCancelButtons(QDialog* dialog);

}  // namespace basin::app
