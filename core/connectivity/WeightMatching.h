#pragma once
// Permutation alignment of two networks of the same architecture: permute the
// hidden units of B so that they line up with A's, without changing B's
// function (the permutation groups come from PermutationSpec::derive). After
// alignment, the straight line between A and B often loses most of its loss
// barrier (Entezari et al. 2022; Ainsworth et al. 2023).
//
//  - Weight matching (Ainsworth, Hayase and Srinivasa, "Git Re-Basin",
//    ICLR 2023, Algorithm 1): maximize Σ_tensors ⟨θ_A, π(θ_B)⟩ by coordinate
//    ascent over the groups. For group g the objective is linear in its
//    permutation P_g with all others fixed:
//        S_g[i, j] = Σ_{axes (W, d) of g} ⟨W_A[i along d], W'_B[j along d]⟩,
//    where W'_B is W_B with every other group's current permutation applied
//    to its other axes; P_g is the maximum-weight assignment of S_g
//    (LinearAssignment.h). Groups are visited in a seeded random order; the
//    passes stop when none improves the objective. Only parameters enter S_g;
//    BatchNorm running statistics are permuted along with their channels.
//  - Activation matching (same paper, §3.1; Li et al. 2015): run both
//    networks on data and match each group's units by the Pearson
//    correlation of their activations where later layers read them
//    (HiddenUnits' values, over batch and spatial positions), one assignment
//    per group.
//
// Both return the permutations and B's state dict with its units permuted,
// which computes the same function as B (tests check outputs to 1e-5).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connectivity/PermutationSpec.h"
#include "data/Dataset.h"
#include "io/Checkpoint.h"
#include "jobs/Job.h"
#include "model/Model.h"

namespace basin {

struct WeightMatchingOptions {
    std::uint64_t seed = 0;  // order in which groups are visited
    int maxPasses = 100;
};

struct ActivationMatchingOptions {
    std::int64_t batchSize = 250;
    std::int64_t maxSamples = 0;  // the first N samples of the dataset; 0 = all
    int threads = 0;              // intra-op threads (0 = all hardware threads)
};

struct GroupMatch {
    std::string name;
    std::int64_t size = 0;
    std::int64_t moved = 0;  // units of B whose position changed
    double movedFraction() const { return size > 0 ? double(moved) / double(size) : 0.0; }
};

struct AlignmentResult {
    PermutationSpec spec;
    std::vector<Permutation> permutations;  // per spec group: position i takes B's unit perm[i]
    std::vector<NamedTensor> alignedB;      // every tensor of B, in the model's names and order
    std::vector<GroupMatch> groups;
    int passes = 0;  // weight matching: passes over the groups (the last one changed nothing)
    // ‖θ_A − θ_B‖ over the parameters (not buffers), before and after.
    double distanceBefore = 0.0;
    double distanceAfter = 0.0;
};

// `a` and `b` are state dicts for `model` (names as Model::applyStateDict
// takes them); throws naming the checkpoint and the tensor when one does not
// fit, and PermutationSpec::derive's error when the model has no structure
// Basin can follow.
AlignmentResult matchWeights(const Model& model, const std::vector<NamedTensor>& a,
                             const std::vector<NamedTensor>& b,
                             const WeightMatchingOptions& options = {},
                             JobContext* context = nullptr);

AlignmentResult matchActivations(const Model& model, const std::vector<NamedTensor>& a,
                                 const std::vector<NamedTensor>& b, const Dataset& data,
                                 const ActivationMatchingOptions& options = {},
                                 JobContext* context = nullptr);

enum class AlignmentMethod { Weights, Activations };

// Either matching as a Job (the CLI's progress bar and Ctrl-C, the GUI's jobs
// panel). `data` is needed for Activations.
class AlignmentJob : public Job {
public:
    AlignmentJob(Model model, std::vector<NamedTensor> a, std::vector<NamedTensor> b,
                 AlignmentMethod method, Dataset data = {});
    std::string title() const override;
    void run(JobContext& context) override;
    const AlignmentResult& result() const { return result_; }

    WeightMatchingOptions weightOptions;
    ActivationMatchingOptions activationOptions;

private:
    Model model_;
    std::vector<NamedTensor> a_, b_;
    AlignmentMethod method_;
    Dataset data_;
    AlignmentResult result_;
};

}  // namespace basin
