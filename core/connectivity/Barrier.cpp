#include "connectivity/Barrier.h"

#include <stdexcept>

namespace basin {
namespace {

// A sample counts when it has been computed (non-negative; NaN counts).
bool present(double v) {
    return !(v < 0.0);
}

}  // namespace

Barrier measureBarrier(const std::vector<double>& tIn, const std::vector<double>& lossIn,
                       const std::vector<double>& accuracyIn) {
    if (tIn.size() != lossIn.size() || (!accuracyIn.empty() && accuracyIn.size() != tIn.size()))
        throw std::invalid_argument("a barrier needs one loss (and accuracy) per t");
    std::vector<double> t, loss, accuracy;
    for (std::size_t i = 0; i < tIn.size(); ++i) {
        if (!present(lossIn[i])) continue;
        t.push_back(tIn[i]);
        loss.push_back(lossIn[i]);
        accuracy.push_back(accuracyIn.empty() ? std::nan("") : accuracyIn[i]);
    }
    Barrier b;
    if (t.size() < 2) return b;
    const double t0 = t.front(), span = t.back() - t0;
    if (!(span > 0)) return b;
    for (double& v : t)
        v = (v - t0) / span;
    const double la = loss.front(), lb = loss.back();
    b.lossA = la;
    b.lossB = lb;
    const double mean = 0.5 * (la + lb);
    double area = 0.0;
    std::vector<double> above(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        above[i] = loss[i] - ((1.0 - t[i]) * la + t[i] * lb);
        if (std::isnan(b.linear) || above[i] > b.linear) {
            b.linear = above[i];
            b.linearT = t0 + span * t[i];
        }
        if (std::isnan(b.maxAboveMeanOfEnds) || loss[i] - mean > b.maxAboveMeanOfEnds) {
            b.maxAboveMeanOfEnds = loss[i] - mean;
            b.maxT = t0 + span * t[i];
        }
        if (i > 0) area += 0.5 * (above[i] + above[i - 1]) * (t[i] - t[i - 1]);
    }
    b.area = area;
    for (std::size_t i = 1; i < t.size(); ++i)
        if (t[i] >= 0.5) {
            const double w = t[i] == t[i - 1] ? 1.0 : (0.5 - t[i - 1]) / (t[i] - t[i - 1]);
            b.midpoint = (1.0 - w) * loss[i - 1] + w * loss[i] - mean;
            break;
        }
    const double aa = accuracy.front(), ab = accuracy.back();
    if (std::isfinite(aa) && std::isfinite(ab)) {
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (!std::isfinite(accuracy[i])) continue;
            const double drop = (1.0 - t[i]) * aa + t[i] * ab - accuracy[i];
            if (std::isnan(b.accuracyDrop) || drop > b.accuracyDrop) {
                b.accuracyDrop = drop;
                b.accuracyT = t0 + span * t[i];
            }
        }
    }
    return b;
}

void segmentSamples(const std::vector<double>& t, const std::vector<double>& loss,
                    const std::vector<double>& accuracy, double t0, double t1,
                    std::vector<double>* outT, std::vector<double>* outLoss,
                    std::vector<double>* outAccuracy) {
    outT->clear();
    outLoss->clear();
    if (outAccuracy) outAccuracy->clear();
    // Knots are k/(K − 1) while samples are i/(n − 1): allow rounding.
    const double eps = 1e-9;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] < t0 - eps || t[i] > t1 + eps) continue;
        outT->push_back(t[i]);
        outLoss->push_back(loss[i]);
        if (outAccuracy && !accuracy.empty()) outAccuracy->push_back(accuracy[i]);
    }
}

}  // namespace basin
