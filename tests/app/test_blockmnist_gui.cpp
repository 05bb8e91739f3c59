// View › BlockMNIST saliency test: the view trains the zoo CNN on BlockMNIST
// in the jobs panel and draws each method's share of attribution on the null
// block; the figure exports with its CSV; a saved project shows the result
// again without training.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "BasinGuiTest.h"
#include "plot/QCustomPlot.h"
#include "saliency/NullBlockMassView.h"
#include "ui/BlockMnistView.h"
#include "ui/MainWindow.h"
#include "ui/ViewArea.h"

using namespace basin;
using namespace basin::app;

class TestBlockMnistGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsExplainsExportsAndReopens() {
        QTemporaryDir dir;
        MainWindow window;
        window.setConfirmDiscard(false);
        window.resize(1200, 800);
        window.show();
        window.viewArea()->addView(
            blockMnistSpec({QStringLiteral("gradient"), QStringLiteral("gradcam")}, 1, 40, 10));
        auto* view = window.findChild<widgets::NullBlockMassView*>();
        QVERIFY(view);
        QVERIFY(QTest::qWaitFor([&] { return view->result().methods.size() == 2; }, 180000));
        const BlockMnistResult result = view->result();
        QCOMPARE(result.images, std::int64_t(10));
        QCOMPARE(result.methods[0].method, SaliencyMethod::Gradient);
        QCOMPARE(result.methods[1].layer, std::string("bn2"));
        for (const BlockMnistResult::Method& m : result.methods)
            QVERIFY2(m.nullMass > 0 && m.nullMass < 1, qPrintable(QString::number(m.nullMass)));
        QCOMPARE(view->bars()->data()->size(), 2);
        QVERIFY2(view->title().contains(QStringLiteral("accuracy")), qPrintable(view->title()));

        const QString figure = dir.filePath(QStringLiteral("blockmnist.pdf"));
        QString error;
        QVERIFY2(view->exportFigure(figure, QSize(800, 500), &error), qPrintable(error));
        QVERIFY(QFile::exists(figure));
        QFile csv(dir.filePath(QStringLiteral("blockmnist.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[2].startsWith("gradcam,bn2,"));

        // The result is kept with the project: reopened, it shows at once.
        const QString project = dir.filePath(QStringLiteral("p.basin"));
        QVERIFY(window.saveProject(project));
        MainWindow reopened;
        reopened.setConfirmDiscard(false);
        QVERIFY(reopened.openProject(project));
        auto* again = reopened.findChild<widgets::NullBlockMassView*>();
        QVERIFY(again);
        QCOMPARE(again->result().methods.size(), std::size_t(2));
        QCOMPARE(again->result().methods[1].nullMass, result.methods[1].nullMass);
    }
};

BASIN_GUI_TEST_MAIN(TestBlockMnistGui)
#include "test_blockmnist_gui.moc"
