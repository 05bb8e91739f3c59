// Subcommands that open windows: the main window on a project or the demo,
// and screenshots of it rendered without a desktop.

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <cstdio>
#include <functional>

#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "project/Demo.h"
#include "ui/MainWindow.h"
#include "ui/Screenshot.h"
#include "ui/ViewArea.h"

namespace basin::app {
namespace {

// Opens the main window with its remembered layout, lets `load` fill it, and
// runs the event loop. A failed load ends with its error and exit code 1.
int runMainWindow(const std::function<bool(MainWindow&)>& load) {
    MainWindow window;
    window.restoreWindowState();
    if (!load(window)) {
        std::fprintf(stderr, "basin: %s\n", qPrintable(window.lastError()));
        return 1;
    }
    window.show();
    return QApplication::exec();
}

// Parses "1600x1000".
bool parseSize(const QString& text, QSize* size) {
    static const QRegularExpression re(QStringLiteral("^(\\d{2,5})x(\\d{2,5})$"));
    const auto m = re.match(text);
    if (!m.hasMatch()) return false;
    *size = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    return true;
}

}  // namespace

std::vector<Subcommand> guiSubcommands() {
    Subcommand open;
    open.name = QStringLiteral("open");
    open.summary = QStringLiteral("Open the main window, empty or on a project (the default)");
    open.kind = Subcommand::Kind::Gui;
    open.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Opens Basin's main window. `basin` alone and `basin PROJECT.basin` do the same."));
        p.addPositionalArgument(QStringLiteral("project"),
                                QStringLiteral("A .basin project file to open."),
                                QStringLiteral("[PROJECT.basin]"));
    };
    open.run = [](const QCommandLineParser& p) {
        const QStringList args = p.positionalArguments();
        return runMainWindow(
            [&](MainWindow& w) { return args.isEmpty() || w.openProject(args.front()); });
    };

    Subcommand demo;
    demo.name = QStringLiteral("demo");
    demo.summary = QStringLiteral("Write the demo project (models, checkpoints, data) and open it");
    demo.kind = Subcommand::Kind::Gui;
    demo.headlessOption = QStringLiteral("no-open");
    demo.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Writes Basin's demo project into DIR — two-spirals and synthetic-digit datasets, an "
            "MLP and a small CNN trained natively from two seeds each with a checkpoint per "
            "epoch — and opens it. The window shows classic optimization landscapes at once "
            "while the demo trains in the jobs panel (a few minutes the first time; later runs "
            "reuse the files, and a cancelled demo resumes). With --no-open it runs headless "
            "with a progress bar and prints the project file."));
        p.addOption({QStringLiteral("no-open"),
                     QStringLiteral("Write the demo without opening a window.")});
        p.addOption(
            {QStringLiteral("quick"), QStringLiteral("A smaller demo that trains in seconds.")});
        p.addPositionalArgument(
            QStringLiteral("dir"),
            QStringLiteral("Folder for the demo (default: %1).").arg(defaultDemoDir()),
            QStringLiteral("[DIR]"));
    };
    demo.run = [](const QCommandLineParser& p) {
        const QStringList args = p.positionalArguments();
        const QString dir =
            args.isEmpty() ? defaultDemoDir() : QFileInfo(args.front()).absoluteFilePath();
        const DemoOptions options =
            p.isSet(QStringLiteral("quick")) ? quickDemoOptions() : DemoOptions{};
        if (p.isSet(QStringLiteral("no-open"))) {
            DemoJob job(dir, options);
            const JobStatus status = runJobInTerminal(job);
            if (status.state != JobState::Succeeded) return 1;
            const QString file = QDir(dir).filePath(QStringLiteral("demo.basin"));
            try {
                demoProject(job.manifest()).save(file);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "basin demo: %s\n", e.what());
                return 1;
            }
            std::printf("%s\n", qPrintable(file));
            return 0;
        }
        return runMainWindow([&](MainWindow& w) {
            w.startDemo(dir, options);
            return true;
        });
    };

    Subcommand screenshot;
    screenshot.name = QStringLiteral("screenshot");
    screenshot.summary = QStringLiteral("Render the main window or one view to PNG, headless");
    screenshot.kind = Subcommand::Kind::Offscreen;
    screenshot.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Renders Basin's main window (or one of its views) to a PNG without a desktop: when "
            "there is no display, a private Xvfb is started and stopped again."));
        p.addOption({{QStringLiteral("o"), QStringLiteral("out")},
                     QStringLiteral("PNG file to write (default basin.png)."),
                     QStringLiteral("FILE"),
                     QStringLiteral("basin.png")});
        p.addOption({QStringLiteral("demo"), QStringLiteral("Show the built-in demo.")});
        p.addOption({QStringLiteral("size"), QStringLiteral("Window size (default 1600x1000)."),
                     QStringLiteral("WxH"), QStringLiteral("1600x1000")});
        p.addOption({QStringLiteral("view"),
                     QStringLiteral("Render only view N (0-based, in pane order)."),
                     QStringLiteral("N")});
        p.addOption({QStringLiteral("settle"),
                     QStringLiteral("Milliseconds to let views render first (default 800)."),
                     QStringLiteral("MS"), QStringLiteral("800")});
        p.addPositionalArgument(QStringLiteral("project"),
                                QStringLiteral("A .basin project file to show."),
                                QStringLiteral("[PROJECT.basin]"));
    };
    screenshot.run = [](const QCommandLineParser& p) {
        QSize size;
        if (!parseSize(p.value(QStringLiteral("size")), &size)) {
            std::fprintf(stderr, "basin screenshot: --size must look like 1600x1000\n");
            return 2;
        }
        MainWindow window;
        window.setConfirmDiscard(false);
        const QStringList args = p.positionalArguments();
        if (!args.isEmpty()) {
            if (!window.openProject(args.front())) {
                std::fprintf(stderr, "basin screenshot: %s\n", qPrintable(window.lastError()));
                return 1;
            }
        } else if (p.isSet(QStringLiteral("demo"))) {
            window.loadDemo();
        }
        window.resize(size);
        window.show();
        settleRendering(p.value(QStringLiteral("settle")).toInt());
        QWidget* target = &window;
        if (p.isSet(QStringLiteral("view"))) {
            const int index = p.value(QStringLiteral("view")).toInt();
            const QList<QWidget*> views = window.viewArea()->views();
            if (index < 0 || index >= views.size()) {
                std::fprintf(stderr, "basin screenshot: --view %d: the window has %d view(s)\n",
                             index, int(views.size()));
                return 2;
            }
            target = views[index];
        }
        const QString out = p.value(QStringLiteral("out"));
        QString error;
        if (!saveScreenshot(target, out, &error)) {
            std::fprintf(stderr, "basin screenshot: %s\n", qPrintable(error));
            return 1;
        }
        std::printf("%s\n", qPrintable(QFileInfo(out).absoluteFilePath()));
        return 0;
    };
    return {open, demo, screenshot};
}

}  // namespace basin::app
