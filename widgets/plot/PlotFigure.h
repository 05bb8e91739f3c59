#pragma once
// Figures from a QCustomPlot, as every 2D plot view of Basin writes them:
// PNG at any size and scale (2× for print), SVG and PDF as vectors, chosen by
// the file's extension, with the plotted data as CSV beside the figure (same
// name, .csv). One implementation for the views' "Export figure…" buttons and
// for `basin … --figure`.

#include <QByteArray>
#include <QSize>
#include <QString>
#include <functional>

class QCustomPlot;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QWidget;

namespace basin::widgets {

// The CSV written beside a figure: "out/fig.pdf" → "out/fig.csv".
QString csvBesideFigure(const QString& figurePath);

bool savePlotSvg(QCustomPlot* plot, const QString& path, QSize size, const QString& title);

// Writes the figure by extension (pdf, svg, else PNG at `dpi`: size·dpi/96
// pixels, text as on a 96-DPI screen, the DPI recorded in the file; 192 is
// 2×), then calls `writeCsv` with the CSV's path. On failure returns false
// with a sentence in `error` (when given).
bool exportPlotFigure(QCustomPlot* plot, const QString& path, QSize size, const QString& title,
                      const std::function<bool(const QString& csvPath, QString* error)>& writeCsv,
                      QString* error = nullptr, double dpi = 192);

// Writes `text` atomically (temporary file, then rename).
bool writeFileAtomically(const QString& path, const QByteArray& text, QString* error = nullptr);

// The "Export figure…" button of a plot view: asks for a file (PDF, SVG or
// PNG; `suggestedName` first), calls `exportTo` with it and a 1000×800 size,
// and passes a failure's sentence to `showError`.
QPushButton* exportFigureButton(QWidget* view, const QString& suggestedName,
                                std::function<bool(const QString&, QSize, QString*)> exportTo,
                                std::function<void(const QString&)> showError);

// The frame every plot view shares: `plot` filling `view`, below it a bar with
// the hover `readout` and the "Export figure…" button (exportFigureButton,
// errors shown in the readout). `name` prefixes the children's object names
// ("contour" → contourPlot, contourReadout). Returns the bar, for controls
// a view adds before the button.
QHBoxLayout* plotViewFrame(QWidget* view, QCustomPlot* plot, QLabel* readout, const QString& name,
                           const QString& suggestedFigure,
                           std::function<bool(const QString&, QSize, QString*)> exportTo);

}  // namespace basin::widgets
