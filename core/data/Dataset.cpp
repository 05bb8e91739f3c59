#include "data/Dataset.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace basin {

std::vector<std::int64_t> Dataset::sampleShape() const {
    if (inputs.shape.empty()) return {};
    return {inputs.shape.begin() + 1, inputs.shape.end()};
}

std::int64_t Dataset::classCount() const {
    if (!isClassification()) return 0;
    if (!classNames.empty()) return static_cast<std::int64_t>(classNames.size());
    std::int64_t maxLabel = -1;
    if (targets.isContiguous() && targets.storage) {
        const std::uint8_t* base =
            targets.storage->data() + targets.storageOffset * std::int64_t(sizeof(std::int64_t));
        for (std::int64_t i = 0; i < targets.numel(); ++i) {
            std::int64_t label;
            std::memcpy(&label, base + i * std::int64_t(sizeof(label)), sizeof(label));
            maxLabel = std::max(maxLabel, label);
        }
    } else {
        for (double label : targets.toDoubles())
            maxLabel = std::max(maxLabel, static_cast<std::int64_t>(label));
    }
    return maxLabel + 1;
}

void Dataset::validate() const {
    const std::string who = "dataset '" + name + "'";
    if (!inputs.storage) throw std::runtime_error(who + " has no inputs");
    if (!targets.storage) throw std::runtime_error(who + " has no targets");
    inputs.validate(name + " inputs");
    targets.validate(name + " targets");
    if (inputs.dtype != DType::Float32)
        throw std::runtime_error(who + ": inputs must be float32, got " + dtypeName(inputs.dtype));
    if (inputs.shape.empty())
        throw std::runtime_error(who + ": inputs must have a sample dimension, got shape " +
                                 inputs.shapeString());
    if (targets.shape.empty() || targets.shape[0] != inputs.shape[0])
        throw std::runtime_error(who + ": " + std::to_string(inputs.shape[0]) +
                                 " inputs but targets of shape " + targets.shapeString());
    if (targets.dtype == DType::Int64) {
        if (targets.shape.size() != 1)
            throw std::runtime_error(who + ": class labels must be one-dimensional [N], got " +
                                     targets.shapeString());
        const auto labels = targets.toDoubles();
        const std::int64_t classes = classNames.empty() ? -1 : std::int64_t(classNames.size());
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const auto label = static_cast<std::int64_t>(labels[i]);
            if (label < 0 || (classes >= 0 && label >= classes))
                throw std::runtime_error(
                    who + ": label " + std::to_string(label) + " of sample " + std::to_string(i) +
                    (classes >= 0 ? " is outside [0, " + std::to_string(classes) + ")"
                                  : " is negative"));
        }
    } else if (targets.dtype != DType::Float32) {
        throw std::runtime_error(who +
                                 ": targets must be int64 class labels or float32 values, got " +
                                 dtypeName(targets.dtype));
    }
}

TensorData sampleOf(const TensorData& batch, std::int64_t i, const std::string& what) {
    if (batch.dtype != DType::Float32 || batch.shape.size() < 2 || !batch.isContiguous())
        throw std::runtime_error(what + ": inputs " + batch.shapeString() +
                                 " are not a contiguous float32 batch of images");
    if (i < 0 || i >= batch.shape[0])
        throw std::runtime_error(what + ": index " + std::to_string(i) + " is out of range (" +
                                 std::to_string(batch.shape[0]) + " samples)");
    TensorData one;
    one.shape.assign(batch.shape.begin() + 1, batch.shape.end());
    const std::size_t bytes = std::size_t(one.numel()) * sizeof(float);
    one.storage = Storage::allocate(bytes);
    std::memcpy(
        one.storage->mutableData(),
        batch.storage->data() + std::size_t(batch.storageOffset + i * one.numel()) * sizeof(float),
        bytes);
    return one;
}

}  // namespace basin
