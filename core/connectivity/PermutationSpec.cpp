#include "connectivity/PermutationSpec.h"

#include <map>
#include <sstream>
#include <stdexcept>

#include "connectivity/detail/HiddenUnits.h"
#include "connectivity/detail/PermutedAxis.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

namespace basin {

namespace detail {

torch::Tensor permuteAxis(const torch::Tensor& t, const PermutedAxis& axis,
                          const Permutation& perm) {
    const auto units = std::int64_t(perm.size());
    if (axis.dim >= t.dim() || t.size(axis.dim) != units * axis.block)
        throw std::runtime_error("tensor '" + axis.tensor + "' has shape " + c10::str(t.sizes()) +
                                 "; axis " + std::to_string(axis.dim) + " should hold " +
                                 std::to_string(units) + " units of " + std::to_string(axis.block));
    torch::Tensor index = torch::empty({units * axis.block}, torch::kInt64);
    std::int64_t* p = index.data_ptr<std::int64_t>();
    for (std::int64_t u = 0; u < units; ++u)
        for (std::int64_t r = 0; r < axis.block; ++r)
            p[u * axis.block + r] = perm[std::size_t(u)] * axis.block + r;
    return t.index_select(axis.dim, index);
}

void checkPermutation(const PermutationGroup& group, const Permutation& perm) {
    std::vector<bool> seen(std::size_t(group.size), false);
    bool ok = std::int64_t(perm.size()) == group.size;
    for (std::size_t i = 0; ok && i < perm.size(); ++i) {
        ok = perm[i] >= 0 && perm[i] < group.size && !seen[std::size_t(perm[i])];
        if (ok) seen[std::size_t(perm[i])] = true;
    }
    if (!ok)
        throw std::invalid_argument("the permutation given for '" + group.name +
                                    "' is not a permutation of its " + std::to_string(group.size) +
                                    " units");
}

}  // namespace detail

PermutationSpec PermutationSpec::derive(const Model& model) {
    return detail::traceHiddenUnits(model.impl().module, model.name()).spec;
}

std::string PermutationSpec::describe() const {
    std::ostringstream out;
    for (const PermutationGroup& g : groups) {
        out << g.name << ": " << g.size << " units,";
        for (std::size_t i = 0; i < g.axes.size(); ++i) {
            const PermutedAxis& a = g.axes[i];
            out << (i ? ", " : " ") << a.tensor << '[' << a.dim << ']';
            if (a.block != 1) out << " in blocks of " << a.block;
        }
        out << '\n';
    }
    for (const FixedUnits& f : fixed)
        out << f.name << ": not permuted, " << f.reason << '\n';
    return out.str();
}

std::vector<NamedTensor> permuteStateDict(const PermutationSpec& spec,
                                          const std::vector<NamedTensor>& state,
                                          const std::vector<Permutation>& permutations) {
    if (permutations.size() != spec.groups.size())
        throw std::invalid_argument(std::to_string(permutations.size()) +
                                    " permutations given for " +
                                    std::to_string(spec.groups.size()) + " permutation groups");
    std::map<std::string, std::size_t> indexOf;
    for (std::size_t i = 0; i < state.size(); ++i)
        indexOf[state[i].name] = i;
    std::map<std::string, torch::Tensor> permuted;
    for (std::size_t g = 0; g < spec.groups.size(); ++g) {
        const PermutationGroup& group = spec.groups[g];
        if (permutations[g].empty()) continue;
        detail::checkPermutation(group, permutations[g]);
        for (const PermutedAxis& axis : group.axes) {
            const auto it = indexOf.find(axis.tensor);
            if (it == indexOf.end())
                throw std::runtime_error("the state dict has no tensor '" + axis.tensor +
                                         "', which the units of '" + group.name + "' permute");
            auto [slot, fresh] = permuted.try_emplace(axis.tensor);
            if (fresh) slot->second = detail::toTorch(state[it->second].tensor, axis.tensor);
            slot->second = detail::permuteAxis(slot->second, axis, permutations[g]);
        }
    }
    std::vector<NamedTensor> out = state;
    for (NamedTensor& t : out) {
        const auto it = permuted.find(t.name);
        if (it != permuted.end()) t.tensor = detail::fromTorch(it->second, t.name);
    }
    return out;
}

}  // namespace basin
