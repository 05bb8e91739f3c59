#include "model/WeightVector.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "model/Model.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

namespace basin {
namespace {

using ConstMap = Eigen::Map<const Eigen::VectorXf>;
using Map = Eigen::Map<Eigen::VectorXf>;

// Float dot products over chunks this long, summed in double: vectorized, and
// the rounding error grows with the chunk, not with the whole vector.
constexpr std::int64_t kChunk = 4096;

double chunkedDot(const float* a, const float* b, std::int64_t n) {
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; i += kChunk) {
        const std::int64_t m = std::min(kChunk, n - i);
        sum += double(ConstMap(a + i, m).dot(ConstMap(b + i, m)));
    }
    return sum;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isFloating(DType d) {
    return d == DType::Float32 || d == DType::Float64 || d == DType::Float16 ||
           d == DType::BFloat16;
}

struct ModelSlot {
    std::string name;
    torch::Tensor tensor;
    bool isBuffer;
};

std::vector<ModelSlot> floatingSlots(const torch::jit::Module& module, bool includeBuffers) {
    std::vector<ModelSlot> slots;
    for (const auto& p : module.named_parameters(true))
        if (p.value.is_floating_point()) slots.push_back({p.name, p.value, false});
    if (includeBuffers)
        for (const auto& b : module.named_buffers(true))
            if (b.value.is_floating_point()) slots.push_back({b.name, b.value, true});
    return slots;
}

// The model's tensor for every entry, checked by name and shape.
std::vector<torch::Tensor> modelTensorsFor(const std::vector<WeightEntry>& entries,
                                           const Model& model) {
    std::unordered_map<std::string, torch::Tensor> byName;
    for (const auto& slot : floatingSlots(model.impl().module, true))
        byName.emplace(slot.name, slot.tensor);
    std::vector<torch::Tensor> out;
    out.reserve(entries.size());
    for (const auto& e : entries) {
        const auto it = byName.find(e.name);
        if (it == byName.end())
            throw std::runtime_error("model '" + model.name() + "' has no floating-point tensor '" +
                                     e.name + "' of the weight vector");
        const std::vector<std::int64_t> shape(it->second.sizes().begin(), it->second.sizes().end());
        if (shape != e.shape) {
            TensorData a, b;
            a.shape = shape;
            b.shape = e.shape;
            throw std::runtime_error("tensor '" + e.name + "' has shape " + a.shapeString() +
                                     " in model '" + model.name() + "' but " + b.shapeString() +
                                     " in the weight vector");
        }
        out.push_back(it->second);
    }
    return out;
}

torch::Tensor entryView(const WeightEntry& e, const float* data) {
    return torch::from_blob(const_cast<float*>(data + e.offset), e.shape, torch::kFloat32);
}

}  // namespace

std::int64_t WeightEntry::numel() const {
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

WeightVector WeightVector::fromModel(const Model& model, bool includeBuffers) {
    WeightVector v;
    std::int64_t offset = 0;
    const auto slots = floatingSlots(model.impl().module, includeBuffers);
    for (const auto& slot : slots) {
        WeightEntry e;
        e.name = slot.name;
        e.shape.assign(slot.tensor.sizes().begin(), slot.tensor.sizes().end());
        e.offset = offset;
        e.isBuffer = slot.isBuffer;
        offset += e.numel();
        v.entries_.push_back(std::move(e));
    }
    v.values_.resize(std::size_t(offset));
    v.readFrom(model);
    return v;
}

WeightVector WeightVector::zerosLike(const WeightVector& like) {
    WeightVector v;
    v.entries_ = like.entries_;
    v.values_.assign(like.values_.size(), 0.0f);
    return v;
}

WeightVector WeightVector::fromStateDict(const std::vector<NamedTensor>& tensors,
                                         const WeightVector& layout) {
    std::unordered_map<std::string, const NamedTensor*> byName;
    const std::string dp = "module.";
    bool allPrefixed = !tensors.empty();
    for (const auto& t : tensors)
        allPrefixed = allPrefixed && t.name.compare(0, dp.size(), dp) == 0;
    std::size_t plain = 0, stripped = 0;
    for (const auto& e : layout.entries_)
        for (const auto& t : tensors) {
            plain += t.name == e.name;
            stripped += allPrefixed && t.name.compare(dp.size(), std::string::npos, e.name) == 0;
        }
    const std::size_t skip = allPrefixed && stripped > plain ? dp.size() : 0;
    for (const auto& t : tensors)
        byName.emplace(t.name.substr(skip), &t);

    WeightVector v = zerosLike(layout);
    for (std::size_t i = 0; i < v.entries_.size(); ++i) {
        const WeightEntry& e = v.entries_[i];
        const auto it = byName.find(e.name);
        if (it == byName.end())
            throw std::runtime_error("the state dict has no tensor '" + e.name + "'");
        const TensorData& t = it->second->tensor;
        if (t.shape != e.shape) {
            TensorData expected;
            expected.shape = e.shape;
            throw std::runtime_error("tensor '" + e.name + "' has shape " + t.shapeString() +
                                     " in the state dict but " + expected.shapeString() +
                                     " in the weight vector");
        }
        entryView(e, v.values_.data()).copy_(detail::toTorch(t, it->second->name));
    }
    return v;
}

WeightVector WeightVector::fromStateDict(const std::vector<NamedTensor>& tensors) {
    WeightVector layout;
    std::int64_t offset = 0;
    for (const auto& t : tensors) {
        if (!isFloating(t.tensor.dtype)) continue;
        WeightEntry e;
        e.name = t.name;
        e.shape = t.tensor.shape;
        e.offset = offset;
        e.isBuffer = endsWith(t.name, "running_mean") || endsWith(t.name, "running_var");
        offset += e.numel();
        layout.entries_.push_back(std::move(e));
    }
    layout.values_.resize(std::size_t(offset));
    return fromStateDict(tensors, layout);
}

bool WeightVector::sameLayout(const WeightVector& other) const {
    if (values_.size() != other.values_.size() || entries_.size() != other.entries_.size())
        return false;
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].name != other.entries_[i].name ||
            entries_[i].shape != other.entries_[i].shape ||
            entries_[i].offset != other.entries_[i].offset)
            return false;
    return true;
}

namespace {
void requireSameLayout(const WeightVector& a, const WeightVector& b, const char* operation) {
    if (!a.sameLayout(b))
        throw std::invalid_argument(std::string("weight vectors in ") + operation +
                                    " have different layouts (" + std::to_string(a.size()) +
                                    " and " + std::to_string(b.size()) +
                                    " values); they must come from the same architecture");
}
}  // namespace

WeightVector& WeightVector::axpy(double alpha, const WeightVector& x) {
    requireSameLayout(*this, x, "axpy");
    Map(values_.data(), size()) += float(alpha) * ConstMap(x.values_.data(), x.size());
    return *this;
}

WeightVector& WeightVector::scale(double alpha) {
    Map(values_.data(), size()) *= float(alpha);
    return *this;
}

double WeightVector::dot(const WeightVector& x) const {
    requireSameLayout(*this, x, "dot");
    return chunkedDot(values_.data(), x.values_.data(), size());
}

double WeightVector::norm() const {
    return std::sqrt(chunkedDot(values_.data(), values_.data(), size()));
}

std::vector<double> WeightVector::tensorNorms() const {
    std::vector<double> out;
    out.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i)
        out.push_back(std::sqrt(chunkedDot(data(i), data(i), entries_[i].numel())));
    return out;
}

namespace {
// Slices along dim 0: count and length of each.
std::pair<std::int64_t, std::int64_t> filterLayout(const WeightEntry& e) {
    if (e.shape.empty()) return {1, 1};
    const std::int64_t filters = e.shape[0];
    return {filters, filters == 0 ? 0 : e.numel() / filters};
}
}  // namespace

std::vector<double> WeightVector::filterNorms(std::size_t entry) const {
    const auto [filters, length] = filterLayout(entries_.at(entry));
    std::vector<double> out(static_cast<std::size_t>(filters));
    const float* p = data(entry);
    for (std::int64_t k = 0; k < filters; ++k)
        out[std::size_t(k)] = std::sqrt(chunkedDot(p + k * length, p + k * length, length));
    return out;
}

void WeightVector::scaleFilters(std::size_t entry, const std::vector<double>& factors) {
    const auto [filters, length] = filterLayout(entries_.at(entry));
    if (std::int64_t(factors.size()) != filters)
        throw std::invalid_argument("tensor '" + entries_[entry].name + "' has " +
                                    std::to_string(filters) + " filters, got " +
                                    std::to_string(factors.size()) + " factors");
    float* p = data(entry);
    for (std::int64_t k = 0; k < filters; ++k)
        Map(p + k * length, length) *= float(factors[std::size_t(k)]);
}

void WeightVector::zeroOneDimensional() {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].shape.size() <= 1) std::fill_n(data(i), entries_[i].numel(), 0.0f);
}

void WeightVector::applyTo(Model& model) const {
    const std::vector<torch::Tensor> targets = modelTensorsFor(entries_, model);
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        torch::Tensor target = targets[i];
        const torch::Tensor source = entryView(entries_[i], values_.data());
        if (target.scalar_type() == torch::kFloat32 && target.is_contiguous())
            std::copy_n(data(i), entries_[i].numel(), target.data_ptr<float>());
        else
            target.copy_(source);
    }
}

void WeightVector::readFrom(const Model& model) {
    const std::vector<torch::Tensor> sources = modelTensorsFor(entries_, model);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const torch::Tensor& source = sources[i];
        if (source.scalar_type() == torch::kFloat32 && source.is_contiguous())
            std::copy_n(source.data_ptr<float>(), entries_[i].numel(), data(i));
        else
            entryView(entries_[i], values_.data()).copy_(source.detach());
    }
}

std::vector<NamedTensor> WeightVector::toStateDict() const {
    auto storage = Storage::allocate(values_.size() * sizeof(float));
    std::copy(values_.begin(), values_.end(), reinterpret_cast<float*>(storage->mutableData()));
    std::vector<NamedTensor> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) {
        NamedTensor t;
        t.name = e.name;
        t.tensor.dtype = DType::Float32;
        t.tensor.shape = e.shape;
        t.tensor.storageOffset = e.offset;
        t.tensor.storage = storage;
        out.push_back(std::move(t));
    }
    return out;
}

WeightVector operator+(WeightVector a, const WeightVector& b) {
    a += b;
    return a;
}

WeightVector operator-(WeightVector a, const WeightVector& b) {
    a -= b;
    return a;
}

}  // namespace basin
