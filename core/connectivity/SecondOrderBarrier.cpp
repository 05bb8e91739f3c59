#include "connectivity/SecondOrderBarrier.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "connectivity/InterpolationPath.h"
#include "jobs/SubtaskContext.h"

namespace basin {
namespace {

// The entries of `full` that `layout` has, matched by name, laid out as `layout`.
WeightVector restrictTo(const WeightVector& full, const WeightVector& layout) {
    WeightVector out = WeightVector::zerosLike(layout);
    for (std::size_t i = 0; i < layout.entries().size(); ++i) {
        const WeightEntry& want = layout.entries()[i];
        const auto& have = full.entries();
        const auto it = std::find_if(have.begin(), have.end(),
                                     [&](const WeightEntry& e) { return e.name == want.name; });
        if (it == have.end() || it->numel() != want.numel())
            throw std::invalid_argument("the path's weights have no tensor '" + want.name +
                                        "' of the Hessian's shape");
        std::copy_n(full.data(std::size_t(it - have.begin())), want.numel(), out.data(i));
    }
    return out;
}

}  // namespace

const char* curvaturePointName(CurvaturePoint point) {
    switch (point) {
        case CurvaturePoint::A:
            return "A";
        case CurvaturePoint::Midpoint:
            return "midpoint";
        case CurvaturePoint::B:
            return "B";
    }
    return "midpoint";
}

SecondOrderPrediction predictBarrier(const Model& model, const WeightVector& a,
                                     const WeightVector& b, const Dataset& train,
                                     const std::vector<double>& t, double lossA, double lossB,
                                     const SecondOrderOptions& options, JobContext* context) {
    if (!a.sameLayout(b))
        throw std::invalid_argument("the ends of the path do not have the same tensors");
    Model clone = model.clone();
    WeightVector theta = a;
    const WeightVector delta = b - a;
    SecondOrderPrediction p;
    const std::pair<CurvaturePoint, double> points[] = {
        {CurvaturePoint::A, 0.0}, {CurvaturePoint::Midpoint, 0.5}, {CurvaturePoint::B, 1.0}};
    for (std::size_t k = 0; k < 3; ++k) {
        const auto [where, at] = points[k];
        interpolateWeights(a, b, at, theta);
        theta.applyTo(clone);
        HessianVectorProduct hvp(clone, train, options.hessian);
        const WeightVector d = restrictTo(delta, hvp.layout());
        std::optional<SubtaskContext> part;
        if (context)
            part.emplace(*context, double(k) / 3.0, double(k + 1) / 3.0,
                         std::string("curvature at ") + curvaturePointName(where) + ": ");
        const double curvature = d.dot(hvp.apply(d, part ? &*part : nullptr));
        (where == CurvaturePoint::A          ? p.curvatureA
         : where == CurvaturePoint::Midpoint ? p.curvatureMidpoint
                                             : p.curvatureB) = curvature;
    }
    p.used = options.use;
    p.curvature = options.use == CurvaturePoint::A          ? p.curvatureA
                  : options.use == CurvaturePoint::Midpoint ? p.curvatureMidpoint
                                                            : p.curvatureB;
    p.t = t;
    p.loss.resize(t.size());
    for (std::size_t i = 0; i < t.size(); ++i)
        p.loss[i] = (1.0 - t[i]) * lossA + t[i] * lossB - 0.5 * t[i] * (1.0 - t[i]) * p.curvature;
    // Every definition but the accuracy one is unchanged by a shift of the
    // curve; shifted to be non-negative, no predicted value reads as "not
    // computed" (negative) to measureBarrier.
    const double low = *std::min_element(p.loss.begin(), p.loss.end());
    std::vector<double> shifted = p.loss;
    for (double& v : shifted)
        v -= std::min(low, 0.0);
    p.barrier = measureBarrier(p.t, shifted);
    p.barrier.lossA = lossA;
    p.barrier.lossB = lossB;
    return p;
}

SecondOrderBarrierJob::SecondOrderBarrierJob(std::string modelPath, std::string checkpointA,
                                             std::string checkpointB, std::string weightRoot,
                                             Dataset train, std::vector<double> t, double lossA,
                                             double lossB, SecondOrderOptions options)
    : modelPath_(std::move(modelPath)),
      a_(std::move(checkpointA)),
      b_(std::move(checkpointB)),
      weightRoot_(std::move(weightRoot)),
      train_(std::move(train)),
      t_(std::move(t)),
      lossA_(lossA),
      lossB_(lossB),
      options_(std::move(options)) {}

std::string SecondOrderBarrierJob::title() const {
    return "Second-order barrier prediction";
}

void SecondOrderBarrierJob::run(JobContext& context) {
    context.report(0.0, "loading " + modelPath_);
    const Model model = Model::load(modelPath_);
    const InterpolationPath path = InterpolationPath::load(model, {a_, b_}, weightRoot_);
    result_ = predictBarrier(model, path.checkpoint(0), path.checkpoint(1), train_, t_, lossA_,
                             lossB_, options_, &context);
}

}  // namespace basin
