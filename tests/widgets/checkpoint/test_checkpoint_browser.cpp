// The checkpoint browser: module tree, statistics columns, histogram, weight
// root selection and comparison columns.

#include <QComboBox>
#include <QTreeWidget>
#include <cstring>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "checkpoint/CheckpointBrowser.h"
#include "plot/QCustomPlot.h"

using namespace basin;
using namespace basin::widgets;

namespace {

NamedTensor floats(const std::string& name, std::vector<std::int64_t> shape, float start,
                   float step) {
    NamedTensor t;
    t.name = name;
    t.tensor.shape = std::move(shape);
    const std::int64_t n = t.tensor.numel();
    t.tensor.storage = Storage::allocate(std::size_t(n) * sizeof(float));
    auto* p = reinterpret_cast<float*>(t.tensor.storage->mutableData());
    for (std::int64_t i = 0; i < n; ++i)
        p[i] = start + step * float(i);
    return t;
}

Checkpoint trainingCheckpoint(float shift) {
    Checkpoint c;
    c.path = "/runs/epoch_3.pt";
    for (auto t : {floats("state_dict.conv1.weight", {4, 1, 3, 3}, -1 + shift, 0.05f),
                   floats("state_dict.conv1.bias", {4}, 0, 0.1f),
                   floats("state_dict.fc.weight", {10, 16}, -0.5f, 0.01f),
                   floats("ema.conv1.weight", {4, 1, 3, 3}, 0, 0.01f)}) {
        c.tensors.push_back(t);
    }
    c.weightRoots = {"state_dict", "ema"};
    c.metadata = {{"epoch", "3"}, {"args", "not loaded: argparse.Namespace"}};
    return c;
}

QTreeWidgetItem* findRow(QTreeWidget* tree, const QString& fullName) {
    for (QTreeWidgetItemIterator it(tree); *it; ++it) {
        if ((*it)->data(0, Qt::UserRole).toString() == fullName) return *it;
    }
    return nullptr;
}

}  // namespace

class TestCheckpointBrowser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void treeGroupsTensorsByModule() {
        CheckpointBrowser b;
        b.resize(900, 600);
        b.setCheckpoint(trainingCheckpoint(0));
        b.show();
        QVERIFY(QTest::qWaitForWindowExposed(&b));
        QCOMPARE(b.root(), QStringLiteral("state_dict"));
        QCOMPARE(b.statistics().size(), std::size_t(3));
        QCOMPARE(b.tree()->topLevelItemCount(), 2);  // conv1, fc
        QCOMPARE(b.tree()->topLevelItem(0)->text(0), QStringLiteral("conv1"));
        QTreeWidgetItem* w = findRow(b.tree(), "conv1.weight");
        QVERIFY(w);
        QCOMPARE(w->text(0), QStringLiteral("weight"));
        QCOMPARE(w->text(1), QStringLiteral("[4, 1, 3, 3]"));
        QCOMPARE(w->text(2), QStringLiteral("float32"));
        // Norm matches a direct computation.
        double sum = 0;
        for (int i = 0; i < 36; ++i)
            sum += (-1 + 0.05 * i) * (-1 + 0.05 * i);
        QVERIFY(std::abs(w->text(4).toDouble() - std::sqrt(sum)) < 1e-3 * std::sqrt(sum));
        QVERIFY(b.tree()->isColumnHidden(7));  // no comparison yet
        // Metadata is listed.
        auto* meta = b.findChild<QTreeWidget*>("checkpointMetadata");
        QCOMPARE(meta->topLevelItemCount(), 2);
        QCOMPARE(meta->topLevelItem(1)->text(1), QStringLiteral("not loaded: argparse.Namespace"));
    }

    void selectingATensorShowsItsHistogram() {
        CheckpointBrowser b;
        b.setCheckpoint(trainingCheckpoint(0));
        QVERIFY(b.selectTensor("fc.weight"));
        auto* bars = qobject_cast<QCPBars*>(b.histogram()->plottable(0));
        QVERIFY(bars);
        double total = 0;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            total += it->value;
        QCOMPARE(total, 160.0);  // every value of the [10, 16] tensor counted once
        QVERIFY(b.histogram()->xAxis->label().contains("fc.weight"));
    }

    void weightRootSelectorSwitchesDicts() {
        CheckpointBrowser b;
        b.setCheckpoint(trainingCheckpoint(0));
        auto* box = b.findChild<QComboBox*>("weightRoot");
        QVERIFY(box->isEnabled());
        QCOMPARE(box->count(), 2);
        box->setCurrentIndex(1);
        QCOMPARE(b.root(), QStringLiteral("ema"));
        QCOMPARE(b.statistics().size(), std::size_t(1));
        QVERIFY(findRow(b.tree(), "conv1.weight"));
    }

    void comparisonColumns() {
        CheckpointBrowser b;
        b.setCheckpoint(trainingCheckpoint(0));
        b.setComparison(trainingCheckpoint(0.5f));
        QVERIFY(!b.tree()->isColumnHidden(7));
        QTreeWidgetItem* w = findRow(b.tree(), "conv1.weight");
        QTreeWidgetItem* bias = findRow(b.tree(), "conv1.bias");
        QVERIFY(w->text(7).toDouble() > 0);
        QCOMPARE(bias->text(7).toDouble(), 0.0);  // unchanged tensor
        QCOMPARE(bias->text(8).toDouble(), 1.0);
        b.clearComparison();
        QVERIFY(b.tree()->isColumnHidden(7));
    }

    void rendersHistogramBars() {
        CheckpointBrowser b;
        b.resize(900, 560);
        b.setCheckpoint(trainingCheckpoint(0));
        b.setComparison(trainingCheckpoint(0.5f));
        b.selectTensor("conv1.weight");
        b.show();
        QVERIFY(QTest::qWaitForWindowExposed(&b));
        QTest::qWait(100);
        const QImage image = b.grab().toImage();
        image.save(basin::test::testOutputDir() + "/checkpoint_browser.png");
        // The histogram's bars are drawn (in viridis' blue).
        int barPixels = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                barPixels += image.pixel(x, y) == qRgb(0x3b, 0x52, 0x8b);
        }
        QVERIFY2(barPixels > 500, qPrintable(QString::number(barPixels)));
    }
};

BASIN_GUI_TEST_MAIN(TestCheckpointBrowser)
#include "test_checkpoint_browser.moc"
