#include "saliency/RandomizationCheck.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "jobs/Job.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

const ParameterInfo* findParameter(const std::vector<ParameterInfo>& parameters,
                                   const std::string& name) {
    for (const ParameterInfo& p : parameters)
        if (p.name == name) return &p;
    return nullptr;
}

bool isRandomizable(const ParameterInfo* weight) {
    return weight && weight->shape.size() >= 2 && weight->shape[1] > 0;
}

TensorData uniformTensor(const std::vector<std::int64_t>& shape, double bound, Pcg32& rng) {
    TensorData t;
    t.dtype = DType::Float32;
    t.shape = shape;
    const std::int64_t n = t.numel();
    t.storage = Storage::allocate(std::size_t(n) * sizeof(float));
    auto* v = reinterpret_cast<float*>(t.storage->mutableData());
    for (std::int64_t i = 0; i < n; ++i)
        v[i] = float(rng.uniform(-bound, bound));
    return t;
}

// The layer's weight and bias as they are now, to put back.
std::vector<NamedTensor> layerTensors(const Model& model, const std::string& layer) {
    std::vector<NamedTensor> out;
    for (NamedTensor& t : model.stateDict())
        if (t.name == layer + ".weight" || t.name == layer + ".bias") out.push_back(std::move(t));
    return out;
}

class StepCounter {
public:
    StepCounter(const SaliencyProgress& report, std::size_t total)
        : report_(report), total_(total) {}
    void step() {
        ++done_;
        if (report_ && !report_(double(done_) / double(total_))) throw JobCancelled();
    }

private:
    const SaliencyProgress& report_;
    std::size_t total_, done_ = 0;
};

}  // namespace

const char* randomizationModeName(RandomizationMode mode) {
    return mode == RandomizationMode::Cascading ? "cascading" : "independent";
}

std::vector<std::string> randomizableLayers(const Model& model) {
    const std::vector<ParameterInfo> parameters = model.parameters(false);
    std::vector<std::string> layers;
    for (const ParameterInfo& p : parameters) {
        const std::size_t dot = p.name.rfind('.');
        const std::string layer = dot == std::string::npos ? std::string() : p.name.substr(0, dot);
        if (layer.empty() || p.name.substr(dot + 1) != "weight" || !isRandomizable(&p)) continue;
        layers.push_back(layer);
    }
    std::reverse(layers.begin(), layers.end());
    return layers;
}

void reinitializeLayer(Model& model, const std::string& layer, std::uint64_t seed,
                       std::uint64_t stream) {
    const std::vector<ParameterInfo> parameters = model.parameters(false);
    const ParameterInfo* weight = findParameter(parameters, layer + ".weight");
    if (!isRandomizable(weight))
        throw std::invalid_argument("model '" + model.name() + "' has no layer '" + layer +
                                    "' with a weight of two or more dimensions to re-initialize");
    std::int64_t fanIn = 1;
    for (std::size_t d = 1; d < weight->shape.size(); ++d)
        fanIn *= weight->shape[d];
    const double bound = 1.0 / std::sqrt(double(fanIn));
    Pcg32 rng(seed, stream);
    std::vector<NamedTensor> fresh{{weight->name, uniformTensor(weight->shape, bound, rng)}};
    if (const ParameterInfo* bias = findParameter(parameters, layer + ".bias"))
        fresh.push_back({bias->name, uniformTensor(bias->shape, bound, rng)});
    const ApplyReport report = model.applyStateDict(fresh);
    if (!report.shapeMismatches.empty())
        throw std::runtime_error("cannot re-initialize layer '" + layer + "' of model '" +
                                 model.name() + "': " + report.describe());
}

RandomizationResult randomizationCheck(const Model& model, const ModelExplainer& explain,
                                       const RandomizationOptions& options,
                                       const SaliencyProgress& progress) {
    RandomizationResult result;
    const std::vector<std::string> all = randomizableLayers(model);
    result.layers = options.layers.empty() ? all : options.layers;
    for (const std::string& layer : result.layers)
        if (std::find(all.begin(), all.end(), layer) == all.end())
            throw std::invalid_argument("model '" + model.name() + "' has no layer '" + layer +
                                        "' with a weight to re-initialize (it has: " +
                                        [&] {
                                            std::string names;
                                            for (const std::string& l : all)
                                                names += (names.empty() ? "" : ", ") + l;
                                            return names;
                                        }() +
                                        ")");
    // The stream of a layer is its index among all layers, whichever are asked for.
    auto streamOf = [&](const std::string& layer) {
        return std::uint64_t(std::find(all.begin(), all.end(), layer) - all.begin()) + 1;
    };

    const std::size_t runs = 1 + (options.cascading ? 1 + result.layers.size() : 0) +
                             (options.independent ? 1 + result.layers.size() : 0);
    StepCounter done(progress, runs);
    result.original = explain(model);
    done.step();

    auto record = [&](std::vector<RandomizationStep>& steps, const Model& copy,
                      const std::string& layer) {
        RandomizationStep step;
        step.layer = layer;
        step.map = explain(copy);
        step.similarity = compareMaps(result.original, step.map);
        steps.push_back(std::move(step));
        done.step();
    };

    if (options.cascading) {
        Model copy = model.clone();
        record(result.cascading, copy, std::string());
        for (const std::string& layer : result.layers) {
            reinitializeLayer(copy, layer, options.seed, streamOf(layer));
            record(result.cascading, copy, layer);
        }
    }
    if (options.independent) {
        Model copy = model.clone();
        record(result.independent, copy, std::string());
        for (const std::string& layer : result.layers) {
            const std::vector<NamedTensor> trained = layerTensors(copy, layer);
            reinitializeLayer(copy, layer, options.seed, streamOf(layer));
            record(result.independent, copy, layer);
            copy.applyStateDict(trained);
        }
    }
    return result;
}

RandomizationResult randomizationCheck(const Model& model, const TensorData& image,
                                       const SaliencyOptions& saliency,
                                       const RandomizationOptions& options,
                                       const SaliencyProgress& progress) {
    SaliencyOptions fixed = saliency;
    if (fixed.target.kind == SaliencyTarget::Kind::Predicted) {
        fixed.target.kind = SaliencyTarget::Kind::Class;
        fixed.target.classIndex = topPredictions(model, image, 1).at(0).index;
    }
    return randomizationCheck(
        model, [&](const Model& m) { return computeSaliency(m, image, fixed); }, options, progress);
}

}  // namespace basin
