#pragma once
// A model compiled in the test from TorchScript source, for graphs the zoo
// does not have (layers on the input, LayerNorm, skips from the input...).

#include <torch/script.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/Model.h"
#include "model/detail/ModelImpl.h"

namespace basin::test {

// A module named `name` with the given parameters and `source` (its forward).
inline Model scriptedModel(const std::string& name, const std::string& source,
                           const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
    torch::jit::Module m(name);
    for (const auto& [n, t] : parameters)
        m.register_parameter(n, t, false);
    m.define(source);
    auto impl = std::make_shared<Model::Impl>();
    impl->module = m;
    impl->name = name;
    return Model(impl);
}

}  // namespace basin::test
