#pragma once
// Loss and accuracy of one model at a series of checkpoints on one dataset:
// the training curve recomputed from the files, a comparison of seeds, the
// sanity check before a landscape. Each checkpoint's weights are applied by
// name (with the report of what did not fit), BatchNorm statistics are
// optionally re-estimated on a second dataset, then the model is evaluated.

#include <string>
#include <vector>

#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "model/Model.h"

namespace basin {

struct CheckpointEvaluation {
    std::string checkpoint;  // path; empty for the model's own weights
    EvalResult result;
    ApplyReport report;  // how the checkpoint's tensors matched the model
    std::string error;   // set when this checkpoint could not be evaluated
};

struct CheckpointEvaluationOptions {
    EvalOptions eval;
    std::string weightRoot;                  // which dict holds the weights; empty = best guess
    const Dataset* batchNormData = nullptr;  // re-estimate BN statistics on it first
};

// Evaluates `model` at every checkpoint in turn (an empty list evaluates the
// model's own weights). A checkpoint that does not fit the model is recorded
// with its error and the others go on; the model's own weights are restored
// at the end. Progress spans all checkpoints; cancellation throws JobCancelled
// after restoring the weights.
class CheckpointEvaluationJob : public Job {
public:
    CheckpointEvaluationJob(Model model, std::vector<std::string> checkpoints, Dataset dataset,
                            CheckpointEvaluationOptions options = {});
    std::string title() const override;
    void run(JobContext& context) override;
    const std::vector<CheckpointEvaluation>& results() const { return results_; }

private:
    Model model_;
    std::vector<std::string> checkpoints_;
    Dataset dataset_;
    CheckpointEvaluationOptions options_;
    std::vector<CheckpointEvaluation> results_;
};

}  // namespace basin
