#pragma once
// What a Hessian computation found, as plain numbers for views, files and
// figures: the top eigenvalues (and the smallest), the Hutchinson trace with
// its standard error, the spectral density from stochastic Lanczos quadrature
// and per-layer curvature — a HessianReport without its eigenvectors, plus
// where it came from. A value not computed is NaN (an empty vector for the
// density and the layers). The JSON file form (`basin hessian --json`) is
// read and written by widgets/curvature/HessianSpectrumFile.h.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace basin {

struct HessianReport;

struct HessianSpectrum {
    // Provenance, for titles and the project (paths as given; may be empty).
    std::string model, checkpoint, dataset;
    std::int64_t parameters = 0;  // the Hessian's dimension
    double loss = std::nan("");
    std::int64_t products = 0;           // Hessian-vector products spent
    std::vector<double> topEigenvalues;  // descending
    bool converged = false;              // Lanczos reached its tolerance
    double bottomEigenvalue = std::nan("");
    double trace = std::nan(""), traceStandardError = std::nan("");
    // φ(λ) on a uniform grid of eigenvalues (integrates to 1), and the
    // Gaussian broadening it was drawn with (NaN when unknown).
    std::vector<double> densityGrid, density;
    double densitySigma = std::nan("");

    struct Layer {
        std::string name;  // module ("fc1") or tensor
        std::int64_t parameters = 0;
        double topEigenvalue = std::nan("");
        double trace = std::nan(""), traceStandardError = std::nan("");
    };
    std::vector<Layer> layers;

    bool hasBottom() const { return std::isfinite(bottomEigenvalue); }
    bool hasTrace() const { return std::isfinite(trace); }
    bool hasDensity() const { return !density.empty() && density.size() == densityGrid.size(); }
};

// The numbers of a report (eigenvectors and quadrature nodes left out).
HessianSpectrum hessianSpectrum(const HessianReport& report);

}  // namespace basin
