#pragma once
// The Hessian at a checkpoint, from files: loads the TorchScript model, sets
// it to the checkpoint's weights and loads the dataset inside the job (each
// can take a while), then runs computeHessianReport and keeps the result as
// a HessianSpectrum with its provenance. What `basin hessian` and the GUI's
// "Hessian spectrum…" both run.

#include <string>

#include "curvature/HessianJob.h"
#include "curvature/HessianSpectrum.h"

namespace basin {

struct HessianSpectrumRecipe {
    std::string modelPath;
    std::string checkpointPath;  // empty: the model's own weights
    std::string datasetPath;
    HessianJobOptions options;
};

class HessianSpectrumJob : public Job {
public:
    explicit HessianSpectrumJob(HessianSpectrumRecipe recipe);
    std::string title() const override;
    // Throws std::runtime_error naming the file when the checkpoint does not
    // fit the model (a shape mismatch, or no tensor applied).
    void run(JobContext& context) override;
    const HessianSpectrum& result() const { return result_; }

private:
    HessianSpectrumRecipe recipe_;
    HessianSpectrum result_;
};

}  // namespace basin
