// bench_weight_matching: what permutation alignment costs.
//  - minimumCostAssignment (Jonker–Volgenant) on n×n uniform random costs,
//    n = 128, 256, 512, 1024 (median of --runs, default 5);
//  - matchWeights (Git Re-Basin weight matching) of two MLPs 784-512-512-10
//    (the zoo's initialisation, seeds 0 and 1): wall time, passes, units
//    moved and ‖θ_A − θ_B‖ before and after (median of --runs).

#include <cstdio>

#include "BenchStats.h"
#include "connectivity/LinearAssignment.h"
#include "connectivity/WeightMatching.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::bench;

int main(int argc, char** argv) {
    int runs = 5;
    for (int i = 1; i < argc; ++i) {
        if (intOption(argc, argv, i, "--runs", 1, runs)) continue;
        std::fprintf(stderr, "usage: bench_weight_matching [--runs N]\n");
        return 2;
    }
    std::printf("linear assignment, uniform random costs, median of %d:\n", runs);
    for (const Eigen::Index n : {128, 256, 512, 1024}) {
        Pcg32 rng(static_cast<std::uint64_t>(n));
        std::vector<double> ms;
        double total = 0.0;
        for (int r = 0; r < runs; ++r) {
            Eigen::MatrixXd cost(n, n);
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j)
                    cost(i, j) = rng.uniform();
            const auto t = Clock::now();
            total = minimumCostAssignment(cost).total;
            ms.push_back(msSince(t));
        }
        // The optimum tends to π²/6 ≈ 1.645 (Aldous 2001): a check on the work done.
        std::printf("  n = %4lld  %8.2f ms  (optimum %.4f)\n", static_cast<long long>(n),
                    median(ms), total);
        if (total < 1.0 || total > 2.5) return 1;
    }

    MlpOptions o;
    o.inputs = 784;
    o.hidden = {512, 512};
    o.classes = 10;
    const Model model = makeMlp(o);
    o.seed = 1;
    const std::vector<NamedTensor> a = model.stateDict(), b = makeMlp(o).stateDict();
    std::vector<double> ms;
    AlignmentResult r;
    for (int k = 0; k < runs; ++k) {
        const auto t = Clock::now();
        r = matchWeights(model, a, b);
        ms.push_back(msSince(t));
    }
    std::printf("weight matching of two MLPs 784-512-512-10, median of %d: %.1f ms, %d passes\n",
                runs, median(ms), r.passes);
    for (const GroupMatch& g : r.groups)
        std::printf("  %s: %lld of %lld units moved\n", g.name.c_str(),
                    static_cast<long long>(g.moved), static_cast<long long>(g.size));
    std::printf("  ‖θ_A − θ_B‖ %.4f before, %.4f after\n", r.distanceBefore, r.distanceAfter);
    return r.distanceAfter < r.distanceBefore ? 0 : 1;
}
