#include "cli/Subcommand.h"

namespace basin::app {

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
