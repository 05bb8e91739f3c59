#pragma once
// Inside core only (includes libtorch): reading a TorchScript module's
// forward() as one graph, for the analyses that follow tensors through a
// network (landscape/FirstLayerFactoring, connectivity/PermutationSpec).

#include <torch/script.h>

#include <memory>
#include <optional>
#include <string>

namespace basin::detail {

// A copy of forward()'s graph with every method call inlined and constants
// propagated (so attributes declared constant fold away), ready to walk: its
// first input is `self`, parameters appear as chains of prim::GetAttr.
std::shared_ptr<torch::jit::Graph> inlinedForward(const torch::jit::Module& module);

// "fc1.weight" for a chain of prim::GetAttr nodes starting at `self`;
// nullopt when `v` is anything else (a computed value, a constant).
std::optional<std::string> attributePath(const torch::jit::Value* v, const torch::jit::Value* self);

// What a chain of prim::GetAttr nodes from `self` reads in `module` (a
// parameter, a submodule, None for a layer built with bias=False); nullopt
// when `v` is not such a chain.
std::optional<c10::IValue> attributeValue(const torch::jit::Module& module,
                                          const torch::jit::Value* v,
                                          const torch::jit::Value* self);

// A module that shares `module`'s parameter and buffer tensors (the same
// storage: weights set on either are seen by both) but has its own compiled
// methods. Autograd passes run on it leave the original's graph executors
// alone: once a method has run with autograd recording, its executor's
// optimised plan (differentiable subgraphs) is also used under
// c10::InferenceMode and fails there with "Inference tensors cannot be saved
// for backward" — and Model::clone (a deep copy) shares the methods.
torch::jit::Module withOwnMethods(const torch::jit::Module& module);

}  // namespace basin::detail
