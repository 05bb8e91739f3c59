#pragma once
// Renders a widget — the main window or one view, GL and VTK views included —
// to a PNG. Used by File > Export screenshot, `basin screenshot` and the
// README's pictures.

#include <QImage>
#include <QString>

class QWidget;

namespace basin::app {

// Lets pending layout and paint events settle so GL/VTK views have drawn.
void settleRendering(int milliseconds = 300);
// The widget as it looks on screen, with opaque alpha.
QImage grabWidget(QWidget* widget);
bool saveScreenshot(QWidget* widget, const QString& path, QString* error);

}  // namespace basin::app
