#include "landscape/HessianDirections.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "curvature/HessianJob.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

TensorData selectRows(const TensorData& t, const torch::Tensor& rows, const std::string& what) {
    return detail::fromTorch(detail::toTorch(t, what).index_select(0, rows).contiguous(), what);
}

// An eigenvector over the model's parameters placed into `layout` by name
// (buffers, which the Hessian does not range over, stay zero).
WeightVector inLayout(const WeightVector& v, const WeightVector& layout) {
    if (v.sameLayout(layout)) return v;
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < layout.entries().size(); ++i)
        index.emplace(layout.entries()[i].name, i);
    WeightVector out = WeightVector::zerosLike(layout);
    for (std::size_t i = 0; i < v.entries().size(); ++i) {
        const WeightEntry& e = v.entries()[i];
        const auto it = index.find(e.name);
        if (it == index.end() || layout.entries()[it->second].shape != e.shape)
            throw std::invalid_argument("the directions' layout has no tensor '" + e.name +
                                        "' of the model's shape; the Hessian's eigenvectors "
                                        "cannot be laid out in it");
        std::copy_n(v.data(i), e.numel(), out.data(it->second));
    }
    return out;
}

}  // namespace

Dataset randomSubset(const Dataset& dataset, std::int64_t count, std::uint64_t seed) {
    const std::int64_t n = dataset.size();
    if (count <= 0 || count >= n) return dataset;
    // Partial Fisher–Yates: the first `count` entries are a uniform sample.
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), std::int64_t(0));
    Pcg32 rng(seed);
    for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t j = i + std::int64_t(rng.below(std::uint32_t(n - i)));
        std::swap(order[std::size_t(i)], order[std::size_t(j)]);
    }
    order.resize(static_cast<std::size_t>(count));
    std::sort(order.begin(), order.end());
    const torch::Tensor rows = torch::tensor(order, torch::kInt64);
    Dataset out;
    out.name =
        dataset.name + " (" + std::to_string(count) + " of " + std::to_string(n) + " samples)";
    out.inputs = selectRows(dataset.inputs, rows, dataset.name + " inputs");
    out.targets = selectRows(dataset.targets, rows, dataset.name + " targets");
    out.classNames = dataset.classNames;
    return out;
}

Directions hessianDirections(Model& model, const Dataset& train, const WeightVector& layout,
                             const HessianDirectionOptions& options, JobContext* context) {
    const Dataset data = randomSubset(train, options.samples, options.seed);
    HessianJobOptions job;
    job.hessian = options.hessian;
    job.eigenvalues = true;
    job.lanczos = options.lanczos;
    job.lanczos.eigenvectors = true;
    job.lanczos.seed = options.seed;
    // Top two, or the top one and the bottom one.
    job.lanczos.k = options.twoDimensional && !options.bottom ? 2 : 1;
    job.lanczos.bottom = options.twoDimensional && options.bottom;
    const HessianReport report = computeHessianReport(model, data, job, context);

    const std::size_t wanted = std::size_t(job.lanczos.k);
    if (report.eigenvectors.size() < wanted)
        throw std::runtime_error("the Hessian of model '" + model.name() + "' on " + data.name +
                                 " gave " + std::to_string(report.eigenvectors.size()) +
                                 " eigenvector(s) of the " + std::to_string(wanted) +
                                 " a landscape needs (it has " + std::to_string(report.dimension) +
                                 " parameters)");
    if (job.lanczos.bottom && report.bottomEigenvector.size() == 0)
        throw std::runtime_error("the Hessian of model '" + model.name() + "' on " + data.name +
                                 " gave no bottom eigenvector");

    Directions d;
    d.kind = DirectionKind::HessianEigenvectors;
    d.normalization = Normalization::None;  // unit eigenvectors, see the header
    d.seed = options.seed;
    d.keepOneDimensional = true;
    for (const auto& e : layout.entries())
        d.includeBuffers = d.includeBuffers || e.isBuffer;
    d.x.vector = inLayout(report.eigenvectors[0], layout);
    d.eigenvalues.push_back(report.lanczos.eigenvalues[0]);
    if (options.twoDimensional) {
        if (options.bottom) {
            d.y = Direction{inLayout(report.bottomEigenvector, layout)};
            d.eigenvalues.push_back(report.lanczos.bottomEigenvalue);
        } else {
            d.y = Direction{inLayout(report.eigenvectors[1], layout)};
            d.eigenvalues.push_back(report.lanczos.eigenvalues[1]);
        }
    }
    d.validate();
    return d;
}

}  // namespace basin
