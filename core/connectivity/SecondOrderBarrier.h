#pragma once
// A second-order prediction of the loss along the straight path from the
// curvature of the loss, to be plotted beside the measured path.
//
// For a quadratic loss L(θ) = c + gᵀθ + ½θᵀHθ and Δ = θ_B − θ_A,
//   L(θ_A + tΔ) = L_A + t·g_Aᵀ Δ + ½t²·ΔᵀHΔ   and   L_B = L_A + g_Aᵀ Δ + ½ΔᵀHΔ,
// so the gap to the chord is exactly
//   L(θ(t)) − ((1 − t)L_A + tL_B) = −t(1 − t)/2 · ΔᵀHΔ.
// For a network this is the second-order Taylor picture of the path: a
// negative curvature along Δ predicts a barrier of height −ΔᵀHΔ/8 at t = ½
// (definition (i) of Barrier.h), a positive one a convex valley (no barrier).
//
// ΔᵀHΔ is measured with one exact Hessian-vector product (Pearlmutter's
// double backprop, curvature/HessianVectorProduct.h) at each of θ_A, the
// midpoint θ(½) and θ_B, on the training data, in eval mode (BatchNorm with the
// interpolated running statistics, as on the path without re-estimation).
// Only parameters take part: Δ over the buffers is not a direction the loss
// is differentiated in. The prediction uses the midpoint curvature by default
// — for a non-quadratic loss the curvature varies along the path, and the
// midpoint's is where a barrier peaks — and reports all three, so the spread
// shows how far from quadratic the path is. On a quadratic all three agree
// and the prediction equals the measured path.
//
// The products run on a clone of the model (Model::clone), so the caller's
// model can be evaluated afterwards (inference after autograd on the same
// TorchScript module fails).

#include <cmath>
#include <string>
#include <vector>

#include "connectivity/Barrier.h"
#include "curvature/HessianVectorProduct.h"
#include "data/Dataset.h"
#include "jobs/Job.h"
#include "model/Model.h"
#include "model/WeightVector.h"

namespace basin {

enum class CurvaturePoint { A, Midpoint, B };
// "A", "midpoint", "B"
const char* curvaturePointName(CurvaturePoint point);

struct SecondOrderOptions {
    HessianOptions hessian;
    CurvaturePoint use = CurvaturePoint::Midpoint;
};

struct SecondOrderPrediction {
    // ΔᵀHΔ at θ_A, θ(½) and θ_B.
    double curvatureA = std::nan(""), curvatureMidpoint = std::nan(""), curvatureB = std::nan("");
    CurvaturePoint used = CurvaturePoint::Midpoint;
    double curvature = std::nan("");  // the one used
    std::vector<double> t;
    // (1 − t)L_A + tL_B − t(1 − t)/2 · curvature at each t.
    std::vector<double> loss;
    Barrier barrier;  // of the predicted curve
};

// `a` and `b` are the ends with the model's layout (parameters, and buffers
// when present: they are set too); `lossA` and `lossB` the measured losses at
// the ends (the prediction shares the measured path's ends). Progress and
// cancellation through `context` (three products).
SecondOrderPrediction predictBarrier(const Model& model, const WeightVector& a,
                                     const WeightVector& b, const Dataset& train,
                                     const std::vector<double>& t, double lossA, double lossB,
                                     const SecondOrderOptions& options = {},
                                     JobContext* context = nullptr);

// predictBarrier as a Job, from files (what `basin lmc --second-order` runs):
// loads the model and the two checkpoints inside run().
class SecondOrderBarrierJob : public Job {
public:
    SecondOrderBarrierJob(std::string modelPath, std::string checkpointA, std::string checkpointB,
                          std::string weightRoot, Dataset train, std::vector<double> t,
                          double lossA, double lossB, SecondOrderOptions options = {});
    std::string title() const override;
    void run(JobContext& context) override;
    const SecondOrderPrediction& result() const { return result_; }

private:
    std::string modelPath_, a_, b_, weightRoot_;
    Dataset train_;
    std::vector<double> t_;
    double lossA_, lossB_;
    SecondOrderOptions options_;
    SecondOrderPrediction result_;
};

}  // namespace basin
