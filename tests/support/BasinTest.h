#pragma once
// Entry point for Basin's non-GUI Qt Test executables (core, command line).
// GUI and GL tests use BASIN_GUI_TEST_MAIN from BasinGuiTest.h.

#include <QCoreApplication>
#include <QtTest>

#define BASIN_TEST_MAIN(TestClass)              \
    int main(int argc, char** argv) {           \
        QCoreApplication app(argc, argv);       \
        TestClass test;                         \
        return QTest::qExec(&test, argc, argv); \
    }
