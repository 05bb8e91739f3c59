#pragma once
// Shared by the permutation-spec and weight-matching tests: models with
// random weights (and BatchNorm statistics), random permutations of their
// hidden units, and the largest output difference between two weight sets.

#include <torch/script.h>

#include <QtTest>

#include <algorithm>
#include <numeric>

#include "PythonFixtures.h"
#include "ScriptedModel.h"
#include "connectivity/PermutationSpec.h"
#include "model/Model.h"
#include "model/detail/TorchTensor.h"
#include "util/Pcg32.h"

namespace basin::test {

// Every floating-point tensor drawn at random (running variances positive),
// so BatchNorm parameters and statistics matter in the outputs.
inline std::vector<NamedTensor> randomState(const Model& model, std::uint64_t seed) {
    torch::manual_seed(seed);
    std::vector<NamedTensor> state = model.stateDict();
    for (NamedTensor& t : state) {
        if (t.tensor.dtype != DType::Float32) continue;
        torch::Tensor v = torch::randn(t.tensor.shape) * 0.5;
        if (t.name.size() >= 11 && t.name.compare(t.name.size() - 11, 11, "running_var") == 0)
            v = v.abs() + 0.5;
        t.tensor = detail::fromTorch(v, t.name);
    }
    return state;
}

inline std::vector<Permutation> randomPermutations(const PermutationSpec& spec,
                                                   std::uint64_t seed) {
    Pcg32 rng(seed, 9);
    std::vector<Permutation> perms;
    for (const PermutationGroup& g : spec.groups) {
        Permutation p(std::size_t(g.size));
        std::iota(p.begin(), p.end(), 0);
        for (std::size_t i = p.size(); i > 1; --i)  // Fisher–Yates
            std::swap(p[i - 1], p[rng.below(std::uint32_t(i))]);
        perms.push_back(p);
    }
    return perms;
}

inline TensorData randomInput(std::vector<std::int64_t> shape, std::uint64_t seed) {
    torch::manual_seed(seed);
    return detail::fromTorch(torch::randn(shape), "x");
}

// The model's outputs with the given weights.
inline TensorData outputsWith(const Model& model, const std::vector<NamedTensor>& state,
                              const TensorData& input) {
    Model m = model.clone();
    const ApplyReport report = m.applyStateDict(state, /*strict=*/true);
    if (!report.ok()) qFatal("state does not fit the model: %s", report.describe().c_str());
    return m.forward(input);
}

// max |f(x; a) − f(x; b)| relative to max |f(x; a)|.
inline double relativeOutputDifference(const Model& model, const std::vector<NamedTensor>& a,
                                       const std::vector<NamedTensor>& b, const TensorData& input) {
    const TensorData ya = outputsWith(model, a, input), yb = outputsWith(model, b, input);
    const std::vector<double> v = ya.toDoubles();
    double scale = 1e-12;
    for (double x : v)
        scale = std::max(scale, std::abs(x));
    return maxAbsDiff(ya, yb) / scale;
}

inline const NamedTensor* findTensor(const std::vector<NamedTensor>& state,
                                     const std::string& name) {
    for (const NamedTensor& t : state)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace basin::test
