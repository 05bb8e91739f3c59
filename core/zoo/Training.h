#pragma once
// Trains a model on a dataset split, natively with libtorch, writing one
// checkpoint per epoch — how Basin makes demo trajectories without Python.
//
// Each epoch's checkpoint is a torch.save-compatible zip (written with
// torch::pickle_save, read by Python's torch.load and by Basin's
// loadCheckpoint) holding a dict
//   {'epoch': e, 'state_dict': {name: tensor}, 'train_loss': float,
//    'train_acc': float, 'test_loss': float, 'test_acc': float,
//    'optimizer': {'name': 'sgd'|'adam', 'step': t, <state>: {name: tensor}}}
// in <folder>/epoch_EEE.pt; epoch 0 holds the initial weights. Files are
// written atomically. A rerun skips the epochs whose checkpoints exist and
// continues from the last one (weights, BatchNorm statistics and optimizer
// state), so a cancelled run resumes where it stopped and, with one thread,
// ends bitwise identical to an uninterrupted one.
//
// Optimisers follow torch.optim's update rules (weight decay as L2 added to
// the gradient):
//   SGD:  g = grad + wd p;  b = mu b + g;  p -= lr b
//   Adam (Kingma & Ba, 2015): g = grad + wd p;  m = b1 m + (1-b1) g;
//         v = b2 v + (1-b2) g^2;  p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
// The loss is cross-entropy on class labels. Batches are drawn in a random
// order per epoch from Pcg32(seed, epoch), so the run is deterministic given
// the model's initial weights and the seed.

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "jobs/Job.h"
#include "model/Model.h"

namespace basin {

struct TrainingOptions {
    enum class Optimizer { Sgd, Adam };
    Optimizer optimizer = Optimizer::Sgd;
    double learningRate = 0.05;
    double momentum = 0.9;  // SGD
    double beta1 = 0.9;     // Adam
    double beta2 = 0.999;   // Adam
    double epsilon = 1e-8;  // Adam
    double weightDecay = 0.0;
    int epochs = 10;
    std::int64_t batchSize = 64;
    std::uint64_t seed = 0;
    // libtorch intra-op threads while training; 0 leaves the current setting.
    // One thread makes runs bitwise reproducible.
    int threads = 0;
};

// What one epoch gave; epoch 0 describes the initial weights (train loss and
// accuracy then measured in eval mode, as for the test split).
struct EpochRecord {
    int epoch = 0;
    double trainLoss = 0.0;
    double trainAccuracy = 0.0;
    double testLoss = 0.0;
    double testAccuracy = 0.0;
    std::string checkpointPath;
    bool resumed = false;  // read back from an existing checkpoint, not trained now
};

class TrainingJob : public Job {
public:
    // Trains `model` in place (the caller's handle sees the trained weights).
    TrainingJob(Model model, DatasetSplit data, std::string folder, TrainingOptions options);
    std::string title() const override;
    // Progress is reported per batch; cancellation is checked per batch.
    // Throws std::runtime_error naming the model, dataset or file when the
    // data do not fit the model, a checkpoint does not fit it, or the loss
    // becomes NaN/infinite.
    void run(JobContext& context) override;
    // A rerun restores the weights and optimiser state of the last epoch
    // checkpoint, overwriting what a cancelled epoch had trained in place.
    bool resumable() const override { return true; }

    // One record per epoch 0..epochs once run() has finished.
    const std::vector<EpochRecord>& records() const { return records_; }
    // <folder>/epoch_EEE.pt
    static std::string checkpointPath(const std::string& folder, int epoch);

private:
    Model model_;
    DatasetSplit data_;
    std::string folder_;
    TrainingOptions options_;
    std::vector<EpochRecord> records_;
};

}  // namespace basin
