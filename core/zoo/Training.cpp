#include "zoo/Training.h"

#include <ATen/Parallel.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/script.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "util/AtomicFile.h"
#include "util/Pcg32.h"
#include "zoo/detail/TorchSave.h"

namespace basin {
namespace {

namespace fs = std::filesystem;

// Why libtorch failed, in one line: c10::Error's first paragraph, or the last
// line of a TorchScript interpreter traceback (where the original error is).
std::string reasonOf(const std::exception& e) {
    if (const auto* c10Error = dynamic_cast<const c10::Error*>(&e))
        return detail::torchReason(*c10Error);
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    const auto newline = message.rfind('\n');
    return newline == std::string::npos ? message : message.substr(newline + 1);
}

struct Slot {
    std::string name;
    torch::Tensor tensor;
};

// Parameters and buffers in PyTorch's state_dict order: each module's own
// parameters, then its own buffers, then its children, depth first.
void collectSlots(const torch::jit::Module& module, std::vector<Slot>* parameters,
                  std::vector<Slot>* stateDict) {
    for (const auto& m : module.named_modules()) {
        const std::string prefix = m.name.empty() ? "" : m.name + ".";
        for (const auto& p : m.value.named_parameters(/*recurse=*/false)) {
            if (parameters) parameters->push_back({prefix + p.name, p.value});
            if (stateDict) stateDict->push_back({prefix + p.name, p.value});
        }
        if (stateDict)
            for (const auto& b : m.value.named_buffers(/*recurse=*/false))
                stateDict->push_back({prefix + b.name, b.value});
    }
}

// torch.optim-style optimiser state: per parameter (in parameter order) the
// first moment (SGD's momentum buffer, Adam's exp_avg) and Adam's exp_avg_sq.
struct OptimizerState {
    std::int64_t step = 0;
    std::vector<torch::Tensor> first, second;
};

const char* optimizerName(TrainingOptions::Optimizer o) {
    return o == TrainingOptions::Optimizer::Adam ? "adam" : "sgd";
}

void optimizerStep(const TrainingOptions& o, const std::vector<Slot>& parameters,
                   OptimizerState& state) {
    torch::NoGradGuard noGrad;
    ++state.step;
    const bool adam = o.optimizer == TrainingOptions::Optimizer::Adam;
    const double correction1 = adam ? 1.0 - std::pow(o.beta1, double(state.step)) : 1.0;
    const double correction2 = adam ? 1.0 - std::pow(o.beta2, double(state.step)) : 1.0;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        torch::Tensor p = parameters[i].tensor;
        if (!p.grad().defined()) continue;
        torch::Tensor g = p.grad();
        if (o.weightDecay != 0.0) g = g.add(p, o.weightDecay);
        if (adam) {
            state.first[i].mul_(o.beta1).add_(g, 1.0 - o.beta1);
            state.second[i].mul_(o.beta2).addcmul_(g, g, 1.0 - o.beta2);
            const torch::Tensor denominator =
                (state.second[i].sqrt() / std::sqrt(correction2)).add_(o.epsilon);
            p.addcdiv_(state.first[i], denominator, -o.learningRate / correction1);
        } else {
            state.first[i].mul_(o.momentum).add_(g);
            p.add_(state.first[i], -o.learningRate);
        }
    }
}

struct Metrics {
    double loss = 0.0;
    double accuracy = 0.0;
};

// Mean cross-entropy and accuracy in eval mode, in batches.
Metrics evaluate(torch::jit::Module& module, const torch::Tensor& x, const torch::Tensor& y,
                 JobContext& context) {
    module.eval();
    torch::NoGradGuard noGrad;
    const std::int64_t n = x.size(0), batch = 500;
    double lossSum = 0.0;
    std::int64_t correct = 0;
    for (std::int64_t start = 0; start < n; start += batch) {
        context.throwIfCancelled();
        const std::int64_t end = std::min(n, start + batch);
        const torch::Tensor logits = module.forward({x.slice(0, start, end)}).toTensor();
        const torch::Tensor labels = y.slice(0, start, end);
        lossSum += torch::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum, -100, 0.0)
                       .item<double>();
        correct += logits.argmax(1).eq(labels).sum().item<std::int64_t>();
    }
    return {n > 0 ? lossSum / double(n) : 0.0, n > 0 ? double(correct) / double(n) : 0.0};
}

torch::Dict<std::string, torch::Tensor> tensorDict(const std::vector<Slot>& slots,
                                                   const std::vector<torch::Tensor>* values) {
    torch::Dict<std::string, torch::Tensor> dict;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const torch::Tensor& t = values ? (*values)[i] : slots[i].tensor;
        dict.insert(slots[i].name, t.detach().clone().contiguous());
    }
    return dict;
}

void writeCheckpoint(const std::string& path, const EpochRecord& r, const std::vector<Slot>& state,
                     const std::vector<Slot>& parameters, const OptimizerState& optimizer,
                     const TrainingOptions& o) {
    c10::impl::GenericDict checkpoint(c10::StringType::get(), c10::AnyType::get());
    checkpoint.insert("epoch", std::int64_t(r.epoch));
    checkpoint.insert("state_dict", tensorDict(state, nullptr));
    checkpoint.insert("train_loss", r.trainLoss);
    checkpoint.insert("train_acc", r.trainAccuracy);
    checkpoint.insert("test_loss", r.testLoss);
    checkpoint.insert("test_acc", r.testAccuracy);
    c10::impl::GenericDict opt(c10::StringType::get(), c10::AnyType::get());
    opt.insert("name", std::string(optimizerName(o.optimizer)));
    opt.insert("step", optimizer.step);
    if (o.optimizer == TrainingOptions::Optimizer::Adam) {
        opt.insert("exp_avg", tensorDict(parameters, &optimizer.first));
        opt.insert("exp_avg_sq", tensorDict(parameters, &optimizer.second));
    } else {
        opt.insert("momentum_buffer", tensorDict(parameters, &optimizer.first));
    }
    checkpoint.insert("optimizer", opt);
    const std::vector<char> bytes = detail::torchSaveBytes(c10::IValue(checkpoint));
    AtomicFile out(path);
    out.write(bytes.data(), bytes.size());
    out.commit();
}

// Copies `source[name]` into each slot, checking names and shapes.
void restoreTensors(const std::string& path, const std::string& what,
                    const c10::impl::GenericDict& source, const std::vector<Slot>& slots,
                    std::vector<torch::Tensor>* into) {
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const auto it = source.find(slots[i].name);
        if (it == source.end() || !it->value().isTensor())
            throw std::runtime_error("checkpoint '" + path + "': " + what + " has no tensor '" +
                                     slots[i].name + "'; it was written for another model");
        const torch::Tensor value = it->value().toTensor();
        torch::Tensor target = into ? (*into)[i] : slots[i].tensor;
        if (value.sizes() != target.sizes())
            throw std::runtime_error("checkpoint '" + path + "': " + what + " '" + slots[i].name +
                                     "' has shape " + c10::str(value.sizes()) +
                                     " but the model's is " + c10::str(target.sizes()));
        target.copy_(value);
    }
}

double number(const c10::impl::GenericDict& dict, const char* key) {
    const auto it = dict.find(key);
    if (it == dict.end()) return std::nan("");
    return it->value().isDouble() ? it->value().toDouble() : double(it->value().toInt());
}

c10::impl::GenericDict readCheckpointDict(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw std::runtime_error("cannot read checkpoint '" + path + "'");
    try {
        const c10::IValue value = torch::jit::pickle_load(bytes);
        if (!value.isGenericDict()) throw std::runtime_error("it does not hold a dict");
        return value.toGenericDict();
    } catch (const c10::Error& e) {
        throw std::runtime_error("cannot read checkpoint '" + path +
                                 "': " + detail::torchReason(e));
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("cannot read checkpoint '" + path + "': " + e.what());
    }
}

EpochRecord recordFrom(const std::string& path, int epoch, const c10::impl::GenericDict& d) {
    EpochRecord r;
    r.epoch = epoch;
    r.trainLoss = number(d, "train_loss");
    r.trainAccuracy = number(d, "train_acc");
    r.testLoss = number(d, "test_loss");
    r.testAccuracy = number(d, "test_acc");
    r.checkpointPath = path;
    r.resumed = true;
    return r;
}

// Sets libtorch's intra-op thread count for the job's lifetime.
class ThreadCountGuard {
public:
    explicit ThreadCountGuard(int threads) : previous_(at::get_num_threads()) {
        if (threads > 0) at::set_num_threads(threads);
    }
    ~ThreadCountGuard() { at::set_num_threads(previous_); }

private:
    int previous_;
};

void validateOptions(const TrainingOptions& o) {
    if (o.epochs < 0 || o.epochs > 999)
        throw std::invalid_argument("training: epochs must be 0..999, got " +
                                    std::to_string(o.epochs));
    if (o.batchSize < 1) throw std::invalid_argument("training: batch size must be at least 1");
    if (!(o.learningRate > 0) || !(o.weightDecay >= 0) || !(o.momentum >= 0 && o.momentum < 1) ||
        !(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1) || !(o.epsilon > 0))
        throw std::invalid_argument(
            "training: need learning rate > 0, weight decay >= 0, momentum and betas in [0, 1), "
            "epsilon > 0");
}

}  // namespace

TrainingJob::TrainingJob(Model model, DatasetSplit data, std::string folder,
                         TrainingOptions options)
    : model_(std::move(model)),
      data_(std::move(data)),
      folder_(std::move(folder)),
      options_(options) {}

std::string TrainingJob::title() const {
    return "Train " + model_.name() + " on " + data_.train.name;
}

std::string TrainingJob::checkpointPath(const std::string& folder, int epoch) {
    char name[32];
    std::snprintf(name, sizeof name, "epoch_%03d.pt", epoch);
    return (fs::path(folder) / name).string();
}

void TrainingJob::run(JobContext& context) {
    const TrainingOptions& o = options_;
    validateOptions(o);
    for (const Dataset* ds : {&data_.train, &data_.test}) {
        ds->validate();
        if (!ds->isClassification())
            throw std::runtime_error("training needs class labels; dataset '" + ds->name +
                                     "' has float targets " + ds->targets.shapeString());
    }
    if (data_.train.size() == 0)
        throw std::runtime_error("dataset '" + data_.train.name + "' is empty");
    ThreadCountGuard threads(o.threads);
    torch::jit::Module& module = model_.impl().module;
    std::vector<Slot> parameters, state;
    collectSlots(module, &parameters, &state);
    for (const Slot& p : parameters)
        p.tensor.set_requires_grad(true);

    const torch::Tensor trainX = detail::toTorch(data_.train.inputs, data_.train.name + " inputs");
    const torch::Tensor trainY =
        detail::toTorch(data_.train.targets, data_.train.name + " targets");
    const torch::Tensor testX = detail::toTorch(data_.test.inputs, data_.test.name + " inputs");
    const torch::Tensor testY = detail::toTorch(data_.test.targets, data_.test.name + " targets");

    OptimizerState optimizer;
    for (const Slot& p : parameters) {
        optimizer.first.push_back(torch::zeros_like(p.tensor));
        optimizer.second.push_back(torch::zeros_like(p.tensor));
    }
    std::error_code error;
    fs::create_directories(folder_, error);
    if (error)
        throw std::runtime_error("cannot create checkpoint folder '" + folder_ +
                                 "': " + error.message());

    // Resume from the last checkpoint that exists.
    records_.clear();
    int last = -1;
    for (int e = o.epochs; e >= 0 && last < 0; --e)
        if (fs::exists(checkpointPath(folder_, e))) last = e;
    for (int e = 0; e <= last; ++e) {
        const std::string path = checkpointPath(folder_, e);
        if (!fs::exists(path)) continue;
        context.throwIfCancelled();
        const auto dict = readCheckpointDict(path);
        records_.push_back(recordFrom(path, e, dict));
        if (e != last) continue;
        const auto sd = dict.find("state_dict");
        if (sd == dict.end() || !sd->value().isGenericDict())
            throw std::runtime_error("checkpoint '" + path + "' has no 'state_dict'");
        restoreTensors(path, "state_dict", sd->value().toGenericDict(), state, nullptr);
        const auto opt = dict.find("optimizer");
        if (opt != dict.end() && opt->value().isGenericDict()) {
            const auto od = opt->value().toGenericDict();
            if (od.contains("name") && od.at("name").toStringRef() == optimizerName(o.optimizer)) {
                optimizer.step = od.at("step").toInt();
                const bool adam = o.optimizer == TrainingOptions::Optimizer::Adam;
                const char* firstKey = adam ? "exp_avg" : "momentum_buffer";
                torch::NoGradGuard noGrad;
                if (od.contains(firstKey))
                    restoreTensors(path, firstKey, od.at(firstKey).toGenericDict(), parameters,
                                   &optimizer.first);
                if (adam && od.contains("exp_avg_sq"))
                    restoreTensors(path, "exp_avg_sq", od.at("exp_avg_sq").toGenericDict(),
                                   parameters, &optimizer.second);
            }
        }
    }

    const std::int64_t n = trainX.size(0);
    const std::int64_t batchesPerEpoch = (n + o.batchSize - 1) / o.batchSize;
    const double totalBatches = double(std::max(1, o.epochs) * batchesPerEpoch);
    auto fail = [&](const std::string& why) {
        throw std::runtime_error("training " + model_.name() + " on '" + data_.train.name +
                                 "': " + why);
    };

    if (last < 0) {  // epoch 0: the initial weights
        context.report(0.0, "evaluating the initial weights");
        EpochRecord r;
        try {
            const Metrics train = evaluate(module, trainX, trainY, context);
            const Metrics test = evaluate(module, testX, testY, context);
            r = {0, train.loss, train.accuracy, test.loss, test.accuracy, "", false};
        } catch (const JobCancelled&) {
            throw;
        } catch (const std::exception& e) {
            fail("the model cannot run on inputs " + data_.train.inputs.shapeString() + ": " +
                 reasonOf(e));
        }
        r.checkpointPath = checkpointPath(folder_, 0);
        writeCheckpoint(r.checkpointPath, r, state, parameters, optimizer, o);
        records_.push_back(r);
        last = 0;
    }

    for (int epoch = last + 1; epoch <= o.epochs; ++epoch) {
        module.train();
        // The epoch's sample order: Fisher–Yates from its own stream.
        Pcg32 rng(o.seed, std::uint64_t(epoch));
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            order[std::size_t(i)] = i;
        for (std::int64_t i = n - 1; i > 0; --i)
            std::swap(order[std::size_t(i)], order[rng.below(std::uint32_t(i + 1))]);
        const torch::Tensor permutation = torch::from_blob(order.data(), {n}, torch::kInt64);

        double lossSum = 0.0;
        std::int64_t correct = 0, seen = 0;
        for (std::int64_t b = 0; b < batchesPerEpoch; ++b) {
            context.throwIfCancelled();
            const std::int64_t start = b * o.batchSize, end = std::min(n, start + o.batchSize);
            // BatchNorm cannot normalise a batch of one; skip such a remainder.
            if (end - start < 2 && b > 0) continue;
            const torch::Tensor index = permutation.slice(0, start, end);
            const torch::Tensor x = trainX.index_select(0, index);
            const torch::Tensor y = trainY.index_select(0, index);
            for (const Slot& p : parameters)
                p.tensor.mutable_grad() = torch::Tensor();
            torch::Tensor logits, loss;
            try {
                logits = module.forward({x}).toTensor();
                loss = torch::cross_entropy_loss(logits, y);
                loss.backward();
            } catch (const std::exception& e) {
                fail("the model cannot train on inputs " + data_.train.inputs.shapeString() + ": " +
                     reasonOf(e));
            }
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                fail("the loss is " + std::to_string(value) + " at epoch " + std::to_string(epoch) +
                     ", batch " + std::to_string(b + 1) + "; try a smaller learning rate than " +
                     std::to_string(o.learningRate));
            optimizerStep(o, parameters, optimizer);
            lossSum += value * double(end - start);
            correct += logits.detach().argmax(1).eq(y).sum().item<std::int64_t>();
            seen += end - start;
            const double done = double((epoch - 1) * batchesPerEpoch + b + 1) / totalBatches;
            context.report(done, "epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs) +
                                     ", loss " + std::to_string(lossSum / double(seen)));
        }
        for (const Slot& p : parameters)
            p.tensor.mutable_grad() = torch::Tensor();
        const Metrics test = evaluate(module, testX, testY, context);
        EpochRecord r{epoch,     lossSum / double(seen), double(correct) / double(seen),
                      test.loss, test.accuracy,          checkpointPath(folder_, epoch),
                      false};
        writeCheckpoint(r.checkpointPath, r, state, parameters, optimizer, o);
        records_.push_back(r);
    }
    module.train();
    context.report(1.0, "trained " + std::to_string(o.epochs) + " epochs");
}

}  // namespace basin
