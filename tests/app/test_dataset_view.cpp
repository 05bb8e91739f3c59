// The dataset preview: an image grid whose pixels are the samples' values
// through the stated range, the class filter and counts per class against
// brute force, the two-spirals scatter against its inputs, the PCA scatter
// against an independent SVD, `basin preview-data`, and the view opened from
// the project panel and restored from a saved project.

#include <Eigen/Dense>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "BasinGuiTest.h"
#include "BasinRun.h"
#include "data/DatasetFiles.h"
#include "data/DatasetPreviewView.h"
#include "data/GeneratedDatasets.h"
#include "plot/QCustomPlot.h"
#include "project/Session.h"
#include "ui/DatasetView.h"
#include "ui/MainWindow.h"
#include "ui/ProjectPanel.h"
#include "ui/ViewArea.h"

using namespace basin;
using namespace basin::app;
using widgets::DatasetPreviewView;

namespace {

TensorData floats(const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
    TensorData t;
    t.dtype = DType::Float32;
    t.shape = shape;
    t.storage = Storage::allocate(values.size() * sizeof(float));
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(float));
    return t;
}

TensorData labels(const std::vector<std::int64_t>& values) {
    TensorData t;
    t.dtype = DType::Int64;
    t.shape = {std::int64_t(values.size())};
    t.storage = Storage::allocate(values.size() * sizeof(std::int64_t));
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(std::int64_t));
    return t;
}

// Seven RGB images 3×4×5 with values in [−2, 3] and labels 0, 1, 2, 1, 1, 0, 2.
Dataset smallRgbDataset() {
    const std::int64_t n = 7, c = 3, h = 4, w = 5;
    std::vector<float> values(std::size_t(n * c * h * w));
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = float(-2.0 + 5.0 * std::fmod(double(i) * 0.618034, 1.0));
    values[3] = -2.0f;  // the exact ends of the range
    values[17] = 3.0f;
    Dataset d;
    d.name = "rgb";
    d.inputs = floats({n, c, h, w}, values);
    d.targets = labels({0, 1, 2, 1, 1, 0, 2});
    d.classNames = {"cat", "dog", "bird"};
    return d;
}

using Point = std::pair<double, double>;

std::vector<Point> graphPoints(const QCPGraph* g) {
    std::vector<Point> points;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        points.emplace_back(it->key, it->value);
    std::sort(points.begin(), points.end());
    return points;
}

}  // namespace

class TestDatasetView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gridPixelsAreTheValuesThroughTheDatasetRange() {
        const Dataset d = smallRgbDataset();
        DatasetPreviewView view;
        view.resize(900, 600);
        view.setDataset(d, QStringLiteral("rgb"));
        QCOMPARE(view.layout(), widgets::DatasetLayout::Images);
        QCOMPARE(view.pixelRange().lo, -2.0);
        QCOMPARE(view.pixelRange().hi, 3.0);
        QVERIFY(view.caption().contains(QStringLiteral("dataset-wide min/max")));
        QCOMPARE(view.shownSamples().size(), std::size_t(7));
        const auto values = d.inputs.toDoubles();
        for (int k : {0, 3, 6}) {
            const QImage image = view.cellImage(k);
            QCOMPARE(image.size(), QSize(5, 4));
            for (auto [x, y] : {std::pair{0, 0}, std::pair{4, 3}, std::pair{2, 1}}) {
                int expected[3];
                for (int ch = 0; ch < 3; ++ch) {
                    const double v = values[std::size_t(((k * 3 + ch) * 4 + y) * 5 + x)];
                    expected[ch] = int(std::lround(255 * (v + 2) / 5));
                }
                const QRgb p = image.pixel(x, y);
                QCOMPARE(qRed(p), expected[0]);
                QCOMPARE(qGreen(p), expected[1]);
                QCOMPARE(qBlue(p), expected[2]);
            }
        }
        QCOMPARE(view.cellLabel(2), QStringLiteral("bird"));
        // Grey images: one value per pixel.
        SyntheticDigitsOptions o;
        o.trainPerClass = 3;
        o.testPerClass = 1;
        const Dataset digits = makeSyntheticDigits(o).split.train;
        view.setDataset(digits, QStringLiteral("digits"));
        const auto pixels = digits.inputs.toDoubles();
        const double lo = *std::min_element(pixels.begin(), pixels.end());
        const double hi = *std::max_element(pixels.begin(), pixels.end());
        const QImage first = view.cellImage(5);
        const std::int64_t sample = view.shownSamples()[5];
        for (auto [x, y] : {std::pair{14, 14}, std::pair{0, 0}, std::pair{10, 20}}) {
            const double v = pixels[std::size_t(sample * 784 + y * 28 + x)];
            QCOMPARE(qGray(first.pixel(x, y)), int(std::lround(255 * (v - lo) / (hi - lo))));
        }
        // The hover readout names the sample under the pointer.
        view.plot()->replot();
        QCPItemPixmap* cell = nullptr;
        for (int i = 0; i < view.plot()->itemCount(); ++i)
            if (auto* p = qobject_cast<QCPItemPixmap*>(view.plot()->item(i))) {
                cell = p;
                break;
            }
        QVERIFY(cell);
        const QPointF centre =
            (cell->topLeft->pixelPosition() + cell->bottomRight->pixelPosition()) / 2;
        QCOMPARE(
            view.describeAt(centre),
            QStringLiteral("sample %1: %2").arg(view.shownSamples()[0]).arg(view.cellLabel(0)));
    }

    void classFilterAndCountsMatchBruteForce() {
        SyntheticDigitsOptions o;
        o.trainPerClass = 9;
        o.testPerClass = 1;
        const Dataset digits = makeSyntheticDigits(o).split.train;  // 90 samples
        DatasetPreviewView view;
        view.resize(900, 600);
        view.setDataset(digits, QStringLiteral("digits"));
        const auto all = digits.targets.toDoubles();
        std::vector<double> brute(10, 0.0);
        for (double l : all)
            brute[std::size_t(l)] += 1;
        QCPBars* bars = view.countBars();
        QVERIFY(bars);
        QCOMPARE(bars->data()->size(), 10);
        for (int c = 0; c < 10; ++c)
            QCOMPARE(bars->data()->at(c)->value, brute[std::size_t(c)]);
        QCOMPARE(view.pageCount(), 2);
        QCOMPARE(view.shownSamples().size(), std::size_t(64));
        view.setPage(1);
        QCOMPARE(view.shownSamples().size(), std::size_t(26));
        QCOMPARE(view.shownSamples().front(), std::int64_t(64));

        view.setClassFilter(7);
        QCOMPARE(view.page(), 0);
        QCOMPARE(double(view.shownSamples().size()), brute[7]);
        for (std::int64_t i : view.shownSamples())
            QCOMPARE(all[std::size_t(i)], 7.0);
        QVERIFY(view.caption().contains(QStringLiteral("in class 7")));
        // The combo box drives the same filter.
        auto* box = view.findChild<QComboBox*>(QStringLiteral("datasetClassFilter"));
        QVERIFY(box);
        QCOMPARE(box->currentData().toInt(), 7);
        box->setCurrentIndex(0);
        Q_EMIT box->activated(0);
        QCOMPARE(view.classFilter(), -1);
    }

    void spiralsScatterIsTheInputsByClass() {
        TwoSpiralsOptions o;
        o.trainPerClass = 150;
        const Dataset spirals = makeTwoSpirals(o).train;
        DatasetPreviewView view;
        view.resize(800, 700);
        view.setDataset(spirals, QStringLiteral("spirals"));
        QCOMPARE(view.layout(), widgets::DatasetLayout::Scatter2D);
        const auto x = spirals.inputs.toDoubles();
        const auto y = spirals.targets.toDoubles();
        std::vector<Point> expected[2];
        for (std::size_t i = 0; i < y.size(); ++i)
            expected[std::size_t(y[i])].emplace_back(double(float(x[2 * i])),
                                                     double(float(x[2 * i + 1])));
        for (int c = 0; c < 2; ++c) {
            std::sort(expected[c].begin(), expected[c].end());
            QVERIFY(view.classGraph(c));
            QCOMPARE(graphPoints(view.classGraph(c)), expected[c]);
        }
        QVERIFY(view.classGraph(0)->scatterStyle().pen().color() !=
                view.classGraph(1)->scatterStyle().pen().color());
        QCOMPARE(view.classGraph(0)->name(), QStringLiteral("0 (150)"));
        // Figures by extension, the drawn samples as CSV beside them.
        QTemporaryDir dir;
        for (const char* name : {"s.png", "s.svg", "s.pdf"}) {
            QString error;
            QVERIFY2(
                view.exportFigure(dir.filePath(QString::fromLatin1(name)), 600, 500, 96, &error),
                qPrintable(error));
        }
        QCOMPARE(QImage(dir.filePath(QStringLiteral("s.png"))).size(), QSize(600, 500));
        QFile csv(dir.filePath(QStringLiteral("s.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().trimmed().split('\n').size(), 301);
    }

    void regressionTargetsAreColouredByValue() {
        // y = x₁ + x₂ on a 10×10 grid: each colour step holds the values of its slice.
        std::vector<float> inputs, targets;
        for (int i = 0; i < 100; ++i) {
            inputs.push_back(float(i % 10));
            inputs.push_back(float(i / 10));
            targets.push_back(float(i % 10 + i / 10));
        }
        Dataset d;
        d.name = "sum";
        d.inputs = floats({100, 2}, inputs);
        d.targets = floats({100, 1}, targets);
        DatasetPreviewView view;
        view.resize(700, 600);
        view.setDataset(d, QStringLiteral("sum"));
        QVERIFY(view.findChild<QComboBox*>(QStringLiteral("datasetClassFilter"))->isHidden());
        int points = 0;
        for (int s = 0; s < DatasetPreviewView::kValueSteps; ++s) {
            const QCPGraph* g = view.classGraph(s);
            QVERIFY(g);
            for (const Point& p : graphPoints(g)) {
                const double t = (p.first + p.second) / 18.0;  // values span 0..18
                QCOMPARE(std::clamp(int(t * DatasetPreviewView::kValueSteps), 0,
                                    DatasetPreviewView::kValueSteps - 1),
                         s);
                ++points;
            }
        }
        QCOMPARE(points, 100);
        QVERIFY(view.plot()->findChild<QCPColorScale*>());
        QCOMPARE(view.plot()->findChild<QCPColorScale*>()->dataRange(), QCPRange(0, 18));
    }

    void pcaMatchesAnIndependentSvd() {
        // A 2-D cloud (spreads 3 and 1) turned into 5-D by a fixed rotation and
        // shifted: PCA finds the plane and the spreads again.
        const int n = 400;
        Eigen::MatrixXd plane(n, 2);
        for (int i = 0; i < n; ++i) {
            plane(i, 0) = 3.0 * std::sin(0.37 * i) * std::cos(0.011 * i * i);
            plane(i, 1) = std::cos(0.53 * i + 0.2);
        }
        const Eigen::MatrixXd rotation =
            Eigen::HouseholderQR<Eigen::MatrixXd>(
                Eigen::MatrixXd::NullaryExpr(5, 5,
                                             [](Eigen::Index r, Eigen::Index c) {
                                                 return std::sin(1.7 * double(r) +
                                                                 0.9 * double(c * c) + 0.3);
                                             }))
                .householderQ();
        Eigen::MatrixXd data = plane * rotation.leftCols(2).transpose();
        data.rowwise() += Eigen::RowVectorXd::LinSpaced(5, -1, 4);
        std::vector<float> values;
        std::vector<std::int64_t> classes;
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < 5; ++j)
                values.push_back(float(data(i, j)));
            classes.push_back(i % 3);
        }
        Dataset d;
        d.name = "five";
        d.inputs = floats({n, 5}, values);
        d.targets = labels(classes);
        DatasetPreviewView view;
        view.resize(800, 700);
        view.setDataset(d, QStringLiteral("five"));
        QCOMPARE(view.layout(), widgets::DatasetLayout::Pca);
        const widgets::PcaProjection& pca = view.pca();

        // Independent: SVD of the centred float data, X = U S Vᵀ, coordinates U S.
        Eigen::MatrixXd x(n, 5);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < 5; ++j)
                x(i, j) = values[std::size_t(i * 5 + j)];
        x.rowwise() -= x.colwise().mean();
        const Eigen::JacobiSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinU | Eigen::ComputeThinV);
        const Eigen::VectorXd s2 = svd.singularValues().array().square();
        for (int k = 0; k < 2; ++k) {
            Eigen::VectorXd v = svd.matrixV().col(k);
            Eigen::Index largest = 0;
            v.cwiseAbs().maxCoeff(&largest);
            const double sign = v(largest) < 0 ? -1.0 : 1.0;
            const Eigen::VectorXd coordinates =
                sign * svd.matrixU().col(k) * svd.singularValues()(k);
            const std::vector<double>& mine = k == 0 ? pca.x : pca.y;
            for (int i = 0; i < n; ++i)
                QVERIFY2(std::abs(mine[std::size_t(i)] - coordinates(i)) < 1e-9,
                         qPrintable(QStringLiteral("component %1 row %2").arg(k).arg(i)));
            QVERIFY(std::abs(pca.explained[k] - s2(k) / s2.sum()) < 1e-12);
        }
        // The 5-D cloud lies in a plane: two components explain it all.
        QVERIFY(pca.explained[0] + pca.explained[1] > 1 - 1e-9);
        // The scatter draws those coordinates, by class.
        std::vector<Point> drawn, expected;
        for (int c = 0; c < 3; ++c) {
            const auto points = graphPoints(view.classGraph(c));
            drawn.insert(drawn.end(), points.begin(), points.end());
        }
        for (int i = 0; i < n; ++i)
            expected.emplace_back(pca.x[std::size_t(i)], pca.y[std::size_t(i)]);
        std::sort(drawn.begin(), drawn.end());
        std::sort(expected.begin(), expected.end());
        QCOMPARE(drawn, expected);
    }

    void commandLineWritesTheFigure() {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("rgb.npz"));
        writeDatasetNpz(data.toStdString(), smallRgbDataset());
        const QString png = dir.filePath(QStringLiteral("grid.png"));
        BasinRun r = runBasin({QStringLiteral("preview-data"), data, QStringLiteral("--out"), png,
                               QStringLiteral("--size"), QStringLiteral("640x480"),
                               QStringLiteral("--class"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QImage(png).size(), QSize(640, 480));
        QVERIFY2(r.out.contains(QStringLiteral("showing 1–3 of 3 in class 1")), qPrintable(r.out));
        QFile csv(dir.filePath(QStringLiteral("grid.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll(), QByteArray("index,label,x,y\n1,1,,\n3,1,,\n4,1,,\n"));

        r = runBasin({QStringLiteral("preview-data"), dir.filePath(QStringLiteral("none.npz")),
                      QStringLiteral("--out"), png});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("none.npz")), qPrintable(r.err));
        r = runBasin({QStringLiteral("preview-data"), data, QStringLiteral("--out"), png,
                      QStringLiteral("--class"), QStringLiteral("5")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--class 5 is not a class")), qPrintable(r.err));
        r = runBasin({QStringLiteral("preview-data"), data, QStringLiteral("--out"), png,
                      QStringLiteral("--size"), QStringLiteral("big")});
        QCOMPARE(r.code, 2);
    }

    void opensFromTheProjectPanelAndReopensWithTheProject() {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("digits.npz"));
        SyntheticDigitsOptions o;
        o.trainPerClass = 8;
        o.testPerClass = 1;
        writeDatasetNpz(data.toStdString(), makeSyntheticDigits(o).split.train);
        MainWindow window;
        window.setConfirmDiscard(false);
        window.resize(1200, 800);
        window.show();
        ProjectItem item;
        item.kind = ItemKind::Dataset;
        item.name = QStringLiteral("digits.npz");
        item.path = data;
        window.session()->addItem(item);
        QTreeWidget* tree = window.projectPanel()->tree();
        QTreeWidgetItem* row = nullptr;
        for (int g = 0; g < tree->topLevelItemCount(); ++g)
            for (int i = 0; i < tree->topLevelItem(g)->childCount(); ++i)
                if (tree->topLevelItem(g)->child(i)->text(0) == item.name)
                    row = tree->topLevelItem(g)->child(i);
        QVERIFY(row);
        Q_EMIT tree->itemActivated(row, 0);
        auto* view = qobject_cast<DatasetView*>(window.viewArea()->currentView());
        QVERIFY(view);
        QVERIFY(view->preview());
        QCOMPARE(view->preview()->dataset().size(), std::int64_t(80));
        view->preview()->setClassFilter(4);
        QCOMPARE(window.viewArea()->specOf(view).settings.value("classFilter").toInt(), 4);
        view->preview()->setClassFilter(-1);
        view->preview()->setPage(1);
        const QJsonObject settings = window.viewArea()->specOf(view).settings;
        QCOMPARE(settings.value("classFilter").toInt(), -1);
        QCOMPARE(settings.value("page").toInt(), 1);
        QCOMPARE(settings.value("path").toString(), data);

        const QString project = dir.filePath(QStringLiteral("p.basin"));
        QVERIFY(window.saveProject(project));
        MainWindow reopened;
        reopened.setConfirmDiscard(false);
        QVERIFY(reopened.openProject(project));
        auto* again = reopened.findChild<DatasetView*>();
        QVERIFY(again);
        QVERIFY(again->preview());
        QCOMPARE(again->preview()->page(), 1);
        QCOMPARE(again->preview()->shownSamples().front(), std::int64_t(64));

        // A file that cannot be read says so in the view.
        DatasetView broken(datasetSpec(dir.filePath(QStringLiteral("gone.npz"))).settings);
        QVERIFY(!broken.preview());
        QVERIFY2(broken.error().contains(QStringLiteral("gone.npz")), qPrintable(broken.error()));
    }
};

BASIN_GUI_TEST_MAIN(TestDatasetView)
#include "test_dataset_view.moc"
