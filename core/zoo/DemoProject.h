#pragma once
// The demo project `basin demo [DIR]` opens: built-in datasets, zoo models and
// per-epoch checkpoints of two training runs (two seeds) per model, all made
// natively in a few minutes at most on two cores and all readable by real
// PyTorch/NumPy. app/ turns the manifest into a .basin project.
//
//   DIR/datasets/spirals_train.npz, spirals_test.npz    two spirals (x float32 [N, 2], y int64)
//   DIR/datasets/digits_train.npz, digits_test.npz      synthetic digits (x [N, 1, 28, 28])
//   DIR/models/mlp_spirals.pt, cnn_digits.pt            TorchScript (torch.jit.load)
//   DIR/runs/<model>_seed<s>/epoch_EEE.pt               torch.save dicts, epoch 0 = init
//
// Resumable: existing datasets and models are kept, training runs continue
// from their last checkpoint, so a cancelled demo finishes where it stopped
// and a complete one returns its manifest at once.

#include <string>
#include <vector>

#include "jobs/Job.h"

namespace basin {

struct DemoFile {
    std::string path;  // absolute
    std::string name;  // for people: "two spirals (train)", "epoch 3"
    // datasets: "train" or "test"; models: the architecture ("mlp", "cnn");
    // checkpoints: "checkpoint".
    std::string kind;
};

// One training run: a model trained from one seed, with its checkpoints in
// epoch order (epoch 0 first).
struct DemoRun {
    std::string name;  // "mlp_spirals_seed0"
    std::string modelPath;
    std::string trainDatasetPath;
    std::string testDatasetPath;
    int seed = 0;
    std::vector<DemoFile> checkpoints;
    // Accuracy on the test split after the last epoch.
    double finalTestAccuracy = 0.0;
};

struct DemoManifest {
    std::string dir;
    std::vector<DemoFile> datasets;
    std::vector<DemoFile> models;
    std::vector<DemoRun> runs;
};

// Sizes of the demo; the defaults are what `basin demo` writes (tests use
// smaller ones).
struct DemoOptions {
    int mlpEpochs = 10;
    int cnnEpochs = 5;
    std::int64_t spiralsPerClass = 500;  // train; the test split has the same
    std::int64_t digitsTrainPerClass = 600;
    std::int64_t digitsTestPerClass = 100;
    std::vector<int> seeds{0, 1};
};

// Writes (or completes) the demo files under `dir`. Reports progress and
// honours cancellation (throws JobCancelled; a rerun resumes); throws
// std::runtime_error naming the file on I/O errors.
DemoManifest writeDemoFiles(const std::string& dir, JobContext& context);
DemoManifest writeDemoFiles(const std::string& dir, const DemoOptions& options,
                            JobContext& context);

}  // namespace basin
