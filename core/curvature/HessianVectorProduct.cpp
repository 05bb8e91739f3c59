#include "curvature/HessianVectorProduct.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "model/detail/ModelImpl.h"
#include "model/detail/ScriptGraph.h"
#include "model/detail/TorchTensor.h"

namespace basin {
namespace {

bool selects(const std::string& selector, const std::string& name) {
    return name == selector ||
           (name.size() > selector.size() && name.compare(0, selector.size(), selector) == 0 &&
            name[selector.size()] == '.');
}

std::vector<torch::Tensor> zerosFor(const std::vector<torch::Tensor>& params) {
    std::vector<torch::Tensor> out;
    for (const auto& p : params)
        out.push_back(torch::zeros_like(p));
    return out;
}

// Replaces every floating-point parameter and buffer by a float64 copy.
// (Module::to converts with set_data, which leaves autograd's metadata at the
// old dtype: gradients would come back in float32.)
void convertToFloat64(torch::jit::Module& module) {
    for (torch::jit::Module sub : module.modules()) {
        for (const auto& p : sub.named_parameters(false))
            if (p.value.is_floating_point())
                sub.setattr(
                    p.name,
                    p.value.detach().to(torch::kFloat64).requires_grad_(p.value.requires_grad()));
        for (const auto& b : sub.named_buffers(false))
            if (b.value.is_floating_point()) sub.setattr(b.name, b.value.to(torch::kFloat64));
    }
}

}  // namespace

std::vector<ParameterGroup> parameterGroups(const Model& model) {
    std::vector<ParameterGroup> groups;
    for (const ParameterInfo& p : model.parameters(false)) {
        if (!(p.dtype == DType::Float32 || p.dtype == DType::Float64 || p.dtype == DType::Float16 ||
              p.dtype == DType::BFloat16))
            continue;
        const auto dot = p.name.rfind('.');
        const std::string owner = dot == std::string::npos ? p.name : p.name.substr(0, dot);
        if (groups.empty() || groups.back().name != owner) groups.push_back({owner, {}});
        groups.back().parameters.push_back(p.name);
    }
    return groups;
}

struct HessianVectorProduct::Impl {
    Model model;
    Dataset dataset;
    HessianOptions options;
    LossKind kind = LossKind::CrossEntropy;
    torch::jit::Module module;
    bool wasTraining = false;
    std::vector<std::pair<torch::Tensor, bool>> savedFlags;  // every parameter
    std::vector<torch::Tensor> params;                       // the selection
    WeightVector layout;
    torch::ScalarType dtype = torch::kFloat32;
    torch::Tensor x, y;
    std::int64_t n = 0, batch = 1;
    double scale = 1.0;  // 1 / (samples × targets per sample)
    // One batch: the gradient with its graph, and a copy of the weights it was
    // computed at. (Weights can change without autograd's version counter
    // noticing: WeightVector::applyTo writes the memory directly. Comparing
    // costs one pass over the weights, little next to a product.)
    std::vector<torch::Tensor> cachedGradient;
    torch::Tensor cachedLoss;
    std::vector<torch::Tensor> cachedWeights;
    std::int64_t products = 0;

    Impl(Model m, Dataset d, HessianOptions o);
    ~Impl();

    std::string where() const {
        return "model '" + model.name() + "' on dataset '" + dataset.name + "'";
    }
    bool singleBatch() const { return n <= batch; }
    torch::Tensor batchLoss(std::int64_t start, std::int64_t length);
    std::vector<torch::Tensor> grad(const std::vector<torch::Tensor>& outputs,
                                    const std::vector<torch::Tensor>& gradOutputs, bool retain,
                                    bool create);
    void ensureCache();
    std::vector<torch::Tensor> product(const std::vector<torch::Tensor>& v, JobContext* context);
    std::pair<std::vector<torch::Tensor>, double> gradientAndLoss(JobContext* context);
};

// Autograd on, inference mode off, the chosen thread count, for one call.
class ProductScope {
public:
    explicit ProductScope(int threads) : previousThreads_(at::get_num_threads()) {
        if (threads > 0 && threads != previousThreads_) at::set_num_threads(threads);
    }
    ~ProductScope() {
        if (at::get_num_threads() != previousThreads_) at::set_num_threads(previousThreads_);
    }
    ProductScope(const ProductScope&) = delete;
    ProductScope& operator=(const ProductScope&) = delete;

private:
    c10::InferenceMode noInference_{false};
    torch::AutoGradMode grad_{true};
    int previousThreads_;
};

HessianVectorProduct::Impl::Impl(Model m, Dataset d, HessianOptions o)
    : model(std::move(m)), dataset(std::move(d)), options(std::move(o)) {
    n = dataset.size();
    if (n == 0) throw std::runtime_error("dataset '" + dataset.name + "' is empty");
    if (dataset.targets.shape.empty() || dataset.targets.shape[0] != n)
        throw std::runtime_error("dataset '" + dataset.name + "' has inputs " +
                                 dataset.inputs.shapeString() + " but targets " +
                                 dataset.targets.shapeString() +
                                 "; both need the same number of samples");
    const bool integerTargets = dataset.targets.dtype == DType::Int64;
    kind = options.loss;
    if (kind == LossKind::Auto) kind = integerTargets ? LossKind::CrossEntropy : LossKind::MSE;
    if (kind == LossKind::CrossEntropy && !integerTargets)
        throw std::runtime_error(where() +
                                 ": cross-entropy needs int64 class labels, the "
                                 "targets are " +
                                 dtypeName(dataset.targets.dtype));
    if (kind == LossKind::MSE &&
        !(dataset.targets.dtype == DType::Float32 || dataset.targets.dtype == DType::Float64))
        throw std::runtime_error(where() + ": MSE needs float targets, they are " +
                                 dtypeName(dataset.targets.dtype));
    batch = std::max<std::int64_t>(1, options.batchSize);

    if (options.float64) {
        model = model.clone();
        convertToFloat64(model.impl().module);
    }
    // The model's tensors with methods of its own (detail::withOwnMethods):
    // inference on the model afterwards is not disturbed by these passes.
    module = detail::withOwnMethods(model.impl().module);
    wasTraining = module.is_training();
    module.train(false);

    std::vector<NamedTensor> selected;
    std::vector<bool> used(options.parameters.size(), false);
    for (const auto& p : module.named_parameters(true)) {
        savedFlags.emplace_back(p.value, p.value.requires_grad());
        bool take = p.value.is_floating_point() && options.parameters.empty();
        for (std::size_t i = 0; i < options.parameters.size(); ++i)
            if (p.value.is_floating_point() && selects(options.parameters[i], p.name)) {
                take = true;
                used[i] = true;
            }
        p.value.requires_grad_(take);
        if (!take) continue;
        params.push_back(p.value);
        selected.push_back({p.name, detail::fromTorch(p.value.detach(), p.name)});
    }
    auto restoreFlags = [&] {
        for (auto& [tensor, flag] : savedFlags)
            tensor.requires_grad_(flag);
        module.train(wasTraining);
    };
    for (std::size_t i = 0; i < used.size(); ++i)
        if (!used[i]) {
            std::string names;
            for (const auto& p : module.named_parameters(true))
                names += (names.empty() ? "" : ", ") + p.name;
            restoreFlags();
            throw std::runtime_error("model '" + model.name() +
                                     "' has no parameter or module named '" +
                                     options.parameters[i] + "' (its parameters: " + names + ")");
        }
    if (params.empty()) {
        restoreFlags();
        throw std::runtime_error("model '" + model.name() +
                                 "' has no floating-point parameters for Hessian products");
    }
    layout = WeightVector::zerosLike(WeightVector::fromStateDict(selected));
    dtype = params.front().scalar_type();

    try {
        x = detail::toTorch(dataset.inputs, dataset.name + " inputs");
        if (x.scalar_type() != dtype) x = x.to(dtype);
        if (!x.is_contiguous()) x = x.contiguous();
        y = detail::toTorch(dataset.targets, dataset.name + " targets");
        if (kind == LossKind::MSE) y = y.to(dtype);
    } catch (...) {
        restoreFlags();
        throw;
    }
    const std::int64_t targetsPerSample = kind == LossKind::MSE ? y.numel() / n : 1;
    scale = 1.0 / (double(n) * double(std::max<std::int64_t>(1, targetsPerSample)));
}

HessianVectorProduct::Impl::~Impl() {
    cachedGradient.clear();
    cachedLoss = torch::Tensor();
    for (auto& [tensor, flag] : savedFlags)
        tensor.requires_grad_(flag);
    module.train(wasTraining);
}

torch::Tensor HessianVectorProduct::Impl::batchLoss(std::int64_t start, std::int64_t length) {
    const torch::Tensor xb = x.narrow(0, start, length);
    const torch::Tensor yb = y.narrow(0, start, length);
    torch::Tensor z;
    try {
        z = detail::firstTensor(module.forward({xb}));
    } catch (const std::exception& e) {  // c10::Error, or the interpreter's JITException
        throw std::runtime_error(where() + ": the model cannot run on inputs " +
                                 dataset.inputs.shapeString() + ": " + detail::torchReason(e));
    }
    if (kind == LossKind::CrossEntropy) {
        if (z.dim() != 2 || z.size(0) != length)
            throw std::runtime_error(where() + ": cross-entropy needs logits [" +
                                     std::to_string(length) + ", classes], the model gives " +
                                     shapeString({z.sizes().begin(), z.sizes().end()}));
        const std::int64_t lo = yb.min().item<std::int64_t>();
        const std::int64_t hi = yb.max().item<std::int64_t>();
        if (lo < 0 || hi >= z.size(1))
            throw std::runtime_error(where() + ": label " + std::to_string(lo < 0 ? lo : hi) +
                                     " is outside the model's " + std::to_string(z.size(1)) +
                                     " classes");
        return -z.log_softmax(1).gather(1, yb.unsqueeze(1)).sum() * scale;
    }
    if (z.numel() != yb.numel())
        throw std::runtime_error(
            where() + ": the model's output " + shapeString({z.sizes().begin(), z.sizes().end()}) +
            " does not match the targets " + shapeString({yb.sizes().begin(), yb.sizes().end()}));
    return (z.reshape(yb.sizes()).to(dtype) - yb).square().sum() * scale;
}

// ∂(Σ outputs·gradOutputs)/∂params; parameters the outputs do not depend on
// get zeros.
std::vector<torch::Tensor> HessianVectorProduct::Impl::grad(
    const std::vector<torch::Tensor>& outputs, const std::vector<torch::Tensor>& gradOutputs,
    bool retain, bool create) {
    std::vector<torch::Tensor> out, grads;
    for (std::size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].defined() && outputs[i].requires_grad()) {
            out.push_back(outputs[i]);
            if (!gradOutputs.empty()) grads.push_back(gradOutputs[i]);
        }
    if (out.empty()) return zerosFor(params);
    std::vector<torch::Tensor> result;
    try {
        result = torch::autograd::grad(out, params, grads, retain, create, /*allow_unused=*/true);
    } catch (const std::exception& e) {
        throw std::runtime_error(where() + ": backpropagation failed: " + detail::torchReason(e));
    }
    for (std::size_t i = 0; i < result.size(); ++i)
        if (!result[i].defined()) result[i] = torch::zeros_like(params[i]);
    return result;
}

void HessianVectorProduct::Impl::ensureCache() {
    bool fresh = !cachedGradient.empty();
    for (std::size_t i = 0; fresh && i < params.size(); ++i)
        fresh = torch::equal(params[i].detach(), cachedWeights[i]);
    if (fresh) return;
    cachedGradient.clear();
    cachedLoss = batchLoss(0, n);
    cachedGradient = grad({cachedLoss}, {}, /*retain=*/true, /*create=*/true);
    cachedWeights.clear();
    for (const auto& p : params)
        cachedWeights.push_back(p.detach().clone());
}

std::vector<torch::Tensor> HessianVectorProduct::Impl::product(const std::vector<torch::Tensor>& v,
                                                               JobContext* context) {
    ProductScope scope(options.threads);
    if (context) context->throwIfCancelled();
    std::vector<torch::Tensor> total;
    if (singleBatch()) {
        ensureCache();
        total = grad(cachedGradient, v, /*retain=*/true, /*create=*/false);
    } else {
        for (std::int64_t start = 0; start < n; start += batch) {
            if (context) context->throwIfCancelled();
            const torch::Tensor loss = batchLoss(start, std::min(batch, n - start));
            const auto g = grad({loss}, {}, /*retain=*/true, /*create=*/true);
            auto hv = grad(g, v, /*retain=*/false, /*create=*/false);
            if (total.empty()) {
                total = std::move(hv);
            } else {
                for (std::size_t i = 0; i < total.size(); ++i)
                    total[i].add_(hv[i]);
            }
        }
    }
    ++products;
    return total;
}

std::pair<std::vector<torch::Tensor>, double> HessianVectorProduct::Impl::gradientAndLoss(
    JobContext* context) {
    ProductScope scope(options.threads);
    if (singleBatch()) {
        ensureCache();
        std::vector<torch::Tensor> g;
        for (const auto& t : cachedGradient)
            g.push_back(t.detach());
        return {g, cachedLoss.item<double>()};
    }
    std::vector<torch::Tensor> total = zerosFor(params);
    double loss = 0.0;
    for (std::int64_t start = 0; start < n; start += batch) {
        if (context) context->throwIfCancelled();
        const torch::Tensor l = batchLoss(start, std::min(batch, n - start));
        const auto g = grad({l}, {}, /*retain=*/false, /*create=*/false);
        for (std::size_t i = 0; i < total.size(); ++i)
            total[i].add_(g[i]);
        loss += l.item<double>();
    }
    return {total, loss};
}

HessianVectorProduct::HessianVectorProduct(Model model, Dataset dataset, HessianOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(dataset), std::move(options))) {}
HessianVectorProduct::~HessianVectorProduct() = default;
HessianVectorProduct::HessianVectorProduct(HessianVectorProduct&&) noexcept = default;
HessianVectorProduct& HessianVectorProduct::operator=(HessianVectorProduct&&) noexcept = default;

std::int64_t HessianVectorProduct::dimension() const {
    return impl_->layout.size();
}
const WeightVector& HessianVectorProduct::layout() const {
    return impl_->layout;
}
std::int64_t HessianVectorProduct::products() const {
    return impl_->products;
}

namespace {

void requireLayout(const WeightVector& v, const WeightVector& layout) {
    if (!v.sameLayout(layout))
        throw std::invalid_argument(
            "the vector for the Hessian product has " + std::to_string(v.size()) + " values in " +
            std::to_string(v.entries().size()) + " tensors; the selected parameters have " +
            std::to_string(layout.size()) + " in " + std::to_string(layout.entries().size()));
}

WeightVector fromTensors(const std::vector<torch::Tensor>& tensors, const WeightVector& layout) {
    WeightVector out = WeightVector::zerosLike(layout);
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const torch::Tensor t = tensors[i].detach().to(torch::kFloat32).contiguous();
        std::memcpy(out.data(i), t.data_ptr<float>(), sizeof(float) * std::size_t(t.numel()));
    }
    return out;
}

Eigen::VectorXd eigenFromTensors(const std::vector<torch::Tensor>& tensors,
                                 const WeightVector& layout) {
    Eigen::VectorXd out(layout.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const torch::Tensor t = tensors[i].detach().to(torch::kFloat64).contiguous();
        std::memcpy(out.data() + layout.entries()[i].offset, t.data_ptr<double>(),
                    sizeof(double) * std::size_t(t.numel()));
    }
    return out;
}

}  // namespace

WeightVector HessianVectorProduct::apply(const WeightVector& v, JobContext* context) {
    requireLayout(v, impl_->layout);
    std::vector<torch::Tensor> vs;
    for (std::size_t i = 0; i < v.entries().size(); ++i)
        vs.push_back(
            torch::from_blob(const_cast<float*>(v.data(i)), v.entries()[i].shape, torch::kFloat32)
                .to(impl_->dtype));
    return fromTensors(impl_->product(vs, context), impl_->layout);
}

Eigen::VectorXd HessianVectorProduct::apply(const Eigen::VectorXd& v, JobContext* context) {
    if (v.size() != dimension())
        throw std::invalid_argument("the vector for the Hessian product has " +
                                    std::to_string(v.size()) + " values; the selected parameters " +
                                    "have " + std::to_string(dimension()));
    std::vector<torch::Tensor> vs;
    for (const WeightEntry& e : impl_->layout.entries())
        vs.push_back(
            torch::from_blob(const_cast<double*>(v.data()) + e.offset, e.shape, torch::kFloat64)
                .to(impl_->dtype));
    return eigenFromTensors(impl_->product(vs, context), impl_->layout);
}

SymmetricOperator HessianVectorProduct::asOperator(JobContext* context) {
    SymmetricOperator op;
    op.dimension = dimension();
    op.apply = [this, context](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
        y = apply(x, context);
    };
    return op;
}

WeightVector HessianVectorProduct::gradient(JobContext* context) {
    return fromTensors(impl_->gradientAndLoss(context).first, impl_->layout);
}

double HessianVectorProduct::loss(JobContext* context) {
    return impl_->gradientAndLoss(context).second;
}

WeightVector HessianVectorProduct::toWeightVector(const Eigen::VectorXd& v) const {
    if (v.size() != dimension())
        throw std::invalid_argument("a vector of " + std::to_string(v.size()) +
                                    " values cannot be laid out over " +
                                    std::to_string(dimension()) + " weights");
    WeightVector out = WeightVector::zerosLike(impl_->layout);
    for (std::int64_t i = 0; i < v.size(); ++i)
        out.data()[i] = float(v[i]);
    return out;
}

Eigen::VectorXd HessianVectorProduct::toEigen(const WeightVector& v) const {
    requireLayout(v, impl_->layout);
    Eigen::VectorXd out(v.size());
    for (std::int64_t i = 0; i < v.size(); ++i)
        out[i] = double(v.data()[i]);
    return out;
}

}  // namespace basin
