#include "connectivity/BarrierTable.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

#include "connectivity/ConnectivityCsv.h"
#include "connectivity/PathPlotView.h"
#include "plot/PlotFigure.h"

namespace basin::widgets {
namespace {

struct Column {
    const char* header;
    const char* key;  // as in `basin lmc`'s summary.json
    const char* tip;
    double Barrier::*value;
    char format;  // 'g' values, 't' positions, 'a' accuracy points
};

const Column kColumns[] = {
    {"L_A", "loss_a", "Loss at the segment's start", &Barrier::lossA, 'g'},
    {"L_B", "loss_b", "Loss at the segment's end", &Barrier::lossB, 'g'},
    {"barrier (i)", "linear",
     "max_t [L(t) − ((1 − t)L_A + t L_B)]: the linear-interpolation barrier (Frankle et al. 2020; "
     "Entezari et al. 2022)",
     &Barrier::linear, 'g'},
    {"t of (i)", "linear_t", "Where the linear-interpolation barrier peaks", &Barrier::linearT,
     't'},
    {"max − mean of ends (ii)", "max_above_mean_of_ends", "max_t L(t) − ½(L_A + L_B)",
     &Barrier::maxAboveMeanOfEnds, 'g'},
    {"t of (ii)", "max_t", "Where the loss is highest", &Barrier::maxT, 't'},
    {"L(½) − mean (iii)", "midpoint", "L(½) − ½(L_A + L_B): the midpoint barrier",
     &Barrier::midpoint, 'g'},
    {"area", "area", "∫₀¹ [L(t) − ((1 − t)L_A + t L_B)] dt: the area between curve and chord",
     &Barrier::area, 'g'},
    {"accuracy drop (iv)", "accuracy_drop",
     "max_t [((1 − t)Acc_A + t Acc_B) − Acc(t)], in percentage points", &Barrier::accuracyDrop,
     'a'},
    {"t of (iv)", "accuracy_t", "Where the accuracy drop is largest", &Barrier::accuracyT, 't'},
};
constexpr int kTextColumns = 3;  // path, segment, split

QString shown(double v, char format) {
    if (!std::isfinite(v)) return QStringLiteral("—");
    if (format == 't') return QString::number(v, 'f', 3);
    if (format == 'a') return QString::number(v, 'f', 2);
    return QString::number(v, 'g', 4);
}

}  // namespace

std::vector<BarrierRow> pathBarrierRows(const QString& name, const PathSamples& samples,
                                        std::size_t row) {
    std::vector<BarrierRow> out;
    const std::vector<QString> names = checkpointShortNames(samples.checkpoints);
    std::vector<double> knots = samples.knots;
    if (knots.size() < 2) knots = {0.0, 1.0};
    for (std::size_t k = 0; k + 1 < knots.size(); ++k) {
        const QString segment = k + 1 < names.size()
                                    ? QStringLiteral("%1 → %2").arg(names[k], names[k + 1])
                                    : QStringLiteral("%1 → %2").arg(knots[k]).arg(knots[k + 1]);
        for (SurfaceMetric loss : {SurfaceMetric::TrainLoss, SurfaceMetric::TestLoss}) {
            if (!samples.has(loss)) continue;
            std::vector<double> t, l, a;
            segmentSamples(samples.t, samples.row(loss, row),
                           samples.row(SurfaceMetric(int(loss) + 1), row), knots[k], knots[k + 1],
                           &t, &l, &a);
            out.push_back(
                {name, segment,
                 loss == SurfaceMetric::TrainLoss ? QObject::tr("train") : QObject::tr("test"),
                 measureBarrier(t, l, a)});
        }
    }
    return out;
}

QJsonObject barrierToJson(const Barrier& barrier) {
    QJsonObject json;
    for (const Column& column : kColumns) {
        const double v = barrier.*column.value;
        json[QLatin1String(column.key)] = std::isfinite(v) ? QJsonValue(v) : QJsonValue();
    }
    return json;
}

Barrier barrierFromJson(const QJsonObject& json) {
    Barrier barrier;
    for (const Column& column : kColumns) {
        const QJsonValue v = json.value(QLatin1String(column.key));
        if (v.isDouble()) barrier.*column.value = v.toDouble();
    }
    return barrier;
}

BarrierTable::BarrierTable(QWidget* parent)
    : QWidget(parent), table_(new QTableWidget), status_(new QLabel) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    table_->setObjectName(QStringLiteral("barrierTable"));
    table_->setColumnCount(kTextColumns + int(std::size(kColumns)));
    table_->setHorizontalHeaderItem(0, new QTableWidgetItem(tr("path")));
    table_->setHorizontalHeaderItem(1, new QTableWidgetItem(tr("segment")));
    table_->setHorizontalHeaderItem(2, new QTableWidgetItem(tr("split")));
    for (int c = 0; c < int(std::size(kColumns)); ++c) {
        auto* header = new QTableWidgetItem(tr(kColumns[c].header));
        header->setToolTip(tr(kColumns[c].tip));
        table_->setHorizontalHeaderItem(kTextColumns + c, header);
    }
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setMaximumSectionSize(280);  // long names elide; tooltips
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setAlternatingRowColors(true);
    layout->addWidget(table_, 1);

    auto* copy = new QAction(tr("Copy as CSV"), table_);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    table_->addAction(copy);
    table_->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(copy, &QAction::triggered, this, &BarrierTable::copyCsv);

    auto* bottom = new QHBoxLayout;
    bottom->setContentsMargins(6, 2, 4, 2);
    status_->setObjectName(QStringLiteral("barrierStatus"));
    status_->setText(tr("Hover a header for its formula; Ctrl+C copies the selected rows as CSV."));
    bottom->addWidget(status_, 1);
    auto* copyButton = new QPushButton(tr("Copy CSV"));
    copyButton->setObjectName(QStringLiteral("copyCsv"));
    connect(copyButton, &QPushButton::clicked, this, &BarrierTable::copyCsv);
    bottom->addWidget(copyButton);
    auto* save = new QPushButton(tr("Save CSV…"));
    save->setObjectName(QStringLiteral("saveCsv"));
    connect(save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save barriers"), QStringLiteral("barriers.csv"), tr("CSV files (*.csv)"));
        QString error;
        if (!path.isEmpty() && !saveCsv(path, &error)) status_->setText(error);
    });
    bottom->addWidget(save);
    layout->addLayout(bottom);
}

void BarrierTable::setRows(std::vector<BarrierRow> rows) {
    rows_ = std::move(rows);
    table_->setRowCount(int(rows_.size()));
    for (int r = 0; r < int(rows_.size()); ++r) {
        const BarrierRow& row = rows_[std::size_t(r)];
        int at = 0;
        for (const QString& text : {row.path, row.segment, row.split}) {
            auto* item = new QTableWidgetItem(text);
            item->setToolTip(text);
            table_->setItem(r, at++, item);
        }
        for (int c = 0; c < int(std::size(kColumns)); ++c) {
            const Column& column = kColumns[c];
            auto* item = new QTableWidgetItem(shown(row.barrier.*column.value, column.format));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(r, kTextColumns + c, item);
        }
    }
}

QString BarrierTable::toCsv(const std::vector<int>& rows) const {
    QStringList header{QStringLiteral("path"), QStringLiteral("segment"), QStringLiteral("split")};
    for (const Column& column : kColumns)
        header << QString::fromLatin1(column.key);
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    std::vector<int> chosen = rows;
    if (chosen.empty())
        for (int r = 0; r < int(rows_.size()); ++r)
            chosen.push_back(r);
    for (int r : chosen) {
        if (r < 0 || r >= int(rows_.size())) continue;
        const BarrierRow& row = rows_[std::size_t(r)];
        QStringList fields{csvText(row.path), csvText(row.segment), csvText(row.split)};
        for (const Column& column : kColumns)
            fields << csvNumber(row.barrier.*column.value);
        out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

bool BarrierTable::saveCsv(const QString& path, QString* error) const {
    return writeFileAtomically(path, toCsv().toUtf8(), error);
}

void BarrierTable::copyCsv() const {
    QSet<int> selected;
    for (const QModelIndex& index : table_->selectionModel()->selectedIndexes())
        selected.insert(index.row());
    std::vector<int> rows(selected.begin(), selected.end());
    std::sort(rows.begin(), rows.end());
    QApplication::clipboard()->setText(toCsv(rows));
    status_->setText(rows.empty() ? tr("Copied every row as CSV.")
                                  : tr("Copied %n row(s) as CSV.", nullptr, int(rows.size())));
}

}  // namespace basin::widgets
