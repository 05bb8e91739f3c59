#include "io/TensorStatistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace basin {

TensorStatistics computeStatistics(const NamedTensor& tensor, int bins) {
    TensorStatistics s;
    s.name = tensor.name;
    s.dtype = tensor.tensor.dtype;
    s.shape = tensor.tensor.shape;
    s.numel = tensor.tensor.numel();
    s.bytes = std::uint64_t(s.numel) * dtypeSize(s.dtype);
    const std::vector<double> values = tensor.tensor.toDoubles();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    // Welford's running mean and variance: stable for large tensors.
    double mean = 0, m2 = 0, sumSquares = 0;
    std::int64_t finite = 0;
    for (double v : values) {
        if (!std::isfinite(v)) {
            ++s.nonFinite;
            continue;
        }
        ++finite;
        const double delta = v - mean;
        mean += delta / double(finite);
        m2 += delta * (v - mean);
        sumSquares += v * v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (bins <= 0) bins = int(std::clamp(std::sqrt(double(s.numel)), 8.0, 64.0));
    s.histogram.assign(std::size_t(bins), 0);
    if (finite == 0) return s;
    s.min = lo;
    s.max = hi;
    s.mean = mean;
    s.stddev = finite > 1 ? std::sqrt(m2 / double(finite - 1)) : 0.0;
    s.l2Norm = std::sqrt(sumSquares);
    const double width = hi - lo;
    const std::size_t n = s.histogram.size();
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        std::size_t bin = width > 0 ? std::size_t((v - lo) / width * double(n)) : 0;
        s.histogram[std::min(bin, n - 1)] += 1;
    }
    return s;
}

std::vector<TensorStatistics> computeStatistics(const std::vector<NamedTensor>& tensors, int bins) {
    std::vector<TensorStatistics> out;
    out.reserve(tensors.size());
    for (const auto& t : tensors)
        out.push_back(computeStatistics(t, bins));
    return out;
}

std::vector<TensorDifference> compareStateDicts(const std::vector<NamedTensor>& a,
                                                const std::vector<NamedTensor>& b) {
    std::map<std::string, const TensorData*> inB;
    for (const auto& t : b)
        inB[t.name] = &t.tensor;
    std::vector<TensorDifference> out;
    for (const auto& ta : a) {
        TensorDifference d;
        d.name = ta.name;
        const auto it = inB.find(ta.name);
        if (it == inB.end()) {
            d.problem = "only in A";
        } else if (it->second->shape != ta.tensor.shape) {
            d.problem = "shape " + ta.tensor.shapeString() + " vs " + it->second->shapeString();
        } else {
            const std::vector<double> x = ta.tensor.toDoubles(), y = it->second->toDoubles();
            double dot = 0, xx = 0, yy = 0, dd = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                dot += x[i] * y[i];
                xx += x[i] * x[i];
                yy += y[i] * y[i];
                dd += (x[i] - y[i]) * (x[i] - y[i]);
            }
            d.relativeChange = xx > 0 ? std::sqrt(dd / xx)
                                      : (dd > 0 ? std::numeric_limits<double>::infinity() : 0.0);
            if (xx > 0 && yy > 0) d.cosine = dot / std::sqrt(xx * yy);
        }
        if (it != inB.end()) inB.erase(it);
        out.push_back(std::move(d));
    }
    for (const auto& tb : b) {
        if (inB.count(tb.name)) out.push_back({tb.name, std::nullopt, std::nullopt, "only in B"});
    }
    return out;
}

std::string moduleOf(const std::string& tensorName) {
    const auto dot = tensorName.rfind('.');
    return dot == std::string::npos ? std::string() : tensorName.substr(0, dot);
}

}  // namespace basin
