// bench_hessian: the top Hessian eigenvalue of an MLP 784-512-512-10 (ReLU,
// the zoo's initialisation, seed 0) on 1,000 random 784-d inputs with random
// labels (cross-entropy), by Lanczos (LanczosEigenvalues) and by PyHessian-
// style power iteration (PowerIteration) at the same relative tolerance
// (--tolerance, default 1e-3, PyHessian's default), 2 intra-op threads, the
// whole data as one batch (the gradient's graph kept between products, as
// PyHessian does). Prints Hessian-vector products and wall time of each.
//
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from this process (it
// re-executes itself without them, since OpenBLAS reads them when it loads).

#include <torch/script.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "BenchTorch.h"
#include "curvature/HessianVectorProduct.h"
#include "curvature/LanczosEigenvalues.h"
#include "curvature/PowerIteration.h"
#include "model/detail/TorchTensor.h"
#include "zoo/ModelZoo.h"

using namespace basin;
using namespace basin::bench;

int main(int argc, char** argv) {
    withoutOpenBlasOverrides(argv);
    double tolerance = 1e-3;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--tolerance" && i + 1 < argc) tolerance = std::atof(argv[++i]);
    std::printf("bench_hessian: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this benchmark\n");

    MlpOptions mo;
    mo.inputs = 784;
    mo.hidden = {512, 512};
    mo.classes = 10;
    Model model = makeMlp(mo);
    torch::manual_seed(0);
    Dataset data;
    data.name = "random 784-d";
    data.inputs = basin::detail::fromTorch(torch::randn({1000, 784}), "x");
    data.targets = basin::detail::fromTorch(torch::randint(0, 10, {1000}, torch::kInt64), "y");

    HessianOptions ho;
    ho.threads = 2;
    HessianVectorProduct hvp(model, data, ho);
    const SymmetricOperator op = hvp.asOperator();
    std::printf("MLP 784-512-512-10: %lld parameters, 1000 samples, tolerance %g, 2 threads\n",
                (long long)hvp.dimension(), tolerance);
    hvp.loss();  // builds the gradient's graph once, outside both timings

    LanczosOptions lo;
    lo.tolerance = tolerance;
    lo.eigenvectors = false;
    auto start = Clock::now();
    const LanczosResult lanczos = lanczosEigenvalues(op, lo);
    const double lanczosMs = msSince(start);

    PowerIterationOptions po;
    po.tolerance = tolerance;
    start = Clock::now();
    const PowerIterationResult power = powerIteration(op, po);
    const double powerMs = msSince(start);

    std::printf("Lanczos:         lambda_max = %.6g, %lld products, %.0f ms (%.1f ms/product)\n",
                lanczos.eigenvalues[0], (long long)lanczos.products, lanczosMs,
                lanczosMs / double(lanczos.products));
    std::printf("power iteration: lambda_max = %.6g, %lld products, %.0f ms (%.1f ms/product)\n",
                power.eigenvalues[0], (long long)power.products, powerMs,
                powerMs / double(power.products));

    // Both stop when their estimate changes by less than the tolerance, but
    // that says little about how close they are: against λ* (Lanczos run to
    // 1e-10), how many products does Lanczos need for power iteration's final
    // accuracy, and for a relative error within the tolerance?
    LanczosOptions exact = lo;
    exact.tolerance = 1e-10;
    exact.maxIterations = 80;
    const double lambda = lanczosEigenvalues(op, exact).eigenvalues[0];
    const double powerError = std::abs(power.eigenvalues[0] - lambda) / lambda;
    std::printf("lambda* = %.8g; power iteration stopped at relative error %.2e\n", lambda,
                powerError);
    int forPowerAccuracy = 0, forTolerance = 0;
    for (int m = 2; m <= 40 && (!forPowerAccuracy || !forTolerance); ++m) {
        LanczosOptions fixed = lo;
        fixed.tolerance = 0.0;  // exactly m products
        fixed.maxIterations = m;
        const double error =
            std::abs(lanczosEigenvalues(op, fixed).eigenvalues[0] - lambda) / lambda;
        if (!forPowerAccuracy && error <= powerError) forPowerAccuracy = m;
        if (!forTolerance && error <= tolerance) forTolerance = m;
    }
    std::printf(
        "Lanczos reaches power iteration's final accuracy after %d products (%.0f%% of "
        "its %lld), a relative error <= %g after %d\n",
        forPowerAccuracy, 100.0 * forPowerAccuracy / double(power.products),
        (long long)power.products, tolerance, forTolerance);
    return 0;
}
