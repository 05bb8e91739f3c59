// bench_splat_render: the CPU reference rasterizer (splats/SplatRasterizer.h)
// on 100k splats at 512×512: a random cloud of anisotropic Gaussians in a
// unit ball with degree-3 SH colour, framed by the camera. Median of --runs
// (default 5) with one thread and with one per hardware thread, wall and
// process CPU time, and a digest of the image (to compare renderer versions).
// Exits with status 1 unless both images are equal and the splats cover the
// image.

#include <time.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>

#include "BenchStats.h"
#include "splats/SplatRasterizer.h"

using namespace basin;
using namespace basin::bench;

namespace {

RenderSplats randomCloud(std::size_t n) {
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::normal_distribution<float> g(0.0f, 1.0f);
    RenderSplats s;
    s.shDegree = 3;
    for (std::size_t i = 0; i < n; ++i) {
        float p[3];
        do {
            for (float& v : p)
                v = u(rng);
        } while (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] > 1.0f);
        s.centres.insert(s.centres.end(), p, p + 3);
        // Σ = R diag(σ²) Rᵀ with a random rotation (normalized Gaussian quaternion).
        float q[4], len = 0;
        for (float& v : q) {
            v = g(rng);
            len += v * v;
        }
        for (float& v : q)
            v /= std::sqrt(len);
        const float w = q[0], x = q[1], y = q[2], z = q[3];
        const float r[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                               {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                               {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
        float var[3];
        for (float& v : var)
            v = std::pow(0.004f + 0.02f * std::abs(u(rng)), 2.0f);
        for (const auto& [a, b] : {std::pair{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}}) {
            float c = 0;
            for (int k = 0; k < 3; ++k)
                c += r[a][k] * var[k] * r[b][k];
            s.covariances.push_back(c);
        }
        s.opacities.push_back(0.2f + 0.8f * std::abs(u(rng)));
        for (int k = 0; k < 16; ++k)
            for (int c = 0; c < 3; ++c)
                s.sh.push_back(k == 0 ? 1.2f * u(rng) : 0.15f * u(rng));
    }
    return s;
}

// CPU time of the process, all threads: on a shared machine, the work the
// render did whatever else ran.
double processCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return 1e3 * double(t.tv_sec) + 1e-6 * double(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5, count = 100000, size = 512;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--runs", 1, runs)) continue;
        if (intOption(argc, argv, i, "--splats", 1, count)) continue;
        if (intOption(argc, argv, i, "--size", 16, size)) continue;
        std::fprintf(stderr, "usage: bench_splat_render [--runs N] [--splats N] [--size PIXELS]\n");
        return 2;
    }
    const RenderSplats splats = randomCloud(static_cast<std::size_t>(count));
    const SplatCamera camera = SplatCamera::framing({-1, -1, -1, 1, 1, 1}, 30, 20, 50, size, size);
    const int hardware = std::max(1u, std::thread::hardware_concurrency());
    std::printf("CPU reference rasterizer, %d splats (SH degree 3) at %d×%d, median of %d:\n",
                count, size, size, runs);
    std::vector<float> images[2];
    for (const int threads : {1, hardware}) {
        SplatRasterOptions options;
        options.threads = threads;
        std::vector<double> ms, cpuMs;
        SplatImage image;
        for (int r = 0; r < runs; ++r) {
            const auto t = Clock::now();
            const double cpu = processCpuMs();
            image = rasterizeSplats(splats, camera, options);
            cpuMs.push_back(processCpuMs() - cpu);
            ms.push_back(msSince(t));
        }
        std::size_t covered = 0;
        for (float t : image.transmittance)
            covered += t < 0.5f;
        std::printf(
            "  %d thread%s  %8.1f ms   (%.1f ms CPU time; %.0f%% of pixels under half "
            "transmittance)\n",
            threads, threads == 1 ? " " : "s", median(ms), median(cpuMs),
            100.0 * double(covered) / double(image.transmittance.size()));
        if (covered < image.transmittance.size() / 10) {
            std::fprintf(stderr, "bench_splat_render: the splats cover almost nothing\n");
            return 1;
        }
        images[threads == 1 ? 0 : 1] = image.rgb;
        if (hardware == 1) images[1] = image.rgb;
    }
    // A digest of the picture, to compare renderer versions.
    std::uint64_t digest = 1469598103934665603ull;
    for (float v : images[0]) {
        std::uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        digest = (digest ^ bits) * 1099511628211ull;
    }
    std::printf("  image digest %016llx\n", static_cast<unsigned long long>(digest));
    if (images[0] != images[1]) {
        std::fprintf(stderr, "bench_splat_render: the thread count changed the image\n");
        return 1;
    }
    return 0;
}
