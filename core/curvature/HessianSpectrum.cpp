#include "curvature/HessianSpectrum.h"

#include "curvature/HessianJob.h"

namespace basin {

HessianSpectrum hessianSpectrum(const HessianReport& report) {
    HessianSpectrum s;
    s.parameters = report.dimension;
    s.loss = report.loss;
    s.products = report.products;
    s.topEigenvalues = report.lanczos.eigenvalues;
    s.converged = report.lanczos.converged;
    s.bottomEigenvalue = report.lanczos.bottomEigenvalue;
    s.trace = report.trace.trace;
    s.traceStandardError = report.trace.standardError;
    s.densityGrid = report.density.grid;
    s.density = report.density.density;
    if (!s.density.empty()) s.densitySigma = report.density.sigma;
    for (const LayerCurvature& l : report.layers)
        s.layers.push_back({l.name, l.dimension, l.topEigenvalue, l.trace, l.traceStandardError});
    return s;
}

}  // namespace basin
