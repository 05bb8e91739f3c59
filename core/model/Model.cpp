#include "model/Model.h"

#include <caffe2/serialize/inline_container.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "model/detail/ModelImpl.h"
#include "model/detail/TorchTensor.h"

namespace basin {
namespace {

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// Why torch::jit::load failed, in words: most failures are files of another
// kind (a state dict saved with torch.save, safetensors, the legacy format).
std::string describeLoadFailure(const std::string& path, const std::string& reason) {
    const std::string prefix = "cannot load model '" + path + "': ";
    std::ifstream in(path, std::ios::binary);
    unsigned char head[16] = {};
    in.read(reinterpret_cast<char*>(head), sizeof head);
    const std::streamsize got = in.gcount();
    if (got >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
        try {
            caffe2::serialize::PyTorchStreamReader reader(path);
            if (reader.hasRecord("data.pkl") && !reader.hasRecord("constants.pkl"))
                return prefix +
                       "the file holds a checkpoint (torch.save), not a TorchScript model "
                       "(torch.jit.save); open it as a checkpoint and apply it to a model";
        } catch (const std::exception&) {
            return prefix + "the zip archive is damaged or is not a PyTorch file (" + reason + ")";
        }
        return prefix + "the TorchScript archive could not be read (" + reason + ")";
    }
    if (got >= 2 && head[0] == 0x80 && head[1] <= 5)
        return prefix +
               "the file is in the legacy (pre-1.6) torch.save format and holds a checkpoint, "
               "not a TorchScript model";
    if (got >= 9 && head[8] == '{')
        return prefix + "the file looks like a safetensors checkpoint, not a TorchScript model";
    if (got == 0) return prefix + "the file is empty";
    return prefix + "not a TorchScript model (" + reason + ")";
}

struct NamedSlot {
    std::string name;
    torch::Tensor tensor;
    bool isBuffer;
};

// Parameters in module order, then buffers; the order of PyTorch's state_dict
// up to the interleaving of parameters and buffers inside one module.
std::vector<NamedSlot> namedSlots(const torch::jit::Module& module, bool includeBuffers) {
    std::vector<NamedSlot> slots;
    for (const auto& p : module.named_parameters(/*recurse=*/true))
        slots.push_back({p.name, p.value, false});
    if (includeBuffers)
        for (const auto& b : module.named_buffers(/*recurse=*/true))
            slots.push_back({b.name, b.value, true});
    return slots;
}

constexpr std::size_t kListedPerKind = 20;

template <typename T, typename F>
void describeList(std::ostringstream& out, const std::vector<T>& items, F sentence) {
    for (std::size_t i = 0; i < items.size() && i < kListedPerKind; ++i)
        out << sentence(items[i]) << '\n';
    if (items.size() > kListedPerKind)
        out << "... and " << items.size() - kListedPerKind << " more like it.\n";
}

}  // namespace

std::string ApplyReport::describe() const {
    std::ostringstream out;
    if (strippedModulePrefix)
        out << "The DataParallel prefix 'module.' was removed from the checkpoint's names.\n";
    describeList(out, shapeMismatches, [](const Mismatch& m) {
        return "Tensor '" + m.name + "' has shape " + shapeString(m.checkpointShape) +
               " in the checkpoint but " + shapeString(m.modelShape) + " in the model.";
    });
    describeList(out, missing, [](const std::string& name) {
        return "The checkpoint has no tensor '" + name + "' that the model needs.";
    });
    describeList(out, unexpected, [](const std::string& name) {
        return "The checkpoint's tensor '" + name + "' is not in the model.";
    });
    out << applied.size() << (applied.size() == 1 ? " tensor was" : " tensors were") << " applied.";
    return out.str();
}

Model::Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Model Model::load(const std::string& path) {
    if (!std::filesystem::is_regular_file(path))
        throw std::runtime_error("cannot load model '" + path + "': no such file");
    auto impl = std::make_shared<Impl>();
    impl->name = fileName(path);
    try {
        impl->module = torch::jit::load(path, torch::kCPU);
    } catch (const c10::Error& e) {
        throw std::runtime_error(describeLoadFailure(path, detail::torchReason(e)));
    } catch (const std::exception& e) {
        throw std::runtime_error(describeLoadFailure(path, e.what()));
    }
    return Model(std::move(impl));
}

std::string Model::name() const {
    return impl_->name;
}

std::vector<ParameterInfo> Model::parameters(bool includeBuffers) const {
    std::vector<ParameterInfo> out;
    for (const auto& slot : namedSlots(impl_->module, includeBuffers)) {
        ParameterInfo info;
        info.name = slot.name;
        info.shape.assign(slot.tensor.sizes().begin(), slot.tensor.sizes().end());
        info.dtype = detail::fromScalarType(slot.tensor.scalar_type(), slot.name);
        info.isBuffer = slot.isBuffer;
        out.push_back(std::move(info));
    }
    return out;
}

ApplyReport Model::applyStateDict(const std::vector<NamedTensor>& tensors, bool strict) {
    const std::vector<NamedSlot> slots = namedSlots(impl_->module, true);
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < slots.size(); ++i)
        index.emplace(slots[i].name, i);

    // Strip DataParallel's "module." when every checkpoint name has it and
    // stripping makes more names match.
    const std::string dp = "module.";
    auto matches = [&](std::size_t skip) {
        std::size_t n = 0;
        for (const auto& t : tensors)
            n += index.count(t.name.substr(skip));
        return n;
    };
    bool allPrefixed = !tensors.empty();
    for (const auto& t : tensors)
        allPrefixed = allPrefixed && t.name.compare(0, dp.size(), dp) == 0;
    ApplyReport report;
    report.strippedModulePrefix = allPrefixed && matches(dp.size()) > matches(0);
    const std::size_t skip = report.strippedModulePrefix ? dp.size() : 0;

    std::vector<bool> seen(slots.size(), false);
    std::vector<std::pair<std::size_t, const NamedTensor*>> copies;
    for (const auto& t : tensors) {
        const std::string name = t.name.substr(skip);
        const auto it = index.find(name);
        if (it == index.end()) {
            report.unexpected.push_back(name);
            continue;
        }
        if (seen[it->second]) continue;  // a duplicate name: the first one wins
        seen[it->second] = true;
        const torch::Tensor& target = slots[it->second].tensor;
        std::vector<std::int64_t> modelShape(target.sizes().begin(), target.sizes().end());
        if (modelShape != t.tensor.shape) {
            report.shapeMismatches.push_back({name, modelShape, t.tensor.shape});
            continue;
        }
        copies.emplace_back(it->second, &t);
    }
    for (std::size_t i = 0; i < slots.size(); ++i)
        if (!seen[i]) report.missing.push_back(slots[i].name);

    if (!report.shapeMismatches.empty() || (strict && !report.ok())) return report;

    // Wrap (and bounds-check) everything before changing anything.
    std::vector<torch::Tensor> sources;
    sources.reserve(copies.size());
    for (const auto& [slot, named] : copies)
        sources.push_back(detail::toTorch(named->tensor, named->name));
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < copies.size(); ++i) {
        try {
            slots[copies[i].first].tensor.copy_(sources[i]);  // converts dtype
        } catch (const c10::Error& e) {
            throw std::runtime_error("cannot copy tensor '" + copies[i].second->name +
                                     "' into model '" + impl_->name +
                                     "': " + detail::torchReason(e));
        }
        report.applied.push_back(slots[copies[i].first].name);
    }
    return report;
}

std::vector<NamedTensor> Model::stateDict() const {
    std::vector<NamedTensor> out;
    for (const auto& slot : namedSlots(impl_->module, true))
        out.push_back({slot.name, detail::fromTorch(slot.tensor, slot.name)});
    return out;
}

void Model::save(const std::string& path) const {
    const std::string temporary = path + ".partial-" + std::to_string(::getpid());
    try {
        impl_->module.save(temporary);
    } catch (const c10::Error& e) {
        std::remove(temporary.c_str());
        throw std::runtime_error("cannot save model '" + impl_->name + "' to '" + path +
                                 "': " + detail::torchReason(e));
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(temporary.c_str());
        throw std::runtime_error("cannot save model '" + impl_->name + "' to '" + path +
                                 "': " + why);
    }
}

Model Model::clone() const {
    auto impl = std::make_shared<Impl>();
    impl->name = impl_->name;
    impl->module = impl_->module.deepcopy();
    return Model(std::move(impl));
}

TensorData Model::forward(const TensorData& input) const {
    torch::jit::Module& module = impl_->module;
    const bool wasTraining = module.is_training();
    torch::Tensor output;
    try {
        c10::InferenceMode inference;
        const torch::Tensor x = detail::toTorch(input, "input");
        module.eval();
        output = detail::firstTensor(module.forward({x}));
        module.train(wasTraining);
        return detail::fromTorch(output, "output of " + impl_->name);
    } catch (const c10::Error& e) {
        module.train(wasTraining);
        throw std::runtime_error("model '" + impl_->name + "' cannot run on an input of shape " +
                                 input.shapeString() + ": " + detail::torchReason(e));
    } catch (const std::exception& e) {  // the interpreter's JITException, bad output
        module.train(wasTraining);
        throw std::runtime_error("model '" + impl_->name + "' cannot run on an input of shape " +
                                 input.shapeString() + ": " + detail::torchReason(e));
    }
}

}  // namespace basin
