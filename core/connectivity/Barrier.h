#pragma once
// Barrier heights of a loss (and accuracy) curve along a path between two
// endpoints A (t = 0) and B (t = 1), with the definitions used in the
// literature side by side, since papers disagree on which one "the barrier"
// is. With L(t) the loss at θ(t), L_A = L(0), L_B = L(1):
//
//  (i)   Linear-interpolation barrier (Frankle et al. 2020, "Linear Mode
//        Connectivity and the Lottery Ticket Hypothesis"; Entezari et al.
//        2022, "The Role of Permutation Invariance in LMC"):
//          B_lin = max_t [ L(t) − ((1 − t)·L_A + t·L_B) ]
//        ≥ 0 always (t = 0 and t = 1 give 0); `linearT` is the argmax.
//  (ii)  Height of the highest point above the mean of the ends:
//          B_max = max_t L(t) − ½(L_A + L_B)
//        (may be negative when the path is monotone); `maxT` is the argmax.
//  (iii) Midpoint barrier: B_mid = L(½) − ½(L_A + L_B). When ½ is not a
//        sample, L(½) is linearly interpolated between its neighbours.
//  (iv)  Accuracy barrier (Frankle et al. 2020 report instability as an
//        error barrier): the largest drop of accuracy below the linear
//        interpolation of the ends' accuracies,
//          B_acc = max_t [ ((1 − t)·Acc_A + t·Acc_B) − Acc(t) ]
//        in the accuracy's unit (percent in path files); `accuracyT`.
//  and the area between the curve and the chord,
//          A = ∫₀¹ [ L(t) − ((1 − t)·L_A + t·L_B) ] dt   (trapezoid rule),
//  which, unlike the maxima, sees the whole curve's shape.
//
// Samples not computed yet (negative values, the files' −1) are skipped, so
// a partial path gives the barrier of the points computed so far; without
// both ends the results are NaN. t must be increasing; the ends are the first
// and last computed samples, taken to be t = 0 and t = 1 after rescaling
// (so a segment [t_k, t_{k+1}] of a chain is measured as its own path).

#include <cmath>
#include <vector>

namespace basin {

struct Barrier {
    double linear = std::nan("");  // (i)
    double linearT = std::nan("");
    double maxAboveMeanOfEnds = std::nan("");  // (ii)
    double maxT = std::nan("");
    double midpoint = std::nan("");      // (iii)
    double area = std::nan("");          // ∫ L − chord
    double accuracyDrop = std::nan("");  // (iv); NaN without accuracies
    double accuracyT = std::nan("");
    double lossA = std::nan(""), lossB = std::nan("");
};

// `accuracy` may be empty (regression) or hold NaNs; otherwise it is sampled
// at the same t as `loss`.
Barrier measureBarrier(const std::vector<double>& t, const std::vector<double>& loss,
                       const std::vector<double>& accuracy = {});

// The samples with t in [t0, t1] (ends included), for measuring one segment
// of a chain: *outT, *outLoss, *outAccuracy (when `accuracy` is not empty).
void segmentSamples(const std::vector<double>& t, const std::vector<double>& loss,
                    const std::vector<double>& accuracy, double t0, double t1,
                    std::vector<double>* outT, std::vector<double>* outLoss,
                    std::vector<double>* outAccuracy);

}  // namespace basin
