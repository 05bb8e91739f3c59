#include "eval/CheckpointEvaluation.h"

#include <filesystem>
#include <set>

#include "jobs/SubtaskContext.h"

namespace basin {

CheckpointEvaluationJob::CheckpointEvaluationJob(Model model, std::vector<std::string> checkpoints,
                                                 Dataset dataset,
                                                 CheckpointEvaluationOptions options)
    : model_(std::move(model)),
      checkpoints_(std::move(checkpoints)),
      dataset_(std::move(dataset)),
      options_(std::move(options)) {}

std::string CheckpointEvaluationJob::title() const {
    return "Evaluate " + model_.name() + " on " + dataset_.name +
           (checkpoints_.size() > 1 ? " at " + std::to_string(checkpoints_.size()) + " checkpoints"
                                    : "");
}

void CheckpointEvaluationJob::run(JobContext& context) {
    results_.clear();
    // The model's own weights come back at the end, whatever happens.
    const std::vector<NamedTensor> original = model_.stateDict();
    struct Restore {
        Model& model;
        const std::vector<NamedTensor>& weights;
        ~Restore() {
            try {
                model.applyStateDict(weights);
            } catch (...) {  // the same tensors it came from: cannot fail to fit
            }
        }
    } restore{model_, original};

    std::set<std::string> buffers;
    for (const auto& p : model_.parameters(true)) {
        if (p.isBuffer) buffers.insert(p.name);
    }
    auto isBuffer = [&](const std::string& name) { return buffers.count(name) > 0; };

    std::vector<std::string> list = checkpoints_;
    if (list.empty()) list.push_back({});
    for (std::size_t i = 0; i < list.size(); ++i) {
        context.throwIfCancelled();
        const std::string& path = list[i];
        const std::string label =
            path.empty() ? model_.name() : std::filesystem::path(path).filename().string();
        SubtaskContext slice(context, double(i) / list.size(), double(i + 1) / list.size(),
                             label + ": ");
        CheckpointEvaluation entry;
        entry.checkpoint = path;
        try {
            if (!path.empty()) {
                const Checkpoint checkpoint = loadCheckpoint(path);
                entry.report = model_.applyStateDict(
                    options_.weightRoot.empty() ? checkpoint.stateDict()
                                                : checkpoint.stateDict(options_.weightRoot));
                // Evaluating with some parameters left from another checkpoint
                // would give a wrong number silently; missing buffers (e.g.
                // num_batches_tracked from older PyTorch) are harmless.
                bool missingParameter = false;
                for (const auto& name : entry.report.missing) {
                    missingParameter = missingParameter || !isBuffer(name);
                }
                if (!entry.report.shapeMismatches.empty() || entry.report.applied.empty() ||
                    missingParameter) {
                    throw std::runtime_error(label + " does not fit " + model_.name() + ": " +
                                             entry.report.describe());
                }
            }
            if (options_.batchNormData) {
                reestimateBatchNorm(model_, *options_.batchNormData, options_.eval.batchSize,
                                    &slice);
            }
            entry.result = evaluate(model_, dataset_, options_.eval, &slice);
        } catch (const JobCancelled&) {
            throw;
        } catch (const std::exception& e) {
            entry.error = e.what();
        }
        results_.push_back(std::move(entry));
    }
    context.report(1.0, "done");
}

}  // namespace basin
