#include "curvature/HessianJob.h"

#include <algorithm>
#include <memory>

namespace basin {
namespace {

// Counts products against the job's budget, reports progress and checks
// cancellation before each one.
SymmetricOperator counted(SymmetricOperator op, std::int64_t& done, std::int64_t budget,
                          JobContext* context) {
    SymmetricOperator out;
    out.dimension = op.dimension;
    out.apply = [inner = std::move(op.apply), &done, budget, context](const Eigen::VectorXd& x,
                                                                      Eigen::VectorXd& y) {
        if (context) context->throwIfCancelled();
        inner(x, y);
        ++done;
        if (context)
            context->report(std::min(1.0, double(done) / double(std::max<std::int64_t>(1, budget))),
                            "Hessian-vector products: " + std::to_string(done) + " of at most " +
                                std::to_string(budget));
    };
    return out;
}

std::int64_t capped(std::int64_t steps, std::int64_t dimension) {
    return std::min(std::max<std::int64_t>(1, steps), dimension);
}

}  // namespace

HessianReport computeHessianReport(Model& model, const Dataset& dataset,
                                   const HessianJobOptions& options, JobContext* context) {
    HessianOptions whole = options.hessian;
    whole.parameters.clear();
    // Destroyed before the per-layer products, so its graph is freed.
    auto hvp = std::make_unique<HessianVectorProduct>(model, dataset, whole);
    HessianReport report;
    report.dimension = hvp->dimension();
    const std::int64_t n = report.dimension;

    std::vector<ParameterGroup> groups;
    if (options.perLayer) {
        if (options.layers.empty()) {
            groups = parameterGroups(model);
        } else {
            for (const auto& name : options.layers)
                groups.push_back({name, {name}});
        }
    }
    std::int64_t budget = 0;
    if (options.eigenvalues) budget += capped(options.lanczos.maxIterations, n);
    if (options.powerIteration)
        budget +=
            std::int64_t(std::max(1, options.power.k)) * std::max(1, options.power.maxIterations);
    if (options.trace) budget += std::max(1, options.hutchinson.samples);
    if (options.density)
        budget += std::int64_t(std::max(1, options.slq.starts)) * capped(options.slq.steps, n);
    for (std::size_t g = 0; g < groups.size(); ++g)
        budget += options.layerLanczos.maxIterations + options.layerHutchinson.samples;
    report.budget = budget;

    if (context) context->report(0.0, "Hessian: gradient at the current weights");
    report.loss = hvp->loss(context);
    const SymmetricOperator op =
        counted(hvp->asOperator(context), report.products, budget, context);
    if (options.eigenvalues) {
        report.lanczos = lanczosEigenvalues(op, options.lanczos);
        for (const auto& v : report.lanczos.eigenvectors)
            report.eigenvectors.push_back(hvp->toWeightVector(v));
        report.lanczos.eigenvectors.clear();
        if (report.lanczos.bottomEigenvector.size() == n) {
            report.bottomEigenvector = hvp->toWeightVector(report.lanczos.bottomEigenvector);
            report.lanczos.bottomEigenvector = Eigen::VectorXd();
        }
    }
    if (options.powerIteration) report.power = powerIteration(op, options.power);
    if (options.trace) report.trace = hutchinsonTrace(op, options.hutchinson);
    if (options.density) report.density = stochasticLanczosQuadrature(op, options.slq);
    hvp.reset();

    for (const ParameterGroup& group : groups) {
        HessianOptions block = options.hessian;
        block.parameters = group.parameters;
        HessianVectorProduct layer(model, dataset, block);
        const std::int64_t before = report.products;
        const SymmetricOperator layerOp =
            counted(layer.asOperator(context), report.products, budget, context);
        LanczosOptions lanczos = options.layerLanczos;
        lanczos.k = 1;
        lanczos.eigenvectors = false;
        LayerCurvature c;
        c.name = group.name;
        c.parameters = group.parameters;
        c.dimension = layer.dimension();
        c.topEigenvalue = lanczosEigenvalues(layerOp, lanczos).eigenvalues.at(0);
        const HutchinsonResult trace = hutchinsonTrace(layerOp, options.layerHutchinson);
        c.trace = trace.trace;
        c.traceStandardError = trace.standardError;
        c.products = report.products - before;
        report.layers.push_back(std::move(c));
    }
    if (context) context->report(1.0, "Hessian: " + std::to_string(report.products) + " products");
    return report;
}

HessianJob::HessianJob(Model model, Dataset dataset, HessianJobOptions options)
    : model_(std::move(model)), dataset_(std::move(dataset)), options_(std::move(options)) {}

std::string HessianJob::title() const {
    return "Hessian of " + model_.name() + " on " + dataset_.name;
}

void HessianJob::run(JobContext& context) {
    result_ = computeHessianReport(model_, dataset_, options_, &context);
}

}  // namespace basin
