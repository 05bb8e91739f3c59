#pragma once
// The fields of the connectivity views' CSV exports: text quoted as RFC 4180
// asks (path names may hold commas), numbers at full precision and empty
// where there is no value (NaN, or a sample not computed yet).

#include <QString>
#include <cmath>

namespace basin::widgets {

inline QString csvText(QString s) {
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"'))) return s;
    s.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

inline QString csvNumber(double v) {
    return std::isfinite(v) ? QString::number(v, 'g', 10) : QString();
}

// A sample of a path file: −1 means "not computed yet".
inline QString csvSample(double v) {
    return v < 0 ? QString() : csvNumber(v);
}

}  // namespace basin::widgets
