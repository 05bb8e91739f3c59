#pragma once
// A network Basin can run: a TorchScript module (torch.jit.save output, or a
// zoo model compiled from TorchScript source), behind a pimpl so no libtorch
// header leaks into widgets/ or app/ (DESIGN.md rule 2). Copies share the
// module (like torch::jit::Module); clone() makes an independent one.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/Checkpoint.h"

namespace basin {

struct ParameterInfo {
    std::string name;  // "layer1.0.conv1.weight"
    std::vector<std::int64_t> shape;
    DType dtype = DType::Float32;
    bool isBuffer = false;  // running_mean, running_var, num_batches_tracked, ...
};

// What applying a state dict did: names with the file's shape against the
// model's, so a wrong checkpoint is explained rather than half-applied.
struct ApplyReport {
    std::vector<std::string> applied;
    std::vector<std::string> missing;     // in the model, not in the checkpoint
    std::vector<std::string> unexpected;  // in the checkpoint, not in the model
    struct Mismatch {
        std::string name;
        std::vector<std::int64_t> modelShape, checkpointShape;
    };
    std::vector<Mismatch> shapeMismatches;
    bool strippedModulePrefix = false;  // "module." (DataParallel) removed
    bool ok() const { return missing.empty() && unexpected.empty() && shapeMismatches.empty(); }
    // One sentence per problem, naming tensors and shapes.
    std::string describe() const;
};

class Model {
public:
    // Loads a TorchScript file; throws with the file name and libtorch's reason.
    // A torch.save checkpoint (state dict), a safetensors file or a legacy
    // (pre-1.6) torch.save file is recognised and named as such.
    static Model load(const std::string& path);

    std::string name() const;
    // Parameters in module order, then (optionally) buffers.
    std::vector<ParameterInfo> parameters(bool includeBuffers = true) const;
    // Copies matching tensors into the model (converting dtype) when every
    // shape agrees; with `strict`, also requires no missing/unexpected names.
    // Nothing is changed when the report is not ok() under `strict`.
    ApplyReport applyStateDict(const std::vector<NamedTensor>& tensors, bool strict = false);
    // The model's current parameters and buffers as plain tensors (copies).
    std::vector<NamedTensor> stateDict() const;
    // torch.jit.save; readable by torch.jit.load in Python. Atomic: writes a
    // temporary file next to `path`, then renames it.
    void save(const std::string& path) const;
    // An independent copy (own parameter and buffer tensors).
    Model clone() const;

    // One forward pass on a batch (`input` is [N, ...] as the model expects),
    // in eval mode and inference mode, with the model's current weights; the
    // training flag is restored afterwards. A tuple/list output yields its
    // first tensor. Returns a contiguous copy of the output (e.g. logits
    // [N, classes]). For tests, saliency previews and the CLI; long runs use
    // eval/Evaluation.h. Throws a sentence naming the model and the input
    // shape when the model cannot run on the input.
    TensorData forward(const TensorData& input) const;

    struct Impl;
    explicit Model(std::shared_ptr<Impl> impl);
    Impl& impl() const { return *impl_; }

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace basin
