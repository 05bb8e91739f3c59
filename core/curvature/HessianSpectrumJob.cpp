#include "curvature/HessianSpectrumJob.h"

#include <stdexcept>

#include "data/DatasetFiles.h"
#include "io/Checkpoint.h"
#include "jobs/SubtaskContext.h"

namespace basin {
namespace {

std::string fileName(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

HessianSpectrumJob::HessianSpectrumJob(HessianSpectrumRecipe recipe) : recipe_(std::move(recipe)) {}

std::string HessianSpectrumJob::title() const {
    return "Hessian of " +
           fileName(recipe_.checkpointPath.empty() ? recipe_.modelPath : recipe_.checkpointPath) +
           " on " + fileName(recipe_.datasetPath);
}

void HessianSpectrumJob::run(JobContext& context) {
    context.report(0.0, "loading the model, the checkpoint and the dataset");
    Model model = Model::load(recipe_.modelPath);
    if (!recipe_.checkpointPath.empty()) {
        const ApplyReport report =
            model.applyStateDict(loadCheckpoint(recipe_.checkpointPath).stateDict());
        if (!report.shapeMismatches.empty() || report.applied.empty())
            throw std::runtime_error("checkpoint '" + recipe_.checkpointPath +
                                     "' does not fit model '" + recipe_.modelPath +
                                     "': " + report.describe());
    }
    const Dataset data = loadDatasetFile(recipe_.datasetPath);
    context.throwIfCancelled();
    SubtaskContext sub(context, 0.02, 1.0, "");
    result_ = hessianSpectrum(computeHessianReport(model, data, recipe_.options, &sub));
    result_.model = recipe_.modelPath;
    result_.checkpoint = recipe_.checkpointPath;
    result_.dataset = recipe_.datasetPath;
}

}  // namespace basin
