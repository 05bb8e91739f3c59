#pragma once
// Datasets stored as arrays in a file: NumPy .npz (several named arrays) or
// .npy (one array; the labels come from a second .npy), or a torch.save file
// (.pt/.pth: a dict of tensors or a (inputs, labels) tuple, read by Basin's
// own restricted reader; safetensors is recognised by content too).
//
// Which arrays hold the inputs and labels is the user's choice; without one,
// the first pair present of x/y, inputs/targets, data/labels, X/Y (and, in a
// torch.save tuple or list, 0/1) is used. Inputs become float32 [N, ...],
// labels int64 [N] (integer, bool, or float arrays holding whole numbers;
// [N, 1] is flattened). Anything else — a missing key, a shape or dtype that
// does not fit — is an error naming the file, the key and the shape.

#include <string>

#include "data/Dataset.h"

namespace basin {

struct DatasetFileOptions {
    std::string inputsKey;    // empty: try the default pairs
    std::string targetsKey;   // empty: the default partner of inputsKey
    std::string targetsFile;  // .npy only: the file that holds the labels
};

// Throws std::runtime_error naming the file and key.
Dataset loadDatasetFile(const std::string& path, const DatasetFileOptions& options = {});

// Writes the dataset as .npz with arrays "x" (inputs) and "y" (labels), which
// np.load reads and loadDatasetFile reads back. Atomic.
void writeDatasetNpz(const std::string& path, const Dataset& dataset);

}  // namespace basin
