#pragma once
// Everything Basin computes about a network's loss Hessian at the current
// weights, as one Job: top (and bottom) eigenvalues and eigenvectors by
// Lanczos, optionally power iteration for comparison, the trace by
// Hutchinson, the spectral density by stochastic Lanczos quadrature, and
// per-layer top eigenvalue and trace (the diagonal blocks H_SS of each
// module's parameters). What PyHessian reports (Yao et al. 2020), selected by
// options. Eigenvectors come back as WeightVectors over the model's
// parameters, ready to be landscape directions.
//
// Progress is Hessian-vector products done / the budget (the most products
// the selected computations may take); cancellation is checked before every
// product and between batches.

#include <cstdint>
#include <string>
#include <vector>

#include "curvature/HessianVectorProduct.h"
#include "curvature/HutchinsonTrace.h"
#include "curvature/LanczosEigenvalues.h"
#include "curvature/PowerIteration.h"
#include "curvature/StochasticLanczosQuadrature.h"

namespace basin {

struct HessianJobOptions {
    HessianOptions hessian;  // loss, batches, threads, float64 (parameter selection ignored)
    bool eigenvalues = true;
    LanczosOptions lanczos;
    bool powerIteration = false;
    PowerIterationOptions power;
    bool trace = false;
    HutchinsonOptions hutchinson;
    bool density = false;
    SlqOptions slq;
    // Per module (parameterGroups), or the listed tensors/modules, each alone.
    bool perLayer = false;
    std::vector<std::string> layers;
    LanczosOptions layerLanczos;  // k = 1 by default
    HutchinsonOptions layerHutchinson{20, 0};
};

struct LayerCurvature {
    std::string name;
    std::vector<std::string> parameters;
    std::int64_t dimension = 0;
    double topEigenvalue = 0.0;
    double trace = 0.0, traceStandardError = 0.0;
    std::int64_t products = 0;
};

struct HessianReport {
    std::int64_t dimension = 0;
    double loss = 0.0;
    LanczosResult lanczos;  // its Eigen eigenvectors moved into `eigenvectors`
    std::vector<WeightVector> eigenvectors;
    WeightVector bottomEigenvector;  // with lanczos.bottom
    PowerIterationResult power;      // eigenvectors kept as Eigen vectors
    HutchinsonResult trace;
    SpectralDensity density;
    std::vector<LayerCurvature> layers;
    std::int64_t products = 0;  // all Hessian-vector products
    std::int64_t budget = 0;
};

// The computation itself, for the CLI and tests; the model's flags and weights
// are left as they were.
HessianReport computeHessianReport(Model& model, const Dataset& dataset,
                                   const HessianJobOptions& options, JobContext* context = nullptr);

class HessianJob : public Job {
public:
    HessianJob(Model model, Dataset dataset, HessianJobOptions options = {});
    std::string title() const override;
    void run(JobContext& context) override;
    const HessianReport& result() const { return result_; }

private:
    Model model_;
    Dataset dataset_;
    HessianJobOptions options_;
    HessianReport result_;
};

}  // namespace basin
