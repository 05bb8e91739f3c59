#pragma once
// Runs the `basin` executable built with the tests (BASIN_EXECUTABLE, set by
// the test's CMake target) as a user would, collecting its exit code and
// output. Outside namespace basin: core's headers would make a basin() call
// ambiguous.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

struct BasinRun {
    int code = -1;  // −1: crashed or timed out (2 minutes)
    QString out, err;
};

inline BasinRun runBasin(const QStringList& args, const QProcessEnvironment& env =
                                                      QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(BASIN_EXECUTABLE), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}
