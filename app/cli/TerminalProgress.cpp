#include "cli/TerminalProgress.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

namespace basin::app {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int) {
    g_interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process
}

class ProgressPrinter {
public:
    explicit ProgressPrinter(std::string title)
        : title_(std::move(title)), tty_(isatty(STDERR_FILENO) != 0) {}

    void draw(const JobStatus& s) {
        if (tty_) {
            constexpr int kWidth = 30;
            const int filled = int(s.progress.fraction * kWidth + 0.5);
            std::string bar(filled, '#');
            bar.append(kWidth - filled, '.');
            std::string message = s.progress.message.substr(0, 60);
            std::fprintf(stderr, "\r%s [%s] %3d%%  %-60s", title_.c_str(), bar.c_str(),
                         int(s.progress.fraction * 100), message.c_str());
            std::fflush(stderr);
            drawn_ = true;
        } else {
            const int tenth = int(s.progress.fraction * 10);
            if (tenth <= lastTenth_) return;
            lastTenth_ = tenth;
            std::fprintf(stderr, "%s: %d%% %s\n", title_.c_str(), tenth * 10,
                         s.progress.message.c_str());
        }
    }

    void finish(const JobStatus& s) {
        if (s.state == JobState::Succeeded) draw(s);  // the last report may have been throttled
        if (tty_ && drawn_) std::fprintf(stderr, "\n");
        if (s.state == JobState::Cancelled) std::fprintf(stderr, "%s: cancelled\n", title_.c_str());
        if (s.state == JobState::Failed) {
            std::fprintf(stderr, "%s: error: %s\n", title_.c_str(), s.error.c_str());
        }
    }

private:
    std::string title_;
    bool tty_;
    bool drawn_ = false;
    int lastTenth_ = -1;
};

}  // namespace

JobStatus runJobInTerminal(Job& job) {
    g_interrupted.store(false);
    auto previous = std::signal(SIGINT, onInterrupt);
    ProgressPrinter printer(job.title());
    JobHandle* self = nullptr;
    JobHandle handle(job.title(), [&](const JobStatus& s) {
        if (g_interrupted.load() && self) self->cancel();
        if (!isFinished(s.state)) printer.draw(s);
    });
    self = &handle;
    const JobStatus status = runJob(job, handle);
    printer.finish(status);
    std::signal(SIGINT, previous);
    return status;
}

}  // namespace basin::app
