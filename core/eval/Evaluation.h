#pragma once
// Loss and accuracy of a model over a dataset at the model's current weights:
// the measurement behind every landscape point, LMC path point and checkpoint
// table. Also BatchNorm statistics re-estimation, needed after weights move
// (interpolated or perturbed weights leave the running statistics stale).

#include <cmath>
#include <cstdint>
#include <string>

#include "data/Dataset.h"
#include "jobs/Job.h"
#include "model/Model.h"

namespace basin {

enum class LossKind {
    Auto,          // CrossEntropy for int64 targets, MSE for float targets
    CrossEntropy,  // mean over samples of −log softmax(z)_y; targets int64 [N]
    MSE,           // mean over all target elements of (z − t)²; targets float [N, ...]
};

struct EvalOptions {
    LossKind loss = LossKind::Auto;
    // Samples per forward pass (at most). With a JobContext, batches start
    // small and are sized to take about 0.25 s each, up to this many, so
    // cancellation stays prompt on slow models; results do not depend on the
    // batch size beyond float rounding (inference mode, eval-mode BatchNorm).
    std::int64_t batchSize = 1000;
    // Intra-op threads for the forward passes; 0 = all hardware threads. Set
    // on the evaluating thread (libtorch's OpenMP setting is per thread) for
    // the duration of the call and restored afterwards. Splitting each batch's
    // GEMMs/convolutions across cores beats evaluating batches concurrently on
    // one model here: batches are large, and a TorchScript module's forward
    // is not re-entrant when it mutates state.
    int threads = 0;
};

struct EvalResult {
    double loss = std::nan("");
    double accuracy = std::nan("");  // fraction in [0, 1]; NaN for regression
    std::int64_t samples = 0;
};

// Evaluates in eval mode under torch::InferenceMode over contiguous slices of
// the dataset's tensors (no copies when they are contiguous), restoring the
// model's training flag afterwards. Reports progress per batch and stops with
// JobCancelled between batches. Throws a sentence naming the model, the
// dataset and the shapes when they do not fit (wrong input shape, label out of
// range, output/target size mismatch).
EvalResult evaluate(Model& model, const Dataset& dataset, const EvalOptions& options = {},
                    JobContext* context = nullptr);

// evaluate() as a Job for the worker pool; result() is valid after run().
class EvaluationJob : public Job {
public:
    EvaluationJob(Model model, Dataset dataset, EvalOptions options = {});
    std::string title() const override;
    void run(JobContext& context) override;
    const EvalResult& result() const { return result_; }

private:
    Model model_;
    Dataset dataset_;
    EvalOptions options_;
    EvalResult result_;
};

// Recomputes every BatchNorm layer's running_mean and running_var from the
// dataset (inputs only), as torch.optim.swa_utils.update_bn does: statistics
// reset, then one train-mode forward per batch without grad, the running
// statistics being the cumulative average of the per-batch statistics
// (momentum=None semantics: each batch weighs equally; variances are the
// unbiased per-batch ones); num_batches_tracked = number of batches. With one
// batch holding the whole dataset, the result is the exact per-channel mean
// and unbiased variance of each BN input. Leaves the model in eval mode.
//
// Scripted BatchNorm bakes its momentum into the module type as a constant,
// so it cannot be set to None as update_bn does: Basin reads each layer's
// momentum m (a constant, None or an attribute), zeroes the statistics and
// num_batches_tracked before each batch (the layer then stores m × the batch
// statistic, or the statistic itself for None) and divides by m. Dropout and
// other train-mode behaviour are active during the passes, as in PyTorch. On
// error or cancellation the previous statistics are restored. Returns the
// number of BatchNorm layers updated (modules with running_mean and
// running_var tensors).
int reestimateBatchNorm(Model& model, const Dataset& dataset, std::int64_t batchSize = 1000,
                        JobContext* context = nullptr);

}  // namespace basin
