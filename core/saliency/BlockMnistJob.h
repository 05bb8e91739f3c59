#pragma once
// The BlockMNIST test as one job (Shah, Jain & Netrapalli 2021; BlockMnist.h):
// makes the dataset from the built-in digits, trains a model on it (the zoo's
// SmallCnn for 56×28 images, or a user's TorchScript model taking
// [N, 1, 56, 28] from its own initial weights), then reports, per saliency
// method, the mean fraction of attribution mass on the null block over test
// images explained for their true class. A map that follows what the model
// needs puts little mass there; Shah et al. find that input gradients of
// standard models do not.
//
// Training writes one checkpoint per epoch under `folder` (TrainingJob), so a
// cancelled run resumes where it stopped.

#include <string>
#include <vector>

#include "jobs/Job.h"
#include "saliency/BlockMnist.h"
#include "saliency/SaliencyOptions.h"

namespace basin {

struct BlockMnistRecipe {
    std::string modelPath;  // empty: the zoo SmallCnn (width 8) for 56×28 images
    std::string folder;     // checkpoints and the dataset (blockmnist_train/test.npz)
    BlockMnistOptions data;
    int epochs = 3;
    double learningRate = 3e-3;    // Adam
    std::int64_t testImages = 50;  // explained images (the first of the test split)
    std::vector<SaliencyMethod> methods{SaliencyMethod::Gradient, SaliencyMethod::GradCam};
    SaliencyOptions saliency;  // method parameters (the method and target are set per map)
};

struct BlockMnistResult {
    double testAccuracy = 0.0;  // of the trained model
    std::int64_t images = 0;    // explained
    struct Method {
        SaliencyMethod method = SaliencyMethod::Gradient;
        std::string layer;      // CAM-style methods
        double nullMass = 0.0;  // mean fraction on the null block; 0.5 = no preference
    };
    std::vector<Method> methods;
};

class BlockMnistJob : public Job {
public:
    explicit BlockMnistJob(BlockMnistRecipe recipe);
    std::string title() const override;
    // Throws std::runtime_error naming the model when it does not take
    // [N, 1, 56, 28] images or does not give 10 classes.
    void run(JobContext& context) override;
    const BlockMnistResult& result() const { return result_; }

private:
    BlockMnistRecipe recipe_;
    BlockMnistResult result_;
};

}  // namespace basin
