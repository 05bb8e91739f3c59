#pragma once
// The coordinate range syntax researchers know from the loss-landscape tool:
// "min:max:num", e.g. "-1:1:51" → 51 evenly spaced values from -1 to 1
// inclusive (numpy.linspace(min, max, num)). And Basin's "fit:num[:margin]":
// num values over a range fitted to the slice's checkpoints once the
// directions place them (line, plane, PCA): from the smallest to the largest
// checkpoint coordinate on the axis, the centre's 0 included, widened by
// `margin` (default 0.25) of that span on each side.

#include <cstddef>
#include <string>
#include <vector>

namespace basin {

struct GridRange {
    double min = -1.0;
    double max = 1.0;
    std::size_t num = 51;
    bool fit = false;      // min and max still to be fitted (fitted())
    double margin = 0.25;  // of the checkpoints' span, on each side, when fitting

    // Throws std::logic_error for a range still to be fitted.
    std::vector<double> coordinates() const;
    // "-1:1:51", or "fit:51:0.25"
    std::string toString() const;
};

// `range` with min and max fitted to `values` (the checkpoints' coordinates
// on its axis; 0, the centre, is always covered); a range that is not `fit`
// is returned as it is. Coinciding values give ±1 around them.
GridRange fitted(GridRange range, const std::vector<double>& values);

// Parses "min:max:num" or "fit:num[:margin]"; `axis` ("x", "y") names the
// option in errors. Throws std::invalid_argument with a sentence: three
// fields, finite numbers, num a whole number from 1 to 100000, min < max (or
// min == max with num == 1); a margin from 0 to 10.
GridRange parseGridRange(const std::string& text, const std::string& axis = "x");

}  // namespace basin
