#include "ui/SurfaceViewMenu.h"

#include "ui/ViewArea.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QSpinBox>
#include <QToolButton>
#include <cmath>
#include <limits>

#include "ui/ProbeLinks.h"
#include "vtk/SurfaceExport.h"
#include "vtk/SurfaceFigure.h"

namespace basin::app {
namespace {

using widgets::SurfaceScene;

// Applies a change to the scene's options and redraws with them.
template <class Change>
void changeOptions(SurfaceView* view, Change change) {
    SurfaceScene* scene = view->scene();
    SurfaceScene::Options options = scene->options();
    change(options);
    scene->setGrid(scene->grid(), options, false);
    // Kept in the view's spec (ViewArea), so the project remembers them.
    view->setProperty(ViewArea::kSettingsProperty,
                      QVariantMap{{"logScale", options.logScale},
                                  {"contours", options.contours},
                                  {"zmax", std::isnan(options.zMax) ? QVariant() : options.zMax}});
}

// Asks for the figure's size and DPI. A PNG defaults to the view's picture at
// 3× (216 DPI: the same proportions, sharper); SVG and PDF to a page of the
// view's size in points with the surface's raster layer at 300 DPI.
bool askFigureSize(QWidget* parent, bool vector, QSize* size, int* dpi) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Figure size"));
    auto* form = new QFormLayout(&dialog);
    auto spin = [&](int lo, int hi, int value, const QString& suffix) {
        auto* box = new QSpinBox;
        box->setRange(lo, hi);
        box->setValue(value);
        box->setSuffix(suffix);
        return box;
    };
    const QString unit = vector ? QObject::tr(" pt") : QObject::tr(" px");
    const int scale = vector ? 1 : 3;
    QSpinBox* width = spin(64, 16384, parent->width() * scale, unit);
    QSpinBox* height = spin(64, 16384, parent->height() * scale, unit);
    QSpinBox* dots = spin(36, 1200, vector ? 300 : 72 * scale, QObject::tr(" DPI"));
    width->setObjectName(QStringLiteral("figureWidth"));
    height->setObjectName(QStringLiteral("figureHeight"));
    dots->setObjectName(QStringLiteral("figureDpi"));
    form->addRow(QObject::tr("Width:"), width);
    form->addRow(QObject::tr("Height:"), height);
    form->addRow(vector ? QObject::tr("Surface raster:") : QObject::tr("Resolution:"), dots);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return false;
    *size = QSize(width->value(), height->value());
    *dpi = dots->value();
    return true;
}

void exportFigure(SurfaceView* view) {
    const QString path = QFileDialog::getSaveFileName(
        view, QObject::tr("Export figure"), QStringLiteral("landscape-3d.png"),
        QObject::tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg)"));
    if (path.isEmpty()) return;
    const QString suffix = QFileInfo(path).suffix().toLower();
    QSize size;
    int dpi = 0;
    if (!askFigureSize(view, suffix == QLatin1String("pdf") || suffix == QLatin1String("svg"),
                       &size, &dpi))
        return;
    QString error;
    if (!widgets::exportSurfaceFigure(*view->scene(), path, size, dpi, &error))
        QMessageBox::warning(view, QObject::tr("Export figure"), error);
}

void exportVts(SurfaceView* view, const QString& surfacePath, SurfaceMetric metric) {
    const QFileInfo info(surfacePath);
    const QString path = QFileDialog::getSaveFileName(
        view, QObject::tr("Export for ParaView"),
        info.path() + QLatin1Char('/') + info.completeBaseName() + QStringLiteral(".vts"),
        QObject::tr("VTK structured grid (*.vts)"));
    if (path.isEmpty()) return;
    QString error;
    try {
        if (widgets::writeSurfaceVts(readSurface(surfacePath.toStdString()), metric, path, &error))
            return;
    } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
    }
    QMessageBox::warning(view, QObject::tr("Export for ParaView"), error);
}

}  // namespace

void addSurfaceViewMenu(SurfaceView* view, const QString& surfacePath, SurfaceMetric metric) {
    auto* button = new QToolButton(view);
    button->setObjectName(QStringLiteral("surfaceMenu"));
    button->setText(QObject::tr("View ▾"));
    button->setToolTip(QObject::tr("Log scale, contours, z max, figure and ParaView export"));
    button->setPopupMode(QToolButton::InstantPopup);
    button->setAutoRaise(true);
    button->move(6, 6);
    auto* menu = new QMenu(button);
    button->setMenu(menu);

    QAction* log = menu->addAction(QObject::tr("Log scale"));
    log->setObjectName(QStringLiteral("logScale"));
    log->setCheckable(true);
    QObject::connect(log, &QAction::toggled, view, [view](bool on) {
        changeOptions(view, [on](SurfaceScene::Options& o) { o.logScale = on; });
    });
    QAction* contours = menu->addAction(QObject::tr("Contour lines"));
    contours->setObjectName(QStringLiteral("contours"));
    contours->setCheckable(true);
    QObject::connect(contours, &QAction::toggled, view, [view](bool on) {
        changeOptions(view, [on](SurfaceScene::Options& o) { o.contours = on; });
    });
    QAction* zMax = menu->addAction(QObject::tr("Z max…"));
    zMax->setObjectName(QStringLiteral("zMax"));
    QObject::connect(zMax, &QAction::triggered, view, [view] {
        const auto [lo, hi] = view->scene()->grid().finiteRange();
        const double now = view->scene()->options().zMax;
        bool ok = false;
        const QString text = QInputDialog::getText(
            view, QObject::tr("Z max"),
            QObject::tr("Show values above this as this (as the loss-landscape tool's "
                        "--zmax);\nempty for no clipping. Values range from %1 to %2.")
                .arg(lo, 0, 'g', 4)
                .arg(hi, 0, 'g', 4),
            QLineEdit::Normal, std::isfinite(now) ? QString::number(now, 'g', 6) : QString(), &ok);
        if (!ok) return;
        bool number = false;
        const double value = text.trimmed().toDouble(&number);
        changeOptions(view, [&](SurfaceScene::Options& o) {
            o.zMax = number ? value : std::numeric_limits<double>::quiet_NaN();
        });
    });
    QObject::connect(menu, &QMenu::aboutToShow, view, [view, log, contours] {
        const SurfaceScene::Options& o = view->scene()->options();
        const QSignalBlocker blockLog(log), blockContours(contours);
        log->setChecked(o.logScale);
        contours->setChecked(o.contours);
    });
    QObject::connect(menu->addAction(QObject::tr("Reset camera")), &QAction::triggered, view,
                     [view] {
                         view->scene()->resetCamera();
                         view->requestRender();
                     });
    menu->addSeparator();
    QAction* figure = menu->addAction(QObject::tr("Export figure…"));
    figure->setObjectName(QStringLiteral("exportFigure"));
    QObject::connect(figure, &QAction::triggered, view, [view] { exportFigure(view); });
    if (!surfacePath.isEmpty()) {
        QAction* vts = menu->addAction(QObject::tr("Export for ParaView (.vts)…"));
        vts->setObjectName(QStringLiteral("exportVts"));
        QObject::connect(vts, &QAction::triggered, view,
                         [view, surfacePath, metric] { exportVts(view, surfacePath, metric); });
    }
}

}  // namespace basin::app
