#pragma once
// Inside core/data only: helpers the dataset generators share.

#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace basin {
class Pcg32;
namespace detail {

// A uniformly random permutation of 0..n-1 (Fisher–Yates).
std::vector<std::int64_t> shuffledOrder(std::int64_t n, Pcg32& rng);
// A classification dataset of `dims`-dimensional points, in shuffled order.
Dataset pointDataset(const std::string& name, std::int64_t dims, const std::vector<float>& points,
                     const std::vector<std::int64_t>& labels, std::vector<std::string> classNames,
                     Pcg32& rng);
// Throws std::invalid_argument unless 0 <= value <= 2^26.
void requireCount(const char* dataset, const char* option, std::int64_t value);

}  // namespace detail
}  // namespace basin
