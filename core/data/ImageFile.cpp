#include "data/ImageFile.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "data/detail/TensorBuilders.h"

namespace basin {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxSide = 16384;  // as ImageFolder: refused before decoding

// Bilinear resampling with half-pixel centres (PyTorch's interpolate with
// align_corners=False, no antialiasing), as ImageFolder resizes.
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

int channelsOf(const ImageFolderOptions& options) {
    return options.channels == ImageFolderOptions::Channels::Grey ? 1 : 3;
}

std::vector<double> perChannel(const std::vector<double>& values, int channels, double fallback,
                               const std::string& subject, const char* what) {
    if (values.empty()) return std::vector<double>(std::size_t(channels), fallback);
    if (values.size() == 1) return std::vector<double>(std::size_t(channels), values[0]);
    if (int(values.size()) != channels)
        throw std::invalid_argument(subject + ": " + std::to_string(values.size()) + " " + what +
                                    " values for " + std::to_string(channels) + " channels");
    return values;
}

}  // namespace

bool isImageFileName(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

void validateImageOptions(const ImageFolderOptions& options, const std::string& subject) {
    const int channels = channelsOf(options);
    perChannel(options.mean, channels, 0.0, subject, "mean");
    for (double s : perChannel(options.std, channels, 1.0, subject, "std"))
        if (!(s > 0)) throw std::invalid_argument(subject + ": std values must be positive");
    if (options.width < 0 || options.height < 0 || options.width > kMaxSide ||
        options.height > kMaxSide || (options.width == 0) != (options.height == 0))
        throw std::invalid_argument(subject + ": give both width and height (1.." +
                                    std::to_string(kMaxSide) + ") or neither");
}

TensorData loadImageFile(const std::string& path, const ImageFolderOptions& options) {
    const std::string subject = "image '" + path + "'";
    validateImageOptions(options, subject);
    const int channels = channelsOf(options);
    const auto mean = perChannel(options.mean, channels, 0.0, subject, "mean");
    const auto stddev = perChannel(options.std, channels, 1.0, subject, "std");
    int w = 0, h = 0, fileChannels = 0;
    if (!stbi_info(path.c_str(), &w, &h, &fileChannels))
        throw std::runtime_error("cannot read image '" + path + "': " + stbi_failure_reason());
    if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide)
        throw std::runtime_error("image '" + path + "' is " + std::to_string(w) + "x" +
                                 std::to_string(h) + "; Basin reads images up to " +
                                 std::to_string(kMaxSide) + " pixels a side");
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
        stbi_load(path.c_str(), &w, &h, &fileChannels, channels), stbi_image_free);
    if (!pixels)
        throw std::runtime_error("cannot read image '" + path + "': " + stbi_failure_reason());
    const int width = options.width ? options.width : w;
    const int height = options.height ? options.height : h;
    const std::size_t outPlane = std::size_t(width) * std::size_t(height);
    std::vector<float> values(outPlane * std::size_t(channels));
    std::vector<float> plane(std::size_t(w) * std::size_t(h));
    for (int c = 0; c < channels; ++c) {
        for (std::size_t k = 0; k < plane.size(); ++k)
            plane[k] = float(pixels.get()[k * std::size_t(channels) + std::size_t(c)]) / 255.0f;
        float* out = values.data() + std::size_t(c) * outPlane;
        if (w == width && h == height)
            std::copy(plane.begin(), plane.end(), out);
        else
            resizeBilinear(plane.data(), w, h, out, width, height);
        const auto m = float(mean[std::size_t(c)]);
        const auto s = float(1.0 / stddev[std::size_t(c)]);
        for (std::size_t k = 0; k < outPlane; ++k)
            out[k] = (out[k] - m) * s;
    }
    return detail::float32Tensor({channels, height, width}, std::move(values));
}

std::vector<std::string> imageFilesIn(const std::string& folder) {
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw std::runtime_error("'" + folder + "' is not a folder");
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (entry.is_regular_file() && isImageFileName(entry.path().string()))
            files.push_back(entry.path().string());
    if (error) throw std::runtime_error("cannot list '" + folder + "': " + error.message());
    if (files.empty())
        throw std::runtime_error("folder '" + folder +
                                 "' holds no .png, .jpg, .jpeg or .bmp images");
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace basin
