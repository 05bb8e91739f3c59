#include "landscape/Directions.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "util/Pcg32.h"

namespace basin {
namespace {

// PCG streams of the x and y directions: distinct, so x ≠ y for one seed.
constexpr std::uint64_t kStreamX = 1;
constexpr std::uint64_t kStreamY = 2;
// The reference tool's guard against dividing by an all-zero filter.
constexpr double kFilterEpsilon = 1e-10;

WeightVector gaussianLike(const WeightVector& layout, std::uint64_t seed, std::uint64_t stream) {
    WeightVector d = WeightVector::zerosLike(layout);
    Pcg32 rng(seed, stream);
    float* p = d.data();
    for (std::int64_t i = 0; i < d.size(); ++i)
        p[i] = float(rng.normal());
    return d;
}

void requireLayout(const WeightVector& a, const WeightVector& b, const char* what) {
    if (!a.sameLayout(b))
        throw std::invalid_argument(
            std::string(what) + ": the weight vectors come from different architectures (" +
            std::to_string(a.size()) + " and " + std::to_string(b.size()) + " values)");
}

}  // namespace

const char* directionKindName(DirectionKind kind) {
    switch (kind) {
        case DirectionKind::Random:
            return "random";
        case DirectionKind::CheckpointLine:
            return "line";
        case DirectionKind::CheckpointPlane:
            return "plane";
        case DirectionKind::TrajectoryPca:
            return "pca";
        case DirectionKind::HessianEigenvectors:
            return "hessian";
        case DirectionKind::Loaded:
            return "loaded";
    }
    return "random";
}

const char* normalizationName(Normalization normalization) {
    switch (normalization) {
        case Normalization::Filter:
            return "filter";
        case Normalization::Layer:
            return "layer";
        case Normalization::Whole:
            return "whole";
        case Normalization::None:
            return "none";
    }
    return "none";
}

Normalization normalizationByName(const std::string& name) {
    for (Normalization n :
         {Normalization::Filter, Normalization::Layer, Normalization::Whole, Normalization::None})
        if (name == normalizationName(n)) return n;
    throw std::invalid_argument("unknown direction normalization '" + name +
                                "'; expected filter, layer, whole or none");
}

void Directions::validate() const {
    const double nx = x.vector.norm();
    if (x.vector.size() == 0 || !(nx > 0.0))
        throw std::invalid_argument("the x direction is zero (" + std::to_string(x.vector.size()) +
                                    " values)");
    if (!y) return;
    requireLayout(x.vector, y->vector, "the x and y directions");
    const double ny = y->vector.norm();
    if (!(ny > 0.0)) throw std::invalid_argument("the y direction is zero");
    const double cosine = x.vector.dot(y->vector) / (nx * ny);
    if (std::abs(cosine) > 1.0 - 1e-6)
        throw std::invalid_argument(
            "the x and y directions are parallel (cosine " + std::to_string(cosine) +
            "); a slice needs two different directions (use another seed or recipe)");
}

void normalizeDirection(WeightVector& direction, const WeightVector& centre,
                        Normalization normalization, bool keepOneDimensional) {
    requireLayout(direction, centre, "normalizing a direction");
    const auto& entries = direction.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::int64_t n = entries[i].numel();
        if (entries[i].shape.size() <= 1) {
            // Biases and BatchNorm tensors: no direction, or θ_i itself (the
            // reference tool's choice when they are not ignored).
            if (keepOneDimensional)
                std::copy_n(centre.data(i), n, direction.data(i));
            else
                std::fill_n(direction.data(i), n, 0.0f);
            continue;
        }
        if (normalization == Normalization::Filter) {
            const std::vector<double> dn = direction.filterNorms(i);
            const std::vector<double> tn = centre.filterNorms(i);
            std::vector<double> factors(dn.size());
            for (std::size_t k = 0; k < dn.size(); ++k)
                factors[k] = tn[k] / (dn[k] + kFilterEpsilon);
            direction.scaleFilters(i, factors);
        } else if (normalization == Normalization::Layer) {
            double dn = 0.0, tn = 0.0;
            for (std::int64_t k = 0; k < n; ++k) {
                dn += double(direction.data(i)[k]) * direction.data(i)[k];
                tn += double(centre.data(i)[k]) * centre.data(i)[k];
            }
            const double factor = dn > 0.0 ? std::sqrt(tn) / std::sqrt(dn) : 0.0;
            for (std::int64_t k = 0; k < n; ++k)
                direction.data(i)[k] = float(direction.data(i)[k] * factor);
        }
    }
    if (normalization == Normalization::Whole) {
        const double dn = direction.norm();
        if (dn > 0.0) direction.scale(centre.norm() / dn);
    }
}

Directions randomDirections(const WeightVector& centre, const RandomDirectionOptions& options) {
    if (centre.size() == 0)
        throw std::invalid_argument("random directions need a model with floating-point weights");
    bool includesBuffers = false;
    for (const auto& e : centre.entries())
        includesBuffers = includesBuffers || e.isBuffer;
    Directions d;
    d.kind = DirectionKind::Random;
    d.normalization = options.normalization;
    d.seed = options.seed;
    d.includeBuffers = includesBuffers;
    d.keepOneDimensional = options.keepOneDimensional;
    d.x.vector = gaussianLike(centre, options.seed, kStreamX);
    normalizeDirection(d.x.vector, centre, options.normalization, options.keepOneDimensional);
    if (options.twoDimensional) {
        Direction y{gaussianLike(centre, options.seed, kStreamY)};
        normalizeDirection(y.vector, centre, options.normalization, options.keepOneDimensional);
        d.y = std::move(y);
    }
    d.validate();
    return d;
}

Directions checkpointLine(const WeightVector& a, const WeightVector& b, const std::string& labelA,
                          const std::string& labelB) {
    requireLayout(a, b, "the line through two checkpoints");
    Directions d;
    d.kind = DirectionKind::CheckpointLine;
    d.x.vector = b - a;
    if (!(d.x.vector.norm() > 0.0))
        throw std::invalid_argument("checkpoints '" + labelA + "' and '" + labelB +
                                    "' have the same weights; they span no line");
    d.centre = labelA;
    d.points = {{labelA, 0.0, 0.0}, {labelB, 1.0, 0.0}};
    return d;
}

Directions checkpointPlane(const WeightVector& p0, const WeightVector& p1, const WeightVector& p2,
                           const std::vector<std::string>& labels) {
    requireLayout(p0, p1, "the plane through three checkpoints");
    requireLayout(p0, p2, "the plane through three checkpoints");
    auto label = [&](std::size_t i) { return i < labels.size() ? labels[i] : std::to_string(i); };
    WeightVector u = p1 - p0;
    WeightVector v = p2 - p0;
    const double nu = u.norm();
    if (!(nu > 0.0))
        throw std::invalid_argument("checkpoints '" + label(0) + "' and '" + label(1) +
                                    "' have the same weights; they span no plane");
    u.scale(1.0 / nu);
    const double along = v.dot(u);
    const double nv = v.norm();
    v.axpy(-along, u);
    // A second pass removes what float rounding of the first left along u.
    v.axpy(-v.dot(u), u);
    const double across = v.norm();
    if (!(across > 1e-6 * std::max(nv, nu)))
        throw std::invalid_argument("checkpoints '" + label(0) + "', '" + label(1) + "' and '" +
                                    label(2) + "' are (nearly) collinear; they span no plane");
    v.scale(1.0 / across);
    Directions d;
    d.kind = DirectionKind::CheckpointPlane;
    d.x.vector = std::move(u);
    d.y = Direction{std::move(v)};
    d.centre = label(0);
    d.points = {{label(0), 0.0, 0.0}, {label(1), nu, 0.0}, {label(2), along, across}};
    return d;
}

}  // namespace basin
