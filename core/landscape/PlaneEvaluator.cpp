#include "landscape/PlaneEvaluator.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "eval/FrozenEvaluation.h"
#include "landscape/FirstLayerFactoring.h"

namespace basin {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string mebibytes(std::int64_t bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

}  // namespace

PlaneEvaluator::PlaneEvaluator(Model& model, const Directions& directions,
                               std::vector<const Dataset*> datasets, const EvalOptions& eval,
                               const PlaneSpeedOptions& speed, bool batchNormReestimated,
                               JobContext* context)
    : model_(model), datasets_(std::move(datasets)), eval_(eval) {
    factored_.resize(datasets_.size());
    std::string whyNot;
    if (!speed.factorFirstLayer) {
        whyNot = "first-layer factoring is off";
    } else if (batchNormReestimated) {
        whyNot = "BatchNorm statistics are re-estimated at every point";
    } else {
        std::int64_t bytes = 0;
        for (std::size_t i = 0; i < datasets_.size(); ++i) {
            FirstLayerOptions o;
            o.budgetBytes = speed.firstLayerBudgetBytes;
            o.minimumFanIn = speed.minimumFanIn;
            o.threads = eval.threads;
            factored_[i] =
                FirstLayerFactoring::prepare(model, directions, *datasets_[i], o, &whyNot, context);
            if (!factored_[i]) break;
            bytes += factored_[i]->cacheBytes();
        }
        if (factored_[0]) {
            path_ = "first layer " + factored_[0]->description() + " factored (" +
                    mebibytes(bytes) + " cached)";
            for (std::size_t i = 1; i < datasets_.size(); ++i)
                if (!factored_[i])
                    path_ += "; " + datasets_[i]->name + ": whole network, " + whyNot;
            return;
        }
    }
    notFactored_ = whyNot;
    path_ = "whole network at every point (" + whyNot + ")";
    if (speed.freezeForInference && hasConvolution(model)) frozen_ = Frozen::Untried;
}

PlaneEvaluator::~PlaneEvaluator() = default;

void PlaneEvaluator::moved() {
    frozenCopy_.reset();
}

EvalResult PlaneEvaluator::evaluate(std::size_t which, double a, double b, JobContext* context) {
    const Dataset& data = *datasets_.at(which);
    if (factored_[which]) return factored_[which]->evaluate(model_, a, b, eval_, context);
    if (frozen_ == Frozen::DoNotUse) return basin::evaluate(model_, data, eval_, context);

    auto frozenCopy = [&] {
        if (!frozenCopy_) frozenCopy_ = std::make_unique<FrozenModel>(model_);
        return frozenCopy_.get();
    };
    if (frozen_ == Frozen::Use) return frozenCopy()->evaluate(data, eval_, context);

    // The first point: both ways, timed; the scripted result is the one kept.
    EvalResult frozen;
    double frozenSeconds = 0.0;
    std::string why;
    try {
        const auto t = Clock::now();
        frozen = frozenCopy()->evaluate(data, eval_, context);
        frozenSeconds = secondsSince(t);
    } catch (const JobCancelled&) {
        throw;
    } catch (const std::exception& e) {
        why = e.what();
    }
    const auto t = Clock::now();
    const EvalResult plain = basin::evaluate(model_, data, eval_, context);
    const double plainSeconds = secondsSince(t);
    char speedup[64];
    std::snprintf(speedup, sizeof speedup, "%.1f", plainSeconds / std::max(frozenSeconds, 1e-9));
    if (why.empty() &&
        !(std::abs(frozen.loss - plain.loss) <= 1e-5 * std::max(1.0, std::abs(plain.loss))))
        why = "its loss differed from the scripted module's";
    if (why.empty() && frozenSeconds >= 0.9 * plainSeconds)
        why = std::string("it was not faster (") + speedup + "×)";
    if (why.empty()) {
        frozen_ = Frozen::Use;
        path_ =
            "whole network, frozen for inference at every point (BatchNorm folded, MKL-DNN "
            "convolutions; " +
            std::string(speedup) + "× the scripted module at the first point; " + notFactored_ +
            ")";
    } else {
        frozen_ = Frozen::DoNotUse;
        frozenCopy_.reset();
        path_ += "; not frozen for inference: " + why;
    }
    return plain;
}

}  // namespace basin
