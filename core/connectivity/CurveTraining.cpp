#include "connectivity/CurveTraining.h"

#include <torch/optim.h>
#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "connectivity/InterpolationPath.h"
#include "eval/detail/BatchEvaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/ScriptGraph.h"
#include "model/detail/TorchTensor.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

torch::Tensor entryTensor(const WeightVector& v, std::size_t entry) {
    const WeightEntry& e = v.entries()[entry];
    return torch::from_blob(const_cast<float*>(v.data(entry)), e.shape, torch::kFloat32).clone();
}

// θ(t) placed into a TorchScript module's parameter attributes, as a function
// of bend tensors that require grad (see the header). Restores the module's
// own parameter tensors when destroyed.
class CurveModule {
public:
    CurveModule(torch::jit::Module module, const Curve& curve)
        : module_(std::move(module)), curve_(curve) {
        const std::vector<WeightEntry>& entries = curve.a().entries();
        for (const auto& m : module_.named_modules()) {
            const std::string prefix = m.name.empty() ? "" : m.name + ".";
            for (const auto& p : m.value.named_parameters(/*recurse=*/false)) {
                const std::string name = prefix + p.name;
                const auto it = std::find_if(entries.begin(), entries.end(),
                                             [&](const WeightEntry& e) { return e.name == name; });
                if (it == entries.end())
                    throw std::runtime_error("the curve has no tensor '" + name +
                                             "' of the model; was it made for another model?");
                const std::size_t entry = std::size_t(it - entries.begin());
                slots_.push_back({m.value, p.name, name, entry, p.value});
                ends_.push_back({entryTensor(curve.a(), entry), entryTensor(curve.b(), entry)});
            }
        }
        if (slots_.empty()) throw std::runtime_error("the model has no parameters to curve");
        for (std::size_t i = 0; i < curve.bendCount(); ++i)
            for (const Slot& s : slots_)
                bends_.push_back(entryTensor(curve.bend(i), s.entry).set_requires_grad(true));
    }
    ~CurveModule() { restore(); }
    CurveModule(const CurveModule&) = delete;
    CurveModule& operator=(const CurveModule&) = delete;

    torch::jit::Module& module() { return module_; }
    // Bend i's tensor for slot s is bends()[i·slots + s].
    std::vector<torch::Tensor>& bends() { return bends_; }
    std::size_t slotCount() const { return slots_.size(); }
    const std::string& slotName(std::size_t s) const { return slots_[s].name; }

    // Sets θ(t) = Σ_j c_j(t) P_j into the parameter attributes; returns the
    // θ(t) tensors, slot by slot.
    std::vector<torch::Tensor> place(double t) {
        const std::vector<double> c = curveCoefficients(curve_.kind(), curve_.bendCount(), t);
        const std::size_t k = curve_.bendCount(), n = slots_.size();
        std::vector<torch::Tensor> theta;
        for (std::size_t s = 0; s < n; ++s) {
            torch::Tensor v = ends_[s].first * c[0] + ends_[s].second * c[k + 1];
            for (std::size_t i = 0; i < k; ++i)
                if (c[i + 1] != 0.0) v = v + bends_[i * n + s] * c[i + 1];
            v = v.to(slots_[s].original.scalar_type());
            slots_[s].owner.setattr(slots_[s].attribute, v);
            theta.push_back(v);
        }
        placed_ = true;
        return theta;
    }

    void restore() {
        if (!placed_) return;
        for (Slot& s : slots_)
            s.owner.setattr(s.attribute, s.original);
        placed_ = false;
    }

    // The bend tensors (or their gradients) as WeightVectors in the curve's
    // layout: buffers left as `like` has them.
    void copyInto(std::vector<WeightVector>& out, bool gradients) const {
        torch::NoGradGuard noGrad;
        const std::size_t n = slots_.size();
        for (std::size_t i = 0; i < out.size(); ++i)
            for (std::size_t s = 0; s < n; ++s) {
                const torch::Tensor& b = bends_[i * n + s];
                torch::Tensor v = gradients ? b.grad() : b;
                if (!v.defined()) v = torch::zeros_like(b);
                const std::size_t entry = slots_[s].entry;
                torch::from_blob(out[i].data(entry), v.sizes(), torch::kFloat32)
                    .copy_(v.to(torch::kFloat32));
            }
    }

private:
    struct Slot {
        torch::jit::Module owner;
        std::string attribute;  // "weight"
        std::string name;       // "fc1.weight"
        std::size_t entry;      // in the curve's layout
        torch::Tensor original;
    };
    torch::jit::Module module_;
    const Curve& curve_;
    std::vector<Slot> slots_;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> ends_;
    std::vector<torch::Tensor> bends_;
    bool placed_ = false;
};

struct Batches {
    torch::Tensor x, y;
    LossKind kind = LossKind::CrossEntropy;
};

Batches tensorsOf(const Dataset& data, LossKind loss) {
    data.validate();
    if (data.size() == 0) throw std::runtime_error("dataset '" + data.name + "' is empty");
    Batches b;
    b.kind = loss == LossKind::Auto
                 ? (data.isClassification() ? LossKind::CrossEntropy : LossKind::MSE)
                 : loss;
    if (b.kind == LossKind::CrossEntropy && !data.isClassification())
        throw std::runtime_error("cross-entropy needs class labels; dataset '" + data.name +
                                 "' has float targets " + data.targets.shapeString());
    b.x = detail::datasetInputs(data);
    b.y = detail::toTorch(data.targets, data.name + " targets");
    if (b.kind == LossKind::MSE) b.y = b.y.to(torch::kFloat32);
    return b;
}

// The mean loss of the module's current forward on (x, y), with a sentence
// naming the model and the dataset when they do not fit.
torch::Tensor batchLoss(const Model& model, const Dataset& data, torch::jit::Module& module,
                        const torch::Tensor& x, const torch::Tensor& y, LossKind kind) {
    const torch::Tensor out =
        detail::guardedForward(model, data, [&] { return module.forward({x}); });
    try {
        return kind == LossKind::CrossEntropy ? torch::cross_entropy_loss(out, y)
                                              : torch::mse_loss(out, y);
    } catch (const std::exception& e) {
        throw std::runtime_error(detail::describeEvaluation(model, data) + ": outputs " +
                                 c10::str(out.sizes()) + " do not fit targets " +
                                 data.targets.shapeString() + ": " + detail::torchReason(e));
    }
}

// libtorch's optimiser state, per bend tensor, as named tensors and back.
// libtorch keys a parameter's state by its TensorImpl address (the key its own
// serialisation uses).
std::string stateKey(const torch::Tensor& p) {
    return c10::guts::to_string(p.unsafeGetTensorImpl());
}

std::string bendTensorName(const CurveModule& m, std::size_t index) {
    return std::to_string(index / m.slotCount()) + "." + m.slotName(index % m.slotCount());
}

void saveOptimizerState(torch::optim::Optimizer& optimizer, bool adam, CurveModule& m,
                        CurveFile& file) {
    file.optimizer = adam ? "adam" : "sgd";
    file.optimizerState.clear();
    auto add = [&](const std::string& state, std::size_t index, const torch::Tensor& t) {
        file.optimizerState.push_back(
            {state + "." + bendTensorName(m, index), detail::fromTorch(t, state)});
    };
    for (std::size_t i = 0; i < m.bends().size(); ++i) {
        const auto it = optimizer.state().find(stateKey(m.bends()[i]));
        if (it == optimizer.state().end()) continue;
        if (adam) {
            const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
            add("exp_avg", i, s.exp_avg());
            add("exp_avg_sq", i, s.exp_avg_sq());
            add("step", i, torch::tensor(s.step(), torch::kInt64));
        } else {
            const auto& s = static_cast<const torch::optim::SGDParamState&>(*it->second);
            if (s.momentum_buffer().defined()) add("momentum_buffer", i, s.momentum_buffer());
        }
    }
}

void restoreOptimizerState(torch::optim::Optimizer& optimizer, bool adam, CurveModule& m,
                           const CurveFile& file, const std::string& path) {
    if (file.optimizer != (adam ? "adam" : "sgd")) return;  // another optimiser: start afresh
    auto find = [&](const std::string& state, std::size_t index) -> torch::Tensor {
        const std::string name = state + "." + bendTensorName(m, index);
        for (const NamedTensor& t : file.optimizerState)
            if (t.name == name) {
                torch::Tensor v = detail::toTorch(t.tensor, name).clone();
                if (state != "step" && v.sizes() != m.bends()[index].sizes())
                    throw std::runtime_error("curve file '" + path + "': optimizer state '" + name +
                                             "' has shape " + c10::str(v.sizes()) +
                                             " but the bend's is " +
                                             c10::str(m.bends()[index].sizes()));
                return v;
            }
        return {};
    };
    for (std::size_t i = 0; i < m.bends().size(); ++i) {
        const std::string key = stateKey(m.bends()[i]);
        if (adam) {
            const torch::Tensor avg = find("exp_avg", i), sq = find("exp_avg_sq", i),
                                step = find("step", i);
            if (!avg.defined() || !sq.defined() || !step.defined()) continue;
            auto s = std::make_unique<torch::optim::AdamParamState>();
            s->exp_avg(avg).exp_avg_sq(sq).step(step.item<std::int64_t>());
            optimizer.state()[key] = std::move(s);
        } else {
            const torch::Tensor buffer = find("momentum_buffer", i);
            if (!buffer.defined()) continue;
            auto s = std::make_unique<torch::optim::SGDParamState>();
            s->momentum_buffer(buffer);
            optimizer.state()[key] = std::move(s);
        }
    }
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingOptions& o,
                                                       const std::vector<torch::Tensor>& params) {
    if (o.optimizer == TrainingOptions::Optimizer::Adam)
        return std::make_unique<torch::optim::Adam>(
            params,
            torch::optim::AdamOptions(o.learningRate).betas({o.beta1, o.beta2}).eps(o.epsilon));
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(o.learningRate).momentum(o.momentum));
}

void validate(const TrainingOptions& o) {
    const bool ok = o.epochs >= 0 && o.batchSize >= 1 && o.learningRate > 0 && o.weightDecay >= 0 &&
                    o.momentum >= 0 && o.momentum < 1 && o.beta1 >= 0 && o.beta1 < 1 &&
                    o.beta2 >= 0 && o.beta2 < 1 && o.epsilon > 0;
    if (!ok)
        throw std::invalid_argument(
            "curve training needs epochs ≥ 0, a batch size ≥ 1, a learning rate > 0, weight "
            "decay ≥ 0, momentum and betas in [0, 1) and epsilon > 0");
}

}  // namespace

Curve curveOnLineBetween(const Model& model, const CurveSpec& spec, const std::string& a,
                         const std::string& b, const std::string& weightRoot) {
    const InterpolationPath ends = InterpolationPath::load(model, {a, b}, weightRoot);
    Curve curve = Curve::onLine(spec.kind, spec.bends, ends.checkpoint(0), ends.checkpoint(1));
    curve.labelA = a;
    curve.labelB = b;
    return curve;
}

CurveTrainingJob::CurveTrainingJob(Model model, Curve curve, Dataset train, std::string path,
                                   CurveTrainingOptions options, std::string modelPath)
    : model_(std::move(model)),
      file_(std::move(curve)),
      train_(std::move(train)),
      path_(std::move(path)),
      options_(options) {
    file_.model = std::move(modelPath);
}

std::string CurveTrainingJob::title() const {
    return std::string("Train ") + curveKindName(file_.curve.kind()) + " curve " +
           std::filesystem::path(path_).filename().string();
}

void CurveTrainingJob::run(JobContext& context) {
    const TrainingOptions& o = options_.training;
    validate(o);
    epochsTrained_ = 0;
    if (path_.empty()) throw std::invalid_argument("curve training needs a file to write");
    if (std::filesystem::exists(path_)) {
        context.report(0.0, "resuming " + path_);
        CurveFile saved = loadCurve(path_, file_.curve.a(), file_.curve.b());
        if (saved.curve.kind() != file_.curve.kind() ||
            saved.curve.bendCount() != file_.curve.bendCount())
            throw std::runtime_error(
                "curve file '" + path_ + "' holds a " + curveKindName(saved.curve.kind()) +
                " curve with " + std::to_string(saved.curve.bendCount()) + " bends, not a " +
                curveKindName(file_.curve.kind()) + " curve with " +
                std::to_string(file_.curve.bendCount()) + "; choose another file");
        saved.curve.labelA = file_.curve.labelA;
        saved.curve.labelB = file_.curve.labelB;
        if (saved.model.empty()) saved.model = file_.model;
        file_ = std::move(saved);
    }
    if (file_.epoch >= o.epochs) {
        context.report(1.0,
                       "the curve was trained " + std::to_string(file_.epoch) + " epochs before");
        return;
    }

    const Batches data = tensorsOf(train_, options_.loss);
    detail::IntraOpThreads threads(o.threads);
    // A copy with methods of its own (detail::withOwnMethods): the autograd
    // passes leave the model's compiled methods to inference.
    Model model = model_.clone();
    torch::jit::Module module = detail::withOwnMethods(model.impl().module);
    detail::TrainingFlag training(module, true);
    CurveModule curved(module, file_.curve);
    const bool adam = o.optimizer == TrainingOptions::Optimizer::Adam;
    std::unique_ptr<torch::optim::Optimizer> optimizer = makeOptimizer(o, curved.bends());
    restoreOptimizerState(*optimizer, adam, curved, file_, path_);

    const std::int64_t n = data.x.size(0);
    const std::int64_t batches = (n + o.batchSize - 1) / o.batchSize;
    const int first = file_.epoch + 1;
    const double total = double(o.epochs - file_.epoch) * double(batches);
    for (int epoch = first; epoch <= o.epochs; ++epoch) {
        const double lr = curveLearningRate(o.learningRate, epoch, o.epochs, options_.schedule);
        for (torch::optim::OptimizerParamGroup& group : optimizer->param_groups())
            group.options().set_lr(lr);
        // The epoch's sample order (Fisher–Yates) and its t per batch, from one stream.
        Pcg32 rng(o.seed, std::uint64_t(epoch));
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), std::int64_t(0));
        for (std::int64_t i = n - 1; i > 0; --i)
            std::swap(order[std::size_t(i)], order[rng.below(std::uint32_t(i + 1))]);
        const torch::Tensor permutation = torch::from_blob(order.data(), {n}, torch::kInt64);
        double lossSum = 0.0;
        std::int64_t seen = 0;
        for (std::int64_t b = 0; b < batches; ++b) {
            context.throwIfCancelled();
            const double t = rng.uniform();
            const std::int64_t start = b * o.batchSize, end = std::min(n, start + o.batchSize);
            // BatchNorm cannot normalise a batch of one; skip such a remainder.
            if (end - start < 2 && b > 0) continue;
            const torch::Tensor index = permutation.slice(0, start, end);
            const std::vector<torch::Tensor> theta = curved.place(t);
            torch::Tensor loss = batchLoss(model, train_, module, data.x.index_select(0, index),
                                           data.y.index_select(0, index), data.kind);
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                throw std::runtime_error(
                    "training the curve: the loss is " + std::to_string(value) + " at epoch " +
                    std::to_string(epoch) + ", batch " + std::to_string(b + 1) +
                    " (t = " + std::to_string(t) + "); try a smaller learning rate than " +
                    std::to_string(lr));
            if (o.weightDecay > 0) {
                torch::Tensor l2 = torch::zeros({}, loss.options());
                for (const torch::Tensor& p : theta)
                    l2 = l2 + p.pow(2).sum();
                loss = loss + 0.5 * o.weightDecay * l2;
            }
            optimizer->zero_grad();
            loss.backward();
            optimizer->step();
            lossSum += value * double(end - start);
            seen += end - start;
            const double done = (double(epoch - first) * double(batches) + double(b + 1)) / total;
            context.report(done, "curve epoch " + std::to_string(epoch) + "/" +
                                     std::to_string(o.epochs) + ", loss " +
                                     std::to_string(lossSum / double(seen)));
        }
        curved.restore();
        std::vector<WeightVector> bends;
        for (std::size_t i = 0; i < file_.curve.bendCount(); ++i)
            bends.push_back(file_.curve.bend(i));
        curved.copyInto(bends, false);
        for (std::size_t i = 0; i < bends.size(); ++i)
            file_.curve.bend(i) = std::move(bends[i]);
        file_.epoch = epoch;
        file_.epochLoss.push_back(lossSum / double(std::max<std::int64_t>(1, seen)));
        saveOptimizerState(*optimizer, adam, curved, file_);
        saveCurve(file_, path_);
        ++epochsTrained_;
    }
    context.report(1.0, "trained the curve " + std::to_string(epochsTrained_) + " epochs");
}

CurveGradient curveLossGradient(const Model& model, const Curve& curve, double t,
                                const Dataset& data, LossKind loss) {
    const Batches d = tensorsOf(data, loss);
    Model copy = model.clone();
    torch::jit::Module module = detail::withOwnMethods(copy.impl().module);
    detail::TrainingFlag eval(module, false);
    CurveModule curved(module, curve);
    curved.place(t);
    torch::Tensor l = batchLoss(copy, data, module, d.x, d.y, d.kind);
    l.backward();
    curved.restore();
    CurveGradient g;
    g.loss = l.item<double>();
    for (std::size_t i = 0; i < curve.bendCount(); ++i)
        g.bends.push_back(WeightVector::zerosLike(curve.a()));
    curved.copyInto(g.bends, true);
    return g;
}

double curveLearningRate(double base, int epoch, int epochs, CurveLrSchedule schedule) {
    if (schedule == CurveLrSchedule::Constant || epochs <= 0) return base;
    const double alpha = double(epoch - 1) / double(epochs);
    const double factor = alpha <= 0.5   ? 1.0
                          : alpha <= 0.9 ? 1.0 - (alpha - 0.5) / 0.4 * 0.99
                                         : 0.01;
    return base * factor;
}

const char* curveLrScheduleName(CurveLrSchedule schedule) {
    return schedule == CurveLrSchedule::Garipov ? "garipov" : "constant";
}

CurveLrSchedule parseCurveLrSchedule(const std::string& name) {
    if (name == "constant") return CurveLrSchedule::Constant;
    if (name == "garipov") return CurveLrSchedule::Garipov;
    throw std::invalid_argument("the learning-rate schedule '" + name +
                                "' is neither constant nor garipov");
}

}  // namespace basin
