#pragma once
// Every barrier definition of connectivity/Barrier.h side by side, one row
// per path, segment (A → B of a chain) and split (train, test, the
// second-order prediction), with the t of each maximum — since papers
// disagree on which one "the barrier" is, a reader compares them here. The
// column headers carry the formulas as tooltips. The table copies as CSV
// (Ctrl+C or "Copy CSV": the selected rows, or all) and saves as CSV, with
// the keys of `basin lmc`'s summary.json as the header.

#include <QString>
#include <QWidget>
#include <vector>

#include "connectivity/Barrier.h"
#include "connectivity/PathSamples.h"

class QJsonObject;
class QLabel;
class QTableWidget;

namespace basin::widgets {

struct BarrierRow {
    QString path;     // the path's name
    QString segment;  // "epoch_010 → epoch_010_aligned"
    QString split;    // "train", "test", "second order"
    Barrier barrier;
};

// The barriers of each segment of row `row` of `samples` (between
// consecutive knots), train and, when the file has test values, test.
std::vector<BarrierRow> pathBarrierRows(const QString& name, const PathSamples& samples,
                                        std::size_t row = 0);

// A barrier as JSON with the keys of `basin lmc`'s summary.json (null for NaN),
// and back (missing keys give NaN).
QJsonObject barrierToJson(const Barrier& barrier);
Barrier barrierFromJson(const QJsonObject& json);

class BarrierTable : public QWidget {
    Q_OBJECT
public:
    explicit BarrierTable(QWidget* parent = nullptr);

    void setRows(std::vector<BarrierRow> rows);
    const std::vector<BarrierRow>& rows() const { return rows_; }
    QTableWidget* table() const { return table_; }

    // The header and the given rows (all when empty), one line each.
    QString toCsv(const std::vector<int>& rows = {}) const;
    bool saveCsv(const QString& path, QString* error = nullptr) const;
    // To the clipboard: the selected rows, or every row when none is selected.
    void copyCsv() const;

private:
    std::vector<BarrierRow> rows_;
    QTableWidget* table_;
    QLabel* status_;
};

}  // namespace basin::widgets
