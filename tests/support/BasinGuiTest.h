#pragma once
// Entry point for widget and GL tests: sets up the same platform as the
// application (xcb + GLX, OpenGL 3.3 core) and starts a private Xvfb when there
// is no display, so `ctest` works on a headless machine.

#include <QApplication>
#include <QtTest>
#include <cstdio>

#include "display/GuiEnvironment.h"

#define BASIN_GUI_TEST_MAIN(TestClass)                              \
    int main(int argc, char** argv) {                               \
        basin::widgets::prepareGuiEnvironment();                    \
        QString displayError;                                       \
        if (!basin::widgets::ensureDisplay(&displayError)) {        \
            std::fprintf(stderr, "%s\n", qPrintable(displayError)); \
            return 1;                                               \
        }                                                           \
        QApplication app(argc, argv);                               \
        TestClass test;                                             \
        return QTest::qExec(&test, argc, argv);                     \
    }
