#pragma once
// Single image files (.png, .jpg, .jpeg, .bmp) as a model takes them, for
// explaining one image at a time (saliency): decoded with stb_image like the
// images of an ImageFolder dataset (data/ImageFolder.h), converted to grey or
// RGB, resized bilinearly when a size is given, scaled to [0, 1] and
// normalised per channel: x = (value - mean[c]) / std[c].

#include <string>
#include <vector>

#include "data/ImageFolder.h"
#include "io/TensorData.h"

namespace basin {

// Whether `path` names an image file by its extension (any case).
bool isImageFileName(const std::string& path);

// Throws std::invalid_argument starting with `subject` ("image folder") when
// the options' mean/std (one value, or one per channel; std positive) or size
// (both or neither, up to 16384) cannot be used.
void validateImageOptions(const ImageFolderOptions& options, const std::string& subject);

// Float32 [C, H, W]. Throws std::runtime_error naming the file when it cannot
// be read or is larger than 16384 pixels a side, std::invalid_argument for
// options that do not fit (see ImageFolderOptions).
TensorData loadImageFile(const std::string& path, const ImageFolderOptions& options = {});

// The image files directly inside `folder`, sorted by name. Throws naming the
// folder when it cannot be listed or holds no images.
std::vector<std::string> imageFilesIn(const std::string& folder);

}  // namespace basin
