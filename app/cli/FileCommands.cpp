// Headless subcommands that work on files.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "io/FileFingerprint.h"

namespace basin::app {

std::vector<Subcommand> fileSubcommands() {
    Subcommand fingerprint;
    fingerprint.name = QStringLiteral("fingerprint");
    fingerprint.summary =
        QStringLiteral("SHA-256 and size of checkpoints or datasets (sha256sum format)");
    fingerprint.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Hashes files the way a project records them, with a progress bar; Ctrl-C cancels.\n"
            "The default output is sha256sum's format, so `sha256sum -c` can check it."));
        p.addOption({QStringLiteral("json"), QStringLiteral("Print a JSON array instead.")});
        p.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Files to hash."),
                                QStringLiteral("FILE..."));
    };
    fingerprint.run = [](const QCommandLineParser& p) {
        const QStringList files = p.positionalArguments();
        if (files.isEmpty()) {
            std::fprintf(stderr, "basin fingerprint: no files given (see --help)\n");
            return 2;
        }
        std::vector<std::string> paths;
        for (const QString& f : files)
            paths.push_back(f.toStdString());
        FingerprintJob job(paths);
        const JobStatus status = runJobInTerminal(job);
        if (p.isSet(QStringLiteral("json"))) {
            QJsonArray array;
            for (const auto& r : job.results()) {
                array.append(QJsonObject{{"path", QString::fromStdString(r.path)},
                                         {"size", double(r.size)},
                                         {"sha256", QString::fromStdString(r.sha256)}});
            }
            std::printf("%s", QJsonDocument(array).toJson().constData());
        } else {
            for (const auto& r : job.results()) {
                std::printf("%s  %s\n", r.sha256.c_str(), r.path.c_str());
            }
        }
        return status.state == JobState::Succeeded ? 0 : 1;
    };
    return {inspectSubcommand(),      evaluateSubcommand(),    landscapeSubcommand(),
            hessianSubcommand(),      alignSubcommand(),       lmcSubcommand(),
            weightsSubcommand(),      saliencySubcommand(),    blockMnistSubcommand(),
            renderSplatsSubcommand(), previewDataSubcommand(), fingerprint};
}

}  // namespace basin::app
