#pragma once
// Products of the Hessian of a network's loss with vectors in weight space,
// by double backpropagation (Pearlmutter 1994, "Fast exact multiplication by
// the Hessian"): with g(θ) = ∇L(θ) computed keeping its graph,
// Hv = ∇_θ (g(θ)·v), exact and at the cost of about two gradients.
//
// L is the mean loss over the dataset at the model's current weights, with
// evaluate()'s loss (eval/Evaluation.h): cross-entropy for int64 labels, MSE
// otherwise, the model in eval mode (BatchNorm uses its running statistics,
// dropout is off). Batches contribute their summed losses divided by the
// number of samples (times targets per sample for MSE), so the products are
// those of the Hessian of the mean over all the data, whatever the batch size.
//
// v ranges over the model's floating-point parameters (never buffers), or a
// selection of them: HessianOptions::parameters names tensors ("fc1.weight")
// or modules ("fc1", "layer1.0": every parameter under it). Restricting v to a
// set S gives the diagonal block H_SS (per-layer curvature).
//
// While the object lives, the selected parameters require grad and the others
// do not; the previous flags and training mode are restored on destruction.
// When the data fit in one batch, the gradient's graph is computed once and
// kept, so each product is one backward pass through it (as PyHessian does);
// it is rebuilt when the weights have changed since (checked before each
// product, e.g. after WeightVector::applyTo). Use the
// model from one thread at a time.

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "curvature/SymmetricOperator.h"
#include "data/Dataset.h"
#include "eval/Evaluation.h"
#include "jobs/Job.h"
#include "model/Model.h"
#include "model/WeightVector.h"

namespace basin {

struct HessianOptions {
    LossKind loss = LossKind::Auto;
    // Samples per forward/backward pass. The whole dataset in one batch lets
    // the gradient graph be kept between products (memory: one training step).
    std::int64_t batchSize = 1000;
    // Intra-op threads on the calling thread during products; 0 leaves
    // libtorch's setting (all cores) alone.
    int threads = 0;
    // Parameter tensors or modules v ranges over; empty = all parameters.
    std::vector<std::string> parameters;
    // Works on a float64 copy of the model (inputs converted too): products
    // exact to double rounding, for small models and tests. The model's own
    // weights are read once, at construction.
    bool float64 = false;
};

// A module's parameters, for per-layer curvature: parameters grouped by the
// module that owns them ("fc1" → fc1.weight, fc1.bias), in module order.
struct ParameterGroup {
    std::string name;
    std::vector<std::string> parameters;
};
std::vector<ParameterGroup> parameterGroups(const Model& model);

class HessianVectorProduct {
public:
    // Throws a sentence when the dataset does not fit the loss, a selected
    // name matches no parameter, or nothing is selected.
    HessianVectorProduct(Model model, Dataset dataset, HessianOptions options = {});
    ~HessianVectorProduct();
    HessianVectorProduct(HessianVectorProduct&&) noexcept;
    HessianVectorProduct& operator=(HessianVectorProduct&&) noexcept;

    // Number of weights v ranges over.
    std::int64_t dimension() const;
    // A zero vector with v's layout: the selected parameters in module order
    // (for all parameters, the layout of WeightVector::fromModel(model)).
    const WeightVector& layout() const;

    // Hv for v laid out as layout(). Throws a sentence naming the model and
    // dataset when the model cannot run; JobCancelled between batches.
    WeightVector apply(const WeightVector& v, JobContext* context = nullptr);
    // The same on a plain vector in layout() order; in float64 mode the
    // product is computed in double throughout.
    Eigen::VectorXd apply(const Eigen::VectorXd& v, JobContext* context = nullptr);
    // The product as a SymmetricOperator for the curvature algorithms. The
    // operator refers to this object, which must outlive it.
    SymmetricOperator asOperator(JobContext* context = nullptr);

    // ∇L restricted to the selection, and L (mean loss), at the current weights.
    WeightVector gradient(JobContext* context = nullptr);
    double loss(JobContext* context = nullptr);

    // A plain vector in layout() order as a WeightVector (e.g. an eigenvector
    // to be used as a landscape direction).
    WeightVector toWeightVector(const Eigen::VectorXd& v) const;
    Eigen::VectorXd toEigen(const WeightVector& v) const;

    // Products computed so far.
    std::int64_t products() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace basin
