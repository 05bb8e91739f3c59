#include "saliency/MapSimilarity.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace basin {
namespace {

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = double(a.size());
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
    const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa == 0 || sbb == 0) return a == b ? 1.0 : 0.0;
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

// Min–max normalised to [0, 1]; a constant map becomes 0.
std::vector<double> normalized(const std::vector<float>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const double span = double(*hi) - double(*lo);
    std::vector<double> out(v.size(), 0.0);
    if (span > 0)
        for (std::size_t i = 0; i < v.size(); ++i)
            out[i] = (double(v[i]) - double(*lo)) / span;
    return out;
}

std::vector<float> absolute(const std::vector<float>& v) {
    std::vector<float> out(v.size());
    std::transform(v.begin(), v.end(), out.begin(), [](float x) { return std::abs(x); });
    return out;
}

}  // namespace

std::vector<double> averageRanks(const std::vector<float>& values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
    std::vector<double> ranks(values.size());
    for (std::size_t start = 0; start < order.size();) {
        std::size_t end = start + 1;
        while (end < order.size() && values[order[end]] == values[order[start]])
            ++end;
        // Ranks start + 1 … end share their mean.
        const double rank = 0.5 * double(start + 1 + end);
        for (std::size_t k = start; k < end; ++k)
            ranks[order[k]] = rank;
        start = end;
    }
    return ranks;
}

double spearmanCorrelation(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.empty())
        throw std::invalid_argument(
            "Spearman correlation needs two maps of the same, non-zero "
            "size (got " +
            std::to_string(a.size()) + " and " + std::to_string(b.size()) + " values)");
    return pearson(averageRanks(a), averageRanks(b));
}

int ssimWindowSize(std::int64_t height, std::int64_t width) {
    int size = int(std::min<std::int64_t>({11, height, width}));
    if (size % 2 == 0) --size;
    return std::max(size, 1);
}

double structuralSimilarity(const std::vector<float>& a, const std::vector<float>& b,
                            std::int64_t height, std::int64_t width) {
    if (height <= 0 || width <= 0 || a.size() != std::size_t(height * width) ||
        b.size() != a.size())
        throw std::invalid_argument(
            "SSIM needs two maps of " + std::to_string(height) + "×" + std::to_string(width) +
            " values (got " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + ")");
    const std::vector<double> x = normalized(a), y = normalized(b);
    const int size = ssimWindowSize(height, width);
    const int half = size / 2;
    constexpr double sigma = 1.5;
    std::vector<double> g(std::size_t(size * size));
    double total = 0;
    for (int dy = -half; dy <= half; ++dy)
        for (int dx = -half; dx <= half; ++dx)
            total += g[std::size_t((dy + half) * size + dx + half)] =
                std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
    for (double& w : g)
        w /= total;

    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;  // (K·L)², L = 1
    double sum = 0;
    std::int64_t count = 0;
    for (std::int64_t cy = half; cy + half < height; ++cy) {
        for (std::int64_t cx = half; cx + half < width; ++cx) {
            double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
            for (int dy = -half; dy <= half; ++dy) {
                for (int dx = -half; dx <= half; ++dx) {
                    const double w = g[std::size_t((dy + half) * size + dx + half)];
                    const std::size_t i = std::size_t((cy + dy) * width + cx + dx);
                    mx += w * x[i];
                    my += w * y[i];
                    sxx += w * x[i] * x[i];
                    syy += w * y[i] * y[i];
                    sxy += w * x[i] * y[i];
                }
            }
            const double vx = sxx - mx * mx, vy = syy - my * my, cxy = sxy - mx * my;
            sum +=
                ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
            ++count;
        }
    }
    return sum / double(count);
}

MapSimilarity compareMaps(const SaliencyMap& a, const SaliencyMap& b) {
    if (a.height != b.height || a.width != b.width)
        throw std::invalid_argument("cannot compare a " + std::to_string(a.height) + "×" +
                                    std::to_string(a.width) + " saliency map with a " +
                                    std::to_string(b.height) + "×" + std::to_string(b.width) +
                                    " one");
    const std::vector<float> absA = absolute(a.values), absB = absolute(b.values);
    MapSimilarity s;
    s.spearman = spearmanCorrelation(a.values, b.values);
    s.spearmanAbs = spearmanCorrelation(absA, absB);
    s.ssim = structuralSimilarity(absA, absB, a.height, a.width);
    return s;
}

}  // namespace basin
