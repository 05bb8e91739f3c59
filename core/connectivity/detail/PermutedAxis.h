#pragma once
// Inside core only (includes libtorch): applying a group's permutation to one
// axis of a tensor, shared by permuteStateDict and weight matching.

#include <torch/script.h>

#include "connectivity/PermutationSpec.h"

namespace basin::detail {

// t.index_select(axis.dim, ·) with unit u's block of axis.block indices
// taking the place of unit perm[u]'s. Throws naming axis.tensor when the
// axis length is not perm.size()·block.
torch::Tensor permuteAxis(const torch::Tensor& t, const PermutedAxis& axis,
                          const Permutation& perm);

// Throws naming the group unless `perm` is a permutation of 0..size−1.
void checkPermutation(const PermutationGroup& group, const Permutation& perm);

}  // namespace basin::detail
