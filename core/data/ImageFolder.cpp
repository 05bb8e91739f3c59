#include "data/ImageFolder.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "data/detail/TensorBuilders.h"

namespace basin {
namespace {

namespace fs = std::filesystem;

// Larger images are refused before decoding (stb_image would allocate them).
constexpr int kMaxSide = 16384;
// The decoded dataset may not exceed this many float32 values (16 GiB).
constexpr std::int64_t kMaxValues = std::int64_t(1) << 32;

bool isImageFile(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

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
            if (entry.is_regular_file() && isImageFile(entry.path()))
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

// Bilinear resampling with half-pixel centres (PyTorch's interpolate with
// align_corners=False, without antialiasing): output pixel (x, y) samples
// the input at ((x + 0.5) * inW / outW - 0.5, ...), clamped to the border.
void resizeBilinear(const float* in, int inW, int inH, float* out, int outW, int outH) {
    const double sx = double(inW) / outW, sy = double(inH) / outH;
    for (int y = 0; y < outH; ++y) {
        const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, double(inH - 1));
        const int y0 = int(fy), y1 = std::min(y0 + 1, inH - 1);
        const double wy = fy - y0;
        for (int x = 0; x < outW; ++x) {
            const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, double(inW - 1));
            const int x0 = int(fx), x1 = std::min(x0 + 1, inW - 1);
            const double wx = fx - x0;
            const double top = in[y0 * inW + x0] * (1 - wx) + in[y0 * inW + x1] * wx;
            const double bottom = in[y1 * inW + x0] * (1 - wx) + in[y1 * inW + x1] * wx;
            out[y * outW + x] = float(top * (1 - wy) + bottom * wy);
        }
    }
}

std::vector<double> perChannel(const std::vector<double>& values, int channels, double fallback,
                               const char* what) {
    if (values.empty()) return std::vector<double>(std::size_t(channels), fallback);
    if (values.size() == 1) return std::vector<double>(std::size_t(channels), values[0]);
    if (int(values.size()) != channels)
        throw std::invalid_argument("image folder: " + std::to_string(values.size()) + " " + what +
                                    " values for " + std::to_string(channels) + " channels");
    return values;
}

}  // namespace

Dataset loadImageFolder(const std::string& root, const ImageFolderOptions& options,
                        JobContext* context) {
    const int channels = options.channels == ImageFolderOptions::Channels::Grey ? 1 : 3;
    const auto mean = perChannel(options.mean, channels, 0.0, "mean");
    const auto stddev = perChannel(options.std, channels, 1.0, "std");
    for (double s : stddev)
        if (!(s > 0)) throw std::invalid_argument("image folder: std values must be positive");
    if (options.width < 0 || options.height < 0 || options.width > kMaxSide ||
        options.height > kMaxSide || (options.width == 0) != (options.height == 0))
        throw std::invalid_argument("image folder: give both width and height (1.." +
                                    std::to_string(kMaxSide) + ") or neither");

    Dataset ds;
    ds.name = fs::path(root).filename().string();
    if (ds.name.empty()) ds.name = fs::path(root).parent_path().filename().string();
    const std::vector<Sample> samples = listSamples(root, ds.classNames);
    const auto n = std::int64_t(samples.size());

    int width = options.width, height = options.height;
    std::vector<float> values;
    std::vector<std::int64_t> labels;
    std::vector<float> plane;
    for (std::int64_t i = 0; i < n; ++i) {
        if (context) {
            context->throwIfCancelled();
            context->report(double(i) / double(n), "reading " + samples[std::size_t(i)].path);
        }
        const std::string& path = samples[std::size_t(i)].path;
        int w = 0, h = 0, fileChannels = 0;
        if (!stbi_info(path.c_str(), &w, &h, &fileChannels))
            throw std::runtime_error("cannot read image '" + path + "': " + stbi_failure_reason());
        if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide)
            throw std::runtime_error("image '" + path + "' is " + std::to_string(w) + "x" +
                                     std::to_string(h) + "; Basin reads images up to " +
                                     std::to_string(kMaxSide) + " pixels a side");
        if (width == 0) {
            width = w;
            height = h;
        }
        if (values.empty()) {
            const std::int64_t total = n * channels * std::int64_t(width) * height;
            if (total > kMaxValues)
                throw std::runtime_error("image folder '" + root + "': " + std::to_string(n) +
                                         " images of " + std::to_string(width) + "x" +
                                         std::to_string(height) +
                                         " do not fit in memory; choose a smaller size");
            values.reserve(std::size_t(total));
        }
        if (options.width == 0 && (w != width || h != height))
            throw std::runtime_error("image '" + path + "' is " + std::to_string(w) + "x" +
                                     std::to_string(h) + " but the first image is " +
                                     std::to_string(width) + "x" + std::to_string(height) +
                                     "; choose a size to resize to");
        std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
            stbi_load(path.c_str(), &w, &h, &fileChannels, channels), stbi_image_free);
        if (!pixels)
            throw std::runtime_error("cannot read image '" + path + "': " + stbi_failure_reason());
        plane.resize(std::size_t(w) * std::size_t(h));
        const std::size_t outPlane = std::size_t(width) * std::size_t(height);
        const std::size_t start = values.size();
        values.resize(start + outPlane * std::size_t(channels));
        for (int c = 0; c < channels; ++c) {
            for (std::size_t k = 0; k < plane.size(); ++k)
                plane[k] = float(pixels.get()[k * std::size_t(channels) + std::size_t(c)]) / 255.0f;
            float* out = values.data() + start + std::size_t(c) * outPlane;
            if (w == width && h == height)
                std::memcpy(out, plane.data(), outPlane * sizeof(float));
            else
                resizeBilinear(plane.data(), w, h, out, width, height);
            const auto m = float(mean[std::size_t(c)]);
            const auto s = float(1.0 / stddev[std::size_t(c)]);
            for (std::size_t k = 0; k < outPlane; ++k)
                out[k] = (out[k] - m) * s;
        }
        labels.push_back(samples[std::size_t(i)].label);
    }
    ds.inputs = detail::float32Tensor({n, channels, height, width}, std::move(values));
    ds.targets = detail::int64Tensor({n}, std::move(labels));
    if (context) context->report(1.0, "read " + std::to_string(n) + " images");
    return ds;
}

}  // namespace basin
