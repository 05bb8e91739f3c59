#include "connectivity/InterpolationPath.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/Checkpoint.h"
#include "model/Model.h"

namespace basin {

void interpolateWeights(const WeightVector& a, const WeightVector& b, double t, WeightVector& out,
                        const std::vector<std::size_t>* entries) {
    if (!a.sameLayout(b) || !a.sameLayout(out))
        throw std::invalid_argument("interpolated weights must share one layout");
    const float s = float(t), r = float(1.0 - t);
    auto mix = [&](std::int64_t begin, std::int64_t end) {
        const float* pa = a.data();
        const float* pb = b.data();
        float* po = out.data();
        for (std::int64_t i = begin; i < end; ++i)
            po[i] = r * pa[i] + s * pb[i];
    };
    if (!entries) {
        mix(0, a.size());
        return;
    }
    for (std::size_t e : *entries) {
        const WeightEntry& entry = a.entries().at(e);
        mix(entry.offset, entry.offset + entry.numel());
    }
}

InterpolationPath::InterpolationPath(std::vector<WeightVector> checkpoints,
                                     std::vector<std::string> labels)
    : checkpoints_(std::move(checkpoints)), labels_(std::move(labels)) {
    if (checkpoints_.size() < 2)
        throw std::invalid_argument("a path needs at least two checkpoints");
    if (labels_.size() != checkpoints_.size())
        throw std::invalid_argument("a path needs one label per checkpoint");
    for (std::size_t k = 1; k < checkpoints_.size(); ++k)
        if (!checkpoints_[k].sameLayout(checkpoints_[0]))
            throw std::invalid_argument("checkpoints '" + labels_[0] + "' and '" + labels_[k] +
                                        "' do not have the same tensors");
}

InterpolationPath InterpolationPath::load(const Model& model, const std::vector<std::string>& paths,
                                          const std::string& weightRoot) {
    const WeightVector layout = WeightVector::fromModel(model, true);
    std::vector<WeightVector> checkpoints;
    for (const std::string& path : paths) {
        const Checkpoint c = loadCheckpoint(path);
        try {
            checkpoints.push_back(WeightVector::fromStateDict(
                weightRoot.empty() ? c.stateDict() : c.stateDict(weightRoot), layout));
        } catch (const std::exception& e) {
            throw std::runtime_error("checkpoint '" + path + "' does not fit model '" +
                                     model.name() + "': " + e.what());
        }
    }
    return InterpolationPath(std::move(checkpoints), paths);
}

std::vector<double> InterpolationPath::knots() const {
    std::vector<double> t(checkpoints_.size());
    for (std::size_t k = 0; k < t.size(); ++k)
        t[k] = double(k) / double(segmentCount());
    return t;
}

void InterpolationPath::weightsAt(double t, WeightVector& out) const {
    const double position = std::clamp(t, 0.0, 1.0) * double(segmentCount());
    const std::size_t k = std::min(std::size_t(position), segmentCount() - 1);
    interpolateWeights(checkpoints_[k], checkpoints_[k + 1], position - double(k), out);
}

std::size_t InterpolationPath::pointsWithCheckpoints(std::size_t points) const {
    const std::size_t segments = segmentCount();
    const std::size_t intervals = std::max<std::size_t>(points, 2) - 1;
    return (intervals + segments - 1) / segments * segments + 1;
}

std::vector<double> InterpolationPath::uniformT(std::size_t n) {
    if (n < 2) throw std::invalid_argument("a path needs at least two points");
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i)
        t[i] = double(i) / double(n - 1);
    t.back() = 1.0;
    return t;
}

}  // namespace basin
