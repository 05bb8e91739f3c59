#pragma once
// Includes Debian's qcustomplot.h in Basin's QT_NO_KEYWORDS build: the header
// uses Qt's `signals`, `slots`, `emit` and `foreach` keywords, which Basin
// turns off because libtorch uses `slots` as an identifier. They are defined
// for the include only. Always include QCustomPlot through this header.

#include <QObject>

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
