#include "data/ImageFolder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "data/ImageFile.h"
#include "data/detail/TensorBuilders.h"

namespace basin {
namespace {

namespace fs = std::filesystem;

// The decoded dataset may not exceed this many float32 values (16 GiB).
constexpr std::int64_t kMaxValues = std::int64_t(1) << 32;

struct Sample {
    std::string path;
    std::int64_t label;
};

std::vector<Sample> listSamples(const std::string& root, std::vector<std::string>& classNames) {
    std::error_code error;
    if (!fs::is_directory(root, error))
        throw std::runtime_error("image folder '" + root + "' is not a folder");
    std::vector<fs::path> classDirs;
    for (const auto& entry : fs::directory_iterator(root, error))
        if (entry.is_directory() && entry.path().filename().string().front() != '.')
            classDirs.push_back(entry.path());
    if (error)
        throw std::runtime_error("image folder '" + root + "': cannot list: " + error.message());
    std::sort(classDirs.begin(), classDirs.end());
    if (classDirs.empty())
        throw std::runtime_error("image folder '" + root +
                                 "' has no class sub-folders (expected root/class_name/image.png)");
    std::vector<Sample> samples;
    for (const fs::path& dir : classDirs) {
        std::vector<std::string> files;
        for (const auto& entry : fs::directory_iterator(dir, error))
            if (entry.is_regular_file() && isImageFileName(entry.path().string()))
                files.push_back(entry.path().string());
        if (error)
            throw std::runtime_error("image folder: cannot list '" + dir.string() +
                                     "': " + error.message());
        if (files.empty())
            throw std::runtime_error("image folder: class folder '" + dir.string() +
                                     "' holds no .png, .jpg, .jpeg or .bmp images");
        std::sort(files.begin(), files.end());
        const auto label = std::int64_t(classNames.size());
        classNames.push_back(dir.filename().string());
        for (auto& f : files)
            samples.push_back({std::move(f), label});
    }
    return samples;
}

}  // namespace

Dataset loadImageFolder(const std::string& root, const ImageFolderOptions& options,
                        JobContext* context) {
    validateImageOptions(options, "image folder");

    Dataset ds;
    ds.name = fs::path(root).filename().string();
    if (ds.name.empty()) ds.name = fs::path(root).parent_path().filename().string();
    const std::vector<Sample> samples = listSamples(root, ds.classNames);
    const auto n = std::int64_t(samples.size());

    std::int64_t channels = 0, width = 0, height = 0;
    std::vector<float> values;
    std::vector<std::int64_t> labels;
    for (std::int64_t i = 0; i < n; ++i) {
        if (context) {
            context->throwIfCancelled();
            context->report(double(i) / double(n), "reading " + samples[std::size_t(i)].path);
        }
        const std::string& path = samples[std::size_t(i)].path;
        const TensorData image = loadImageFile(path, options);  // [C, H, W]
        if (values.empty()) {
            channels = image.shape[0];
            height = image.shape[1];
            width = image.shape[2];
            const std::int64_t total = n * image.numel();
            if (total > kMaxValues)
                throw std::runtime_error("image folder '" + root + "': " + std::to_string(n) +
                                         " images of " + std::to_string(width) + "x" +
                                         std::to_string(height) +
                                         " do not fit in memory; choose a smaller size");
            values.reserve(std::size_t(total));
        }
        if (image.shape[1] != height || image.shape[2] != width)
            throw std::runtime_error("image '" + path + "' is " + std::to_string(image.shape[2]) +
                                     "x" + std::to_string(image.shape[1]) +
                                     " but the first image is " + std::to_string(width) + "x" +
                                     std::to_string(height) + "; choose a size to resize to");
        const auto* pixels = reinterpret_cast<const float*>(image.storage->data());
        values.insert(values.end(), pixels, pixels + image.numel());
        labels.push_back(samples[std::size_t(i)].label);
    }
    ds.inputs = detail::float32Tensor({n, channels, height, width}, std::move(values));
    ds.targets = detail::int64Tensor({n}, std::move(labels));
    if (context) context->report(1.0, "read " + std::to_string(n) + " images");
    return ds;
}

}  // namespace basin
