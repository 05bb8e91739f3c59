#include "splats/SplatLoadReport.h"

#include <cmath>

namespace basin {
namespace {

enum class Verdict { Usable, NonFinite, AbsurdScale, ZeroRotation };

bool allFinite(const float* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(v[i])) return false;
    }
    return true;
}

Verdict judge(const GaussianCloud& c, std::size_t i, std::size_t shPerSplat) {
    if (!allFinite(&c.positions[3 * i], 3) || !allFinite(&c.logScales[3 * i], 3) ||
        !allFinite(&c.rawRotations[4 * i], 4) || !std::isfinite(c.opacityLogits[i]) ||
        !allFinite(&c.sh[shPerSplat * i], shPerSplat))
        return Verdict::NonFinite;
    // Compared in log space; exp only near the underflow (about e^-87).
    static const float maxLogScale = std::log(kMaxSplatScale);
    for (int k = 0; k < 3; ++k) {
        const float logScale = c.logScales[3 * i + std::size_t(k)];
        if (logScale > maxLogScale || (logScale < -80.0f && !(std::exp(logScale) > 0.0f)))
            return Verdict::AbsurdScale;
    }
    const float* q = &c.rawRotations[4 * i];
    if (q[0] == 0.0f && q[1] == 0.0f && q[2] == 0.0f && q[3] == 0.0f) return Verdict::ZeroRotation;
    return Verdict::Usable;
}

template <typename T>
void keepRows(std::vector<T>& values, const std::vector<std::size_t>& kept, std::size_t width) {
    if (values.empty()) return;
    for (std::size_t to = 0; to < kept.size(); ++to) {
        if (kept[to] == to) continue;
        for (std::size_t k = 0; k < width; ++k)
            values[to * width + k] = values[kept[to] * width + k];
    }
    values.resize(kept.size() * width);
}

}  // namespace

std::string SplatLoadReport::summary() const {
    std::string s = "kept " + std::to_string(splatsInFile - dropped()) + " of " +
                    std::to_string(splatsInFile) + " splats";
    std::string reasons;
    auto add = [&](std::size_t count, const char* what) {
        if (count == 0) return;
        reasons += (reasons.empty() ? "" : ", ") + std::to_string(count) + " " + what;
    };
    add(nonFinite, "with NaN or infinite values");
    add(absurdScales, "with an absurd scale");
    add(zeroRotations, "with a zero rotation");
    if (!reasons.empty()) s += "; dropped " + reasons;
    if (!skippedElements.empty()) {
        s += "; skipped the elements";
        for (std::size_t i = 0; i < skippedElements.size(); ++i)
            s += (i ? ", " : " ") + skippedElements[i];
    }
    return s;
}

void dropUnusableSplats(GaussianCloud& cloud, SplatLoadReport& report) {
    const std::size_t n = cloud.size();
    const std::size_t shPerSplat = std::size_t(cloud.shCoefficientCount()) * 3;
    std::vector<std::size_t> kept;
    kept.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (judge(cloud, i, shPerSplat)) {
            case Verdict::Usable:
                kept.push_back(i);
                break;
            case Verdict::NonFinite:
                ++report.nonFinite;
                break;
            case Verdict::AbsurdScale:
                ++report.absurdScales;
                break;
            case Verdict::ZeroRotation:
                ++report.zeroRotations;
                break;
        }
    }
    if (kept.size() == n) return;
    keepRows(cloud.positions, kept, 3);
    keepRows(cloud.logScales, kept, 3);
    keepRows(cloud.rawRotations, kept, 4);
    keepRows(cloud.opacityLogits, kept, 1);
    keepRows(cloud.sh, kept, shPerSplat);
    keepRows(cloud.scales, kept, 3);
    keepRows(cloud.rotations, kept, 4);
    keepRows(cloud.opacities, kept, 1);
    for (auto& q : cloud.quantities)
        keepRows(q.values, kept, 1);
}

}  // namespace basin
