#pragma once
// Colours for categories (classes, methods, paths, parts) rather than
// magnitudes: matplotlib's tab10 (the Tableau 10 palette), readable on white,
// the palette researchers' own plots use.

#include <QColor>
#include <cstddef>

namespace basin::widgets {

// The i-th of tab10's ten colours, repeating after ten.
inline QColor categoricalColour(std::size_t i) {
    static const QColor palette[] = {
        QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
        QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
        QColor(188, 189, 34),  QColor(23, 190, 207)};
    return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

// tab10's red (index 3), which some views keep for a marker (the probe).
inline QColor categoricalRed() {
    return categoricalColour(3);
}

}  // namespace basin::widgets
