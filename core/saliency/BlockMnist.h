#pragma once
// A BlockMNIST-style test of whether a saliency map highlights the features a
// model actually needs (Shah, Jain & Netrapalli, "Do Input Gradients
// Highlight Discriminative Features?", NeurIPS 2021).
//
// Each image stacks two 28×28 blocks vertically: a digit from Basin's
// synthetic digit dataset (data/GeneratedDatasets.h), the discriminative
// block, and a null block holding the same patch for every class (a square
// outline), which carries no information about the label. Whether the digit
// is on top or at the bottom is drawn per image from the seed. A map that
// explains the classifier should put little of its mass on the null block.

#include <cstdint>
#include <vector>

#include "data/GeneratedDatasets.h"
#include "saliency/SaliencyMap.h"

namespace basin {

struct BlockMnistOptions {
    // The digits (sizes, distortions, seed); their own `normalize` is
    // ignored: blocks are composed in [0, 1].
    SyntheticDigitsOptions digits;
    // Subtract the training split's pixel mean and divide by its standard
    // deviation (both splits, the same constants), as SyntheticDigits does.
    bool normalize = true;
    std::uint64_t seed = 0;  // the digit's position per image
};

struct BlockMnist {
    static constexpr std::int64_t kBlock = 28;  // side of each block
    // Inputs [N, 1, 56, 28] float32, targets int64 0..9 (the digit).
    DatasetSplit split;
    // Per image of each split: 1 when the digit is the top block, 0 when it
    // is the bottom one.
    std::vector<std::uint8_t> trainDigitOnTop, testDigitOnTop;
    double pixelMean = 0.0, pixelStd = 1.0;  // 0 and 1 when not normalised
};

// Throws std::invalid_argument for options SyntheticDigits rejects.
BlockMnist makeBlockMnist(const BlockMnistOptions& options = {});

// The fraction of the map's attribution mass (Σ|value|) on the null block of
// a BlockMNIST image: the bottom half when the digit is on top, else the top
// half. NaN for a map with no mass. Throws std::invalid_argument when the map
// has an odd height.
double nullBlockMass(const SaliencyMap& map, bool digitOnTop);

// The mean of nullBlockMass over maps with mass (NaN when none has any).
// Throws std::invalid_argument when the counts differ.
double meanNullBlockMass(const std::vector<SaliencyMap>& maps,
                         const std::vector<std::uint8_t>& digitOnTop);

}  // namespace basin
