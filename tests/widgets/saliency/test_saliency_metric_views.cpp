// The saliency metric plots: deletion/insertion curves (a line per map in
// each panel, AUC in the legends, hover readout) and the randomization check
// (a line per method per mode, layer names on the x axis, the measure picked
// in the bar), their figure and CSV exports, and screenshots to look at.

#include <QComboBox>
#include <QFile>
#include <QTemporaryDir>
#include <cmath>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "plot/QCustomPlot.h"
#include "saliency/DeletionCurveView.h"
#include "saliency/RandomizationView.h"

using namespace basin;
using namespace basin::widgets;

namespace {

// Deletion p = p0·(1 − f)^k, insertion p = p0·f^(1/k) over 21 steps.
DeletionInsertionResult powerCurves(double k, double p0 = 0.9) {
    DeletionInsertionResult r;
    r.targetClass = 3;
    for (int i = 0; i <= 20; ++i) {
        const double f = i / 20.0;
        r.deletion.fraction.push_back(f);
        r.insertion.fraction.push_back(f);
        r.deletion.probability.push_back(p0 * std::pow(1 - f, k));
        r.insertion.probability.push_back(p0 * std::pow(f, 1 / k));
    }
    r.deletion.auc = trapezoidAuc(r.deletion.fraction, r.deletion.probability);
    r.insertion.auc = trapezoidAuc(r.insertion.fraction, r.insertion.probability);
    return r;
}

// Similarities falling from 1 with each layer at `rate` (SSIM a little lower).
RandomizationResult fallingSimilarity(double rate, bool independent = true) {
    RandomizationResult r;
    r.layers = {"fc",   "layer4.1.conv2", "layer4.1.conv1", "layer4.0.conv2", "layer3.1.conv2",
                "conv1"};
    auto steps = [&](double slope) {
        std::vector<RandomizationStep> out;
        for (std::size_t i = 0; i <= r.layers.size(); ++i) {
            RandomizationStep s;
            s.layer = i == 0 ? std::string() : r.layers[i - 1];
            s.similarity.spearmanAbs = std::exp(-slope * double(i));
            s.similarity.spearman = s.similarity.spearmanAbs - 0.1 * double(i > 0);
            s.similarity.ssim = 0.8 * s.similarity.spearmanAbs;
            out.push_back(s);
        }
        return out;
    };
    r.cascading = steps(rate);
    if (independent) r.independent = steps(rate / 3);
    return r;
}

int csvLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    return int(f.readAll().count('\n'));
}

// Inside the widget; a layout cell at the edge may end one pixel over it.
bool insideWidget(const QRect& r, const QWidget& w) {
    return r.left() >= 0 && r.top() >= 0 && r.right() <= w.width() && r.bottom() <= w.height();
}

// Every entry of `legend` lies inside the plot widget.
bool entriesInside(QCPLegend* legend, const QWidget& w) {
    for (int i = 0; i < legend->itemCount(); ++i)
        if (!insideWidget(legend->item(i)->outerRect(), w)) return false;
    return legend->itemCount() > 0;
}

}  // namespace

class TestSaliencyMetricViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deletionCurvesWithAucInTheLegends() {
        DeletionCurveView view;
        view.resize(900, 480);
        view.setCurves({{"Grad-CAM", powerCurves(4)},
                        {"Gradient", powerCurves(1.5)},
                        {"random", powerCurves(1.0)}});
        QCOMPARE(view.plot()->graphCount(), 6);
        QCOMPARE(view.deletionGraph(0)->data()->size(), 21);
        QCOMPARE(view.insertionGraph(2)->data()->size(), 21);
        QCOMPARE(view.deletionGraph(0)->keyAxis(), view.deletionRect()->axis(QCPAxis::atBottom));
        QCOMPARE(view.insertionGraph(0)->keyAxis(), view.insertionRect()->axis(QCPAxis::atBottom));
        QVERIFY(view.deletionGraph(3) == nullptr);
        // Each panel's legend names the maps with that panel's AUC.
        const DeletionInsertionResult gc = powerCurves(4);
        QCOMPARE(view.deletionLegend()->itemCount(), 3);
        QCOMPARE(view.insertionLegend()->itemCount(), 3);
        QCOMPARE(view.deletionGraph(0)->name(),
                 QStringLiteral("AUC %1 · Grad-CAM").arg(gc.deletion.auc, 0, 'f', 3));
        QCOMPARE(view.insertionGraph(0)->name(),
                 QStringLiteral("AUC %1 · Grad-CAM").arg(gc.insertion.auc, 0, 'f', 3));
        QVERIFY(view.deletionLegend()->hasItemWithPlottable(view.deletionGraph(1)));
        QVERIFY(view.insertionLegend()->hasItemWithPlottable(view.insertionGraph(1)));
        QVERIFY(!view.deletionLegend()->hasItemWithPlottable(view.insertionGraph(1)));
        // Distinct colours per map, the same map alike in both panels.
        QVERIFY(view.deletionGraph(0)->pen().color() != view.deletionGraph(1)->pen().color());
        QCOMPARE(view.deletionGraph(1)->pen().color(), view.insertionGraph(1)->pen().color());

        view.showReadout(true, 0.51);
        QVERIFY2(view.readout().startsWith(QStringLiteral("deleted 50.0%:")),
                 qPrintable(view.readout()));
        QVERIFY(view.readout().contains(
            QStringLiteral("Gradient %1").arg(0.9 * std::pow(0.5, 1.5), 0, 'f', 3)));

        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        view.grab().save(basin::test::testOutputDir() + "/deletion_insertion.png");
        for (QCPLegend* legend : {view.deletionLegend(), view.insertionLegend()})
            QVERIFY(entriesInside(legend, *view.plot()));
        QVERIFY(view.exportFigure(basin::test::testOutputDir() + "/deletion_figure.png",
                                  QSize(900, 480)));

        QTemporaryDir dir;
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = dir.filePath(QStringLiteral("curves.%1").arg(ext));
            QString error;
            QVERIFY2(view.exportFigure(path, QSize(900, 480), &error), qPrintable(error));
            QVERIFY(QFile(path).size() > 1000);
        }
        // Header + 3 maps × 2 curves × 21 steps.
        QCOMPARE(csvLines(dir.filePath("curves.csv")), 1 + 3 * 2 * 21);
        QFile csv(dir.filePath("curves.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(csv.readAll());
        QVERIFY(text.startsWith(
            QStringLiteral("map,curve,fraction,probability,auc\nGrad-CAM,deletion,0,0.9,")));
        QVERIFY(text.contains(QStringLiteral("random,insertion,1,0.9,")));
    }

    void randomizationLinesPerMethodAndLayer() {
        RandomizationView view;
        view.resize(1000, 520);
        view.setSeries({{"Gradient", fallingSimilarity(0.2)},
                        {"Grad-CAM", fallingSimilarity(0.6)},
                        {"Integrated Gradients", fallingSimilarity(0.1, false)}});
        // Two methods in both panels, the third only cascading.
        QCOMPARE(view.plot()->graphCount(), 5);
        QVERIFY(view.graph(RandomizationMode::Independent, 2) == nullptr);
        QCPGraph* gradCam = view.graph(RandomizationMode::Cascading, 1);
        QCOMPARE(gradCam->data()->size(), 7);
        QCOMPARE(gradCam->data()->at(0)->value, 1.0);
        QVERIFY(std::abs(gradCam->data()->at(6)->value - std::exp(-3.6)) < 1e-12);
        QCOMPARE(view.graph(RandomizationMode::Independent, 1)->valueAxis(),
                 view.rect(RandomizationMode::Independent)->axis(QCPAxis::atLeft));
        // One legend entry per method.
        QCOMPARE(view.plot()->legend->itemCount(), 3);

        // x labels: the original, then the layers from the top; rotated (long names).
        const QStringList labels = view.stepLabels();
        QCOMPARE(labels.size(), 7);
        QCOMPARE(labels.front(), QStringLiteral("original"));
        QCOMPARE(labels[2], QStringLiteral("layer4.1.conv2"));
        QCPAxis* x = view.rect(RandomizationMode::Cascading)->axis(QCPAxis::atBottom);
        auto ticker = x->ticker().dynamicCast<QCPAxisTickerText>();
        QVERIFY(ticker);
        QCOMPARE(ticker->ticks().value(6), QStringLiteral("conv1"));
        QVERIFY(x->tickLabelRotation() != 0);

        // The measure picked in the bar.
        view.measureBox()->setCurrentIndex(
            view.measureBox()->findData(int(SimilarityMeasure::Ssim)));
        QCOMPARE(view.measure(), SimilarityMeasure::Ssim);
        QVERIFY(std::abs(view.graph(RandomizationMode::Cascading, 1)->data()->at(6)->value -
                         0.8 * std::exp(-3.6)) < 1e-12);
        QCOMPARE(view.rect(RandomizationMode::Cascading)->axis(QCPAxis::atLeft)->label(),
                 QStringLiteral("SSIM"));
        view.setMeasure(SimilarityMeasure::SpearmanAbs);

        view.showReadout(RandomizationMode::Independent, 1.2);
        QVERIFY2(view.readout().startsWith(QStringLiteral("independent, fc:")),
                 qPrintable(view.readout()));
        QVERIFY(view.readout().contains(QStringLiteral("independent, fc: Gradient: |ρ| %1")
                                            .arg(std::exp(-0.2 / 3), 0, 'f', 3)));
        QVERIFY(view.readout().contains(
            QStringLiteral("; Grad-CAM: |ρ| %1").arg(std::exp(-0.2), 0, 'f', 3)));

        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        // Rotated labels and the legend fit in the widget.
        for (RandomizationMode mode :
             {RandomizationMode::Cascading, RandomizationMode::Independent})
            QVERIFY(insideWidget(view.rect(mode)->outerRect(), *view.plot()));
        QVERIFY(entriesInside(view.plot()->legend, *view.plot()));
        // The readout's long line does not widen the view.
        QCOMPARE(view.width(), 1000);
        QVERIFY(view.exportFigure(basin::test::testOutputDir() + "/randomization_figure.png",
                                  QSize(1000, 520)));
        view.grab().save(basin::test::testOutputDir() + "/randomization_check.png");

        QTemporaryDir dir;
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = dir.filePath(QStringLiteral("check.%1").arg(ext));
            QString error;
            QVERIFY2(view.exportFigure(path, QSize(1000, 520), &error), qPrintable(error));
            QVERIFY(QFile(path).size() > 1000);
        }
        // Header + 7 steps × (2 methods × 2 modes + 1).
        QCOMPARE(csvLines(dir.filePath("check.csv")), 1 + 7 * 5);
        QFile csv(dir.filePath("check.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(csv.readAll());
        QVERIFY(text.startsWith(QStringLiteral(
            "method,mode,step,layer,spearman_abs,spearman,ssim\nGradient,cascading,0,,1,1,0.8\n")));
        QVERIFY(text.contains(QStringLiteral("Grad-CAM,independent,1,fc,")));
    }
};

BASIN_GUI_TEST_MAIN(TestSaliencyMetricViews)
#include "test_saliency_metric_views.moc"
