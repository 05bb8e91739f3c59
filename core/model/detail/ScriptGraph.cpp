#include "model/detail/ScriptGraph.h"

#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <vector>

namespace basin::detail {

std::shared_ptr<torch::jit::Graph> inlinedForward(const torch::jit::Module& module) {
    std::shared_ptr<torch::jit::Graph> graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    torch::jit::ConstantPropagation(graph, /*ignore_custom_classes=*/true);
    return graph;
}

std::optional<std::string> attributePath(const torch::jit::Value* v,
                                         const torch::jit::Value* self) {
    std::vector<std::string> parts;
    while (v != self) {
        const torch::jit::Node* n = v->node();
        if (n->kind() != c10::prim::GetAttr) return std::nullopt;
        parts.push_back(n->s(c10::attr::name));
        v = n->input(0);
    }
    std::string path;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        path += (path.empty() ? "" : ".") + *it;
    return path;
}

std::optional<c10::IValue> attributeValue(const torch::jit::Module& module,
                                          const torch::jit::Value* v,
                                          const torch::jit::Value* self) {
    if (v == self) return module._ivalue();
    const torch::jit::Node* n = v->node();
    if (n->kind() != c10::prim::GetAttr) return std::nullopt;
    const auto owner = attributeValue(module, n->input(0), self);
    if (!owner || !owner->isObject()) return std::nullopt;
    return owner->toObjectRef().getAttr(n->s(c10::attr::name));
}

torch::jit::Module withOwnMethods(const torch::jit::Module& module) {
    torch::jit::Module copy = module.clone();  // a new class type, methods cloned
    auto share = [&](const std::string& path, const torch::Tensor& tensor) {
        torch::jit::Module owner = copy;
        std::size_t begin = 0;
        for (std::size_t dot; (dot = path.find('.', begin)) != std::string::npos; begin = dot + 1)
            owner = owner.attr(path.substr(begin, dot - begin)).toModule();
        owner._ivalue()->setAttr(path.substr(begin), tensor);
    };
    for (const auto& p : module.named_parameters(true))
        share(p.name, p.value);
    for (const auto& b : module.named_buffers(true))
        share(b.name, b.value);
    return copy;
}

}  // namespace basin::detail
