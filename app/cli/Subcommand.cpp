#include "cli/Subcommand.h"

namespace basin::app {

void addOption(QCommandLineParser& parser, const char* name, const char* help,
               const char* valueName, const char* defaultValue) {
    QCommandLineOption option(QString::fromLatin1(name), QString::fromUtf8(help));
    if (valueName) option.setValueName(QString::fromLatin1(valueName));
    if (defaultValue) option.setDefaultValue(QString::fromLatin1(defaultValue));
    parser.addOption(option);
}

const std::vector<Subcommand>& subcommands() {
    static const std::vector<Subcommand> all = [] {
        std::vector<Subcommand> list = guiSubcommands();
        for (auto& s : fileSubcommands())
            list.push_back(std::move(s));
        return list;
    }();
    return all;
}

const Subcommand* findSubcommand(const QString& name) {
    for (const auto& s : subcommands()) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

}  // namespace basin::app
