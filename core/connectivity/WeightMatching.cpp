#include "connectivity/WeightMatching.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

#include "connectivity/LinearAssignment.h"
#include "connectivity/detail/HiddenUnits.h"
#include "connectivity/detail/PermutedAxis.h"
#include "eval/detail/BatchEvaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

// `state` applied to a copy of the model, which checks it and gives it the
// model's names, order and dtypes.
Model withState(const Model& model, const std::vector<NamedTensor>& state, const char* which) {
    Model m = model.clone();
    const ApplyReport report = m.applyStateDict(state, /*strict=*/true);
    if (!report.ok())
        throw std::runtime_error("checkpoint " + std::string(which) + " does not fit model '" +
                                 model.name() + "': " + report.describe());
    return m;
}

Eigen::MatrixXd toEigen(const torch::Tensor& square) {
    const torch::Tensor c = square.to(torch::kFloat64).contiguous();
    const auto n = Eigen::Index(c.size(0));
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        c.data_ptr<double>(), n, n);
}

Permutation identity(std::int64_t n) {
    Permutation p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    return p;
}

// ‖θ_A − θ_B‖ over the model's parameters.
double parameterDistance(const Model& model, const std::vector<NamedTensor>& a,
                         const std::vector<NamedTensor>& b) {
    std::set<std::string> parameters;
    for (const ParameterInfo& p : model.parameters(/*includeBuffers=*/false))
        parameters.insert(p.name);
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!parameters.count(a[i].name)) continue;
        const torch::Tensor d = detail::toTorch(a[i].tensor, a[i].name).to(torch::kFloat64) -
                                detail::toTorch(b[i].tensor, b[i].name).to(torch::kFloat64);
        sum += d.pow(2).sum().item<double>();
    }
    return std::sqrt(sum);
}

// The result's bookkeeping once the permutations are known.
AlignmentResult finish(const Model& model, PermutationSpec spec, const std::vector<NamedTensor>& a,
                       const std::vector<NamedTensor>& b, std::vector<Permutation> permutations) {
    AlignmentResult r;
    r.alignedB = permuteStateDict(spec, b, permutations);
    for (std::size_t g = 0; g < spec.groups.size(); ++g) {
        GroupMatch m{spec.groups[g].name, spec.groups[g].size, 0};
        for (std::size_t i = 0; i < permutations[g].size(); ++i)
            m.moved += permutations[g][i] != std::int64_t(i);
        r.groups.push_back(m);
    }
    r.distanceBefore = parameterDistance(model, a, b);
    r.distanceAfter = parameterDistance(model, a, r.alignedB);
    r.spec = std::move(spec);
    r.permutations = std::move(permutations);
    return r;
}

// The tensors of weight matching in float64, with the groups acting on each.
class WeightMatcher {
public:
    WeightMatcher(const PermutationSpec& spec, const std::vector<NamedTensor>& a,
                  const std::vector<NamedTensor>& b)
        : spec_(spec) {
        std::map<std::string, std::size_t> indexOf;
        for (std::size_t i = 0; i < a.size(); ++i)
            indexOf[a[i].name] = i;
        for (std::size_t g = 0; g < spec.groups.size(); ++g) {
            perms_.push_back(identity(spec.groups[g].size));
            for (const PermutedAxis& axis : spec.groups[g].axes) {
                if (axis.isBuffer) continue;
                Tensors& t = tensors_[axis.tensor];
                if (!t.a.defined()) {
                    const std::size_t i = indexOf.at(axis.tensor);
                    t.a = detail::toTorch(a[i].tensor, axis.tensor).to(torch::kFloat64);
                    t.b = detail::toTorch(b[i].tensor, axis.tensor).to(torch::kFloat64);
                }
                t.axes.push_back({g, &axis});
            }
        }
    }

    // S_g[i, j]: similarity of A's unit i and B's unit j under the other
    // groups' current permutations.
    torch::Tensor similarity(std::size_t g) const {
        const std::int64_t n = spec_.groups[g].size;
        torch::Tensor s = torch::zeros({n, n}, torch::kFloat64);
        for (const PermutedAxis& axis : spec_.groups[g].axes) {
            if (axis.isBuffer) continue;
            const Tensors& t = tensors_.at(axis.tensor);
            torch::Tensor b = t.b;
            for (const auto& [h, other] : t.axes)
                if (other != &axis) b = detail::permuteAxis(b, *other, perms_[h]);
            // Unit u's entries (its block along the axis and every other axis) as row u.
            const torch::Tensor am = t.a.movedim(axis.dim, 0).reshape({n, -1});
            const torch::Tensor bm = b.movedim(axis.dim, 0).reshape({n, -1});
            s.add_(am.mm(bm.t()));
        }
        return s;
    }

    // One pass over the groups in a random order; true when some group's
    // permutation improved the objective.
    bool pass(Pcg32& rng, JobContext* context) {
        std::vector<std::size_t> order(spec_.groups.size());
        std::iota(order.begin(), order.end(), 0);
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[rng.below(std::uint32_t(i))]);
        bool improved = false;
        for (std::size_t g : order) {
            if (context) context->throwIfCancelled();
            const Eigen::MatrixXd s = toEigen(similarity(g));
            double current = 0.0;
            for (Eigen::Index i = 0; i < s.rows(); ++i)
                current += s(i, perms_[g][std::size_t(i)]);
            Assignment best = maximumWeightAssignment(s);
            // Keep the permutation unless strictly better, so ties never cycle.
            if (best.total > current + 1e-12 * std::max(1.0, std::abs(current))) {
                perms_[g] = std::move(best.columnOfRow);
                improved = true;
            }
        }
        return improved;
    }

    std::vector<Permutation> permutations() const { return perms_; }

private:
    struct Tensors {
        torch::Tensor a, b;
        std::vector<std::pair<std::size_t, const PermutedAxis*>> axes;  // (group, axis)
    };
    const PermutationSpec& spec_;
    std::map<std::string, Tensors> tensors_;
    std::vector<Permutation> perms_;
};

// Sums for the Pearson correlation of A's and B's units in one group.
struct CorrelationSums {
    explicit CorrelationSums(std::int64_t n)
        : a(torch::zeros({n}, torch::kFloat64)),
          b(torch::zeros({n}, torch::kFloat64)),
          aa(torch::zeros({n}, torch::kFloat64)),
          bb(torch::zeros({n}, torch::kFloat64)),
          ab(torch::zeros({n, n}, torch::kFloat64)) {}

    // Rows: samples (and positions), columns: units.
    void add(const torch::Tensor& xa, const torch::Tensor& xb) {
        a.add_(xa.sum(0));
        b.add_(xb.sum(0));
        aa.add_(xa.pow(2).sum(0));
        bb.add_(xb.pow(2).sum(0));
        ab.add_(xa.t().mm(xb));
        rows += xa.size(0);
    }

    torch::Tensor correlation() const {
        const double m = double(std::max<std::int64_t>(rows, 1));
        const torch::Tensor ma = a / m, mb = b / m;
        const torch::Tensor sa = (aa / m - ma.pow(2)).clamp_min(0).sqrt();
        const torch::Tensor sb = (bb / m - mb.pow(2)).clamp_min(0).sqrt();
        const torch::Tensor cov = ab / m - ma.unsqueeze(1) * mb.unsqueeze(0);
        return cov / (sa.unsqueeze(1) * sb.unsqueeze(0) + 1e-12);
    }

    torch::Tensor a, b, aa, bb, ab;
    std::int64_t rows = 0;
};

// forward() returning the hidden activations of every group as a tuple, in
// the order of `slots` (group, dim).
struct HiddenActivations {
    std::unique_ptr<torch::jit::GraphFunction> function;
    std::vector<std::pair<std::size_t, int>> slots;
};

HiddenActivations exposeActivations(detail::HiddenUnitGraph traced) {
    HiddenActivations h;
    std::vector<torch::jit::Value*> values;
    for (std::size_t g = 0; g < traced.activations.size(); ++g)
        for (const detail::HiddenActivation& a : traced.activations[g]) {
            values.push_back(a.value);
            h.slots.push_back({g, a.dim});
        }
    h.function =
        detail::functionReturning(std::move(traced.graph), values, "basin_hidden_activations");
    return h;
}

}  // namespace

AlignmentResult matchWeights(const Model& model, const std::vector<NamedTensor>& a,
                             const std::vector<NamedTensor>& b,
                             const WeightMatchingOptions& options, JobContext* context) {
    PermutationSpec spec = PermutationSpec::derive(model);
    const std::vector<NamedTensor> sa = withState(model, a, "A").stateDict();
    const std::vector<NamedTensor> sb = withState(model, b, "B").stateDict();
    WeightMatcher matcher(spec, sa, sb);
    Pcg32 rng(options.seed);
    int passes = 0;
    while (passes < options.maxPasses) {
        ++passes;
        if (context)
            context->report(double(passes) / double(options.maxPasses + 1),
                            "weight matching, pass " + std::to_string(passes));
        if (!matcher.pass(rng, context)) break;
    }
    std::vector<Permutation> perms = matcher.permutations();
    AlignmentResult r = finish(model, std::move(spec), sa, sb, std::move(perms));
    r.passes = passes;
    return r;
}

AlignmentResult matchActivations(const Model& model, const std::vector<NamedTensor>& a,
                                 const std::vector<NamedTensor>& b, const Dataset& data,
                                 const ActivationMatchingOptions& options, JobContext* context) {
    Model ma = withState(model, a, "A"), mb = withState(model, b, "B");
    detail::HiddenUnitGraph tracedA = detail::traceHiddenUnits(ma.impl().module, model.name());
    detail::HiddenUnitGraph tracedB = detail::traceHiddenUnits(mb.impl().module, model.name());
    PermutationSpec spec = tracedA.spec;
    const HiddenActivations runA = exposeActivations(std::move(tracedA));
    const HiddenActivations runB = exposeActivations(std::move(tracedB));

    std::vector<CorrelationSums> sums;
    for (const PermutationGroup& g : spec.groups)
        sums.emplace_back(g.size);
    const std::int64_t n =
        options.maxSamples > 0 ? std::min(options.maxSamples, data.size()) : data.size();
    if (n == 0) throw std::runtime_error("dataset '" + data.name + "' is empty");
    const std::int64_t batch = std::max<std::int64_t>(1, options.batchSize);
    detail::IntraOpThreads threads(options.threads);
    c10::InferenceMode inference;
    detail::TrainingFlag evalA(ma.impl().module, false), evalB(mb.impl().module, false);
    const torch::Tensor x = detail::datasetInputs(data);
    for (std::int64_t start = 0; start < n; start += batch) {
        if (context) context->throwIfCancelled();
        const torch::Tensor xb = x.narrow(0, start, std::min(batch, n - start));
        auto run = [&](const HiddenActivations& f, const Model& m) {
            try {
                torch::jit::Stack stack{m.impl().module._ivalue(), xb};
                f.function->run(stack);
                return stack.back().toTupleRef().elements().vec();
            } catch (const std::exception& e) {
                throw std::runtime_error(detail::describeEvaluation(model, data) + ": " +
                                         detail::torchReason(e));
            }
        };
        const std::vector<c10::IValue> ya = run(runA, ma), yb = run(runB, mb);
        for (std::size_t k = 0; k < runA.slots.size(); ++k) {
            const auto [g, dim] = runA.slots[k];
            const std::int64_t units = spec.groups[g].size;
            auto rows = [&](const c10::IValue& v) {
                return v.toTensor().movedim(dim, -1).reshape({-1, units}).to(torch::kFloat64);
            };
            sums[g].add(rows(ya[k]), rows(yb[k]));
        }
        if (context)
            context->report(double(start + xb.size(0)) / double(n),
                            "activations of " + std::to_string(start + xb.size(0)) + " of " +
                                std::to_string(n) + " samples");
    }
    std::vector<Permutation> perms;
    for (const CorrelationSums& s : sums)
        perms.push_back(maximumWeightAssignment(toEigen(s.correlation())).columnOfRow);
    return finish(model, std::move(spec), ma.stateDict(), mb.stateDict(), std::move(perms));
}

AlignmentJob::AlignmentJob(Model model, std::vector<NamedTensor> a, std::vector<NamedTensor> b,
                           AlignmentMethod method, Dataset data)
    : model_(std::move(model)),
      a_(std::move(a)),
      b_(std::move(b)),
      method_(method),
      data_(std::move(data)) {}

std::string AlignmentJob::title() const {
    return std::string(method_ == AlignmentMethod::Weights ? "Weight" : "Activation") +
           " matching of " + model_.name();
}

void AlignmentJob::run(JobContext& context) {
    result_ = method_ == AlignmentMethod::Weights
                  ? matchWeights(model_, a_, b_, weightOptions, &context)
                  : matchActivations(model_, a_, b_, data_, activationOptions, &context);
    context.report(1.0, "aligned");
}

}  // namespace basin
