// bench_landscape: landscape grid points per second, Basin against the
// reference tool's loop and a tight PyTorch loop, side by side in one run.
//
// Workloads (issue 4): (a) "mlp": MLP 784-512-512-10 on 10,000 random 28×28
// inputs (13.4 GFLOP per point); (b) "cnn": the zoo's BatchNorm SmallCnn
// (conv 3→16, BN, pool, conv 16→32, BN, pool, linear) on 5,000 random
// 3×32×32 images. bench/landscape_reference.py (/usr/bin/python3, real
// PyTorch) writes the model (torch.jit.script) and data, and times the
// reference tool's set_weights + eval_loss loop and the tight loop (see its
// header). Basin then loads the same files and runs LandscapeJob on a grid of
// --points points (default 9: a 3×3 grid through the centre) with random
// filter-normalized directions, 2 intra-op threads:
//   - default: the job as `basin landscape` runs it, taking the fastest path
//     landscape/PlaneEvaluator.h finds (first-layer factoring for the MLP,
//     whose one-off cache is also timed on its own; a frozen inference copy
//     per point for the CNN when it is faster at the first point);
//   - scripted module: the same job with those speed-ups off.
// Checks that real work was measured: Basin's loss at the centre equals the
// tight loop's (same model and data), and both Basin paths give the same
// surface; exits with status 1 otherwise.
//
// Prints ms per point, points per second, and the effective FLOP rate (the
// workload's nominal FLOPs per point / time) as a fraction of a measured fp32
// GEMM rate (torch::mm 2048³). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
// removed from this process and from the Python command.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "BenchTorch.h"
#include "connectivity/PathJob.h"
#include "data/DatasetFiles.h"
#include "landscape/FirstLayerFactoring.h"
#include "landscape/LandscapeJob.h"
#include "model/StateDictFile.h"
#include "model/WeightVector.h"

using namespace basin;
using namespace basin::bench;

namespace {

constexpr int kThreads = 2;
int batchSize = int(EvalOptions{}.batchSize);  // --batch

class Quiet : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

struct Run {
    double msPerPoint = 0.0;
    Surface surface;
    std::string path;
};

Run landscape(const Model& source, const Directions& d, const Dataset& data,
              const std::vector<double>& axis, bool factor, const std::string& file) {
    Model model = source.clone();
    LandscapeOptions options;
    options.speed.factorFirstLayer = factor;
    options.eval.threads = kThreads;
    options.eval.loss = LossKind::CrossEntropy;
    options.eval.batchSize = batchSize;
    LandscapeJob job(model, d, Surface(axis, axis), file, data, {}, options);
    Quiet quiet;
    const auto t = Clock::now();
    job.run(quiet);
    Run r;
    r.msPerPoint = msSince(t) / double(axis.size() * axis.size());
    r.surface = job.surface();
    r.path = job.evaluationPath();
    return r;
}

// A 25-point linear path (issue 5's LMC workload) from the model's weights A
// to B = A + d_x, through `basin lmc`'s recipe; milliseconds per point.
double pathMsPerPoint(const std::string& folder, const Directions& d, const Dataset& data,
                      bool fast, std::string* evaluationPath) {
    Model model = Model::load(folder + "/model.pt");
    saveStateDict(folder + "/a.pt", model.stateDict());
    WeightVector b = WeightVector::fromModel(model);
    b += d.x.vector;
    b.applyTo(model);
    saveStateDict(folder + "/b.pt", model.stateDict());
    LmcRecipe recipe;
    recipe.modelPath = folder + "/model.pt";
    recipe.checkpoints = {folder + "/a.pt", folder + "/b.pt"};
    recipe.points = 25;
    recipe.outPath = folder + (fast ? "/path_default.h5" : "/path_scripted.h5");
    recipe.options.eval.threads = kThreads;
    recipe.options.eval.batchSize = batchSize;
    recipe.options.speed.factorFirstLayer = fast;
    recipe.options.speed.freezeForInference = fast;
    PathJob job(recipe, data);
    Quiet quiet;
    const auto t = Clock::now();
    job.run(quiet);
    const double ms = msSince(t) / double(recipe.points);
    *evaluationPath = job.evaluationPath();
    return ms;
}

void row(const char* what, double ms, double gflop, double gemm) {
    std::printf("  %-44s %9.1f ms/point %7.2f points/s %7.1f GFLOP/s %6.1f%% of GEMM\n", what, ms,
                1000.0 / ms, gflop / ms * 1e3, 100.0 * gflop / ms * 1e3 / gemm);
}

// Returns false when the measured work does not check out.
bool workload(const std::string& kind, int points, const std::string& script, double gemm) {
    // A private folder in the system temp folder, removed on return.
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bench_landscape_XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
        std::perror("mkdtemp");
        return false;
    }
    const std::string folder = pattern;
    struct Remove {
        std::string path;
        ~Remove() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    } remove{folder};
    std::printf("\n%s: running the PyTorch loops (/usr/bin/python3) ...\n", kind.c_str());
    std::fflush(stdout);
    const auto py =
        pythonFigures(script + " " + kind + " " + folder + " --points " + std::to_string(points) +
                      " --threads " + std::to_string(kThreads));
    for (const char* key : {"reference_ms", "tight_ms", "centre_loss", "gflop_per_point"})
        if (!py.count(key)) {
            std::fprintf(stderr, "landscape_reference.py gave no %s\n", key);
            return false;
        }
    const double gflop = py.at("gflop_per_point");

    Model model = Model::load(folder + "/model.pt");
    const Dataset data = loadDatasetFile(folder + "/data.npz");
    RandomDirectionOptions o;
    o.seed = 1;
    const Directions d = randomDirections(WeightVector::fromModel(model), o);
    const int side = std::max(2, int(std::lround(std::sqrt(double(points)))) | 1);  // odd: 0 on it
    std::vector<double> axis;
    for (int i = 0; i < side; ++i)
        axis.push_back(-1.0 + 2.0 * i / (side - 1));

    // The first layer's cache on its own, to separate the one-off cost.
    double cacheMs = std::nan("");
    {
        Model m = model.clone();
        std::string whyNot;
        const auto t = Clock::now();
        FirstLayerOptions first;
        first.minimumFanIn = PlaneSpeedOptions{}.minimumFanIn;
        first.threads = kThreads;
        const auto f = FirstLayerFactoring::prepare(m, d, data, first, &whyNot);
        if (f) cacheMs = msSince(t);
    }
    const Run fast = landscape(model, d, data, axis, true, folder + "/default.h5");
    const Run whole = landscape(model, d, data, axis, false, folder + "/scripted.h5");
    const double perPoint =
        (fast.msPerPoint * double(side * side) - (std::isnan(cacheMs) ? 0 : cacheMs)) /
        double(side * side);

    std::printf(
        "%s, %.2f GFLOP per point, %dx%d grid, %d threads, Basin batches of up to %d;\n"
        "  Basin's default path: %s\n",
        kind.c_str(), gflop, side, side, kThreads, batchSize, fast.path.c_str());
    if (py.count("reference_loader_ms"))
        row("reference tool loop, its DataLoader (Python)", py.at("reference_loader_ms"), gflop,
            gemm);
    row("reference tool loop, batches collated (Python)", py.at("reference_ms"), gflop, gemm);
    row("tight PyTorch loop (Python)", py.at("tight_ms"), gflop, gemm);
    row("Basin LandscapeJob, scripted module", whole.msPerPoint, gflop, gemm);
    row("Basin LandscapeJob, default", fast.msPerPoint, gflop, gemm);
    if (!std::isnan(cacheMs)) {
        row("Basin default, per point after the cache", perPoint, gflop, gemm);
        std::printf("  first-layer cache (once per dataset):        %9.1f ms\n", cacheMs);
    }
    std::printf(
        "  speed-up over the reference loop (collated): default %.2fx (%.2fx after any cache), "
        "scripted module %.2fx\n",
        py.at("reference_ms") / fast.msPerPoint, py.at("reference_ms") / perPoint,
        py.at("reference_ms") / whole.msPerPoint);
    if (py.count("reference_loader_ms"))
        std::printf(
            "  speed-up over the reference loop with its DataLoader: default %.2fx (%.2fx "
            "after any cache)\n",
            py.at("reference_loader_ms") / fast.msPerPoint,
            py.at("reference_loader_ms") / perPoint);

    // The LMC path: 25 points from A to A + d_x.
    std::string pathEvaluation;
    const double pathScripted = pathMsPerPoint(folder, d, data, false, &pathEvaluation);
    const double pathDefault = pathMsPerPoint(folder, d, data, true, &pathEvaluation);
    std::printf("  LMC path of 25 points (basin lmc): %s\n", pathEvaluation.c_str());
    row("Basin PathJob, scripted module", pathScripted, gflop, gemm);
    row("Basin PathJob, default", pathDefault, gflop, gemm);
    std::printf("  25-point path: default %.2f s, tight PyTorch loop %.2f s (%.2fx)\n",
                pathDefault * 25 / 1000, py.at("tight_ms") * 25 / 1000,
                py.at("tight_ms") / pathDefault);

    // Same work: the centre's loss equals the tight loop's, and both paths agree.
    const std::size_t centre = std::size_t(side / 2) * std::size_t(side) + std::size_t(side / 2);
    const double basinCentre = whole.surface.metric(SurfaceMetric::TrainLoss)[centre];
    bool ok =
        std::abs(basinCentre - py.at("centre_loss")) <= 1e-4 * std::max(1.0, std::abs(basinCentre));
    if (!ok)
        std::fprintf(stderr, "centre loss: Basin %.8g, PyTorch %.8g\n", basinCentre,
                     py.at("centre_loss"));
    const auto& a = fast.surface.metric(SurfaceMetric::TrainLoss);
    const auto& b = whole.surface.metric(SurfaceMetric::TrainLoss);
    for (std::size_t k = 0; k < a.size(); ++k)
        if (!(std::abs(a[k] - b[k]) <= 1e-5 * std::max(1.0, std::abs(b[k])))) {
            std::fprintf(stderr, "point %zu: default %.8g, scripted module %.8g\n", k, a[k], b[k]);
            ok = false;
        }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    withoutOpenBlasOverrides(argv);
    int points = 9, cnnPoints = 9;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--points", 4, points)) continue;
        if (intOption(argc, argv, i, "--cnn-points", 4, cnnPoints)) continue;
        if (intOption(argc, argv, i, "--batch", 1, batchSize)) continue;
        if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
            continue;
        }
        std::fprintf(stderr,
                     "usage: %s [--only mlp|cnn] [--points N] [--cnn-points N] [--batch N]\n",
                     argv[0]);
        return 2;
    }
    std::printf(
        "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this benchmark and its Python "
        "command only; %d threads\n",
        kThreads);
    const double gemm = gemmGflops(kThreads, 2048);
    std::printf("fp32 GEMM 2048^3 (torch::mm): %.1f GFLOP/s\n", gemm);
    const std::string script = std::string(BASIN_SOURCE_DIR) + "/bench/landscape_reference.py";
    bool ok = true;
    if (only.empty() || only == "mlp") ok = workload("mlp", points, script, gemm) && ok;
    if (only.empty() || only == "cnn") ok = workload("cnn", cnnPoints, script, gemm) && ok;
    return ok ? 0 : 1;
}
