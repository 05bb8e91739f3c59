#pragma once
// Driving the modal dialogs GUI tests open: a dialog's field by object name,
// and filling the dialog an action is about to open, then pressing OK.

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QTimer>
#include <QtTest>
#include <functional>

template <class W>
W* field(QDialog& d, const char* name) {
    W* w = d.findChild<W*>(QString::fromLatin1(name));
    if (!w) qFatal("no field %s", name);
    return w;
}

// Waits (from the event loop) for a modal `Dialog`, calls `fill` on it and
// clicks its OK button.
template <class Dialog>
void whenModalOpens(const std::function<void(Dialog&)>& fill) {
    QTimer::singleShot(0, [fill] {
        auto* dialog = qobject_cast<Dialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            QTimer::singleShot(20, [fill] { whenModalOpens<Dialog>(fill); });
            return;
        }
        fill(*dialog);
        QDialog* base = dialog;
        QTest::mouseClick(base->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok),
                          Qt::LeftButton);
    });
}
