#include "plot/PlotFigure.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <cmath>

#include "plot/QCustomPlot.h"

namespace basin::widgets {

QString csvBesideFigure(const QString& figurePath) {
    const QFileInfo info(figurePath);
    return info.path() + QLatin1Char('/') + info.completeBaseName() + QStringLiteral(".csv");
}

bool savePlotSvg(QCustomPlot* plot, const QString& path, QSize size, const QString& title) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(title);
    QCPPainter painter;
    if (!painter.begin(&svg)) return false;
    plot->toPainter(&painter, size.width(), size.height());
    return painter.end();
}

bool exportPlotFigure(QCustomPlot* plot, const QString& path, QSize size, const QString& title,
                      const std::function<bool(const QString&, QString*)>& writeCsv, QString* error,
                      double dpi) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("pdf")) {
        ok = plot->savePdf(path, size.width(), size.height());
    } else if (suffix == QLatin1String("svg")) {
        ok = savePlotSvg(plot, path, size, title);
    } else {
        ok =
            plot->savePng(path, size.width(), size.height(), dpi / 96.0, -1, int(std::lround(dpi)));
    }
    if (!ok) {
        if (error) *error = QObject::tr("cannot write '%1'").arg(path);
        return false;
    }
    return writeCsv(csvBesideFigure(path), error);
}

bool writeFileAtomically(const QString& path, const QByteArray& text, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error) *error = file.errorString();
        return false;
    }
    file.write(text);
    if (file.commit()) return true;
    if (error) *error = file.errorString();
    return false;
}

QPushButton* exportFigureButton(QWidget* view, const QString& suggestedName,
                                std::function<bool(const QString&, QSize, QString*)> exportTo,
                                std::function<void(const QString&)> showError) {
    auto* button = new QPushButton(QObject::tr("Export figure…"), view);
    button->setObjectName(QStringLiteral("exportFigure"));
    button->setToolTip(
        QObject::tr("PNG (2× resolution), SVG or PDF, with the data as CSV beside it"));
    QObject::connect(button, &QPushButton::clicked, view, [=] {
        const QString path =
            QFileDialog::getSaveFileName(view, QObject::tr("Export figure"), suggestedName,
                                         QObject::tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
        if (path.isEmpty()) return;
        QString error;
        if (!exportTo(path, QSize(1000, 800), &error)) showError(error);
    });
    return button;
}

QHBoxLayout* plotViewFrame(QWidget* view, QCustomPlot* plot, QLabel* readout, const QString& name,
                           const QString& suggestedFigure,
                           std::function<bool(const QString&, QSize, QString*)> exportTo) {
    auto* layout = new QVBoxLayout(view);
    layout->setContentsMargins(0, 0, 0, 0);
    plot->setObjectName(name + QStringLiteral("Plot"));
    layout->addWidget(plot, 1);
    readout->setObjectName(name + QStringLiteral("Readout"));
    readout->setContentsMargins(6, 2, 6, 4);
    auto* bottom = new QHBoxLayout;
    bottom->setContentsMargins(0, 0, 4, 2);
    bottom->addWidget(readout, 1);
    bottom->addWidget(
        exportFigureButton(view, suggestedFigure, std::move(exportTo),
                           [readout](const QString& error) { readout->setText(error); }));
    layout->addLayout(bottom);
    return bottom;
}

}  // namespace basin::widgets
