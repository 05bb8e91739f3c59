#include "connectivity/Repair.h"

#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "connectivity/detail/HiddenUnits.h"
#include "eval/detail/BatchEvaluation.h"
#include "model/WeightVector.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

// forward() of a model returning the outputs of the layers REPAIR corrects.
struct UnitProbe {
    std::vector<detail::UnitLayer> layers;
    std::unique_ptr<torch::jit::GraphFunction> function;
};

UnitProbe makeProbe(const Model& model) {
    detail::HiddenUnitGraph traced = detail::traceHiddenUnits(model.impl().module, model.name());
    UnitProbe p;
    std::vector<torch::jit::Value*> values;
    for (const detail::UnitLayer& l : traced.layers) {
        if (l.batchNorm) continue;  // RESET: re-estimating BatchNorm statistics corrects it
        if (l.bias.empty())
            throw std::runtime_error("model '" + model.name() + "': REPAIR cannot correct layer '" +
                                     l.name + "': it has no bias to shift its units' means by, " +
                                     "and a TorchScript model cannot gain one");
        p.layers.push_back(l);
        values.push_back(l.value);
    }
    if (values.empty())
        throw std::runtime_error(
            "model '" + model.name() +
            "': REPAIR has no layer to correct: every hidden linear or convolution layer is "
            "followed by BatchNorm (re-estimate BatchNorm statistics instead) or there is none");
    p.function = detail::functionReturning(traced.graph, values, "basin_repair_units");
    return p;
}

// A seeded random subset of the data's inputs (all of them when smaller).
torch::Tensor sampleInputs(const Dataset& data, const RepairOptions& options) {
    const std::int64_t n = data.size();
    if (n == 0) throw std::runtime_error("dataset '" + data.name + "' is empty");
    const torch::Tensor x = detail::datasetInputs(data);
    if (options.samples <= 0 || options.samples >= n) return x;
    std::vector<std::int64_t> index(static_cast<std::size_t>(n));
    std::iota(index.begin(), index.end(), 0);
    Pcg32 rng(options.seed);
    for (std::int64_t i = 0; i < options.samples; ++i) {
        const auto j = i + std::int64_t(rng.below(std::uint32_t(n - i)));
        std::swap(index[std::size_t(i)], index[std::size_t(j)]);
    }
    index.resize(static_cast<std::size_t>(options.samples));
    std::sort(index.begin(), index.end());
    return x.index_select(0, torch::tensor(index, torch::kInt64));
}

struct Moments {
    torch::Tensor mean, std;  // float64, one entry per unit
};

// Mean and standard deviation (over samples and positions) of every probed
// layer's units, measured on `model` in eval mode.
std::vector<Moments> measure(const UnitProbe& probe, const Model& model, const torch::Tensor& x,
                             const Dataset& data, const RepairOptions& options) {
    detail::IntraOpThreads threads(options.threads);
    c10::InferenceMode inference;
    detail::TrainingFlag eval(model.impl().module, false);
    const std::size_t layers = probe.layers.size();
    std::vector<torch::Tensor> sum(layers), squares(layers);
    std::vector<std::int64_t> count(layers, 0);
    const std::int64_t batch = std::max<std::int64_t>(1, options.batchSize);
    for (std::int64_t start = 0; start < x.size(0); start += batch) {
        const torch::Tensor xb = x.narrow(0, start, std::min(batch, x.size(0) - start));
        std::vector<c10::IValue> outputs;
        try {
            torch::jit::Stack stack{model.impl().module._ivalue(), xb};
            probe.function->run(stack);
            outputs = stack.back().toTupleRef().elements().vec();
        } catch (const std::exception& e) {
            throw std::runtime_error(detail::describeEvaluation(model, data) + ": " +
                                     detail::torchReason(e));
        }
        for (std::size_t k = 0; k < layers; ++k) {
            const torch::Tensor v = outputs[k].toTensor();
            const int dim = probe.layers[k].dim;
            const std::int64_t units = v.size(dim);
            const torch::Tensor rows = v.movedim(dim, -1).reshape({-1, units}).to(torch::kFloat64);
            const torch::Tensor s = rows.sum(0), q = rows.pow(2).sum(0);
            sum[k] = sum[k].defined() ? sum[k] + s : s;
            squares[k] = squares[k].defined() ? squares[k] + q : q;
            count[k] += rows.size(0);
        }
    }
    std::vector<Moments> moments;
    for (std::size_t k = 0; k < layers; ++k) {
        const double m = double(count[k]);
        const torch::Tensor mean = sum[k] / m;
        moments.push_back({mean, (squares[k] / m - mean.pow(2)).clamp_min(0).sqrt()});
    }
    return moments;
}

std::vector<double> toVector(const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

torch::Tensor toTensor(const std::vector<double>& v) {
    return torch::tensor(v, torch::kFloat64);
}

}  // namespace

UnitStatistics unitStatistics(const Model& model, const Dataset& data,
                              const RepairOptions& options) {
    Model m = model.clone();
    const UnitProbe probe = makeProbe(m);
    const std::vector<Moments> moments =
        measure(probe, m, sampleInputs(data, options), data, options);
    UnitStatistics stats;
    for (std::size_t k = 0; k < moments.size(); ++k)
        stats.push_back(
            {probe.layers[k].name, toVector(moments[k].mean), toVector(moments[k].std)});
    return stats;
}

UnitStatistics interpolateStatistics(const UnitStatistics& a, const UnitStatistics& b, double t) {
    if (a.size() != b.size())
        throw std::invalid_argument("REPAIR: the endpoints' statistics cover " +
                                    std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                                    " layers");
    UnitStatistics out = a;
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k].layer != b[k].layer || a[k].mean.size() != b[k].mean.size())
            throw std::invalid_argument("REPAIR: the endpoints' statistics differ at layer '" +
                                        a[k].layer + "'");
        for (std::size_t u = 0; u < a[k].mean.size(); ++u) {
            out[k].mean[u] = (1.0 - t) * a[k].mean[u] + t * b[k].mean[u];
            out[k].std[u] = (1.0 - t) * a[k].std[u] + t * b[k].std[u];
        }
    }
    return out;
}

std::vector<NamedTensor> repairedWeights(const Model& model, const UnitStatistics& target,
                                         const Dataset& data, const RepairOptions& options) {
    Model m = model.clone();
    const UnitProbe probe = makeProbe(m);
    if (probe.layers.size() != target.size())
        throw std::invalid_argument(
            "REPAIR: model '" + model.name() + "' has " + std::to_string(probe.layers.size()) +
            " layers to correct but the target statistics cover " + std::to_string(target.size()));
    std::map<std::string, torch::Tensor> parameters;
    for (const auto& p : m.impl().module.named_parameters(/*recurse=*/true))
        parameters[p.name] = p.value;
    const torch::Tensor x = sampleInputs(data, options);
    for (std::size_t k = 0; k < probe.layers.size(); ++k) {
        const detail::UnitLayer& l = probe.layers[k];
        if (target[k].layer != l.name)
            throw std::invalid_argument("REPAIR: target statistics for layer '" + target[k].layer +
                                        "' where model '" + model.name() + "' has '" + l.name +
                                        "'");
        // Each layer measured with the earlier ones corrected (only layer k
        // is used; the probe returns them all).
        const Moments now = measure(probe, m, x, data, options)[k];
        const torch::Tensor mean = toTensor(target[k].mean), std = toTensor(target[k].std);
        if (mean.numel() != now.mean.numel())
            throw std::invalid_argument(
                "REPAIR: layer '" + l.name + "' has " + std::to_string(now.mean.numel()) +
                " units but the target statistics " + std::to_string(mean.numel()));
        // A unit constant on the data cannot be rescaled: only shifted.
        const torch::Tensor scale =
            torch::where(now.std > 1e-12, std / now.std.clamp_min(1e-12), torch::ones_like(std));
        const auto weight = parameters.find(l.weight);
        const auto bias = parameters.find(l.bias);
        if (weight == parameters.end() || bias == parameters.end())
            throw std::runtime_error("model '" + model.name() + "': REPAIR cannot correct layer '" +
                                     l.name + "': its weight or bias is not a parameter");
        torch::NoGradGuard noGrad;
        torch::Tensor& w = weight->second;
        torch::Tensor& b = bias->second;
        std::vector<std::int64_t> shape(std::size_t(w.dim()), 1);
        shape[0] = -1;
        w.mul_(scale.reshape(shape).to(w.dtype()));
        b.copy_(((b.to(torch::kFloat64) - now.mean) * scale + mean).to(b.dtype()));
    }
    return m.stateDict();
}

std::vector<NamedTensor> repairedInterpolation(const Model& model,
                                               const std::vector<NamedTensor>& a,
                                               const std::vector<NamedTensor>& b, double t,
                                               const Dataset& data, const RepairOptions& options) {
    // fromStateDict throws naming the tensor a checkpoint lacks or whose shape differs.
    const WeightVector layout = WeightVector::fromModel(model, true);
    WeightVector wa = WeightVector::fromStateDict(a, layout);
    const WeightVector wb = WeightVector::fromStateDict(b, layout);
    Model ma = model.clone(), mb = model.clone();
    wa.applyTo(ma);
    wb.applyTo(mb);
    const UnitStatistics target = interpolateStatistics(unitStatistics(ma, data, options),
                                                        unitStatistics(mb, data, options), t);
    Model mt = model.clone();
    wa.scale(1.0 - t);
    wa.axpy(t, wb);
    wa.applyTo(mt);
    return repairedWeights(mt, target, data, options);
}

}  // namespace basin
