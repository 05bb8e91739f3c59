#include "saliency/detail/LayerActivations.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

#include "connectivity/detail/HiddenUnits.h"

namespace basin::detail {
namespace {

using torch::jit::Node;
using torch::jit::Value;

std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t begin = 0;
    for (std::size_t dot; (dot = path.find('.', begin)) != std::string::npos; begin = dot + 1)
        parts.push_back(path.substr(begin, dot - begin));
    parts.push_back(path.substr(begin));
    return parts;
}

bool within(const std::string& path, const std::string& module) {
    return path == module ||
           (path.size() > module.size() && path.compare(0, module.size(), module) == 0 &&
            path[module.size()] == '.');
}

std::size_t depth(const std::string& path) {
    return std::size_t(std::count(path.begin(), path.end(), '.'));
}

// A copy of forward()'s graph with every call inlined. Each node then
// carries the stack of calls it was inlined through (its InlinedCallStack,
// which names the module instance of each method call), so the code of any
// submodule can be told from the code around it.
class ForwardCopy {
public:
    explicit ForwardCopy(const torch::jit::Module& module)
        : graph_(module.get_method("forward").graph()->copy()) {
        for (const auto& m : module.named_modules())
            if (!m.name.empty()) names_.push_back(m.name);
        torch::jit::Inline(*graph_);  // modules compiled in C++ already are
        index(graph_->block());
    }

    // The value of the submodule at `path`'s last call that the code
    // outside it reads; `why` says why there is none.
    Value* outputOf(const std::string& path, std::string& why) const {
        Value* last = nullptr;
        for (Node* n : order_) {
            const std::string* at = pathOf(n);
            if (!at || !within(*at, path)) continue;
            for (Value* v : n->outputs())
                for (const torch::jit::Use& u : v->uses()) {
                    const std::string* user = pathOf(effectiveUser(u.user));
                    if (!user || !within(*user, path)) {
                        last = v;
                        break;
                    }
                }
        }
        if (!last) {
            why = "submodule '" + path +
                  "' is never called by forward() (or computes nothing of its own), so it has no "
                  "output to expose";
            return nullptr;
        }
        if (last->node()->owningBlock() != graph_->block()) {
            why = "submodule '" + path + "' is called only inside control flow (" +
                  last->node()->owningBlock()->owningNode()->kind().toQualString() +
                  ") of forward(), so its output cannot be returned; choose a layer outside it";
            return nullptr;
        }
        if (!last->type()->isSubtypeOf(*c10::TensorType::get())) {
            why = "submodule '" + path + "' returns " + last->type()->repr_str() +
                  ", not a tensor; choose one of its submodules";
            return nullptr;
        }
        return last;
    }

    std::shared_ptr<torch::jit::GraphFunction> returning(const std::vector<Value*>& values) {
        std::vector<Value*> all{graph_->outputs()[0]};
        all.insert(all.end(), values.begin(), values.end());
        std::shared_ptr<torch::jit::GraphFunction> f =
            functionReturning(graph_, all, "basin_layer_activations");
        // The simple executor runs the graph as it is. The profiling one
        // would, from its second run on, fuse differentiable subgraphs into
        // single autograd nodes, and an activation computed inside such a
        // node, returned beside the scores computed from it, would no longer
        // be an ancestor of the scores: no gradient could reach it.
        f->_set_initial_executor_execution_mode(torch::jit::ExecutorExecutionMode::SIMPLE);
        return f;
    }

    // Whether `a` is computed before `b` (graph inputs first).
    bool computedBefore(const Value* a, const Value* b) const {
        const Node* na = a->node();
        const Node* nb = b->node();
        const bool inputA = na == graph_->param_node(), inputB = nb == graph_->param_node();
        if (inputA || inputB) return inputA && (!inputB || a->offset() < b->offset());
        if (na == nb) return a->offset() < b->offset();
        return na->isBefore(nb);
    }

private:
    // Nodes in order (blocks' nodes after their owner) with the module path
    // of the code each comes from; constants and attribute reads, shared by
    // whoever reads them, belong to no module.
    void index(torch::jit::Block* block) {
        for (Node* n : block->nodes()) {
            if (n->kind() != c10::prim::Constant && n->kind() != c10::prim::GetAttr) {
                order_.push_back(n);
                if (auto path = modulePath(n)) paths_[n] = std::move(*path);
            }
            for (torch::jit::Block* b : n->blocks())
                index(b);
        }
    }

    // "layer4.1.conv2" for a node inlined through the calls of layer4, its
    // submodule "1" and that one's "conv2"; "" for the model's own code;
    // nullopt when a call's module cannot be named.
    std::optional<std::string> modulePath(const Node* n) const {
        const auto stack = n->callstack();
        std::string path;
        if (!stack) return path;
        for (const auto& entry : (*stack)->vec()) {
            const auto& info = std::get<torch::jit::kModuleInstanceInfo>(entry);
            if (!info) continue;  // a function, not a method
            const std::string& name = info->instance_name();
            if (name == "SELF") continue;  // a helper method of the same module
            if (name == "INSTANCE_NAME_UNKNOWN") return std::nullopt;
            auto next = childPath(path, name);
            if (!next) return std::nullopt;
            path = std::move(*next);
        }
        return path;
    }

    // The submodule named `name` called from the code of module `owner`: its
    // child, or else the one descendant of that name (a call through an
    // attribute chain, self.features[8], names only the last attribute).
    std::optional<std::string> childPath(const std::string& owner, const std::string& name) const {
        const auto key = std::make_pair(owner, name);
        const auto known = children_.find(key);
        if (known != children_.end()) return known->second;
        const std::string direct = owner.empty() ? name : owner + "." + name;
        std::optional<std::string> found;
        if (std::find(names_.begin(), names_.end(), direct) != names_.end()) {
            found = direct;
        } else {
            int count = 0;
            for (const std::string& m : names_)
                if ((owner.empty() || within(m, owner)) && m.size() > name.size() &&
                    m.compare(m.size() - name.size(), name.size(), name) == 0 &&
                    m[m.size() - name.size() - 1] == '.' && ++count)
                    found = m;
            if (count != 1) found.reset();  // none, or ambiguous
        }
        children_[key] = found;
        return found;
    }

    const std::string* pathOf(const Node* n) const {
        if (n == graph_->return_node()) return &root_;
        const auto it = paths_.find(n);
        return it == paths_.end() ? nullptr : &it->second;
    }

    // A nested block's return belongs to the node owning the block.
    const Node* effectiveUser(const Node* user) const {
        while (user != graph_->return_node() && user == user->owningBlock()->return_node())
            user = user->owningBlock()->owningNode();
        return user;
    }

    std::vector<std::string> names_;  // every submodule's path
    std::shared_ptr<torch::jit::Graph> graph_;
    mutable std::map<std::pair<std::string, std::string>, std::optional<std::string>> children_;
    std::vector<Node*> order_;
    std::map<const Node*, std::string> paths_;
    std::string root_;
};

}  // namespace

torch::jit::Module submoduleAt(const torch::jit::Module& module, const std::string& path,
                               const std::string& modelName) {
    const std::string prefix = "model '" + modelName + "': ";
    if (path.empty()) throw std::runtime_error(prefix + "an empty layer name names no submodule");
    torch::jit::Module owner = module;
    std::string at;
    for (const std::string& part : components(path)) {
        std::optional<torch::jit::Module> child;
        std::string names;
        for (const auto& c : owner.named_children()) {
            if (c.name == part) child = c.value;
            names += (names.empty() ? "" : ", ") + c.name;
        }
        if (!child) {
            const std::string where =
                at.empty() ? "submodules are: " : "the submodules of '" + at + "' are: ";
            throw std::runtime_error(
                prefix + "no submodule '" + path + "'; " +
                (names.empty()
                     ? (at.empty() ? "it has no submodules" : "'" + at + "' has no submodules")
                     : where + names));
        }
        owner = *child;
        at += (at.empty() ? "" : ".") + part;
    }
    return owner;
}

LayerActivations::LayerActivations(const torch::jit::Module& module,
                                   const std::vector<std::string>& layers,
                                   const std::string& modelName)
    : module_(module), layers_(layers) {
    for (const std::string& layer : layers)
        submoduleAt(module, layer, modelName);
    ForwardCopy copy(module);
    std::vector<Value*> values;
    for (const std::string& layer : layers) {
        std::string why;
        Value* v = copy.outputOf(layer, why);
        if (!v) throw std::runtime_error("model '" + modelName + "': " + why);
        values.push_back(v);
    }
    function_ = copy.returning(values);
}

LayerActivations LayerActivations::everyLayer(const torch::jit::Module& module) {
    ForwardCopy copy(module);
    std::vector<std::pair<std::string, Value*>> found;
    for (const auto& m : module.named_modules()) {
        std::string why;
        if (m.name.empty()) continue;
        if (Value* v = copy.outputOf(m.name, why)) found.emplace_back(m.name, v);
    }
    // Forward order; a module ending with its last child's output comes after it.
    std::stable_sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
        if (a.second == b.second) return depth(a.first) > depth(b.first);
        return copy.computedBefore(a.second, b.second);
    });
    LayerActivations result;
    result.module_ = module;
    std::vector<Value*> values;
    for (const auto& [path, v] : found) {
        result.layers_.push_back(path);
        values.push_back(v);
    }
    result.function_ = copy.returning(values);
    return result;
}

LayerOutputs LayerActivations::run(const torch::Tensor& x) const {
    torch::jit::Stack stack{module_._ivalue(), x};
    function_->run(stack);
    const auto tuple = stack.back().toTuple();
    LayerOutputs out;
    out.output = tuple->elements()[0];
    for (std::size_t i = 1; i < tuple->elements().size(); ++i)
        out.activations.push_back(tuple->elements()[i].toTensor());
    return out;
}

}  // namespace basin::detail
