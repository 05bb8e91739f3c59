#include "eval/EvaluationView.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QSet>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "plot/QCustomPlot.h"
#include "util/Colormap.h"

namespace basin::widgets {
namespace {

QColor colour(double t) {
    const Rgb c = sampleColormap(Colormap::Viridis, t);
    return QColor::fromRgbF(c.r, c.g, c.b);
}

// The file name, or "folder/file" when several runs use the same file names
// (epoch_003.pt of two seeds).
QString checkpointName(const CheckpointEvaluation& r, bool withFolder) {
    if (r.checkpoint.empty()) return QObject::tr("(model's own weights)");
    const QFileInfo info(QString::fromStdString(r.checkpoint));
    return withFolder ? info.dir().dirName() + QLatin1Char('/') + info.fileName() : info.fileName();
}

}  // namespace

EvaluationView::EvaluationView(QWidget* parent)
    : QWidget(parent), title_(new QLabel), table_(new QTableWidget), plot_(new QCustomPlot) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    title_->setWordWrap(true);
    top->addWidget(title_, 1);
    auto* exportButton = new QPushButton(tr("Export CSV…"));
    exportButton->setObjectName(QStringLiteral("exportCsv"));
    top->addWidget(exportButton);
    layout->addLayout(top);

    table_->setObjectName(QStringLiteral("evaluationTable"));
    table_->setColumnCount(5);
    table_->setHorizontalHeaderLabels(
        {tr("Checkpoint"), tr("Loss"), tr("Accuracy"), tr("Samples"), tr("Problem")});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);

    plot_->setObjectName(QStringLiteral("evaluationPlot"));
    plot_->setMinimumHeight(200);
    plot_->xAxis->setLabel(tr("checkpoint"));
    plot_->yAxis->setLabel(tr("loss"));
    plot_->yAxis2->setLabel(tr("accuracy"));
    plot_->yAxis2->setVisible(true);
    plot_->legend->setVisible(true);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(plot_);
    split->addWidget(table_);
    split->setSizes({3, 2});
    layout->addWidget(split, 1);

    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export CSV"), QStringLiteral("evaluation.csv"), tr("CSV files (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportCsv(path, &error)) title_->setText(error);
    });
}

void EvaluationView::setResults(const QString& title, std::vector<CheckpointEvaluation> results) {
    results_ = std::move(results);
    title_->setText(title);
    table_->setRowCount(int(results_.size()));
    QVector<double> index, loss, accuracy, okIndex;
    QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
    QSet<QString> names;
    bool sameNames = false;
    for (const auto& r : results_) {
        const QString n = checkpointName(r, false);
        sameNames = sameNames || names.contains(n);
        names.insert(n);
    }
    for (int row = 0; row < int(results_.size()); ++row) {
        const CheckpointEvaluation& r = results_[std::size_t(row)];
        auto set = [&](int column, const QString& text) {
            auto* item = new QTableWidgetItem(text);
            if (column > 0 && column < 4) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, column, item);
        };
        const QString name = checkpointName(r, sameNames);
        set(0, name);
        table_->item(row, 0)->setToolTip(QString::fromStdString(r.checkpoint));
        ticks->addTick(row, name.section(QLatin1Char('.'), 0, 0));
        if (!r.error.empty()) {
            set(4, QString::fromStdString(r.error).section(QLatin1Char('\n'), 0, 0));
            table_->item(row, 4)->setToolTip(QString::fromStdString(r.error));
            table_->item(row, 4)->setForeground(QColor(0xb0, 0x00, 0x20));
            continue;
        }
        set(1, QString::number(r.result.loss, 'g', 6));
        set(2, std::isfinite(r.result.accuracy)
                   ? QString::number(r.result.accuracy * 100, 'f', 2) + QLatin1Char('%')
                   : QStringLiteral("—"));
        set(3, QString::number(r.result.samples));
        index << row;
        loss << r.result.loss;
        accuracy << (std::isfinite(r.result.accuracy) ? r.result.accuracy : std::nan(""));
    }

    plot_->clearGraphs();
    QCPGraph* lossGraph = plot_->addGraph(plot_->xAxis, plot_->yAxis);
    lossGraph->setName(tr("loss"));
    lossGraph->setData(index, loss, true);
    lossGraph->setPen(QPen(colour(0.15), 2));
    lossGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    QCPGraph* accGraph = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    accGraph->setName(tr("accuracy"));
    accGraph->setData(index, accuracy, true);
    accGraph->setPen(QPen(colour(0.75), 2));
    accGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 7));
    plot_->xAxis->setTicker(ticks);
    // Long or many names are written vertically, so none is cut or overlaps.
    const bool vertical = results_.size() > 6 || sameNames;
    plot_->xAxis->setTickLabelRotation(vertical ? -90 : 0);
    plot_->xAxis->setRange(-0.5, std::max<double>(0.5, double(results_.size()) - 0.5));
    lossGraph->rescaleValueAxis();
    plot_->yAxis->setRange(0, plot_->yAxis->range().upper * 1.08);  // room for the top point
    plot_->yAxis2->setRange(0, 1.0);
    plot_->replot();
}

QString EvaluationView::toCsv() const {
    QString csv = QStringLiteral("checkpoint,loss,accuracy,samples,error\n");
    auto quote = [](QString s) {
        return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
               QLatin1Char('"');
    };
    for (const auto& r : results_) {
        csv += quote(QString::fromStdString(r.checkpoint)) + QLatin1Char(',');
        if (r.error.empty()) {
            csv += QStringLiteral("%1,%2,%3,\n")
                       .arg(r.result.loss, 0, 'g', 10)
                       .arg(std::isfinite(r.result.accuracy)
                                ? QString::number(r.result.accuracy, 'g', 10)
                                : QString())
                       .arg(r.result.samples);
        } else {
            csv +=
                QStringLiteral(",,,") + quote(QString::fromStdString(r.error)) + QLatin1Char('\n');
        }
    }
    return csv;
}

bool EvaluationView::exportCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(toCsv().toUtf8()) >= 0 && file.commit())
        return true;
    if (error) *error = tr("cannot write '%1': %2").arg(path, file.errorString());
    return false;
}

}  // namespace basin::widgets
