#pragma once
// A classification dataset stored as images in torchvision's ImageFolder
// layout: one sub-folder per class, named after it, holding that class's
// images (.png, .jpg, .jpeg, .bmp; the extension's case does not matter).
//
//   root/cat/001.png, root/cat/002.jpg, root/dog/a.bmp ...
//   → classNames {"cat", "dog"}, labels 0, 0, 1, ...
//
// Classes and files are taken in sorted (byte-wise) order, as torchvision
// does, so the same folder always gives the same dataset. Images are decoded
// with stb_image, converted to grey or RGB, resized bilinearly, scaled to
// [0, 1] and normalised per channel: x = (value - mean[c]) / std[c].

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "jobs/Job.h"

namespace basin {

struct ImageFolderOptions {
    // Output size; 0 keeps the images' own size (every image must then have
    // the size of the first one).
    int width = 0;
    int height = 0;
    enum class Channels { Grey, RGB };
    Channels channels = Channels::RGB;
    // One value per channel (or one for all); empty: mean 0, std 1.
    std::vector<double> mean;
    std::vector<double> std;
};

// Inputs [N, C, H, W] float32, targets int64. Throws std::runtime_error
// naming the folder or the image that is wrong (unreadable, not an image, a
// size that differs when not resizing, no images in a class). With a context,
// reports progress per image and stops when cancelled (throws JobCancelled).
Dataset loadImageFolder(const std::string& root, const ImageFolderOptions& options = {},
                        JobContext* context = nullptr);

}  // namespace basin
