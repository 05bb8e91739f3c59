#include "landscape/GridRange.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "landscape/Grid2D.h"

namespace basin {
namespace {

constexpr std::size_t kMaxPoints = 100000;

bool parseNumber(const std::string& field, double& out) {
    if (field.empty()) return false;
    char* end = nullptr;
    out = std::strtod(field.c_str(), &end);
    return end == field.c_str() + field.size() && std::isfinite(out);
}

}  // namespace

std::vector<double> GridRange::coordinates() const {
    if (fit) throw std::logic_error("the range " + toString() + " has not been fitted yet");
    return linspace(min, max, num);
}

std::string GridRange::toString() const {
    std::ostringstream s;
    if (fit)
        s << "fit:" << num << ':' << margin;
    else
        s << min << ':' << max << ':' << num;
    return s.str();
}

GridRange fitted(GridRange range, const std::vector<double>& values) {
    if (!range.fit) return range;
    double lo = 0.0, hi = 0.0;  // the centre
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    const double span = hi - lo;
    const double pad = span > 0 ? range.margin * span : 1.0;
    range.min = lo - pad;
    range.max = hi + pad;
    range.fit = false;
    return range;
}

GridRange parseGridRange(const std::string& text, const std::string& axis) {
    const std::string what = axis + " range '" + text + "'";
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(text);
    while (std::getline(in, field, ':'))
        fields.push_back(field);
    if (!text.empty() && text.back() == ':') fields.push_back("");
    if (!fields.empty() && fields[0] == "fit") {
        GridRange r;
        r.fit = true;
        double num = 0.0;
        if (fields.size() < 2 || fields.size() > 3 || !parseNumber(fields[1], num) ||
            num != std::floor(num) || num < 2 || num > double(kMaxPoints))
            throw std::invalid_argument(what +
                                        " must be fit:num or fit:num:margin with num a "
                                        "whole number from 2 to " +
                                        std::to_string(kMaxPoints) + ", e.g. fit:21");
        r.num = std::size_t(num);
        if (fields.size() == 3 &&
            (!parseNumber(fields[2], r.margin) || r.margin < 0 || r.margin > 10))
            throw std::invalid_argument(what + ": the margin '" + fields[2] +
                                        "' must be a number from 0 to 10 (a fraction of the "
                                        "checkpoints' span)");
        return r;
    }
    if (fields.size() != 3)
        throw std::invalid_argument(what +
                                    " must be min:max:num, e.g. -1:1:51, or fit:num to cover "
                                    "the checkpoints, e.g. fit:21");
    GridRange r;
    double num = 0.0;
    if (!parseNumber(fields[0], r.min))
        throw std::invalid_argument(what + ": min '" + fields[0] + "' is not a finite number");
    if (!parseNumber(fields[1], r.max))
        throw std::invalid_argument(what + ": max '" + fields[1] + "' is not a finite number");
    if (!parseNumber(fields[2], num) || num != std::floor(num) || num < 1 ||
        num > double(kMaxPoints))
        throw std::invalid_argument(what + ": num '" + fields[2] +
                                    "' must be a whole number from 1 to " +
                                    std::to_string(kMaxPoints));
    r.num = std::size_t(num);
    if (r.num == 1 ? r.min > r.max : !(r.min < r.max))
        throw std::invalid_argument(what + ": min must be less than max");
    return r;
}

}  // namespace basin
