#include "model/WeightsFile.h"

#include <filesystem>
#include <stdexcept>

#include "io/Numpy.h"
#include "model/Model.h"

namespace basin {

Checkpoint loadWeightsFile(const std::string& path) {
    const std::string extension = std::filesystem::path(path).extension().string();
    if (extension == ".npz" || extension == ".npy") {
        // NumPy arrays (datasets, exported weights): each array is a tensor.
        Checkpoint c;
        c.path = path;
        c.format = CheckpointFormat::NumPy;
        if (extension == ".npz") {
            c.tensors = readNpz(path);
        } else {
            c.tensors.push_back({std::filesystem::path(path).stem().string(), readNpy(path)});
        }
        if (!c.tensors.empty()) c.weightRoots = {""};
        return c;
    }
    try {
        return loadCheckpoint(path);
    } catch (const std::runtime_error& checkpointError) {
        Model model = [&] {
            try {
                return Model::load(path);
            } catch (const std::exception&) {
                throw checkpointError;  // neither: the checkpoint reader's sentence says why
            }
        }();
        Checkpoint c;
        c.path = path;
        c.format = CheckpointFormat::TorchScript;
        c.tensors = model.stateDict();
        int parameters = 0, buffers = 0;
        for (const ParameterInfo& p : model.parameters(true))
            (p.isBuffer ? buffers : parameters)++;
        if (!c.tensors.empty()) c.weightRoots = {""};
        c.metadata = {{"name", model.name()},
                      {"parameters", std::to_string(parameters)},
                      {"buffers", std::to_string(buffers)}};
        return c;
    }
}

}  // namespace basin
