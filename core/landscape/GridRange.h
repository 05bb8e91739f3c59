#pragma once
// The coordinate range syntax researchers know from the loss-landscape tool:
// "min:max:num", e.g. "-1:1:51" → 51 evenly spaced values from -1 to 1
// inclusive (numpy.linspace(min, max, num)).

#include <cstddef>
#include <string>
#include <vector>

namespace basin {

struct GridRange {
    double min = -1.0;
    double max = 1.0;
    std::size_t num = 51;

    std::vector<double> coordinates() const;
    // "-1:1:51"
    std::string toString() const;
};

// Parses "min:max:num"; `axis` ("x", "y") names the option in errors. Throws
// std::invalid_argument with a sentence: three fields, finite numbers, num a
// whole number from 1 to 100000, min < max (or min == max with num == 1).
GridRange parseGridRange(const std::string& text, const std::string& axis = "x");

}  // namespace basin
