#pragma once
// Training a curve's bends (connectivity/Curve.h) so that the whole curve has
// low loss, as Garipov et al. (2018, "Loss Surfaces, Mode Connectivity, and
// Fast Ensembling of DNNs", §3) do: minimise
//
//   ℓ(bends) = E_{t ~ U(0, 1)} L(θ(t))
//
// by stochastic gradient descent, drawing one t per mini-batch, so each step
// is an unbiased estimate of the gradient of the mean loss along the curve.
// The ends stay fixed. Training starts from the straight line
// (Curve::onLine).
//
// How the gradient reaches the bends through a TorchScript module: θ(t)'s
// parameter tensors are computed from the bend tensors,
// θ_p(t) = Σ_j c_j(t)·P_{j,p} (autograd records the sum), and set as the
// module's parameter attributes for the forward pass, so backpropagation
// ends in the bends (∂L/∂bend_i = c_i(t)·∂L/∂θ(t)); the module's own
// parameter tensors are put back afterwards.
//
// Details, following Garipov et al.'s reference code:
//  - the model runs in training mode (BatchNorm normalises with the batch's
//    statistics, dropout is active); running statistics are not part of the
//    curve — re-estimate them at each evaluated t (PathOptions);
//  - weight decay is L2 on the point of the curve, ½·wd·‖θ(t)‖² (parameters,
//    not the bends themselves) added to the loss;
//  - the loss is cross-entropy for class labels, MSE for float targets
//    (LossKind, as evaluate() measures it);
//  - SGD (with momentum) and Adam follow torch.optim (libtorch's own
//    implementations), with TrainingOptions' learning rate, momentum, betas,
//    epsilon, epochs, batch size and seed. Batches come in a random order per
//    epoch and t is drawn per batch, both from Pcg32(seed, epoch): a run is
//    deterministic given the curve and the seed.
//
// The curve file (saveCurve) is rewritten atomically after every epoch with
// the bends, the loss per epoch and the optimiser state; a rerun with the same
// file resumes after the last saved epoch and, with one thread, ends bitwise
// equal to an uninterrupted run. Asking for more epochs than a file holds
// continues training it.

#include <string>
#include <vector>

#include "connectivity/Curve.h"
#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "model/Model.h"
#include "zoo/Training.h"

namespace basin {

// How the learning rate changes over the epochs of curve training.
enum class CurveLrSchedule {
    Constant,  // TrainingOptions::learningRate throughout
    // Garipov et al.'s (their reference code's learning_rate_schedule): with
    // α = (epoch − 1) / epochs at the start of each 1-based epoch, the base
    // rate while α ≤ 0.5, falling linearly to 1% of it at α = 0.9, 1% after.
    Garipov,
};

struct CurveTrainingOptions {
    // Optimiser, learning rate, momentum/betas, weight decay (on θ(t), see
    // above), epochs, batch size, seed; `threads` 0 = all cores.
    TrainingOptions training;
    LossKind loss = LossKind::Auto;
    // A schedule is a function of the epoch and of training.epochs: a file
    // trained further with more epochs continues on the longer schedule.
    CurveLrSchedule schedule = CurveLrSchedule::Constant;
};

// The learning rate of 1-based `epoch` of `epochs` from `base`.
double curveLearningRate(double base, int epoch, int epochs, CurveLrSchedule schedule);
// "constant", "garipov"; parseCurveLrSchedule throws std::invalid_argument
// naming the accepted names.
const char* curveLrScheduleName(CurveLrSchedule schedule);
CurveLrSchedule parseCurveLrSchedule(const std::string& name);

// Where training starts between the checkpoint files `a` and `b` of `model`:
// the spec's bends on the straight line (Curve::onLine), laid out as the path
// evaluation's (parameters and buffers), the ends labelled by the files.
// `basin lmc --curve` and the LMC dialog start from it.
Curve curveOnLineBetween(const Model& model, const CurveSpec& spec, const std::string& a,
                         const std::string& b, const std::string& weightRoot = {});

class CurveTrainingJob : public Job {
public:
    // `curve` (laid out as WeightVector::fromModel(model, true) or without
    // buffers) is where training starts when `path` does not exist; when it
    // does, the file's bends for the same ends are resumed, and its kind and
    // number of bends must be `curve`'s. `model` is cloned: the caller's
    // weights are never touched. `modelPath` is recorded in the file.
    CurveTrainingJob(Model model, Curve curve, Dataset train, std::string path,
                     CurveTrainingOptions options, std::string modelPath = {});

    std::string title() const override;
    // Progress per batch (message: epoch and running loss); cancellation is
    // checked per batch. Throws naming the model or dataset when they do not
    // fit, the file when it holds another curve, and the epoch when the loss
    // becomes NaN or infinite.
    void run(JobContext& context) override;
    // A rerun continues from the last epoch saved in the file (the in-memory
    // curve changes only together with the file, at the end of an epoch).
    bool resumable() const override { return true; }

    // The curve, its loss per epoch and optimiser state after run().
    const CurveFile& result() const { return file_; }
    // Epochs trained by the last run() (resumed ones not counted).
    int epochsTrained() const { return epochsTrained_; }

private:
    Model model_;
    CurveFile file_;
    Dataset train_;
    std::string path_;
    CurveTrainingOptions options_;
    int epochsTrained_ = 0;
};

// The loss at θ(t) over `data` and its gradient with respect to each bend,
// computed as training computes it (θ(t) set into the module's parameter
// slots, one backward pass) but in eval mode over the whole dataset without
// weight decay, so it is the gradient of exactly what evaluate() measures at
// θ(t). For checks against finite differences and for tools.
struct CurveGradient {
    double loss = 0.0;
    std::vector<WeightVector> bends;  // ∂L/∂bend_i, in the curve's layout (0 on buffers)
};
CurveGradient curveLossGradient(const Model& model, const Curve& curve, double t,
                                const Dataset& data, LossKind loss = LossKind::Auto);

}  // namespace basin
