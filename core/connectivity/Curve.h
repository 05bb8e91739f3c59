#pragma once
// Curved connectors between two minima (Garipov et al. 2018, "Loss Surfaces,
// Mode Connectivity, and Fast Ensembling of DNNs"; Draxler et al. 2018): a
// curve θ(t), t ∈ [0, 1], with fixed ends θ(0) = θ_A, θ(1) = θ_B and k
// trainable bends θ_1 … θ_k in between. With the control points
// P_0 = θ_A, P_1 … P_k = the bends, P_{k+1} = θ_B and n = k + 1:
//
//   Bezier:           θ(t) = Σ_j C(n, j) tʲ (1 − t)ⁿ⁻ʲ P_j   (Bernstein weights
//                     of degree n; Garipov et al.'s quadratic Bezier is k = 1)
//   polygonal chain:  the straight segments P_j → P_{j+1}, bend j at t = j/n
//
// so θ(t) = Σ_j c_j(t) P_j with weights c_j(t) ≥ 0 summing to 1
// (curveCoefficients) — linear in the control points, which is what lets the
// bends be trained by backpropagating through θ(t) (CurveTraining.h).
//
// Control points are WeightVectors of one layout. When it includes BatchNorm
// running statistics (WeightVector::fromModel(model, true), the path
// evaluation's layout), the statistics are not part of the curve: the bends'
// statistics stay where onLine() puts them, on the straight line, so θ(t)'s
// statistics are (1 − t)·A + t·B for both kinds (Bernstein polynomials
// reproduce lines) — stale, like the straight path's, until re-estimated at
// each t (PathOptions::reestimateBatchNorm).
//
// On disk (saveCurve / loadCurve) a curve is a torch.save dict (zip format),
// so Python's torch.load opens it and each bend is a state dict:
//   {'basin_curve': 1, 'kind': 'bezier' | 'polychain', 'bend_count': k,
//    'checkpoint_a': path, 'checkpoint_b': path, 'model': path,
//    'norm_a': ‖θ_A‖, 'norm_b': ‖θ_B‖,           (to recognise other ends)
//    'bends': [{name: tensor}, …],                (k state dicts)
//    'epoch': epochs trained, 'epoch_loss': float64 [epoch],
//    'optimizer': {'name': 'sgd' | 'adam', <state>: {name: tensor}}}
// The ends are not stored (they are the checkpoints named); loadCurve takes
// them and checks them against the norms. Writes are atomic.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "io/Checkpoint.h"
#include "model/WeightVector.h"

namespace basin {

enum class CurveKind { Bezier, PolygonalChain };

// "bezier", "polychain".
const char* curveKindName(CurveKind kind);

struct CurveSpec {
    CurveKind kind = CurveKind::Bezier;
    std::size_t bends = 1;
};
// "bezier:3", "polychain:1", "bezier" (one bend); throws std::invalid_argument
// with the accepted forms.
CurveSpec parseCurveSpec(const std::string& text);

// c_j(t) for the k + 2 control points (A, the bends, B), and dc_j/dt.
std::vector<double> curveCoefficients(CurveKind kind, std::size_t bends, double t);
std::vector<double> curveCoefficientDerivatives(CurveKind kind, std::size_t bends, double t);

class Curve {
public:
    // Throws std::invalid_argument when there are no bends or the layouts differ.
    Curve(CurveKind kind, WeightVector a, WeightVector b, std::vector<WeightVector> bends);
    // k bends on the straight line, where training starts (Garipov et al.):
    // bend j at (1 − j/(k + 1))·A + j/(k + 1)·B, for both kinds the straight
    // line itself (Bernstein polynomials reproduce linear functions).
    static Curve onLine(CurveKind kind, std::size_t bends, const WeightVector& a,
                        const WeightVector& b);

    CurveKind kind() const { return kind_; }
    std::size_t bendCount() const { return bends_.size(); }
    const WeightVector& a() const { return a_; }
    const WeightVector& b() const { return b_; }
    const WeightVector& bend(std::size_t i) const { return bends_[i]; }
    WeightVector& bend(std::size_t i) { return bends_[i]; }
    // Control point j = 0 … k + 1 (A, the bends, B).
    const WeightVector& controlPoint(std::size_t j) const;
    // The bend the plane through A, B and a bend uses: k/2 (the one at t = ½
    // for an odd number of bends).
    std::size_t middleBend() const { return bends_.size() / 2; }

    // θ(t) and dθ/dt written into `out` (the curve's layout).
    void weightsAt(double t, WeightVector& out) const;
    void derivativeAt(double t, WeightVector& out) const;

    // Names of the end checkpoints (files), for files and figures.
    std::string labelA = "A", labelB = "B";

private:
    void combine(const std::vector<double>& c, WeightVector& out) const;

    CurveKind kind_;
    WeightVector a_, b_;
    std::vector<WeightVector> bends_;
};

// A curve with where its training stands: what the curve file holds.
struct CurveFile {
    explicit CurveFile(Curve c) : curve(std::move(c)) {}

    Curve curve;
    std::string model;              // the TorchScript file it was trained for
    int epoch = 0;                  // epochs trained
    std::vector<double> epochLoss;  // mean training loss of epochs 1 … epoch
    // Optimiser state for resuming: "sgd" (momentum_buffer) or "adam"
    // (exp_avg, exp_avg_sq, step), tensors named "<state>.<bend>.<tensor>",
    // e.g. "exp_avg.0.fc1.weight"; empty before training.
    std::string optimizer;
    std::vector<NamedTensor> optimizerState;
};

void saveCurve(const CurveFile& file, const std::string& path);
// Reads a curve file for ends `a` and `b` (whose layout the bends take, matched
// by name). Throws a sentence naming the file when it is not a curve file, a
// bend does not fit the layout, or the ends are not the ones it was trained
// between.
CurveFile loadCurve(const std::string& path, const WeightVector& a, const WeightVector& b);

}  // namespace basin
