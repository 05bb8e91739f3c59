// bench_checkpoint_load: how long loadCheckpoint takes on a large torch.save
// file (target: 100 MB float32 in <= 0.5 s).
//
// Writes, with /usr/bin/python3 and real PyTorch, a state dict of float32
// tensors totalling --size-mb (default 100) MB into the system temp folder
// (removed at exit), loads it once to warm the page cache, then times
// loadCheckpoint, median of --runs (default 5). Also times torch.load on the
// same file in Python for reference. Exits with status 1 when the checkpoint
// does not hold the expected number of bytes.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "BenchStats.h"
#include "io/Checkpoint.h"

using basin::bench::Clock;
using basin::bench::median;
using basin::bench::msSince;

int main(int argc, char** argv) {
    int sizeMb = 100, runs = 5;
    for (int i = 1; i < argc; ++i) {
        if (basin::bench::intOption(argc, argv, i, "--size-mb", 1, sizeMb)) continue;
        if (basin::bench::intOption(argc, argv, i, "--runs", 1, runs)) continue;
        std::fprintf(stderr, "usage: %s [--size-mb N] [--runs N]\n", argv[0]);
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path path = fs::temp_directory_path() /
                          ("basin_bench_checkpoint_" + std::to_string(::getpid()) + ".pt");
    // 1000 x 1000 float32 tensors (4 MB each) plus one remainder, as a ResNet-ish state dict.
    const std::string script =
        "import sys, time, torch\n"
        "n = " +
        std::to_string(sizeMb) +
        " * 1000 * 1000 // 4\n"
        "sd, i = {}, 0\n"
        "while n > 0:\n"
        "    k = min(n, 1000 * 1000); sd['layer%d.weight' % i] = torch.randn(k); n -= k; i += 1\n"
        "torch.save(sd, sys.argv[1])\n"
        "ts = []\n"
        "for _ in range(" +
        std::to_string(runs) +
        "):\n"
        "    t = time.perf_counter(); torch.load(sys.argv[1]); ts.append(time.perf_counter() - t)\n"
        "print('%.1f' % (sorted(ts)[len(ts) // 2] * 1000))\n";
    const std::string command =
        "/usr/bin/python3 -c \"$BASIN_BENCH_SCRIPT\" '" + path.string() + "'";
    ::setenv("BASIN_BENCH_SCRIPT", script.c_str(), 1);
    FILE* python = ::popen(command.c_str(), "r");
    char line[64] = {};
    const bool ok = python && std::fgets(line, sizeof line, python) != nullptr;
    if (python) ::pclose(python);
    if (!ok || !fs::exists(path)) {
        std::fprintf(stderr, "could not write the checkpoint with /usr/bin/python3 and torch\n");
        return 1;
    }
    const double torchMs = std::atof(line);
    const double mb = double(fs::file_size(path)) / 1e6;
    const std::uint64_t expectedBytes = std::uint64_t(sizeMb) * 1000 * 1000 / 4 * 4;

    std::vector<double> ms;
    int status = 0;
    for (int r = 0; r <= runs; ++r) {  // run 0 warms the page cache
        const auto start = Clock::now();
        const basin::Checkpoint c = basin::loadCheckpoint(path.string());
        const double t = msSince(start);
        std::uint64_t bytes = 0;
        for (const auto& nt : c.tensors)
            bytes += std::uint64_t(nt.tensor.numel()) * basin::dtypeSize(nt.tensor.dtype);
        if (bytes != expectedBytes) status = 1;
        if (r > 0) ms.push_back(t);
    }
    fs::remove(path);
    const double m = median(ms);
    std::printf("checkpoint: %.1f MB float32 (torch.save zip), median of %d runs\n", mb, runs);
    std::printf("%-34s %10s %8s\n", "what", "median ms", "MB/s");
    std::printf("%-34s %10.1f %8.0f\n", "Basin loadCheckpoint", m, mb / (m / 1000));
    std::printf("%-34s %10.1f %8.0f\n", "PyTorch torch.load (Python)", torchMs,
                mb / (torchMs / 1000));
    if (status)
        std::fprintf(stderr, "the loaded tensors do not hold %llu bytes\n",
                     static_cast<unsigned long long>(expectedBytes));
    return status;
}
