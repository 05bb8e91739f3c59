// bench_splat_io: how fast Basin loads and writes 3DGS files.
//
// Makes a cloud of --splats N (default 1,000,000) random degree-3 splats,
// writes it as a reference-layout PLY (62 float properties, 248 bytes per
// splat) and as .splat (32 bytes per splat) into the system temp folder,
// then times, median of --runs (default 5) runs with the file in the page
// cache:
//  - readGaussianPly: mapping, parsing by name, SH reordering, the unusable-
//    splat check and activation (what opening a checkpoint costs);
//  - writeGaussianPly (atomic write, property order kept);
//  - readSplatFile / writeSplatFile;
//  - numpy reading the same PLY with a structured dtype and activating it
//    (/usr/bin/python3, when it has numpy): the floor a vectorized reader
//    reaches, for scale.
// The cloud read back must equal the one written, else the benchmark exits 1.
// Files are removed at exit. MB/s are 10^6 bytes/s.

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "BenchStats.h"
#include "splats/GaussianPly.h"
#include "splats/SplatFile.h"
#include "util/Pcg32.h"

using namespace basin;
using namespace basin::bench;

namespace {

struct RemoveAtExit {
    std::vector<std::string> paths;
    ~RemoveAtExit() {
        for (const auto& p : paths)
            std::remove(p.c_str());
    }
};

GaussianCloud randomCloud(std::size_t n) {
    Pcg32 rng(2023);
    GaussianCloud c;
    c.shDegree = 3;
    c.positions.resize(3 * n);
    c.logScales.resize(3 * n);
    c.rawRotations.resize(4 * n);
    c.opacityLogits.resize(n);
    c.sh.resize(48 * n);
    for (auto& v : c.positions)
        v = float(rng.normal());
    for (auto& v : c.logScales)
        v = float(rng.uniform(-7.0, -1.0));
    for (auto& v : c.rawRotations)
        v = float(rng.normal());
    for (auto& v : c.opacityLogits)
        v = float(rng.normal(0.0, 3.0));
    for (auto& v : c.sh)
        v = float(rng.normal(0.0, 0.3));
    c.quantities = {{"nx", std::vector<float>(n)},
                    {"ny", std::vector<float>(n)},
                    {"nz", std::vector<float>(n)}};
    return c;
}

double cpuMs() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Wall and process CPU milliseconds per run (CPU time is what a busy shared
// machine distorts least).
struct Runs {
    std::vector<double> wall, cpu;
};

template <typename F>
Runs timeRuns(int runs, F&& f) {
    Runs r;
    for (int i = 0; i < runs; ++i) {
        const double cpu = cpuMs();
        const auto start = Clock::now();
        f();
        r.wall.push_back(msSince(start));
        r.cpu.push_back(cpuMs() - cpu);
    }
    return r;
}

void row(const char* what, const Runs& r, double bytes, std::size_t n) {
    const double m = median(r.wall);
    std::printf("%-40s %9.1f %9.1f  %7.0f  %6.2f\n", what, m, median(r.cpu), bytes / m / 1e3,
                double(n) / m / 1e3);
}

// numpy reading the PLY with a structured dtype, reordering the SH and
// activating; one wall and CPU median, or nothing when /usr/bin/python3 or
// numpy is missing.
Runs numpyRuns(const std::string& path, int runs) {
    const std::string script =
        "import sys, time\n"
        "import numpy as np\n"
        "p = sys.argv[1]; ts = []; cs = []\n"
        "for _ in range(int(sys.argv[2])):\n"
        "    t = time.perf_counter(); c = time.process_time()\n"
        "    data = open(p, 'rb').read()\n"
        "    end = data.index(b'end_header\\n') + 11\n"
        "    names = [l.split()[2].decode() for l in data[:end].split(b'\\n')\n"
        "             if l.startswith(b'property')]\n"
        "    v = np.frombuffer(data, np.dtype([(n, '<f4') for n in names]), offset=end)\n"
        "    rest = np.stack([v['f_rest_%d' % i] for i in range(45)], 1)\n"
        "    rest = rest.reshape(-1, 3, 15).transpose(0, 2, 1)\n"
        "    dc = np.stack([v['f_dc_%d' % i] for i in range(3)], 1)[:, None, :]\n"
        "    sh = np.ascontiguousarray(np.concatenate([dc, rest], 1))\n"
        "    scale = np.exp(np.stack([v['scale_%d' % i] for i in range(3)], 1))\n"
        "    q = np.stack([v['rot_%d' % i] for i in range(4)], 1)\n"
        "    q = q / np.linalg.norm(q, axis=1, keepdims=True)\n"
        "    op = 1 / (1 + np.exp(-v['opacity']))\n"
        "    ts.append((time.perf_counter() - t) * 1e3)\n"
        "    cs.append((time.process_time() - c) * 1e3)\n"
        "print(sorted(ts)[len(ts) // 2], sorted(cs)[len(cs) // 2])\n";
    const std::string scriptPath = path + ".py";
    std::FILE* f = std::fopen(scriptPath.c_str(), "w");
    if (!f) return {};
    std::fputs(script.c_str(), f);
    std::fclose(f);
    const std::string command =
        "/usr/bin/python3 " + scriptPath + " " + path + " " + std::to_string(runs) + " 2>/dev/null";
    Runs r;
    if (std::FILE* pipe = ::popen(command.c_str(), "r")) {
        double wall = 0, cpu = 0;
        if (std::fscanf(pipe, "%lf %lf", &wall, &cpu) == 2) r = {{wall}, {cpu}};
        ::pclose(pipe);
    }
    std::remove(scriptPath.c_str());
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    int splats = 1000000, runs = 5;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--splats", 1, splats)) continue;
        if (intOption(argc, argv, i, "--runs", 1, runs)) continue;
        std::fprintf(stderr, "usage: %s [--splats N] [--runs R]\n", argv[0]);
        return 2;
    }
    const std::size_t n = std::size_t(splats);
    const std::string base = (std::filesystem::temp_directory_path() /
                              ("basin_bench_splat_io_" + std::to_string(::getpid())))
                                 .string();
    RemoveAtExit cleanup;
    const std::string ply = base + ".ply", splat = base + ".splat";
    cleanup.paths = {ply, splat};

    GaussianCloud cloud = randomCloud(n);
    cloud.activate();
    const double plyBytes = double(n) * 62 * 4, splatBytes = double(n) * 32;
    std::printf(
        "bench_splat_io: %zu splats, SH degree 3; PLY %.1f MB, .splat %.1f MB, median of %d\n", n,
        plyBytes / 1e6, splatBytes / 1e6, runs);

    const auto writePly = timeRuns(runs, [&] { writeGaussianPly(ply, cloud); });
    GaussianCloud back;
    const auto readPly = timeRuns(runs, [&] { back = readGaussianPly(ply); });
    if (back.size() != n || back.sh != cloud.sh || back.positions != cloud.positions ||
        back.opacities != cloud.opacities) {
        std::fprintf(stderr, "bench_splat_io: the PLY read back differs from the cloud written\n");
        return 1;
    }
    const auto writeSplat = timeRuns(runs, [&] { writeSplatFile(splat, cloud); });
    GaussianCloud compact;
    const auto readSplat = timeRuns(runs, [&] { compact = readSplatFile(splat); });
    if (compact.size() != n || compact.positions != cloud.positions) {
        std::fprintf(stderr, "bench_splat_io: the .splat read back differs from the cloud\n");
        return 1;
    }
    std::printf("%-40s %9s %9s  %7s  %6s\n", "", "wall ms", "CPU ms", "MB/s", "M/s");
    row("readGaussianPly (map, parse, activate)", readPly, plyBytes, n);
    row("writeGaussianPly (atomic)", writePly, plyBytes, n);
    row("readSplatFile", readSplat, splatBytes, n);
    row("writeSplatFile (atomic)", writeSplat, splatBytes, n);
    const Runs numpy = numpyRuns(ply, runs);
    if (!numpy.wall.empty())
        row("numpy structured read + activation", numpy, plyBytes, n);
    else
        std::printf("numpy: /usr/bin/python3 with numpy not found, skipped\n");
    return 0;
}
