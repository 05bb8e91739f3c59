#include "connectivity/LayerwiseLmc.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "connectivity/InterpolationPath.h"

namespace basin {

std::vector<LayerGroup> layerGroups(const WeightVector& layout) {
    std::vector<LayerGroup> groups;
    std::map<std::string, std::size_t> index;
    const auto& entries = layout.entries();
    for (std::size_t e = 0; e < entries.size(); ++e) {
        const std::string& name = entries[e].name;
        const auto dot = name.rfind('.');
        const std::string owner = dot == std::string::npos ? name : name.substr(0, dot);
        auto [it, fresh] = index.emplace(owner, groups.size());
        if (fresh) groups.push_back({owner, {}});
        groups[it->second].entries.push_back(e);
    }
    return groups;
}

const char* layerwiseVariantName(LayerwiseVariant variant) {
    switch (variant) {
        case LayerwiseVariant::OthersAtA:
            return "at_a";
        case LayerwiseVariant::OthersAtB:
            return "at_b";
        case LayerwiseVariant::Cumulative:
            return "cumulative";
    }
    return "at_a";
}

LayerwiseLmc::LayerwiseLmc(WeightVector a, WeightVector b, std::vector<LayerwiseVariant> variants)
    : a_(std::move(a)), b_(std::move(b)), layers_(layerGroups(a_)) {
    if (!a_.sameLayout(b_))
        throw std::invalid_argument("layer-wise LMC needs two networks with the same tensors");
    for (LayerwiseVariant v : variants) {
        std::vector<std::size_t> cumulative;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            rows_.push_back({v, l});
            const auto& own = layers_[l].entries;
            if (v == LayerwiseVariant::Cumulative) {
                cumulative.insert(cumulative.end(), own.begin(), own.end());
                moving_.push_back(cumulative);
            } else {
                moving_.push_back(own);
            }
        }
    }
}

std::vector<std::string> LayerwiseLmc::rowNames() const {
    std::vector<std::string> names;
    for (const Row& r : rows_)
        names.push_back(std::string(layerwiseVariantName(r.variant)) + "/" + layers_[r.layer].name);
    return names;
}

void LayerwiseLmc::weightsAt(std::size_t row, double t, WeightVector& out) const {
    const WeightVector& rest = rows_.at(row).variant == LayerwiseVariant::OthersAtB ? b_ : a_;
    std::copy_n(rest.data(), rest.size(), out.data());
    interpolateWeights(a_, b_, t, out, &moving_[row]);
}

std::vector<LayerBarrier> layerBarriers(const PathSamples& s) {
    std::vector<LayerBarrier> out;
    for (std::size_t r = 0; r < s.rows.size(); ++r) {
        const std::string& name = s.rows[r];
        const auto slash = name.find('/');
        if (slash == std::string::npos) continue;
        const std::string variant = name.substr(0, slash);
        LayerBarrier b;
        b.layer = name.substr(slash + 1);
        bool known = false;
        for (LayerwiseVariant v : {LayerwiseVariant::OthersAtA, LayerwiseVariant::OthersAtB,
                                   LayerwiseVariant::Cumulative})
            if (variant == layerwiseVariantName(v)) {
                b.variant = v;
                known = true;
            }
        if (!known) continue;
        b.train = measureBarrier(s.t, s.row(SurfaceMetric::TrainLoss, r),
                                 s.row(SurfaceMetric::TrainAccuracy, r));
        if (s.has(SurfaceMetric::TestLoss))
            b.test = measureBarrier(s.t, s.row(SurfaceMetric::TestLoss, r),
                                    s.row(SurfaceMetric::TestAccuracy, r));
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace basin
