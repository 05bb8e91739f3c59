#pragma once
// Helpers for the libtorch benchmarks: leaving out this machine's OpenBLAS
// overrides, the measured fp32 GEMM rate the figures are compared with, and
// running /usr/bin/python3 for the side-by-side PyTorch figures.

#include <torch/script.h>
#include <unistd.h>

#include <ATen/Parallel.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "BenchStats.h"

namespace basin::bench {

// OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when it loads, and on
// the reference machine they halve its speed: when either is set, this
// re-executes the benchmark without them (call first thing in main).
inline void withoutOpenBlasOverrides(char** argv) {
    if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("OPENBLAS_L2_SIZE")) {
        ::unsetenv("OPENBLAS_CORETYPE");
        ::unsetenv("OPENBLAS_L2_SIZE");
        ::execv("/proc/self/exe", argv);
    }
}

// fp32 GEMM rate of torch::mm (n³, `threads` intra-op threads), median of 3.
inline double gemmGflops(int threads, std::int64_t n = 1024) {
    at::set_num_threads(threads);
    const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
    torch::mm(a, b);
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
        const auto t = Clock::now();
        torch::mm(a, b);
        ms.push_back(msSince(t));
    }
    return 2.0 * double(n) * double(n) * double(n) / (median(ms) * 1e6);
}

// Runs `arguments` with /usr/bin/python3 (OpenBLAS overrides removed) and
// reads its "name value" output lines; empty when it cannot run.
inline std::map<std::string, double> pythonFigures(const std::string& arguments) {
    std::map<std::string, double> figures;
    const std::string command =
        "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 " + arguments;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char name[128] = {};
        double value = 0.0;
        while (std::fscanf(p, "%127s %lf", name, &value) == 2)
            figures[name] = value;
        ::pclose(p);
    }
    return figures;
}

}  // namespace basin::bench
