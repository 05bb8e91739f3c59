#include "connectivity/Curve.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "model/detail/TorchTensor.h"
#include "util/AtomicFile.h"
#include "zoo/detail/TorchSave.h"

namespace basin {
namespace {

double binomial(std::size_t n, std::size_t j) {
    double c = 1.0;
    for (std::size_t i = 1; i <= j; ++i)
        c = c * double(n - j + i) / double(i);
    return c;
}

// Bernstein basis polynomials of degree n at t: C(n, j) tʲ (1 − t)ⁿ⁻ʲ.
std::vector<double> bernstein(std::size_t n, double t) {
    std::vector<double> b(n + 1);
    for (std::size_t j = 0; j <= n; ++j)
        b[j] = binomial(n, j) * std::pow(t, double(j)) * std::pow(1.0 - t, double(n - j));
    return b;
}

// The polygonal chain's segment holding t (the last one for t = 1) and the
// position u ∈ [0, 1] along it.
std::pair<std::size_t, double> chainSegment(std::size_t segments, double t) {
    const double s = std::clamp(t, 0.0, 1.0) * double(segments);
    const std::size_t j = std::min(segments - 1, std::size_t(s));
    return {j, s - double(j)};
}

void requireT(double t) {
    if (!(t >= 0.0 && t <= 1.0))
        throw std::invalid_argument("a curve is defined for t in [0, 1], not " + std::to_string(t));
}

}  // namespace

const char* curveKindName(CurveKind kind) {
    return kind == CurveKind::Bezier ? "bezier" : "polychain";
}

CurveSpec parseCurveSpec(const std::string& text) {
    const auto colon = text.find(':');
    const std::string name = text.substr(0, colon);
    CurveSpec spec;
    if (name == "bezier")
        spec.kind = CurveKind::Bezier;
    else if (name == "polychain")
        spec.kind = CurveKind::PolygonalChain;
    else
        throw std::invalid_argument("unknown curve '" + text +
                                    "'; use bezier:K or polychain:K with K bends (1 to 16)");
    if (colon != std::string::npos) {
        const std::string k = text.substr(colon + 1);
        std::size_t bends = 0;
        const auto [end, error] = std::from_chars(k.data(), k.data() + k.size(), bends);
        if (error != std::errc() || end != k.data() + k.size() || bends < 1 || bends > 16)
            throw std::invalid_argument("curve '" + text +
                                        "': the number of bends must be 1 to 16");
        spec.bends = bends;
    }
    return spec;
}

std::vector<double> curveCoefficients(CurveKind kind, std::size_t bends, double t) {
    requireT(t);
    const std::size_t n = bends + 1;
    if (kind == CurveKind::Bezier) return bernstein(n, t);
    std::vector<double> c(n + 1, 0.0);
    const auto [j, u] = chainSegment(n, t);
    c[j] = 1.0 - u;
    c[j + 1] = u;
    return c;
}

std::vector<double> curveCoefficientDerivatives(CurveKind kind, std::size_t bends, double t) {
    requireT(t);
    const std::size_t n = bends + 1;
    std::vector<double> d(n + 1, 0.0);
    if (kind == CurveKind::Bezier) {
        // d/dt Σ b_{j,n} P_j = n Σ b_{j,n−1} (P_{j+1} − P_j)
        const std::vector<double> lower = bernstein(n - 1, t);
        for (std::size_t j = 0; j < n; ++j) {
            d[j] -= double(n) * lower[j];
            d[j + 1] += double(n) * lower[j];
        }
        return d;
    }
    const std::size_t j = chainSegment(n, t).first;
    d[j] = -double(n);
    d[j + 1] = double(n);
    return d;
}

Curve::Curve(CurveKind kind, WeightVector a, WeightVector b, std::vector<WeightVector> bends)
    : kind_(kind), a_(std::move(a)), b_(std::move(b)), bends_(std::move(bends)) {
    if (bends_.empty()) throw std::invalid_argument("a curve needs at least one bend");
    if (!a_.sameLayout(b_))
        throw std::invalid_argument("the ends of a curve must have the same tensors");
    for (const WeightVector& bend : bends_)
        if (!bend.sameLayout(a_))
            throw std::invalid_argument("the bends of a curve must have the ends' tensors");
}

Curve Curve::onLine(CurveKind kind, std::size_t bends, const WeightVector& a,
                    const WeightVector& b) {
    if (!a.sameLayout(b))
        throw std::invalid_argument("the ends of a curve must have the same tensors");
    std::vector<WeightVector> points;
    for (std::size_t j = 1; j <= bends; ++j) {
        const double s = double(j) / double(bends + 1);
        WeightVector p = a;
        p.scale(1.0 - s).axpy(s, b);
        points.push_back(std::move(p));
    }
    return Curve(kind, a, b, std::move(points));
}

const WeightVector& Curve::controlPoint(std::size_t j) const {
    if (j == 0) return a_;
    if (j == bends_.size() + 1) return b_;
    return bends_.at(j - 1);
}

void Curve::combine(const std::vector<double>& c, WeightVector& out) const {
    if (!out.sameLayout(a_)) out = WeightVector::zerosLike(a_);
    float* o = out.data();
    const std::int64_t n = out.size();
    std::fill(o, o + n, 0.0f);
    for (std::size_t j = 0; j < c.size(); ++j) {
        if (c[j] == 0.0) continue;
        const float* p = controlPoint(j).data();
        const float w = float(c[j]);
        for (std::int64_t i = 0; i < n; ++i)
            o[i] += w * p[i];
    }
}

void Curve::weightsAt(double t, WeightVector& out) const {
    combine(curveCoefficients(kind_, bends_.size(), t), out);
}

void Curve::derivativeAt(double t, WeightVector& out) const {
    combine(curveCoefficientDerivatives(kind_, bends_.size(), t), out);
}

// ---- the curve file ----

namespace {

constexpr const char* kMagic = "basin_curve";

torch::Dict<std::string, torch::Tensor> tensorDict(const std::vector<NamedTensor>& tensors) {
    torch::Dict<std::string, torch::Tensor> dict;
    for (const NamedTensor& t : tensors)
        dict.insert(t.name, detail::toTorch(t.tensor, t.name).clone().contiguous());
    return dict;
}

const std::string* metadata(const Checkpoint& c, const std::string& key) {
    for (const auto& [k, v] : c.metadata)
        if (k == key) return &v;
    return nullptr;
}

}  // namespace

void saveCurve(const CurveFile& file, const std::string& path) {
    const Curve& curve = file.curve;
    c10::impl::GenericDict d(c10::StringType::get(), c10::AnyType::get());
    d.insert(kMagic, std::int64_t(1));
    d.insert("kind", std::string(curveKindName(curve.kind())));
    d.insert("bend_count", std::int64_t(curve.bendCount()));
    d.insert("checkpoint_a", curve.labelA);
    d.insert("checkpoint_b", curve.labelB);
    d.insert("model", file.model);
    d.insert("norm_a", curve.a().norm());
    d.insert("norm_b", curve.b().norm());
    c10::impl::GenericList bends(c10::AnyType::get());
    for (std::size_t i = 0; i < curve.bendCount(); ++i)
        bends.push_back(tensorDict(curve.bend(i).toStateDict()));
    d.insert("bends", bends);
    d.insert("epoch", std::int64_t(file.epoch));
    d.insert("epoch_loss",
             torch::tensor(file.epochLoss, torch::TensorOptions().dtype(torch::kFloat64)));
    if (!file.optimizer.empty()) {
        c10::impl::GenericDict opt(c10::StringType::get(), c10::AnyType::get());
        opt.insert("name", file.optimizer);
        // "<state>.<rest>" → opt[state][rest]
        std::vector<std::pair<std::string, std::vector<NamedTensor>>> groups;
        for (const NamedTensor& t : file.optimizerState) {
            const auto dot = t.name.find('.');
            const std::string group = t.name.substr(0, dot);
            auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](const auto& g) { return g.first == group; });
            if (it == groups.end()) it = groups.insert(groups.end(), {group, {}});
            it->second.push_back(
                {dot == std::string::npos ? "" : t.name.substr(dot + 1), t.tensor});
        }
        for (const auto& [group, tensors] : groups)
            opt.insert(group, tensorDict(tensors));
        d.insert("optimizer", opt);
    }
    const std::vector<char> bytes = detail::torchSaveBytes(c10::IValue(d));
    AtomicFile out(path);
    out.write(bytes.data(), bytes.size());
    out.commit();
}

CurveFile loadCurve(const std::string& path, const WeightVector& a, const WeightVector& b) {
    const Checkpoint c = loadCheckpoint(path);
    auto fail = [&](const std::string& why) -> std::runtime_error {
        return std::runtime_error("curve file '" + path + "' " + why);
    };
    auto text = [&](const std::string& key) {
        const std::string* v = metadata(c, key);
        if (!v) throw fail("has no '" + key + "'; is it a curve Basin wrote?");
        return *v;
    };
    auto number = [&](const std::string& key) {
        const std::string v = text(key);
        double x = 0.0;
        const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), x);
        if (error != std::errc() || end != v.data() + v.size())
            throw fail("has '" + key + "' = " + v + ", not a number");
        return x;
    };
    if (!metadata(c, kMagic)) throw fail("is not a curve file (no 'basin_curve' entry)");
    const std::string kindName = text("kind");
    CurveKind kind;
    if (kindName == curveKindName(CurveKind::Bezier))
        kind = CurveKind::Bezier;
    else if (kindName == curveKindName(CurveKind::PolygonalChain))
        kind = CurveKind::PolygonalChain;
    else
        throw fail("has an unknown kind '" + kindName + "'");
    const double k = number("bend_count");
    if (!(k >= 1 && k <= 16)) throw fail("has " + text("bend_count") + " bends (1 to 16 allowed)");
    const double normA = number("norm_a"), normB = number("norm_b");
    auto sameNorm = [](double stored, double given) {
        return std::abs(stored - given) <= 1e-5 * std::max(1.0, std::abs(stored));
    };
    if (!sameNorm(normA, a.norm()) || !sameNorm(normB, b.norm()))
        throw fail("was trained between '" + text("checkpoint_a") + "' and '" +
                   text("checkpoint_b") + "' (‖A‖ = " + std::to_string(normA) + ", ‖B‖ = " +
                   std::to_string(normB) + "), not these ends (‖A‖ = " + std::to_string(a.norm()) +
                   ", ‖B‖ = " + std::to_string(b.norm()) + ")");
    std::vector<WeightVector> bends;
    for (std::size_t i = 0; i < std::size_t(k); ++i) {
        const std::string root = "bends." + std::to_string(i);
        try {
            bends.push_back(WeightVector::fromStateDict(c.stateDict(root), a));
        } catch (const std::exception& e) {
            throw fail("bend " + std::to_string(i) + ": " + e.what());
        }
    }
    Curve curve(kind, a, b, std::move(bends));
    curve.labelA = text("checkpoint_a");
    curve.labelB = text("checkpoint_b");
    CurveFile file(std::move(curve));
    file.model = text("model");
    file.epoch = int(number("epoch"));
    std::vector<NamedTensor> optimizerState;
    const std::string prefix = "optimizer.";
    for (const NamedTensor& t : c.tensors) {
        if (t.name == "epoch_loss") file.epochLoss = t.tensor.toDoubles();
        if (t.name.compare(0, prefix.size(), prefix) == 0)
            optimizerState.push_back({t.name.substr(prefix.size()), t.tensor});
    }
    if (file.epochLoss.size() != std::size_t(std::max(0, file.epoch)))
        throw fail("has " + std::to_string(file.epochLoss.size()) + " epoch losses for " +
                   std::to_string(file.epoch) + " epochs");
    if (const std::string* name = metadata(c, "optimizer.name")) {
        file.optimizer = *name;
        file.optimizerState = std::move(optimizerState);
    }
    return file;
}

}  // namespace basin
