// bench_fingerprint: how fast Basin fingerprints a file, next to coreutils.
//
// Writes a file of pseudo-random bytes (default 512 MiB, --size-mib N) into
// the system temp folder, reads it once so it sits in the page cache, and
// times, median of --runs (default 5) runs each, interleaved:
//  - FingerprintJob run with runJob (what `basin fingerprint` and the GUI's
//    background fingerprinting do: 4 MiB freads, SHA-256, a progress report
//    and a cancellation check per chunk);
//  - coreutils `sha256sum FILE` (spawned; includes its process start, ~1 ms);
//  - `openssl dgst -sha256 FILE` when openssl is on PATH (a reference for what
//    an optimised SHA-256, SHA-NI where the CPU has it, reaches);
//  - the freads alone (no hashing), to split I/O from hashing.
// All digests must agree, else the benchmark exits with status 1.
//
// Then, on an in-memory buffer holding the same bytes: raw Sha256::update over
// the whole buffer against the FingerprintJob chunk loop (report + cancel check
// per 4 MiB, through a JobHandle with a listener), and the cost of one
// report + cancel check measured on its own.
//
// The file is removed at exit, also on SIGINT/SIGTERM. MB/s are 10^6 bytes/s.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "BenchStats.h"
#include "io/FileFingerprint.h"
#include "jobs/JobHandle.h"
#include "util/Sha256.h"

extern char** environ;

namespace {

using basin::bench::Clock;
using basin::bench::median;
using basin::bench::msSince;

constexpr std::size_t kChunk = 4u << 20;  // FingerprintJob's chunk size

// --- the temporary file ------------------------------------------------------

char g_tempPath[4096] = {};  // read by the signal handler

void removeTempFile() {
    if (g_tempPath[0]) ::unlink(g_tempPath);
    g_tempPath[0] = '\0';
}

extern "C" void onSignal(int sig) {
    if (g_tempPath[0]) ::unlink(g_tempPath);  // async-signal-safe
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

struct TempFileGuard {
    ~TempFileGuard() { removeTempFile(); }
};

// Pseudo-random bytes (xorshift64*): incompressible, so no layer underneath
// can take a shortcut, and cheap to make.
std::vector<std::uint8_t> makeData(std::size_t size) {
    std::vector<std::uint8_t> data(size);
    std::uint64_t s = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        const std::uint64_t v = s * 0x2545F4914F6CDD1Dull;
        std::memcpy(data.data() + i, &v, 8);
    }
    return data;
}

std::string createTempFile(const std::vector<std::uint8_t>& data) {
    const std::string pattern =
        (std::filesystem::temp_directory_path() / "basin-bench-fingerprint-XXXXXX").string();
    if (pattern.size() >= sizeof g_tempPath) throw std::runtime_error("temp path too long");
    std::memcpy(g_tempPath, pattern.c_str(), pattern.size() + 1);
    const int fd = ::mkstemp(g_tempPath);
    if (fd < 0) {
        g_tempPath[0] = '\0';
        throw std::runtime_error("cannot create a file in " + pattern + ": " +
                                 std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string reason = std::strerror(errno);
            ::close(fd);
            throw std::runtime_error(std::string("cannot write ") + g_tempPath + ": " + reason);
        }
        written += std::size_t(n);
    }
    ::close(fd);
    return g_tempPath;
}

// Reads the file in 4 MiB freads without hashing; returns the bytes read.
std::uint64_t readAll(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw std::runtime_error("cannot open " + path);
    std::unique_ptr<char[]> buffer(new char[kChunk]);
    std::uint64_t total = 0;
    for (std::size_t n; (n = std::fread(buffer.get(), 1, kChunk, file.get())) > 0;)
        total += n;
    return total;
}

// --- external tools ------------------------------------------------------------

struct ToolRun {
    double ms = 0;
    std::string digest;  // first word of the output line
};

bool onPath(const char* tool) {
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::string dirs = path;
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::string candidate = dirs.substr(start, end - start) + "/" + tool;
        if (::access(candidate.c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

// Spawns argv (stdout to a pipe), times it until it exits, returns the first
// word of its output. Throws when it cannot start or exits non-zero.
ToolRun runTool(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<char*> argv;
    for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    const auto start = Clock::now();
    pid_t pid = 0;
    const int err = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (err != 0) {
        ::close(fds[0]);
        throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(err));
    }
    std::string out;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        out.append(buf, std::size_t(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ToolRun run;
    run.ms = msSince(start);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(args[0] + " failed (status " + std::to_string(status) + ")");
    }
    run.digest = out.substr(0, out.find_first_of(" \t\n"));
    return run;
}

// --- Basin ---------------------------------------------------------------------

// The FingerprintJob loop over memory instead of a file: same chunk size, same
// report and cancellation check per chunk, so that against raw Sha256::update
// it shows what the job machinery costs.
class InMemoryChunkJob : public basin::Job {
public:
    InMemoryChunkJob(const std::vector<std::uint8_t>& data) : data_(data) {}
    std::string title() const override { return "Fingerprint memory"; }
    void run(basin::JobContext& context) override {
        basin::Sha256 hash;
        const std::string name = "memory";
        std::size_t done = 0;
        for (;;) {
            context.throwIfCancelled();
            const std::size_t n = std::min(kChunk, data_.size() - done);
            if (n > 0) hash.update(data_.data() + done, n);
            done += n;
            context.report(double(done) / double(data_.size()), "hashing " + name);
            if (n < kChunk) break;
        }
        digest_ = hash.hexDigest();
    }
    const std::string& digest() const { return digest_; }

private:
    const std::vector<std::uint8_t>& data_;
    std::string digest_;
};

// A listener like the CLI's progress bar: it is called (throttled) and does a
// little work, so the notification path is not optimised away.
struct CountingListener {
    std::shared_ptr<std::size_t> calls = std::make_shared<std::size_t>(0);
    void operator()(const basin::JobStatus& s) { *calls += s.progress.message.size() > 0; }
};

void requireSucceeded(const basin::JobStatus& status, const char* what) {
    if (status.state != basin::JobState::Succeeded) {
        throw std::runtime_error(std::string(what) + " did not succeed: " + status.error);
    }
}

struct Figure {
    std::string label;
    std::vector<double> ms;
    std::string digest;
};

double mbPerSecond(std::uint64_t bytes, double ms) {
    return double(bytes) / 1e6 / (ms / 1e3);
}

void printRow(const Figure& f, std::uint64_t bytes, double referenceMs) {
    const double ms = median(f.ms);
    std::printf("  %-44s %9.1f %9.0f", f.label.c_str(), ms, mbPerSecond(bytes, ms));
    if (referenceMs > 0) std::printf("   %5.2fx", referenceMs / ms);
    std::printf("\n");
}

int run(int argc, char** argv) {
    int sizeMib = 512, runs = 5;
    for (int i = 1; i < argc; ++i) {
        if (basin::bench::intOption(argc, argv, i, "--size-mib", 1, sizeMib)) continue;
        if (basin::bench::intOption(argc, argv, i, "--runs", 1, runs)) continue;
        std::printf(
            "usage: %s [--size-mib N (default 512)] [--runs N (default 5)]\n"
            "Times Basin's FingerprintJob (SHA-256) on a generated file against coreutils\n"
            "sha256sum (and openssl when present); prints medians.\n",
            argv[0]);
        return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
    const std::uint64_t bytes = std::uint64_t(sizeMib) << 20;

    std::printf("bench_fingerprint: %d MiB file, median of %d runs, MB = 10^6 bytes\n", sizeMib,
                runs);
    const std::vector<std::uint8_t> data = makeData(bytes);
    TempFileGuard guard;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    const std::string path = createTempFile(data);
    std::printf("file: %s (removed at exit)\n", path.c_str());
    if (readAll(path) != bytes) throw std::runtime_error("short read of " + path);  // warm cache

    const bool haveSha256sum = onPath("sha256sum");
    const bool haveOpenssl = onPath("openssl");
    Figure basinFile{"Basin FingerprintJob (file, runJob)", {}, {}};
    Figure coreutils{"coreutils sha256sum (spawned)", {}, {}};
    Figure openssl{"openssl dgst -sha256 (spawned, reference)", {}, {}};
    Figure freadOnly{"fread 4 MiB chunks only (no hashing)", {}, {}};
    for (int r = 0; r < runs; ++r) {
        {
            basin::FingerprintJob job({path});
            basin::JobHandle handle(job.title(), CountingListener{});
            const auto start = Clock::now();
            const basin::JobStatus status = basin::runJob(job, handle);
            basinFile.ms.push_back(msSince(start));
            requireSucceeded(status, "FingerprintJob");
            basinFile.digest = job.results().at(0).sha256;
        }
        if (haveSha256sum) {
            const ToolRun t = runTool({"sha256sum", path});
            coreutils.ms.push_back(t.ms);
            coreutils.digest = t.digest;
        }
        if (haveOpenssl) {
            const ToolRun t = runTool({"openssl", "dgst", "-sha256", "-r", path});
            openssl.ms.push_back(t.ms);
            openssl.digest = t.digest;
        }
        const auto start = Clock::now();
        if (readAll(path) != bytes) throw std::runtime_error("short read of " + path);
        freadOnly.ms.push_back(msSince(start));
    }

    // In memory: raw hash vs the job's chunk loop.
    Figure raw{"Sha256::update, whole buffer in one call", {}, {}};
    Figure chunked{"FingerprintJob chunk loop (report+cancel)", {}, {}};
    std::size_t listenerCalls = 0;
    // Paired runs in alternating order; the overhead is the median of the
    // per-pair differences, which cancels slow drift in the machine's speed.
    std::vector<double> pairOverhead;
    const auto rawRun = [&] {
        basin::Sha256 hash;
        const auto start = Clock::now();
        hash.update(data.data(), data.size());
        raw.digest = hash.hexDigest();
        raw.ms.push_back(msSince(start));
    };
    const auto chunkedRun = [&] {
        InMemoryChunkJob job(data);
        CountingListener listener;
        basin::JobHandle handle(job.title(), listener);
        const auto start = Clock::now();
        const basin::JobStatus status = basin::runJob(job, handle);
        chunked.ms.push_back(msSince(start));
        requireSucceeded(status, "in-memory chunk job");
        chunked.digest = job.digest();
        listenerCalls = *listener.calls;
    };
    for (int r = 0; r < runs; ++r) {
        if (r % 2 == 0) {
            rawRun();
            chunkedRun();
        } else {
            chunkedRun();
            rawRun();
        }
        pairOverhead.push_back((chunked.ms.back() - raw.ms.back()) / raw.ms.back());
    }

    // One report + cancellation check on its own, through the same handle
    // context the job sees (timed over many calls; most reports are throttled,
    // as they are in a real run).
    double perCheckNs = 0;
    {
        struct Probe : basin::Job {
            double ns = 0;
            std::string title() const override { return "probe"; }
            void run(basin::JobContext& context) override {
                constexpr int kCalls = 200000;
                const std::string name = "memory";
                const auto start = Clock::now();
                for (int i = 0; i < kCalls; ++i) {
                    context.throwIfCancelled();
                    context.report(double(i) / kCalls, "hashing " + name);
                }
                ns = msSince(start) * 1e6 / kCalls;
            }
        } probe;
        basin::JobHandle handle("probe", CountingListener{});
        requireSucceeded(basin::runJob(probe, handle), "probe");
        perCheckNs = probe.ns;
    }

    // Digests must agree.
    std::vector<const Figure*> digests = {&basinFile, &raw, &chunked};
    if (haveSha256sum) digests.push_back(&coreutils);
    if (haveOpenssl) digests.push_back(&openssl);
    bool agree = true;
    for (const Figure* f : digests)
        agree = agree && f->digest == basinFile.digest;

    const double coreMs = haveSha256sum ? median(coreutils.ms) : 0;
    std::printf(
        "\nfile in page cache                            median ms      MB/s   speed vs "
        "sha256sum\n");
    printRow(basinFile, bytes, coreMs);
    if (haveSha256sum) printRow(coreutils, bytes, coreMs);
    if (!haveSha256sum) std::printf("  (sha256sum not on PATH: not compared)\n");
    if (haveOpenssl) printRow(openssl, bytes, coreMs);
    printRow(freadOnly, bytes, 0);

    std::printf("\nin memory, same bytes                         median ms      MB/s\n");
    printRow(raw, bytes, 0);
    printRow(chunked, bytes, 0);
    const double rawMs = median(raw.ms);
    const std::size_t checks = bytes / kChunk + 1;  // the loop ends on a short (maybe empty) read
    std::printf(
        "  progress/cancel overhead: %+.2f%% measured (median of paired runs; within the\n"
        "  machine's run-to-run noise); computed: %.0f ns per report+check x %zu chunks =\n"
        "  %.3f ms = %.4f%% of the hash; listener called %zu times (throttled to ~20/s)\n",
        100.0 * median(pairOverhead), perCheckNs, checks, perCheckNs * double(checks) * 1e-6,
        100.0 * perCheckNs * double(checks) * 1e-6 / rawMs, listenerCalls);

    std::printf("\ndigests: %s\n", agree ? "all agree" : "MISMATCH");
    for (const Figure* f : digests)
        std::printf("  %s  %s\n", f->digest.c_str(), f->label.c_str());
    if (!agree) {
        std::fprintf(stderr, "bench_fingerprint: digests differ\n");
        return 1;
    }
    if (haveSha256sum) {
        const double ratio = median(basinFile.ms) / coreMs;
        std::printf("\nBasin's SHA-256 takes %.2fx the time of coreutils sha256sum (%s).\n", ratio,
                    ratio > 1.05   ? "Basin is slower"
                    : ratio < 0.95 ? "Basin is faster"
                                   : "about the same");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_fingerprint: %s\n", e.what());
        removeTempFile();
        return 1;
    }
}
