#pragma once
// `basin <subcommand> …`: each subcommand declares its options once
// (QCommandLineParser), which gives it `--help` and argument checking, and
// says whether it needs the GUI. Headless subcommands never touch a display.

#include <QCommandLineParser>
#include <QString>
#include <functional>
#include <vector>

namespace basin::app {

struct Subcommand {
    QString name;
    QString summary;  // one line for `basin --help`
    // Headless: no display is touched. Gui: needs the user's display.
    // Offscreen: renders windows but starts a private Xvfb when there is no
    // display (screenshots on a server). Raster: draws widgets into images
    // (figures) with Qt's offscreen platform: no display, no OpenGL.
    enum class Kind { Headless, Gui, Offscreen, Raster } kind = Kind::Headless;
    // An option that makes a Gui subcommand run without a window (and so
    // without a display), e.g. `basin demo --no-open`.
    QString headlessOption;
    std::function<void(QCommandLineParser&)> declare;
    // Returns the process exit code. Runs after the (Core)Application exists;
    // an exception ends the command with "basin NAME: <what>" and exit code 1.
    std::function<int(const QCommandLineParser&)> run;
};

// Declares an option in one line: a flag when valueName is null.
void addOption(QCommandLineParser& parser, const char* name, const char* help,
               const char* valueName = nullptr, const char* defaultValue = nullptr);

// Every subcommand, in the order `basin --help` lists them.
const std::vector<Subcommand>& subcommands();
const Subcommand* findSubcommand(const QString& name);

// Subcommand groups, each defined in its own file.
std::vector<Subcommand> guiSubcommands();
std::vector<Subcommand> fileSubcommands();
Subcommand inspectSubcommand();
Subcommand evaluateSubcommand();
Subcommand landscapeSubcommand();
Subcommand hessianSubcommand();
Subcommand alignSubcommand();
Subcommand lmcSubcommand();
Subcommand weightsSubcommand();
Subcommand saliencySubcommand();
Subcommand blockMnistSubcommand();
Subcommand renderSplatsSubcommand();
Subcommand previewDataSubcommand();

}  // namespace basin::app
