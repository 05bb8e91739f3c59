#pragma once
// How alike two saliency maps are, as the sanity checks of saliency methods
// measure it (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS
// 2018; Rebuffi et al., "There and Back Again", CVPR 2020):
//  - Spearman's rank correlation: Pearson's correlation of the ranks, ties
//    ranked by their average rank (as scipy.stats.spearmanr). 1 for the same
//    ordering, −1 for the reversed one. A constant map has no ordering: its
//    correlation is taken as 0 with any other map and 1 with an equal one
//    (scipy gives NaN).
//  - SSIM (Wang et al., "Image Quality Assessment: From Error Visibility to
//    Structural Similarity", IEEE TIP 2004): each map min–max normalised to
//    [0, 1] (a constant map becomes 0), local means, variances and covariance
//    under an 11×11 Gaussian window (σ = 1.5, weights summing to 1), C1 =
//    (0.01·L)², C2 = (0.03·L)² with L = 1, averaged over every position where
//    the window lies inside the map (Wang et al.'s "valid" filtering). Maps
//    smaller than 11 pixels use the largest odd window that fits.

#include <cstdint>
#include <vector>

#include "saliency/SaliencyMap.h"

namespace basin {

// The rank of each value (1-based), ties given the average of their ranks.
std::vector<double> averageRanks(const std::vector<float>& values);

// Throws std::invalid_argument when the sizes differ or are empty.
double spearmanCorrelation(const std::vector<float>& a, const std::vector<float>& b);

// Maps are row-major height × width; throws std::invalid_argument when the
// sizes do not match.
double structuralSimilarity(const std::vector<float>& a, const std::vector<float>& b,
                            std::int64_t height, std::int64_t width);

// The side of the Gaussian window SSIM uses on a height × width map (11, or
// the largest odd size that fits).
int ssimWindowSize(std::int64_t height, std::int64_t width);

struct MapSimilarity {
    double spearman = 0.0;     // of the signed values
    double spearmanAbs = 0.0;  // of |values| (Adebayo et al.'s "absolute" maps)
    double ssim = 0.0;         // of |values|, each normalised to [0, 1]
};

// Throws std::invalid_argument naming both sizes when the maps' sizes differ.
MapSimilarity compareMaps(const SaliencyMap& a, const SaliencyMap& b);

}  // namespace basin
