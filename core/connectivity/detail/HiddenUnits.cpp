#include "connectivity/detail/HiddenUnits.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include "model/detail/ScriptGraph.h"

namespace basin::detail {
namespace {

using torch::jit::Graph;
using torch::jit::Node;
using torch::jit::Value;
namespace aten = c10::aten;
namespace prim = c10::prim;

// How a value holds a group's units: on axis `dim` of a tensor of rank
// `rank` (−1: unknown; `dim` is then counted from the back when negative).
// `flattened`: each unit is a block of consecutive features (after flatten).
struct Hidden {
    int group = -1;
    int dim = 0;
    int rank = -1;
    bool flattened = false;

    // The axis counted from the front, when that is known.
    std::optional<int> fromFront() const {
        if (dim >= 0) return dim;
        if (rank >= 0) return dim + rank;
        return std::nullopt;
    }
    // The axis counted from the back (−1: last), when that is known.
    std::optional<int> fromBack() const {
        if (dim < 0) return dim;
        if (rank >= 0) return dim - rank;
        return std::nullopt;
    }
};

bool isTensor(const Value* v) {
    return v->type()->isSubtypeOf(*c10::TensorType::get());
}

std::optional<std::int64_t> constantInt(const Value* v) {
    const auto iv = torch::jit::toIValue(v);
    if (iv && iv->isInt()) return iv->toInt();
    return std::nullopt;
}

std::optional<std::vector<std::int64_t>> constantInts(const Value* v) {
    const auto iv = torch::jit::toIValue(v);
    if (iv && iv->isIntList()) return iv->toIntVector();
    return std::nullopt;
}

const std::set<std::string>& unaryOps() {
    // Elementwise on one tensor (other arguments scalars): units keep their place.
    static const std::set<std::string> ops{"relu",
                                           "relu_",
                                           "relu6",
                                           "gelu",
                                           "sigmoid",
                                           "sigmoid_",
                                           "tanh",
                                           "tanh_",
                                           "silu",
                                           "silu_",
                                           "elu",
                                           "elu_",
                                           "selu",
                                           "selu_",
                                           "celu",
                                           "leaky_relu",
                                           "leaky_relu_",
                                           "hardtanh",
                                           "hardtanh_",
                                           "hardswish",
                                           "hardswish_",
                                           "hardsigmoid",
                                           "hardsigmoid_",
                                           "softplus",
                                           "mish",
                                           "dropout",
                                           "dropout_",
                                           "feature_dropout",
                                           "alpha_dropout",
                                           "contiguous",
                                           "clone",
                                           "detach",
                                           "neg",
                                           "abs",
                                           "exp",
                                           "square",
                                           "clamp",
                                           "clamp_",
                                           "clamp_min",
                                           "clamp_max",
                                           "pow"};
    return ops;
}

const std::set<std::string>& binaryOps() {
    // Elementwise on two operands (broadcasting): two hidden streams must share units.
    static const std::set<std::string> ops{"add",  "add_", "sub",  "sub_",    "mul",
                                           "mul_", "div",  "div_", "maximum", "minimum"};
    return ops;
}

// Operations that only read a tensor's shape, type or device.
bool readsMetadataOnly(const Node* n) {
    static const std::set<std::string> ops{
        "aten::size",   "aten::dim",       "aten::numel",  "aten::len",   "aten::is_floating_point",
        "aten::__is__", "aten::__isnot__", "prim::device", "prim::dtype", "prim::layout"};
    return ops.count(n->kind().toQualString()) > 0;
}

// Pooling over the last k axes.
std::optional<int> pooledAxes(const Node* n) {
    const std::string name = n->kind().toUnqualString();
    for (const char* prefix : {"max_pool", "avg_pool", "adaptive_avg_pool", "lp_pool"}) {
        const std::string p = prefix;
        if (name.size() == p.size() + 2 && name.compare(0, p.size(), p) == 0 &&
            name.back() == 'd' && name[p.size()] >= '1' && name[p.size()] <= '3')
            return name[p.size()] - '0';
    }
    return std::nullopt;
}

class Tracer {
public:
    Tracer(const torch::jit::Module& module, std::string modelName)
        : module_(module),
          name_(std::move(modelName)),
          graph_(inlinedForward(module)),
          self_(graph_->inputs()[0]) {
        for (const auto& p : module.named_parameters())
            tensors_[p.name] = {p.value.sizes().vec(), false};
        for (const auto& b : module.named_buffers())
            tensors_[b.name] = {b.value.sizes().vec(), true};
    }

    HiddenUnitGraph run() {
        for (Node* n : graph_->nodes())
            visit(n);
        for (const Value* out : graph_->outputs())
            if (const Hidden* h = hiddenOf(out)) fix(h->group, "they are the network's output");
        checkParameterUses(graph_->block());
        return assemble();
    }

private:
    struct TensorInfo {
        std::vector<std::int64_t> shape;
        bool isBuffer = false;
    };
    struct Axis {
        std::string tensor;
        int dim = 0;
        bool flattened = false;
    };

    // ---- groups (union-find over provisional groups, one per layer output)

    int newGroup(const std::string& weight, std::int64_t size) {
        parent_.push_back(int(parent_.size()));
        weight_.push_back(weight);
        size_.push_back(size);
        fixed_.emplace_back();
        axes_.emplace_back();
        return parent_.back();
    }

    int find(int g) {
        while (parent_[std::size_t(g)] != g)
            g = parent_[std::size_t(g)] = parent_[std::size_t(parent_[std::size_t(g)])];
        return g;
    }

    void unite(int a, int b, const Node* at) {
        a = find(a);
        b = find(b);
        if (a == b) return;
        if (size_[std::size_t(a)] != size_[std::size_t(b)])
            fail(std::string(at->kind().toQualString()) + " joins " + units(a) + " (" +
                 std::to_string(size_[std::size_t(a)]) + ") and " + units(b) + " (" +
                 std::to_string(size_[std::size_t(b)]) +
                 "), which differ in number, so they cannot share a permutation");
        if (b < a) std::swap(a, b);  // the earlier layer names the group
        parent_[std::size_t(b)] = a;
        if (fixed_[std::size_t(a)].empty()) fixed_[std::size_t(a)] = fixed_[std::size_t(b)];
    }

    void fix(int g, const std::string& reason) {
        std::string& f = fixed_[std::size_t(find(g))];
        if (f.empty()) f = reason;
    }

    void addAxis(int g, const std::string& tensor, int dim, bool flattened, const Node* n,
                 std::size_t input) {
        if (!tensors_.count(tensor))
            fail(std::string(n->kind().toQualString()) + " reads '" + tensor +
                 "', which is not a tensor of the model");
        handledUses_.insert({n, input});
        const auto key = std::make_pair(tensor, dim);
        const auto owner = axisOwner_.find(key);
        if (owner != axisOwner_.end()) {
            unite(owner->second, g, n);  // a tensor shared by two layers
            return;
        }
        axisOwner_[key] = g;
        axes_[std::size_t(g)].push_back({tensor, dim, flattened});
    }

    // "the hidden units of 'fc1' (outputs of 'fc1.weight')"
    std::string units(int g) const {
        const std::string& w = weight_[std::size_t(g)];
        const std::string layer = layerName(w);
        return "the hidden units of '" + layer + "'" +
               (layer == w ? std::string() : " (outputs of '" + w + "')");
    }

    static std::string layerName(const std::string& weight) {
        const std::string suffix = ".weight";
        if (weight.size() > suffix.size() &&
            weight.compare(weight.size() - suffix.size(), suffix.size(), suffix) == 0)
            return weight.substr(0, weight.size() - suffix.size());
        return weight;
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error("model '" + name_ +
                                 "': cannot derive which hidden units share a permutation: " + why);
    }

    [[noreturn]] void unsupported(const Node* n, const Hidden& h, const std::string& why) const {
        fail(units(h.group) + " pass through " + n->kind().toQualString() + ", " + why);
    }

    const Hidden* hiddenOf(const Value* v) const {
        const auto it = hidden_.find(v);
        return it == hidden_.end() ? nullptr : &it->second;
    }

    void setHidden(Value* v, Hidden h) {
        hidden_[v] = h;
        order_.push_back(v);
    }

    // A place where a later layer reads the units, for activation matching.
    void readHere(Value* v, const Hidden& h) {
        if (!h.flattened) readAt_.push_back({v, h});
    }

    // An absent optional tensor: the constant None, or an attribute holding
    // None (a scripted layer built with bias=False).
    bool isNone(const Value* v) const {
        if (v->type()->kind() == c10::TypeKind::NoneType) return true;
        const auto value = attributeValue(module_, v, self_);
        return value && value->isNone();
    }

    // ---- the walk

    void visit(Node* n) {
        if (!n->blocks().empty()) {
            for (const Value* in : n->inputs())
                if (const Hidden* h = hiddenOf(in))
                    unsupported(n, *h, "control flow that Basin cannot follow");
            for (torch::jit::Block* b : n->blocks())
                checkBlock(b, n);
            return;
        }
        const c10::Symbol k = n->kind();
        if (k == aten::linear || k == aten::conv1d || k == aten::conv2d || k == aten::conv3d ||
            k == aten::_convolution)
            return layer(n);
        const Hidden* first = nullptr;
        for (const Value* in : n->inputs())
            if ((first = hiddenOf(in))) break;
        if (!first) return;
        const Hidden h = *first;
        const std::string name = k.toUnqualString();
        if (readsMetadataOnly(n)) return;
        if (k == aten::batch_norm) return batchNorm(n, h);
        if (k.is_aten() && unaryOps().count(name)) return unary(n, h);
        if (k.is_aten() && binaryOps().count(name)) return binary(n);
        if (const auto pooled = pooledAxes(n)) return pool(n, h, *pooled);
        if (k == aten::mean || k == aten::sum) return reduce(n, h);
        if (k == aten::flatten) return flatten(n, h);
        if (k == aten::view || k == aten::reshape) return view(n, h);
        if (k == prim::TupleConstruct || k == prim::ListConstruct) return output(n, h);
        unsupported(n, h, "which Basin does not know how to permute");
    }

    // Inside control flow the units may only be looked at (shape checks of
    // scripted BatchNorm); anything else is refused.
    void checkBlock(torch::jit::Block* b, const Node* owner) {
        for (Node* n : b->nodes()) {
            if (!readsMetadataOnly(n))
                for (const Value* in : n->inputs())
                    if (const Hidden* h = hiddenOf(in))
                        unsupported(n, *h,
                                    std::string("inside ") + owner->kind().toQualString() +
                                        " (control flow), which Basin cannot follow");
            for (torch::jit::Block* inner : n->blocks())
                checkBlock(inner, owner);
        }
    }

    void layer(Node* n) {
        const c10::Symbol k = n->kind();
        const bool linear = k == aten::linear;
        Value* x = n->input(0);
        const Hidden* h = hiddenOf(x);
        const std::string op = k.toQualString();
        // A layer whose outputs cannot be permuted leaves them unannotated
        // (fixed order); it may not read hidden units.
        auto opaque = [&](const std::string& why) {
            if (h) unsupported(n, *h, why);
        };
        const auto weight = attributePath(n->input(1), self_);
        if (!weight) return opaque("whose weight is computed, not a parameter");
        std::optional<std::string> bias;
        if (!isNone(n->input(2))) {
            bias = attributePath(n->input(2), self_);
            if (!bias) return opaque("whose bias is computed, not a parameter");
        }
        if (!linear) {
            const bool transposed = k == aten::_convolution && torch::jit::toIValue(n->input(6)) &&
                                    torch::jit::toIValue(n->input(6))->isBool() &&
                                    torch::jit::toIValue(n->input(6))->toBool();
            if (transposed) return opaque("a transposed convolution");
            const auto groups = constantInt(n->input(k == aten::_convolution ? 8 : 6));
            if (!groups || *groups != 1)
                return opaque("a grouped convolution (groups = " +
                              (groups ? std::to_string(*groups) : std::string("computed")) + ")");
        }
        const TensorInfo& w = tensors_.at(*weight);
        if (h) {
            const bool rightAxis = linear ? (h->fromBack() && *h->fromBack() == -1)
                                          : (h->fromFront() && *h->fromFront() == 1);
            if (!rightAxis)
                unsupported(n, *h,
                            std::string("which reads them on another axis (") +
                                (linear ? "the last" : "the channel axis, 1") +
                                ") than they lie on");
            addAxis(h->group, *weight, 1, h->flattened, n, 1);
            readHere(x, *h);
        }
        const int g = newGroup(*weight, w.shape.at(0));
        addAxis(g, *weight, 0, false, n, 1);
        if (bias) addAxis(g, *bias, 0, false, n, 2);
        layers_.push_back({*weight, bias.value_or(std::string()), n->output(), g});
        Hidden out;
        out.group = g;
        if (linear) {
            int rank = h ? h->rank : -1;
            if (!h)
                if (const auto t = x->type()->cast<c10::TensorType>())
                    rank = t->dim() ? int(*t->dim()) : -1;
            out.rank = rank;
            out.dim = rank >= 0 ? rank - 1 : -1;
        } else {
            out.rank = int(w.shape.size());  // batched input: [N, C, spatial...]
            out.dim = 1;
        }
        setHidden(n->output(), out);
        layers_.back().dim = out.dim;
    }

    void batchNorm(Node* n, const Hidden& h) {
        for (LayerOut& l : layers_)
            if (l.value == n->input(0)) l.batchNorm = true;
        for (std::size_t i = 1; i < n->inputs().size(); ++i)
            if (hiddenOf(n->input(i))) unsupported(n, h, "as BatchNorm's parameters");
        if (!h.fromFront() || *h.fromFront() != 1)
            unsupported(n, h, "which normalizes axis 1, not the axis the units lie on");
        for (std::size_t i = 1; i <= 4; ++i) {  // weight, bias, running_mean, running_var
            if (isNone(n->input(i))) continue;
            const auto path = attributePath(n->input(i), self_);
            if (!path) unsupported(n, h, "whose parameters or statistics are computed");
            addAxis(h.group, *path, 0, h.flattened, n, i);
        }
        setHidden(n->output(), h);
    }

    void unary(Node* n, const Hidden& h) {
        if (!hiddenOf(n->input(0))) unsupported(n, h, "as a second operand");
        for (std::size_t i = 1; i < n->inputs().size(); ++i)
            if (isTensor(n->input(i)))
                unsupported(n, h, "together with another tensor Basin cannot follow");
        setHidden(n->output(), h);
    }

    void binary(Node* n) {
        const Hidden* a = hiddenOf(n->input(0));
        const Hidden* b = hiddenOf(n->input(1));
        Hidden out = a ? *a : *b;
        if (a && b) {
            // Broadcasting aligns axes from the back.
            const auto ea = a->fromBack(), eb = b->fromBack();
            const bool aligned = (ea && eb) ? *ea == *eb : (a->dim == b->dim && a->rank == b->rank);
            if (!aligned || a->flattened != b->flattened)
                unsupported(n, *a, "combined with " + units(find(b->group)) + " on another axis");
            unite(a->group, b->group, n);
            out.rank = (a->rank >= 0 && b->rank >= 0) ? std::max(a->rank, b->rank) : -1;
            out.dim = out.rank >= 0 ? out.rank + *ea : a->dim;
        } else {
            const Value* other = n->input(a ? 1 : 0);
            if (isTensor(other))
                fix(out.group, std::string(n->kind().toQualString()) +
                                   " combines them with a tensor that is not a hidden unit");
        }
        out.group = find(out.group);
        setHidden(n->output(), out);
    }

    void pool(Node* n, const Hidden& h, int pooled) {
        if (!hiddenOf(n->input(0))) unsupported(n, h, "as a pooling parameter");
        const auto back = h.fromBack();
        if (!back || *back >= -pooled)
            unsupported(n, h, "which pools over the axis they lie on (or Basin cannot tell)");
        setHidden(n->output(), h);
    }

    // mean/sum over a constant list of axes, not the units' axis.
    void reduce(Node* n, const Hidden& h) {
        const auto dims = n->inputs().size() >= 3 ? constantInts(n->input(1)) : std::nullopt;
        const auto keep = n->inputs().size() >= 3 ? torch::jit::toIValue(n->input(2))
                                                  : std::optional<c10::IValue>();
        if (!dims || dims->empty() || !keep || !keep->isBool() || h.rank < 0 ||
            !hiddenOf(n->input(0)))
            unsupported(n, h, "a reduction Basin cannot follow (it needs constant axes)");
        Hidden out = h;
        const int d = *h.fromFront();
        int before = 0;
        for (std::int64_t r : *dims) {
            const std::int64_t axis = r < 0 ? r + h.rank : r;
            if (axis == d) unsupported(n, h, "which reduces over the units");
            if (axis < d) ++before;
        }
        if (!keep->toBool()) {
            out.dim = d - before;
            out.rank = h.rank - int(dims->size());
        }
        setHidden(n->output(), out);
    }

    // flatten(x, start, end): units on `start` become blocks of features.
    void flatten(Node* n, const Hidden& h) {
        auto start = constantInt(n->input(1));
        auto end = constantInt(n->input(2));
        if (!start || !end) unsupported(n, h, "with axes Basin cannot read");
        if (*start < 0) {
            if (h.rank < 0) unsupported(n, h, "from an axis Basin cannot place");
            *start += h.rank;
        }
        const bool toLast = *end == -1 || (h.rank >= 0 && *end == h.rank - 1);
        if (*end < 0 && !toLast) {
            if (h.rank < 0) unsupported(n, h, "to an axis Basin cannot place");
            *end += h.rank;
        }
        const auto d = h.fromFront();
        if (!d) unsupported(n, h, "and Basin cannot tell which axis they lie on");
        Hidden out = h;
        out.rank = toLast ? int(*start) + 1 : (h.rank >= 0 ? h.rank - int(*end - *start) : -1);
        if (*d < *start) {
            out.dim = *d;
        } else if (*d == *start) {
            out.dim = *d;
            out.flattened = *end > *start || toLast;
            if (out.flattened) readHere(n->input(0), h);
        } else if (toLast || *d <= *end) {
            unsupported(n, h, "which merges them with the axes before them");
        } else {
            out.dim = *d - int(*end - *start);
        }
        setHidden(n->output(), out);
    }

    // x.view(x.size(0), -1) and x.reshape(...) of that form: flatten(x, 1).
    void view(Node* n, const Hidden& h) {
        const Value* sizes = n->input(1);
        std::vector<const Value*> items;
        if (sizes->node()->kind() == prim::ListConstruct)
            for (const Value* v : sizes->node()->inputs())
                items.push_back(v);
        const bool flattensFromOne = items.size() == 2 && constantInt(items[1]) == -1 &&
                                     h.fromFront() && *h.fromFront() == 1;
        if (!flattensFromOne)
            unsupported(n, h, "to a shape Basin cannot follow (only x.view(x.size(0), -1) is)");
        Hidden out = h;
        out.rank = 2;
        out.dim = 1;
        out.flattened = true;
        readHere(n->input(0), h);
        setHidden(n->output(), out);
    }

    // A tuple or list of the network's outputs.
    void output(Node* n, const Hidden& h) {
        for (const torch::jit::Use& u : n->output()->uses())
            if (u.user != graph_->return_node())
                unsupported(u.user, h,
                            std::string("in a ") + n->kind().toUnqualString() +
                                ", which Basin does not know how to permute");
        for (const Value* in : n->inputs())
            if (const Hidden* x = hiddenOf(in))
                fix(x->group, "they are part of the network's output");
    }

    // A permuted parameter must be read only by the layers that permute it.
    void checkParameterUses(torch::jit::Block* block) {
        for (Node* n : block->nodes()) {
            for (torch::jit::Block* b : n->blocks())
                checkParameterUses(b);
            if (n->kind() != prim::GetAttr) continue;
            const auto path = attributePath(n->output(), self_);
            if (!path || !isPermuted(*path)) continue;
            for (const torch::jit::Use& u : n->output()->uses())
                if (!handledUses_.count({u.user, u.offset}))
                    fail("'" + *path + "' is permuted with its layer's units but also read by " +
                         u.user->kind().toQualString() + ", which Basin cannot permute");
        }
    }

    bool isPermuted(const std::string& tensor) {
        for (const auto& [key, g] : axisOwner_)
            if (key.first == tensor && fixed_[std::size_t(find(g))].empty()) return true;
        return false;
    }

    HiddenUnitGraph assemble() {
        HiddenUnitGraph result;
        result.graph = graph_;
        std::map<int, std::size_t> indexOf;  // root → spec group
        for (int g = 0; g < int(parent_.size()); ++g) {
            if (find(g) != g) continue;
            if (!fixed_[std::size_t(g)].empty()) {
                result.spec.fixed.push_back(
                    {layerName(weight_[std::size_t(g)]), fixed_[std::size_t(g)]});
                continue;
            }
            indexOf[g] = result.spec.groups.size();
            PermutationGroup group;
            group.name = layerName(weight_[std::size_t(g)]);
            group.size = size_[std::size_t(g)];
            result.spec.groups.push_back(group);
        }
        for (int g = 0; g < int(parent_.size()); ++g) {
            const auto it = indexOf.find(find(g));
            if (it == indexOf.end()) continue;
            PermutationGroup& group = result.spec.groups[it->second];
            for (const Axis& a : axes_[std::size_t(g)]) {
                const TensorInfo& t = tensors_.at(a.tensor);
                const std::int64_t length = t.shape.at(std::size_t(a.dim));
                if (length % group.size != 0 || (length != group.size && !a.flattened))
                    fail("axis " + std::to_string(a.dim) + " of '" + a.tensor + "' has " +
                         std::to_string(length) + " entries where " + units(g) + " number " +
                         std::to_string(group.size));
                group.axes.push_back({a.tensor, a.dim, length / group.size, t.isBuffer});
            }
        }
        result.activations.resize(result.spec.groups.size());
        std::set<const Value*> seen;  // a block input read by two layers counts once
        for (const auto& [v, h] : readAt_) {
            const auto it = indexOf.find(find(h.group));
            if (it != indexOf.end() && seen.insert(v).second)
                result.activations[it->second].push_back({v, h.dim});
        }
        for (Value* v : order_) {  // a group never read by a layer: where it flows last
            const Hidden& h = hidden_.at(v);
            const auto it = indexOf.find(find(h.group));
            if (it != indexOf.end() && !h.flattened && result.activations[it->second].empty())
                result.activations[it->second].push_back({v, h.dim});
        }
        for (const LayerOut& l : layers_) {
            const auto it = indexOf.find(find(l.group));
            if (it == indexOf.end()) continue;  // the network's output
            result.layers.push_back(
                {layerName(l.weight), l.weight, l.bias, l.value, l.dim, it->second, l.batchNorm});
        }
        return result;
    }

    // A linear or convolution layer's output, in the order of the graph.
    struct LayerOut {
        std::string weight, bias;
        Value* value = nullptr;
        int group = -1;
        int dim = 1;
        bool batchNorm = false;
    };

    const torch::jit::Module& module_;
    std::string name_;
    std::shared_ptr<Graph> graph_;
    const Value* self_;
    std::map<std::string, TensorInfo> tensors_;

    std::vector<int> parent_;
    std::vector<std::string> weight_;  // the layer weight whose outputs started the group
    std::vector<std::int64_t> size_;
    std::vector<std::string> fixed_;  // why the group cannot be permuted ("" if it can)
    std::vector<std::vector<Axis>> axes_;
    std::map<std::pair<std::string, int>, int> axisOwner_;

    std::unordered_map<const Value*, Hidden> hidden_;
    std::vector<Value*> order_;
    std::vector<std::pair<Value*, Hidden>> readAt_;
    std::set<std::pair<const Node*, std::size_t>> handledUses_;
    std::vector<LayerOut> layers_;
};

}  // namespace

HiddenUnitGraph traceHiddenUnits(const torch::jit::Module& module, const std::string& modelName) {
    return Tracer(module, modelName).run();
}

std::unique_ptr<torch::jit::GraphFunction> functionReturning(
    std::shared_ptr<torch::jit::Graph> graph, const std::vector<torch::jit::Value*>& values,
    const std::string& name) {
    while (!graph->outputs().empty())
        graph->eraseOutput(0);
    {
        torch::jit::WithInsertPoint end(graph->return_node());
        graph->registerOutput(graph->insertNode(graph->createTuple(values))->output());
    }
    torch::jit::EliminateDeadCode(graph);
    return std::make_unique<torch::jit::GraphFunction>(name, std::move(graph), nullptr);
}

}  // namespace basin::detail
