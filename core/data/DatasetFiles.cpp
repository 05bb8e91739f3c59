#include "data/DatasetFiles.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "data/detail/TensorBuilders.h"
#include "io/Checkpoint.h"
#include "io/Numpy.h"

namespace basin {
namespace {

namespace fs = std::filesystem;

const std::pair<const char*, const char*> kDefaultKeys[] = {
    {"x", "y"}, {"inputs", "targets"}, {"data", "labels"}, {"X", "Y"}, {"0", "1"}};

std::string lowerExtension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

const TensorData* findArray(const std::vector<NamedTensor>& arrays, const std::string& key) {
    for (const auto& a : arrays)
        if (a.name == key) return &a.tensor;
    return nullptr;
}

// "a [100, 2], b [100]" — what the file holds, for error messages.
std::string listing(const std::vector<NamedTensor>& arrays) {
    std::string text;
    std::size_t shown = 0;
    for (const auto& a : arrays) {
        if (shown++ == 12) {
            text += ", ...";
            break;
        }
        text += (text.empty() ? "" : ", ") + a.name + " " + a.tensor.shapeString();
    }
    return text.empty() ? "no arrays" : text;
}

bool isInteger(DType t) {
    return t == DType::Int64 || t == DType::Int32 || t == DType::Int16 || t == DType::Int8 ||
           t == DType::UInt8 || t == DType::Bool;
}

// Contiguous float32 copy of any tensor (shares the storage when it already is one).
TensorData toFloat32(const TensorData& t) {
    if (t.dtype == DType::Float32 && t.isContiguous() && t.storageOffset == 0) return t;
    std::vector<float> values(static_cast<std::size_t>(t.numel()));
    if (t.dtype == DType::UInt8 && t.isContiguous()) {  // images: the common large case
        const std::uint8_t* p = t.storage->data() + t.storageOffset;
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = float(p[i]);
    } else {
        const std::vector<double> d = t.toDoubles();
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = float(d[i]);
    }
    return detail::float32Tensor(t.shape, std::move(values));
}

Dataset assemble(const std::string& path, const std::string& inputsKey, const TensorData& inputs,
                 const std::string& targetsKey, const TensorData& targets) {
    const std::string file = "'" + path + "'";
    inputs.validate(path + ": " + inputsKey);
    targets.validate(path + ": " + targetsKey);
    if (inputs.shape.empty())
        throw std::runtime_error(file + ": inputs '" + inputsKey +
                                 "' must have a sample dimension [N, ...], got a scalar");
    const std::int64_t n = inputs.shape[0];
    std::vector<std::int64_t> labelShape = targets.shape;
    if (labelShape.size() == 2 && labelShape[1] == 1) labelShape.pop_back();
    if (labelShape.size() != 1 || labelShape[0] != n)
        throw std::runtime_error(file + ": labels '" + targetsKey + "' have shape " +
                                 targets.shapeString() + " but inputs '" + inputsKey +
                                 "' have shape " + inputs.shapeString() + "; expected labels [" +
                                 std::to_string(n) + "]");
    std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
    const std::vector<double> values = targets.toDoubles();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double v = values[i];
        if (!isInteger(targets.dtype) && (!std::isfinite(v) || v != std::floor(v)))
            throw std::runtime_error(file + ": labels '" + targetsKey + "' are " +
                                     dtypeName(targets.dtype) +
                                     " with a value that is not a class "
                                     "index (" +
                                     std::to_string(v) + " at " + std::to_string(i) + ")");
        if (v < 0 || v > 1e9)
            throw std::runtime_error(file + ": label " + std::to_string(std::int64_t(v)) + " at " +
                                     std::to_string(i) + " in '" + targetsKey +
                                     "' is not a class index (0 or more)");
        labels[i] = std::int64_t(v);
    }
    Dataset ds;
    ds.name = fs::path(path).filename().string();
    ds.inputs = toFloat32(inputs);
    ds.targets = detail::int64Tensor({n}, std::move(labels));
    return ds;
}

Dataset fromArrays(const std::string& path, const std::vector<NamedTensor>& arrays,
                   const DatasetFileOptions& o) {
    std::string inputsKey = o.inputsKey, targetsKey = o.targetsKey;
    if (inputsKey.empty() && targetsKey.empty()) {
        for (const auto& [x, y] : kDefaultKeys)
            if (findArray(arrays, x) && findArray(arrays, y)) {
                inputsKey = x;
                targetsKey = y;
                break;
            }
        if (inputsKey.empty())
            throw std::runtime_error("'" + path +
                                     "' has none of the array pairs x/y, inputs/targets, "
                                     "data/labels, X/Y; it holds " +
                                     listing(arrays) + ". Choose the inputs and labels keys");
    } else if (targetsKey.empty() || inputsKey.empty()) {
        for (const auto& [x, y] : kDefaultKeys) {
            if (targetsKey.empty() && inputsKey == x) targetsKey = y;
            if (inputsKey.empty() && targetsKey == y) inputsKey = x;
        }
        if (targetsKey.empty() || inputsKey.empty())
            throw std::runtime_error("'" + path + "': give both the inputs and the labels key (" +
                                     (inputsKey.empty() ? targetsKey : inputsKey) +
                                     " has no default partner)");
    }
    const TensorData* inputs = findArray(arrays, inputsKey);
    const TensorData* targets = findArray(arrays, targetsKey);
    for (const auto& [key, found] : {std::pair{inputsKey, inputs}, std::pair{targetsKey, targets}})
        if (!found)
            throw std::runtime_error("'" + path + "' has no array '" + key + "'; it holds " +
                                     listing(arrays));
    return assemble(path, inputsKey, *inputs, targetsKey, *targets);
}

}  // namespace

Dataset loadDatasetFile(const std::string& path, const DatasetFileOptions& o) {
    const std::string ext = lowerExtension(path);
    if (ext == ".npy") {
        if (o.targetsFile.empty())
            throw std::runtime_error("'" + path +
                                     "' is a .npy file, which holds one array; choose the .npy "
                                     "file that holds the labels");
        const TensorData inputs = readNpy(path);
        const TensorData targets = readNpy(o.targetsFile);
        Dataset ds = assemble(path, "inputs", inputs, o.targetsFile, targets);
        return ds;
    }
    if (ext == ".npz") return fromArrays(path, readNpz(path), o);
    const Checkpoint checkpoint = loadCheckpoint(path);
    return fromArrays(path, checkpoint.tensors, o);
}

void writeDatasetNpz(const std::string& path, const Dataset& dataset) {
    dataset.validate();
    writeNpz(path, {{"x", dataset.inputs}, {"y", dataset.targets}});
}

}  // namespace basin
