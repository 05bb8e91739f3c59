#include "landscape/FirstLayerFactoring.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/script.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "eval/detail/BatchEvaluation.h"
#include "model/detail/ModelImpl.h"
#include "model/detail/ScriptGraph.h"
#include "model/detail/TorchTensor.h"

namespace basin {
namespace {

using detail::attributePath;
using torch::jit::Graph;
using torch::jit::Node;
using torch::jit::Value;
namespace aten = c10::aten;
namespace prim = c10::prim;

bool isLinearInWeights(const Node* n) {
    const c10::Symbol k = n->kind();
    return k == aten::linear || k == aten::conv1d || k == aten::conv2d || k == aten::conv3d ||
           k == aten::_convolution;
}

// Why `v` is not a fixed function of the network's input (empty when it is):
// it reads a tensor the directions move, or passes through control flow, a
// call, a random or an in-place operation.
std::string notFixedFunctionOfInput(const Value* v, const Value* self,
                                    const std::set<std::string>& moving) {
    std::vector<const Value*> stack{v};
    std::set<const Value*> seen;
    while (!stack.empty()) {
        const Value* u = stack.back();
        stack.pop_back();
        if (!seen.insert(u).second) continue;
        const Node* n = u->node();
        const c10::Symbol k = n->kind();
        if (k == prim::Param || k == prim::Constant) continue;
        if (k == prim::GetAttr) {
            const auto path = attributePath(u, self);
            if (!path) return "it reads an attribute of a computed object";
            if (moving.count(*path))
                return "it depends on '" + *path + "', which the directions move";
            continue;
        }
        if (!n->blocks().empty())
            return "it passes through control flow (" + std::string(k.toQualString()) + ")";
        const std::string name = k.toUnqualString();
        if (k.is_aten()) {
            const bool inPlace = name.size() > 1 && name.back() == '_' &&
                                 name.compare(name.size() - 2, 2, "__") != 0;
            if (inPlace)
                return "it passes through the in-place operation " + std::string(k.toQualString());
            for (const char* random : {"rand", "bernoulli", "normal", "multinomial", "uniform"})
                if (name.find(random) != std::string::npos)
                    return "it passes through the random operation " +
                           std::string(k.toQualString());
        } else if (!(k == prim::ListConstruct || k == prim::TupleConstruct ||
                     k == prim::ListUnpack || k == prim::TupleUnpack || k == prim::TupleIndex ||
                     k == prim::NumToTensor || k == prim::dtype || k == prim::device)) {
            return "it passes through " + std::string(k.toQualString());
        }
        for (const Value* input : n->inputs())
            stack.push_back(input);
    }
    return {};
}

Node* topLevelNode(Graph& graph, std::size_t index) {
    std::size_t i = 0;
    for (Node* n : graph.nodes())
        if (i++ == index) return n;
    throw std::logic_error("first layer node index out of range");
}

// The model's parameter or buffer `path` (the live tensor).
torch::Tensor namedTensor(const torch::jit::Module& module, const std::string& path) {
    for (const auto& p : module.named_parameters())
        if (p.name == path) return p.value;
    for (const auto& b : module.named_buffers())
        if (b.name == path) return b.value;
    throw std::logic_error("model has no tensor '" + path + "'");
}

torch::Tensor directionTensor(const WeightVector& v, std::size_t entry, const torch::Tensor& like) {
    const WeightEntry& e = v.entries()[entry];
    return torch::from_blob(const_cast<float*>(v.data(entry)), e.shape, torch::kFloat32)
        .to(like.scalar_type());
}

std::string megabytes(std::int64_t bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

}  // namespace

struct FirstLayerFactoring::Impl {
    std::string description;
    Dataset dataset;
    c10::TypePtr selfType;
    std::unique_ptr<torch::jit::GraphFunction> rest;  // (self, x, first-layer output)
    torch::Tensor y0, yx, yy;                         // yy undefined for 1-D directions
};

FirstLayerFactoring::FirstLayerFactoring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FirstLayerFactoring::~FirstLayerFactoring() = default;

const std::string& FirstLayerFactoring::description() const {
    return impl_->description;
}

std::int64_t FirstLayerFactoring::cacheBytes() const {
    std::int64_t bytes = 0;
    for (const torch::Tensor* t : {&impl_->y0, &impl_->yx, &impl_->yy})
        if (t->defined()) bytes += t->numel() * std::int64_t(t->element_size());
    return bytes;
}

std::unique_ptr<FirstLayerFactoring> FirstLayerFactoring::prepare(
    Model& model, const Directions& directions, const Dataset& dataset,
    const FirstLayerOptions& options, std::string* whyNot, JobContext* context) {
    const std::int64_t budgetBytes = options.budgetBytes;
    auto refuse = [&](const std::string& why) {
        if (whyNot) *whyNot = why;
        return std::unique_ptr<FirstLayerFactoring>();
    };
    torch::jit::Module& module = model.impl().module;
    std::shared_ptr<Graph> graph = detail::inlinedForward(module);
    if (graph->inputs().size() != 2)
        return refuse("forward() takes " + std::to_string(graph->inputs().size() - 1) +
                      " inputs, not one");
    const Value* self = graph->inputs()[0];

    const WeightVector& dx = directions.x.vector;
    std::map<std::string, std::size_t> entryOf;
    for (std::size_t i = 0; i < dx.entries().size(); ++i)
        entryOf[dx.entries()[i].name] = i;
    // Tensors some direction moves (a zeroed 1-D tensor stays fixed).
    std::set<std::string> moving;
    for (const auto& [name, i] : entryOf)
        for (const Direction* d : {&directions.x, directions.y ? &*directions.y : nullptr}) {
            if (!d) continue;
            const float* v = d->vector.data(i);
            if (std::any_of(v, v + d->vector.entries()[i].numel(),
                            [](float f) { return f != 0.0f; }))
                moving.insert(name);
        }

    // The first layer: the first linear/conv node whose weight moves.
    std::optional<std::size_t> index;
    std::string weightPath, biasPath;
    bool biasMoves = false;
    std::size_t position = 0;
    for (Node* n : graph->nodes()) {
        const std::size_t here = position++;
        if (!isLinearInWeights(n)) continue;
        const auto weight = attributePath(n->input(1), self);
        if (!weight || !moving.count(*weight)) continue;
        const std::string layer = std::string(n->kind().toUnqualString()) + " '" + *weight + "'";
        for (std::size_t i = 0; i < n->inputs().size(); ++i) {
            if (i == 1 || i == 2) continue;  // the weight; the bias is read below
            const std::string why = notFixedFunctionOfInput(n->input(i), self, moving);
            if (!why.empty())
                return refuse("the first moving layer, " + layer +
                              ", is not a function of the input alone: " + why);
        }
        const Value* bias = n->input(2);
        if (bias->node()->kind() != prim::Constant) {
            const auto path = attributePath(bias, self);
            if (!path) return refuse("the bias of " + layer + " is computed, not a parameter");
            // A scripted layer without bias (bias=False) holds None.
            const auto value = detail::attributeValue(module, bias, self);
            if (!value || !value->isNone()) {
                biasPath = *path;
                biasMoves = moving.count(biasPath) > 0;
            }
        } else if (!bias->type()->cast<c10::NoneType>()) {
            return refuse("the bias of " + layer + " is a constant tensor");
        }
        weightPath = *weight;
        index = here;
        break;
    }
    if (!index)
        return refuse(
            "the model has no linear or convolution layer whose weight the directions move");

    auto impl = std::make_unique<Impl>();
    impl->description = std::string(topLevelNode(*graph, *index)->kind().toUnqualString()) + " '" +
                        weightPath + "'";
    impl->dataset = dataset;
    impl->selfType = self->type();

    // The layer alone with its weight and bias as inputs: (self, x, W, c).
    std::shared_ptr<Graph> first = graph->copy();
    {
        Node* layer = topLevelNode(*first, *index);
        Value* w = first->addInput("weight")->setType(c10::TensorType::get());
        Value* c = first->addInput("bias")->setType(c10::OptionalType::ofTensor());
        layer->replaceInput(1, w);
        layer->replaceInput(2, c);
        while (!first->outputs().empty())
            first->eraseOutput(0);
        first->registerOutput(layer->output());
        torch::jit::EliminateDeadCode(first);
    }
    // The rest: (self, x, y) with y standing for the layer's output.
    std::shared_ptr<Graph> rest = graph->copy();
    {
        Node* layer = topLevelNode(*rest, *index);
        Value* y = rest->addInput("first_layer_output")->setType(layer->output()->type());
        layer->output()->replaceAllUsesWith(y);
        torch::jit::EliminateDeadCode(rest);
    }
    torch::jit::GraphFunction firstFn("basin_first_layer", first, nullptr);
    impl->rest =
        std::make_unique<torch::jit::GraphFunction>("basin_after_first_layer", rest, nullptr);

    // W and c for θ₀ and for each direction (c: None when it does not move).
    const torch::Tensor w0 = namedTensor(module, weightPath);
    const std::int64_t fanIn = w0.numel() / std::max<std::int64_t>(1, w0.size(0));
    if (fanIn < options.minimumFanIn)
        return refuse("the fan-in of " + impl->description + " (" + std::to_string(fanIn) +
                      ") is below " + std::to_string(options.minimumFanIn) +
                      ": recomputing it is as fast as combining cached outputs");
    const c10::IValue c0 =
        biasPath.empty() ? c10::IValue() : c10::IValue(namedTensor(module, biasPath));
    struct Part {
        torch::Tensor* out;
        c10::IValue w, c;
    };
    std::vector<Part> parts;
    parts.push_back({&impl->y0, w0, c0});
    const std::vector<const WeightVector*> dirs =
        directions.y ? std::vector<const WeightVector*>{&dx, &directions.y->vector}
                     : std::vector<const WeightVector*>{&dx};
    for (std::size_t k = 0; k < dirs.size(); ++k) {
        torch::Tensor* out = k == 0 ? &impl->yx : &impl->yy;
        const torch::Tensor w = directionTensor(*dirs[k], entryOf.at(weightPath), w0);
        const c10::IValue c =
            biasMoves ? c10::IValue(directionTensor(*dirs[k], entryOf.at(biasPath), c0.toTensor()))
                      : c10::IValue();
        parts.push_back({out, w, c});
    }

    const std::int64_t n = dataset.size();
    if (n == 0) return refuse("dataset '" + dataset.name + "' is empty");
    detail::IntraOpThreads intraOp(options.threads);
    c10::InferenceMode inference;
    detail::TrainingFlag evalMode(module, false);
    const torch::Tensor x = detail::datasetInputs(dataset);
    const c10::IValue selfValue = module._ivalue();
    constexpr std::int64_t kBatch = 500;
    for (std::int64_t start = 0; start < n; start += kBatch) {
        if (context) context->throwIfCancelled();
        const std::int64_t length = std::min(kBatch, n - start);
        const torch::Tensor xb = x.narrow(0, start, length);
        for (Part& p : parts) {
            const torch::Tensor y = detail::guardedForward(model, dataset, [&] {
                torch::jit::Stack stack{selfValue, xb, p.w, p.c};
                firstFn.run(stack);
                return stack.back();
            });
            if (!p.out->defined()) {
                std::vector<std::int64_t> shape(y.sizes().begin(), y.sizes().end());
                const std::int64_t bytes = std::int64_t(parts.size()) * n *
                                           (y.numel() / std::max<std::int64_t>(1, length)) *
                                           std::int64_t(y.element_size());
                if (bytes > budgetBytes)
                    return refuse("the outputs of " + impl->description + " for " +
                                  std::to_string(n) + " samples need " + megabytes(bytes) +
                                  ", over the budget of " + megabytes(budgetBytes));
                shape[0] = n;
                *p.out = torch::empty(shape, y.options());
            }
            p.out->narrow(0, start, length).copy_(y);
        }
        if (context)
            context->report(double(start + length) / double(n),
                            "first layer outputs for " + std::to_string(start + length) + " of " +
                                std::to_string(n) + " samples");
    }
    return std::unique_ptr<FirstLayerFactoring>(new FirstLayerFactoring(std::move(impl)));
}

EvalResult FirstLayerFactoring::evaluate(Model& model, double a, double b,
                                         const EvalOptions& options, JobContext* context) const {
    const Impl& d = *impl_;
    torch::jit::Module& module = model.impl().module;
    const c10::IValue self = module._ivalue();
    if (*self.type() != *d.selfType)
        throw std::logic_error(
            "FirstLayerFactoring used with another model than it was prepared for");
    return detail::evaluateBatches(
        model, d.dataset, options, context,
        [&](const torch::Tensor& xb, std::int64_t start, std::int64_t length) {
            // y = y₀ + a·y_x + b·y_y for this batch.
            torch::Tensor y =
                torch::add(d.y0.narrow(0, start, length), d.yx.narrow(0, start, length), a);
            if (d.yy.defined()) y.add_(d.yy.narrow(0, start, length), b);
            return detail::guardedForward(model, d.dataset, [&] {
                torch::jit::Stack stack{self, xb, y};
                d.rest->run(stack);
                return stack.back();
            });
        });
}

}  // namespace basin
