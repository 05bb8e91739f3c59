#include "saliency/NullBlockMassView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSharedPointer>
#include <cmath>

#include "connectivity/ConnectivityCsv.h"
#include "plot/PlotFigure.h"
#include "plot/QCustomPlot.h"

namespace basin::widgets {
namespace {

QString methodLabel(const BlockMnistResult::Method& m) {
    QString label = QString::fromUtf8(saliencyMethodTitle(m.method));
    if (!m.layer.empty()) label += QStringLiteral("\n(") + QString::fromStdString(m.layer) + ")";
    return label;
}

}  // namespace

NullBlockMassView::NullBlockMassView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot), readout_(new QLabel) {
    plotViewFrame(this, plot_, readout_, QStringLiteral("nullBlock"),
                  QStringLiteral("blockmnist.pdf"),
                  [this](const QString& path, QSize size, QString* error) {
                      return exportFigure(path, size, error);
                  });
    // The title is part of the plot, so exported figures carry it.
    plot_->plotLayout()->insertRow(0);
    title_ = new QCPTextElement(plot_, QString(), QFont(font().family(), 10));
    plot_->plotLayout()->addElement(0, 0, title_);
    bars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars_->setBrush(QColor(31, 119, 180));
    bars_->setPen(Qt::NoPen);
    bars_->setWidth(0.6);
    bars_->setName(tr("attribution mass on the null block"));
    plot_->yAxis->setLabel(tr("share of attribution on the null block (lower is better)"));
    plot_->yAxis->setRange(0, 1);
    plot_->xAxis->grid()->setVisible(false);
    auto* even = new QCPItemStraightLine(plot_);
    even->point1->setCoords(0, 0.5);
    even->point2->setCoords(1, 0.5);
    even->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    auto* evenLabel = new QCPItemText(plot_);
    evenLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    evenLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
    evenLabel->position->setCoords(0.99, 0.5);
    evenLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    evenLabel->setText(tr("no preference (0.5)"));
    evenLabel->setColor(Qt::darkGray);
    connect(plot_, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showReadout(plot_->xAxis->pixelToCoord(e->position().x())); });
}

void NullBlockMassView::setResult(const BlockMnistResult& result) {
    result_ = result;
    QVector<double> keys, values;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (std::size_t i = 0; i < result.methods.size(); ++i) {
        keys << double(i + 1);
        values << result.methods[i].nullMass;
        ticker->addTick(double(i + 1), methodLabel(result.methods[i]));
    }
    bars_->setData(keys, values);
    plot_->xAxis->setTicker(ticker);
    plot_->xAxis->setRange(0.4, double(result.methods.size()) + 0.6);
    plot_->xAxis->setTickLabelRotation(result.methods.size() > 5 ? 30 : 0);
    title_->setText(tr("BlockMNIST (Shah et al. 2021): the model reached %1% test accuracy; "
                       "%2 test images explained for their class")
                        .arg(100.0 * result.testAccuracy, 0, 'f', 1)
                        .arg(result.images));
    plot_->replot();
}

void NullBlockMassView::showReadout(double x) {
    const long i = std::lround(x) - 1;
    if (i < 0 || i >= long(result_.methods.size())) {
        readout_->clear();
        return;
    }
    const BlockMnistResult::Method& m = result_.methods[std::size_t(i)];
    readout_->setText(tr("%1: %2 of the attribution on the null block")
                          .arg(methodLabel(m).replace(QLatin1Char('\n'), QLatin1Char(' ')))
                          .arg(m.nullMass, 0, 'f', 3));
}

QString NullBlockMassView::readout() const {
    return readout_->text();
}

QString NullBlockMassView::title() const {
    return title_->text();
}

bool NullBlockMassView::exportFigure(const QString& path, QSize size, QString* error) {
    return exportPlotFigure(
        plot_, path, size, tr("BlockMNIST null-block attribution"),
        [this](const QString& csv, QString* e) { return saveCsv(csv, e); }, error);
}

bool NullBlockMassView::saveCsv(const QString& path, QString* error) const {
    QString out = QStringLiteral("method,layer,null_block_mass\n");
    for (const BlockMnistResult::Method& m : result_.methods)
        out += QStringList{QString::fromLatin1(saliencyMethodKey(m.method)),
                           csvText(QString::fromStdString(m.layer)), csvNumber(m.nullMass)}
                   .join(QLatin1Char(',')) +
               QLatin1Char('\n');
    return writeFileAtomically(path, out.toUtf8(), error);
}

}  // namespace basin::widgets
