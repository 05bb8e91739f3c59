#include "ui/Screenshot.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QImageWriter>
#include <QPainter>
#include <QThread>
#include <QWidget>

namespace basin::app {

void settleRendering(int milliseconds) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < milliseconds) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
}

QImage grabWidget(QWidget* widget) {
    const QImage grabbed = widget->grab().toImage();
    // Flatten onto the window colour: GL views may leave alpha < 1.
    QImage opaque(grabbed.size(), QImage::Format_RGB32);
    opaque.setDevicePixelRatio(grabbed.devicePixelRatio());
    opaque.fill(widget->palette().color(QPalette::Window));
    QPainter painter(&opaque);
    painter.drawImage(QPoint(0, 0), grabbed);
    return opaque;
}

bool saveScreenshot(QWidget* widget, const QString& path, QString* error) {
    QImageWriter writer(path, "png");
    if (writer.write(grabWidget(widget))) return true;
    if (error) *error = QStringLiteral("cannot write '%1': %2").arg(path, writer.errorString());
    return false;
}

}  // namespace basin::app
