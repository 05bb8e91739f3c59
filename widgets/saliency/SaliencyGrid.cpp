#include "saliency/SaliencyGrid.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "saliency/SaliencyExport.h"
#include "saliency/SaliencyMethod.h"

namespace basin::widgets {
namespace {

// "[low, high]" under a cell: four significant digits when they fit the
// cell's width, else two (a cut number would mislead), elided only if even
// that does not fit.
QString rangeCaption(const OverlayRange& range, const QFontMetricsF& fm, double width) {
    const QString full = QStringLiteral("[%1, %2]")
                             .arg(formatSaliencyValue(range.low), formatSaliencyValue(range.high));
    if (fm.horizontalAdvance(full) <= width) return full;
    auto brief = [](double v) {
        return std::abs(v) < 1e-12 ? QStringLiteral("0") : QString::number(v, 'g', 2);
    };
    return fm.elidedText(QStringLiteral("[%1, %2]").arg(brief(range.low), brief(range.high)),
                         Qt::ElideRight, width);
}

QFont gridFont(const QFont& base, int pixelSize) {
    QFont f = base;
    f.setPixelSize(pixelSize);
    return f;
}

bool computed(const SaliencyMap* map) {
    return map && !map->values.empty();
}

double imageAspect(const SaliencyGridContent& content) {
    const auto& shape = content.image.shape;
    if (shape.size() >= 2 && shape[shape.size() - 2] > 0 && shape.back() > 0)
        return double(shape.back()) / double(shape[shape.size() - 2]);
    for (const SaliencyMap& m : content.maps)
        if (m.height > 0 && m.width > 0) return double(m.width) / double(m.height);
    return 1.0;
}

OverlayRange sharedRange(const SaliencyGridContent& content) {
    std::vector<OverlayRange> ranges;
    for (const SaliencyMap& m : content.maps)
        if (!m.values.empty()) ranges.push_back(overlayRange(m, content.options));
    return unitedRange(ranges);
}

// The colorbar's title: the method when every cell shows the same one.
QString gridColorbarTitle(const SaliencyGridContent& content) {
    const SaliencyMap* first = nullptr;
    bool same = true;
    for (const SaliencyMap& m : content.maps) {
        if (m.values.empty()) continue;
        if (!first) first = &m;
        same = same && m.method == first->method;
    }
    QString title =
        colorbarTitle(first && same ? QString::fromUtf8(saliencyMethodTitle(first->method))
                                    : QObject::tr("saliency"),
                      content.options.sign);
    if (!content.sharedNormalization) title += QObject::tr(" (per cell)");
    return title;
}

}  // namespace

const SaliencyMap* SaliencyGridContent::cell(int row, int column) const {
    const std::size_t i = std::size_t(row) * std::size_t(columns()) + std::size_t(column);
    if (row < 0 || column < 0 || row >= rows() || column >= columns() || i >= maps.size())
        return nullptr;
    return &maps[i];
}

SaliencyGridLayout saliencyGridLayout(const SaliencyGridContent& content, const QRectF& rect) {
    SaliencyGridLayout layout;
    layout.fontPixelSize = std::clamp(int(rect.height() / 40), 11, 18);
    const QFontMetricsF fm(gridFont(QFont(), layout.fontPixelSize));
    const double line = fm.height(), margin = line * 0.6, gap = line * 0.4;
    const int rows = std::max(content.rows(), 1), cols = std::max(content.columns(), 1);

    const double titleHeight = content.title.isEmpty() ? 0.0 : line * 1.5;
    const double columnLabelHeight = line * 2.4;
    double rowLabelWidth = 0;
    for (const QString& label : content.rowLabels)
        rowLabelWidth = std::max(rowLabelWidth, fm.horizontalAdvance(label) + gap);
    rowLabelWidth = std::min(rowLabelWidth, rect.width() * 0.25);
    const double barWidth = fm.horizontalAdvance(QStringLiteral("-0.0000e-00")) + 30;
    const double captionHeight = content.sharedNormalization ? 0.0 : line * 1.1;

    const double availableWidth = rect.width() - rowLabelWidth - barWidth - 3 * margin;
    const double availableHeight = rect.height() - titleHeight - columnLabelHeight - 1.5 * margin;
    const double aspect = imageAspect(content);
    const double byWidth = (availableWidth - gap * (cols - 1)) / cols;
    const double byHeight = ((availableHeight - gap * (rows - 1)) / rows - captionHeight) * aspect;
    const double cellWidth = std::max(1.0, std::min(byWidth, byHeight));
    const double cellHeight = cellWidth / aspect;
    const double gridWidth = cols * cellWidth + (cols - 1) * gap;
    const double rowPitch = cellHeight + captionHeight + gap;
    const double gridHeight = rows * rowPitch - gap;

    // The block (title, labels, cells) is centred in the rectangle.
    const double top = rect.top() + margin / 2 + std::max(0.0, (availableHeight - gridHeight) / 2);
    if (!content.title.isEmpty())
        layout.title = QRectF(rect.left() + margin, top, rect.width() - 2 * margin, titleHeight);
    const double x0 =
        rect.left() + margin + rowLabelWidth + std::max(0.0, (availableWidth - gridWidth) / 2);
    const double y0 = top + titleHeight + columnLabelHeight;
    for (int c = 0; c < content.columns(); ++c)
        layout.columnLabels.emplace_back(x0 + c * (cellWidth + gap), y0 - columnLabelHeight,
                                         cellWidth, columnLabelHeight - gap / 2);
    for (int r = 0; r < content.rows(); ++r)
        layout.rowLabels.emplace_back(x0 - rowLabelWidth - gap, y0 + r * rowPitch, rowLabelWidth,
                                      cellHeight);
    for (int r = 0; r < content.rows(); ++r) {
        for (int c = 0; c < content.columns(); ++c) {
            const QRectF cell(x0 + c * (cellWidth + gap), y0 + r * rowPitch, cellWidth, cellHeight);
            layout.cells.push_back(cell);
            layout.cellCaptions.emplace_back(cell.left(), cell.bottom(), cell.width(),
                                             captionHeight);
        }
    }
    const double barHeight = std::min(std::max(gridHeight, line * 8), rect.bottom() - y0 - margin);
    layout.colorbar = QRectF(x0 + gridWidth + margin, y0, barWidth, barHeight);
    return layout;
}

OverlayRange saliencyGridRange(const SaliencyGridContent& content, int row, int column) {
    if (content.sharedNormalization) return sharedRange(content);
    const SaliencyMap* map = content.cell(row, column);
    return computed(map) ? overlayRange(*map, content.options) : OverlayRange{};
}

SaliencyGridLayout paintSaliencyGrid(QPainter& painter, const QRectF& rect,
                                     const SaliencyGridContent& content) {
    const SaliencyGridLayout layout = saliencyGridLayout(content, rect);
    painter.save();
    painter.fillRect(rect, Qt::white);
    const QFont font = gridFont(painter.font(), layout.fontPixelSize);
    const QFont small = gridFont(painter.font(), std::max(9, layout.fontPixelSize - 3));
    const QFontMetricsF fm(font), smallFm(small);
    painter.setPen(Qt::black);
    if (!content.title.isEmpty()) {
        QFont bold = font;
        bold.setBold(true);
        painter.setFont(bold);
        painter.drawText(
            layout.title, Qt::AlignCenter,
            QFontMetricsF(bold).elidedText(content.title, Qt::ElideRight, layout.title.width()));
    }
    painter.setFont(font);
    for (int c = 0; c < content.columns(); ++c)
        painter.drawText(layout.columnLabels[std::size_t(c)],
                         Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap,
                         content.columnLabels[c]);
    for (int r = 0; r < content.rows(); ++r)
        painter.drawText(layout.rowLabels[std::size_t(r)],
                         Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap,
                         content.rowLabels[r]);

    const OverlayRange shared = sharedRange(content);
    // Per cell: the colormaps in use, one colorbar for each kind of range.
    std::optional<Colormap> sequentialMap, divergingMap;
    for (int r = 0; r < content.rows(); ++r) {
        for (int c = 0; c < content.columns(); ++c) {
            const std::size_t i = std::size_t(r * content.columns() + c);
            const QRectF cell = layout.cells[i];
            const SaliencyMap* map = content.cell(r, c);
            if (!computed(map)) {
                painter.fillRect(cell, QColor(235, 235, 235));
                painter.setFont(small);
                painter.drawText(cell, Qt::AlignCenter | Qt::TextWordWrap,
                                 QObject::tr("not computed"));
                painter.setFont(font);
                continue;
            }
            const OverlayRange range =
                content.sharedNormalization ? shared : overlayRange(*map, content.options);
            drawOverlay(painter, cell, content.image, *map, content.options, range);
            if (!content.sharedNormalization) {
                (range.diverging ? divergingMap : sequentialMap) =
                    overlayColormap(content.options, range);
                painter.setFont(small);
                painter.drawText(layout.cellCaptions[i], Qt::AlignCenter,
                                 rangeCaption(range, smallFm, cell.width()));
                painter.setFont(font);
            }
        }
    }
    painter.setFont(small);
    const QString title = gridColorbarTitle(content);
    if (content.sharedNormalization) {
        paintColorbar(painter, layout.colorbar, overlayColormap(content.options, shared), shared,
                      title);
    } else if (sequentialMap && divergingMap) {
        // Magnitude and signed maps side by side: a bar for each, stacked.
        const QRectF bar = layout.colorbar;
        const double half = bar.height() / 2;
        paintColorbar(painter, QRectF(bar.left(), bar.top(), bar.width(), half * 0.92),
                      *sequentialMap, OverlayRange{0, 1}, QObject::tr("magnitude (per cell)"));
        paintColorbar(painter, QRectF(bar.left(), bar.top() + half, bar.width(), half),
                      *divergingMap, OverlayRange{-1, 1, true}, QObject::tr("signed (per cell)"));
    } else if (sequentialMap || divergingMap) {
        paintColorbar(painter, layout.colorbar, sequentialMap ? *sequentialMap : *divergingMap,
                      sequentialMap ? OverlayRange{0, 1} : OverlayRange{-1, 1, true}, title);
    }
    painter.restore();
    return layout;
}

bool exportSaliencyGrid(const QString& path, const SaliencyGridContent& content, QSize size,
                        QString* error, double dpi) {
    return exportFigure(
        path, size,
        [&](QPainter& painter, const QRectF& rect) { paintSaliencyGrid(painter, rect, content); },
        error, dpi);
}

// Paints the grid and reports the mouse.
class SaliencyGridCanvas : public QWidget {
public:
    SaliencyGridCanvas(const SaliencyGridContent* content, QWidget* parent)
        : QWidget(parent), content_(content) {
        setMouseTracking(true);
        setMinimumSize(320, 240);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }
    std::function<void(const QPoint&)> onHover;
    std::function<void(const QPoint&)> onClick;
    std::function<void()> onLeave;

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        try {
            paintSaliencyGrid(painter, QRectF(rect()), *content_);
        } catch (const std::exception& e) {
            painter.fillRect(rect(), Qt::white);
            painter.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
                             QString::fromUtf8(e.what()));
        }
    }
    void mouseMoveEvent(QMouseEvent* event) override {
        if (onHover) onHover(event->position().toPoint());
    }
    void mouseReleaseEvent(QMouseEvent* event) override {
        if (event->button() == Qt::LeftButton && onClick) onClick(event->position().toPoint());
    }
    void leaveEvent(QEvent*) override {
        if (onLeave) onLeave();
    }

private:
    const SaliencyGridContent* content_;
};

SaliencyGrid::SaliencyGrid(QWidget* parent) : QWidget(parent) {
    canvas_ = new SaliencyGridCanvas(&content_, this);
    canvas_->setObjectName(QStringLiteral("saliencyGridCanvas"));
    canvas_->onHover = [this](const QPoint& p) { showHover(p); };
    canvas_->onLeave = [this] { readout_->clear(); };
    canvas_->onClick = [this](const QPoint& p) {
        if (auto cell = cellAt(canvas_->mapTo(this, p)))
            Q_EMIT cellClicked(cell->first, cell->second);
    };

    shared_ = new QCheckBox(tr("Shared normalization"), this);
    shared_->setObjectName(QStringLiteral("sharedNormalization"));
    shared_->setToolTip(tr("One range for every cell (checked) or each map on its own range"));
    shared_->setChecked(content_.sharedNormalization);
    connect(shared_, &QCheckBox::toggled, this, [this](bool on) {
        content_.sharedNormalization = on;
        canvas_->update();
    });
    readout_ = new QLabel(this);
    readout_->setObjectName(QStringLiteral("saliencyGridReadout"));
    auto* exportButton = new QPushButton(tr("Export figure…"), this);
    exportButton->setObjectName(QStringLiteral("exportFigure"));
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export saliency grid"), QStringLiteral("saliency-grid.pdf"),
            tr("PDF (*.pdf);;SVG (*.svg);;PNG image (*.png)"));
        QString error;
        if (!path.isEmpty() && !exportFigure(path, QSize(1200, 900), &error))
            readout_->setText(error);
    });
    auto* bar = new QHBoxLayout;
    bar->addWidget(shared_);
    bar->addWidget(readout_, 1);
    bar->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(canvas_, 1);
    layout->addLayout(bar);
}

void SaliencyGrid::setImage(const TensorData& image) {
    content_.image = image;
    canvas_->update();
}

void SaliencyGrid::setMaps(const QStringList& rowLabels, const QStringList& columnLabels,
                           const std::vector<SaliencyMap>& maps) {
    const std::size_t expected = std::size_t(rowLabels.size()) * std::size_t(columnLabels.size());
    if (maps.size() != expected)
        throw std::invalid_argument("The saliency grid got " + std::to_string(maps.size()) +
                                    " maps for " + std::to_string(rowLabels.size()) + " rows × " +
                                    std::to_string(columnLabels.size()) + " columns.");
    content_.rowLabels = rowLabels;
    content_.columnLabels = columnLabels;
    content_.maps = maps;
    readout_->clear();
    canvas_->update();
}

void SaliencyGrid::setMap(int row, int column, const SaliencyMap& map) {
    if (!content_.cell(row, column)) return;
    content_.maps[std::size_t(row * content_.columns() + column)] = map;
    canvas_->update();
}

void SaliencyGrid::setOptions(const OverlayOptions& options) {
    content_.options = options;
    canvas_->update();
}

void SaliencyGrid::setSharedNormalization(bool shared) {
    shared_->setChecked(shared);
}

void SaliencyGrid::setTitle(const QString& title) {
    content_.title = title;
    canvas_->update();
}

std::optional<std::pair<int, int>> SaliencyGrid::cellAt(const QPoint& pos) const {
    const SaliencyGridLayout layout = saliencyGridLayout(content_, QRectF(canvas_->rect()));
    const QPointF p = canvas_->mapFrom(this, pos);
    for (std::size_t i = 0; i < layout.cells.size(); ++i)
        if (layout.cells[i].contains(p))
            return std::make_pair(int(i) / content_.columns(), int(i) % content_.columns());
    return std::nullopt;
}

QRectF SaliencyGrid::cellRect(int row, int column) const {
    const SaliencyGridLayout layout = saliencyGridLayout(content_, QRectF(canvas_->rect()));
    if (!content_.cell(row, column)) return {};
    return layout.cells[std::size_t(row * content_.columns() + column)].translated(
        canvas_->mapTo(this, QPoint(0, 0)));
}

QString SaliencyGrid::readout() const {
    return readout_->text();
}

void SaliencyGrid::showHover(const QPoint& canvasPos) {
    const QPoint pos = canvas_->mapTo(this, canvasPos);
    const auto cell = cellAt(pos);
    const SaliencyMap* map = cell ? content_.cell(cell->first, cell->second) : nullptr;
    if (!computed(map)) {
        readout_->clear();
        return;
    }
    const QRectF r = cellRect(cell->first, cell->second);
    const int x = std::clamp(int((pos.x() - r.left()) / r.width() * double(map->width)), 0,
                             int(map->width) - 1);
    const int y = std::clamp(int((pos.y() - r.top()) / r.height() * double(map->height)), 0,
                             int(map->height) - 1);
    const double value = map->at(y, x);
    readout_->setText(QStringLiteral("%1 · %2 — %3, %4: %5")
                          .arg(content_.rowLabels[cell->first], content_.columnLabels[cell->second])
                          .arg(x)
                          .arg(y)
                          .arg(formatSaliencyValue(value)));
    Q_EMIT hovered(cell->first, cell->second, x, y, value);
}

bool SaliencyGrid::exportFigure(const QString& path, QSize size, QString* error, double dpi) const {
    return exportSaliencyGrid(path, content_, size, error, dpi);
}

}  // namespace basin::widgets
