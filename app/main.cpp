// basin: the application's entry point. It only picks the subcommand, creates
// the matching application object and turns stray exceptions into a message.

#include <QApplication>
#include <QCoreApplication>
#include <cstdio>
#include <exception>
#include <memory>

#include "cli/Subcommand.h"
#include "display/GuiEnvironment.h"

namespace {

void printUsage() {
    std::printf(
        "Basin %s — see inside trained neural networks.\n\n"
        "Usage: basin [PROJECT.basin]            open the main window\n"
        "       basin <subcommand> [options]     (basin <subcommand> --help for details)\n"
        "       basin --version | --help\n\n"
        "Subcommands:\n",
        BASIN_VERSION);
    for (const auto& s : basin::app::subcommands()) {
        std::printf("  %-14s %s\n", qPrintable(s.name), qPrintable(s.summary));
    }
}

int run(int argc, char** argv) {
    using basin::app::Subcommand;
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
        std::printf("basin %s\n", BASIN_VERSION);
        return 0;
    }
    if (first == QLatin1String("--help") || first == QLatin1String("-h") ||
        first == QLatin1String("help")) {
        printUsage();
        return 0;
    }
    // `basin` and `basin FILE.basin` mean `basin open …`.
    const Subcommand* command = basin::app::findSubcommand(first);
    int shift = 2;
    if (!command) {
        if (first.startsWith(QLatin1Char('-')) ||
            (!first.isEmpty() && !first.endsWith(QLatin1String(".basin")))) {
            std::fprintf(stderr, "basin: unknown subcommand '%s' (see basin --help)\n",
                         qPrintable(first));
            return 2;
        }
        command = basin::app::findSubcommand(QStringLiteral("open"));
        shift = 1;
    }

    // --help (and a subcommand's headless option) is answered without a
    // window or a display.
    bool helpOnly = false;
    const QString headless = command->headlessOption.isEmpty()
                                 ? QString()
                                 : QStringLiteral("--") + command->headlessOption;
    for (int i = shift; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        helpOnly = helpOnly || arg == QLatin1String("--help") || arg == QLatin1String("-h") ||
                   (!headless.isEmpty() && arg == headless);
    }

    std::unique_ptr<QCoreApplication> app;
    if (command->kind == Subcommand::Kind::Raster && !helpOnly) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    } else if (command->kind == Subcommand::Kind::Headless || helpOnly) {
        app = std::make_unique<QCoreApplication>(argc, argv);
    } else {
        basin::widgets::prepareGuiEnvironment();
        QString error;
        if (command->kind == Subcommand::Kind::Offscreen &&
            !basin::widgets::ensureDisplay(&error)) {
            std::fprintf(stderr, "basin %s: %s\n", qPrintable(command->name), qPrintable(error));
            return 1;
        }
        if (command->kind == Subcommand::Kind::Gui && !basin::widgets::displayAvailable()) {
            std::fprintf(stderr,
                         "basin: cannot open the X display '%s'. Run Basin in a desktop session "
                         "(or under xvfb-run); `basin screenshot` renders without one.\n",
                         qgetenv("DISPLAY").constData());
            return 1;
        }
        app = std::make_unique<QApplication>(argc, argv);
    }
    QCoreApplication::setOrganizationName(QStringLiteral("Basin"));
    QCoreApplication::setApplicationName(QStringLiteral("Basin"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BASIN_VERSION));

    QStringList args{QStringLiteral("basin ") + command->name};
    for (int i = shift; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    parser.addHelpOption();
    if (command->declare) command->declare(parser);
    parser.process(args);  // prints --help or the error and exits
    try {
        return command->run(parser);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "basin %s: %s\n", qPrintable(command->name), e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "basin: error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "basin: unknown error\n");
    }
    return 1;
}
