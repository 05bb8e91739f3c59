#include "model/CheckpointWeights.h"

#include <stdexcept>

#include "model/Model.h"

namespace basin {

std::vector<NamedTensor> checkpointWeights(const std::string& path, const std::string& root) {
    const Checkpoint c = loadCheckpoint(path);
    return root.empty() ? c.stateDict() : c.stateDict(root);
}

void applyCheckpoint(Model& model, const std::string& path, const std::string& root) {
    const ApplyReport report = model.applyStateDict(checkpointWeights(path, root));
    if (!report.shapeMismatches.empty() || report.applied.empty() || !report.missing.empty())
        throw std::runtime_error("checkpoint '" + path + "' does not fit model '" + model.name() +
                                 "': " + report.describe());
}

}  // namespace basin
