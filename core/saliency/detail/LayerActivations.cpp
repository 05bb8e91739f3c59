#include "saliency/detail/LayerActivations.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "connectivity/detail/HiddenUnits.h"
#include "model/detail/ScriptGraph.h"

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

// Every method and function call of `block` and the blocks nested in it.
void collectCalls(torch::jit::Block* block, std::vector<Node*>& calls) {
    for (Node* n : block->nodes()) {
        if (n->kind() == c10::prim::CallMethod || n->kind() == c10::prim::CallFunction)
            calls.push_back(n);
        for (torch::jit::Block* b : n->blocks())
            collectCalls(b, calls);
    }
}

// A copy of forward()'s graph with every call inlined and each node labelled
// with the module whose code it is, so the code of any submodule can be told
// from the code around it.
class ForwardCopy {
public:
    explicit ForwardCopy(const torch::jit::Module& module)
        : graph_(module.get_method("forward").graph()->copy()), self_(graph_->inputs()[0]) {
        for (const auto& m : module.named_modules())
            if (!m.name.empty()) names_.push_back(m.name);
        label(graph_->block(), graph_->block(), std::string());
        inlineCalls();
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
    // Nodes in order (blocks' nodes after their owner); constants and
    // attribute reads, shared by whoever reads them, belong to no module.
    void index(torch::jit::Block* block) {
        for (Node* n : block->nodes()) {
            if (n->kind() != c10::prim::Constant && n->kind() != c10::prim::GetAttr)
                order_.push_back(n);
            for (torch::jit::Block* b : n->blocks())
                index(b);
        }
    }

    // Gives the nodes of `copy` (a copy of `source`, node for node) the module
    // path of the code they come from: `base` (the module whose method
    // `source` is) joined with the path of the calls each node of `source`
    // was inlined through, from its call stack (methods compiled with the
    // graph executor's optimisation on come inlined).
    void label(torch::jit::Block* source, torch::jit::Block* copy, const std::string& base) {
        auto s = source->nodes().begin();
        auto c = copy->nodes().begin();
        for (; s != source->nodes().end() && c != copy->nodes().end(); ++s, ++c) {
            if (const auto relative = modulePath(*s, base))
                paths_[*c] = *relative;
            else
                paths_.erase(*c);
            for (std::size_t i = 0; i < s->blocks().size() && i < c->blocks().size(); ++i)
                label(s->blocks()[i], c->blocks()[i], base);
        }
    }

    // Inlines every method and function call, level by level, labelling the
    // inlined nodes with the module whose code they are: a method's with the
    // module it is called on (the chain of attributes from self), a
    // function's with its caller's.
    void inlineCalls() {
        std::set<Node*> opaque;  // calls of code that is not TorchScript
        for (bool more = true; more;) {
            more = false;
            std::vector<Node*> calls;
            collectCalls(graph_->block(), calls);
            for (Node* n : calls) {
                if (opaque.count(n)) continue;
                torch::jit::GraphFunction* callee = nullptr;
                std::optional<std::string> base;
                if (n->kind() == c10::prim::CallMethod) {
                    const auto type = n->input(0)->type()->cast<c10::ClassType>();
                    if (type)
                        callee =
                            torch::jit::tryToGraphFunction(type->getMethod(n->s(c10::attr::name)));
                    base = attributePath(n->input(0), self_);
                } else {
                    const auto type = n->input(0)->type()->cast<c10::FunctionType>();
                    if (type) callee = torch::jit::tryToGraphFunction(*type->function());
                    if (const std::string* at = pathOf(n)) base = *at;
                }
                if (!callee) {
                    opaque.insert(n);
                    continue;
                }
                const std::shared_ptr<torch::jit::Graph> body = callee->graph();
                Node* before = n->prev();
                std::vector<Value*> outputs;
                {
                    torch::jit::WithInsertPoint at(n);
                    std::unordered_map<Value*, Value*> map;
                    auto inputs = n->inputs().vec();
                    if (n->kind() == c10::prim::CallFunction) inputs.erase(inputs.begin());
                    outputs = torch::jit::insertGraph(*graph_, *body, inputs, map);
                }
                // The inserted nodes lie between `before` and `n`, in the body's order.
                auto s = body->block()->nodes().begin();
                for (Node* c = before->next(); c != n && s != body->block()->nodes().end();
                     c = c->next(), ++s) {
                    if (!base) {
                        paths_.erase(c);
                        continue;
                    }
                    if (const auto relative = modulePath(*s, *base))
                        paths_[c] = *relative;
                    else
                        paths_.erase(c);
                    for (std::size_t i = 0; i < s->blocks().size() && i < c->blocks().size(); ++i)
                        label(s->blocks()[i], c->blocks()[i], *base);
                }
                for (std::size_t i = 0; i < outputs.size() && i < n->outputs().size(); ++i)
                    n->output(i)->replaceAllUsesWith(outputs[i]);
                paths_.erase(n);
                n->destroy();
                more = true;
            }
        }
    }

    // "layer4.1.conv2" for a node of layer4's code inlined through the
    // calls of its submodule "1" and that one's "conv2" (`base` = "layer4");
    // `base` itself for the module's own code; nullopt when a call's module
    // cannot be named.
    std::optional<std::string> modulePath(const Node* n, const std::string& base) const {
        const auto stack = n->callstack();
        std::string path = base;
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
    Value* self_;
    mutable std::map<std::pair<std::string, std::string>, std::optional<std::string>> children_;
    std::vector<Node*> order_;
    std::map<const Node*, std::string> paths_;  // the module whose code a node is
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
