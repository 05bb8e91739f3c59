// The Hessian spectrum view: eigenvalue stems, the SLQ density on a log
// axis, the trace in the summary, per-layer bars, hover readout, figure
// export (PNG size and DPI, SVG, PDF, CSV), and the JSON file — round trip,
// a file written by `basin hessian --json`, and malformed files.

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <cmath>

#include "BasinGuiTest.h"
#include "ImageCompare.h"
#include "curvature/HessianSpectrumFile.h"
#include "curvature/SpectrumView.h"
#include "plot/QCustomPlot.h"

using namespace basin;
using namespace basin::widgets;

namespace {

// A spectrum like a small MLP's: a bulk near zero, a few outliers.
HessianSpectrum sample() {
    HessianSpectrum s;
    s.checkpoint = "/runs/mlp_seed0/epoch_010.pt";
    s.dataset = "/data/spirals_train.npz";
    s.model = "/models/mlp.pt";
    s.parameters = 4482;
    s.loss = 0.0831;
    s.products = 948;
    s.topEigenvalues = {5.0, 2.5, 1.25, 0.4};
    s.converged = true;
    s.bottomEigenvalue = -0.3;
    s.trace = 12.5;
    s.traceStandardError = 0.8;
    s.densitySigma = 0.05;
    for (int i = 0; i <= 400; ++i) {
        const double t = -0.6 + 6.0 * i / 400.0;
        s.densityGrid.push_back(t);
        auto bump = [t](double at, double w, double mass) {
            return mass * std::exp(-0.5 * (t - at) * (t - at) / (w * w)) /
                   (w * std::sqrt(2 * M_PI));
        };
        s.density.push_back(bump(0, 0.05, 0.97) + bump(1.25, 0.05, 0.01) + bump(2.5, 0.05, 0.01) +
                            bump(5, 0.05, 0.01));
    }
    s.layers = {{"fc1", 192, 0.33, 0.69, 0.11},
                {"fc2", 4160, 0.66, 0.71, 0.13},
                {"fc3", 130, 2.01, 3.0, 0.69}};
    return s;
}

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

}  // namespace

class TestSpectrumView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsEigenvaluesDensityTraceAndLayers() {
        SpectrumView view;
        view.resize(900, 700);
        view.setSpectrum(sample());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // The stems are the eigenvalues by rank; the smallest stands apart.
        QCPGraph* top = view.eigenvalueGraph();
        QVERIFY(top);
        QCOMPARE(top->dataCount(), 4);
        QCOMPARE(top->lineStyle(), QCPGraph::lsImpulse);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(top->data()->at(i)->key, double(i + 1));
            QCOMPARE(top->data()->at(i)->value, sample().topEigenvalues[std::size_t(i)]);
        }
        QVERIFY(view.bottomGraph());
        QCOMPARE(view.bottomGraph()->data()->at(0)->value, -0.3);
        // Every stem is inside its axes.
        QVERIFY(top->valueAxis()->range().contains(5.0));
        QVERIFY(top->valueAxis()->range().contains(-0.3));
        // The density on a log axis, every grid point at its λ; what falls
        // below the axis is a gap (NaN), never a zero the log axis cannot take.
        QCPGraph* density = view.densityGraph();
        QVERIFY(density);
        QCOMPARE(density->dataCount(), 401);
        QCOMPARE(density->valueAxis()->scaleType(), QCPAxis::stLogarithmic);
        const HessianSpectrum s = sample();
        int shown = 0;
        for (int i = 0; i < density->dataCount(); ++i) {
            const double v = density->data()->at(i)->value;
            QCOMPARE(density->data()->at(i)->key, s.densityGrid[std::size_t(i)]);
            if (std::isnan(v)) continue;
            ++shown;
            QVERIFY(v > 0 && v >= density->valueAxis()->range().lower);
            if (v > density->valueAxis()->range().lower) QCOMPARE(v, s.density[std::size_t(i)]);
        }
        QVERIFY(shown > 40);
        const double peak = *std::max_element(s.density.begin(), s.density.end());
        QVERIFY(density->valueAxis()->range().contains(peak));
        // Per layer: top eigenvalue and trace, each a bar per layer.
        QVERIFY(view.layerEigenvalueBars() && view.layerTraceBars());
        QCOMPARE(view.layerEigenvalueBars()->dataCount(), 3);
        QCOMPARE(view.layerEigenvalueBars()->data()->at(2)->value, 2.01);
        QCOMPARE(view.layerTraceBars()->data()->at(1)->value, 0.71);
        // The trace with its standard error, and where the result came from.
        QVERIFY2(view.summary().contains("trace 12.5 ± 0.8"), qPrintable(view.summary()));
        QVERIFY(view.summary().contains("4,482 parameters"));
        QCOMPARE(view.title(),
                 QStringLiteral("Hessian at mlp_seed0/epoch_010.pt on spirals_train.npz"));
        // For a person to look at.
        view.grab().toImage().save(basin::test::testOutputDir() + "/spectrum_view.png");

        // Hovering a stem reads out its eigenvalue.
        QTest::mouseMove(view.plot(), view.eigenvaluePixel(2).toPoint());
        QTRY_VERIFY2(view.readout().contains("λ₂ = 2.5"), qPrintable(view.readout()));
    }

    void showsWhatASpectrumHas() {
        // Eigenvalues only: no density, no layers, no smallest eigenvalue.
        HessianSpectrum s;
        s.topEigenvalues = {3.0};
        SpectrumView view;
        view.setSpectrum(s);
        QVERIFY(view.eigenvalueGraph() && !view.densityGraph() && !view.bottomGraph());
        QVERIFY(!view.layerEigenvalueBars());
        QVERIFY(!view.summary().contains("trace"));
        QCOMPARE(view.plot()->axisRectCount(), 1);
        // A density alone.
        HessianSpectrum d = sample();
        d.topEigenvalues.clear();
        d.bottomEigenvalue = std::nan("");
        d.layers.clear();
        view.setSpectrum(d);
        QVERIFY(!view.eigenvalueGraph() && view.densityGraph());
        QCOMPARE(view.plot()->axisRectCount(), 1);
    }

    void exportsFigures() {
        SpectrumView view;
        view.resize(600, 500);
        view.setSpectrum(sample());
        const QString dir = basin::test::testOutputDir();
        QString error;
        // PNG: the size at 96 DPI scaled to the DPI asked for, which the file records.
        QVERIFY2(view.exportFigure(dir + "/spectrum.png", 800, 600, 144, &error),
                 qPrintable(error));
        const QImage png(dir + "/spectrum.png");
        QCOMPARE(png.size(), QSize(1200, 900));
        QVERIFY(std::abs(png.dotsPerMeterX() * 0.0254 - 144) < 1);
        QVERIFY(view.exportFigure(dir + "/spectrum.svg", 800, 600));
        QFile svg(dir + "/spectrum.svg");
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg") && svgText.contains("eigenvalue"));
        QVERIFY(view.exportFigure(dir + "/spectrum.pdf", 800, 600));
        QFile pdf(dir + "/spectrum.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
        // The numbers beside it.
        QFile csv(dir + "/spectrum.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csv.readAll().split('\n');
        QCOMPARE(rows[0], QByteArray("series,label,x,value,standard_error"));
        QVERIFY(rows.contains("top_eigenvalue,1,1,5,"));
        QVERIFY(rows.contains("top_eigenvalue,4,4,0.4,"));
        QVERIFY(rows.contains("bottom_eigenvalue,min,,-0.3,"));
        QVERIFY(rows.contains("trace,,,12.5,0.8"));
        QVERIFY(rows.contains("layer_trace,fc3,,3,0.69"));
        int densityRows = 0;
        for (const QByteArray& r : rows)
            densityRows += r.startsWith("density,");
        QCOMPARE(densityRows, 401);
        // An unwritable path is a sentence, not a crash.
        QVERIFY(!view.exportFigure("/nonexistent-dir/x.png", 400, 300, 96, &error));
        QVERIFY(error.contains("/nonexistent-dir/x.png"));
    }

    void jsonRoundTrip() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/r.json";
        const HessianSpectrum s = sample();
        writeHessianSpectrum(path, s);
        const HessianSpectrum r = readHessianSpectrum(path);
        QCOMPARE(r.parameters, s.parameters);
        QCOMPARE(r.products, s.products);
        QCOMPARE(r.loss, s.loss);
        QVERIFY(r.topEigenvalues == s.topEigenvalues);
        QCOMPARE(r.converged, true);
        QCOMPARE(r.bottomEigenvalue, s.bottomEigenvalue);
        QCOMPARE(r.trace, s.trace);
        QCOMPARE(r.traceStandardError, s.traceStandardError);
        QVERIFY(r.densityGrid == s.densityGrid && r.density == s.density);
        QCOMPARE(r.densitySigma, s.densitySigma);
        QCOMPARE(r.layers.size(), s.layers.size());
        for (std::size_t i = 0; i < s.layers.size(); ++i) {
            QCOMPARE(r.layers[i].name, s.layers[i].name);
            QCOMPARE(r.layers[i].parameters, s.layers[i].parameters);
            QCOMPARE(r.layers[i].topEigenvalue, s.layers[i].topEigenvalue);
            QCOMPARE(r.layers[i].trace, s.layers[i].trace);
            QCOMPARE(r.layers[i].traceStandardError, s.layers[i].traceStandardError);
        }
        QCOMPARE(r.model, s.model);
        QCOMPARE(r.checkpoint, s.checkpoint);
        QCOMPARE(r.dataset, s.dataset);
        // What was not computed stays absent.
        HessianSpectrum bare;
        bare.topEigenvalues = {1.0, 0.5};
        writeHessianSpectrum(path, bare);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(!json.contains("trace") && !json.contains("density") && !json.contains("layers") &&
                !json.contains("bottomEigenvalue"));
        const HessianSpectrum back = readHessianSpectrum(path);
        QVERIFY(!back.hasTrace() && !back.hasDensity() && !back.hasBottom());
        QVERIFY(same(back.loss, bare.loss));
    }

    void readsTheCommandLinesJson() {
        // Written by `basin hessian --top 5 --bottom --trace --density
        // --per-layer --json` on the demo's spirals MLP.
        const HessianSpectrum s =
            readHessianSpectrum(BASIN_SOURCE_DIR "/tests/widgets/curvature/hessian_cli.json");
        QCOMPARE(s.parameters, std::int64_t(4482));
        QCOMPARE(s.topEigenvalues.size(), std::size_t(5));
        QVERIFY(std::is_sorted(s.topEigenvalues.rbegin(), s.topEigenvalues.rend()));
        QVERIFY(s.hasBottom() && s.bottomEigenvalue < 0);
        QVERIFY(s.hasTrace() && s.traceStandardError > 0);
        QCOMPARE(s.densityGrid.size(), std::size_t(1000));
        QCOMPARE(s.layers.size(), std::size_t(3));
        QCOMPARE(s.layers[1].name, std::string("fc2"));
        QCOMPARE(s.layers[1].parameters, std::int64_t(4160));
        // The per-layer dimensions add up to the whole.
        std::int64_t sum = 0;
        for (const auto& l : s.layers)
            sum += l.parameters;
        QCOMPARE(sum, s.parameters);
        SpectrumView view;
        view.resize(900, 700);
        view.setSpectrum(s, "demo MLP");
        QCOMPARE(view.eigenvalueGraph()->dataCount(), 5);
        QCOMPARE(view.densityGraph()->dataCount(), 1000);
        QVERIFY(
            view.exportFigure(basin::test::testOutputDir() + "/spectrum_cli.png", 900, 700, 96));
    }

    void refusesMalformedFiles() {
        QTemporaryDir dir;
        auto attempt = [&](const QByteArray& text) -> QString {
            const QString path = dir.path() + "/bad.json";
            QFile f(path);
            f.open(QIODevice::WriteOnly | QIODevice::Truncate);
            f.write(text);
            f.close();
            try {
                readHessianSpectrum(path);
            } catch (const std::runtime_error& e) {
                return QString::fromStdString(e.what());
            }
            return {};
        };
        QString e = attempt("{\"topEigenvalues\": [1, \"two\"]}");
        QVERIFY2(e.contains("bad.json") && e.contains("topEigenvalues"), qPrintable(e));
        e = attempt("{\"density\": {\"grid\": [0, 1, 2], \"density\": [1, 2]}}");
        QVERIFY2(e.contains("3 values") && e.contains("has 2"), qPrintable(e));
        e = attempt("{\"results\": []}");
        QVERIFY2(e.contains("not a Hessian spectrum"), qPrintable(e));
        e = attempt("{\"topEigenvalues\": [1,");
        QVERIFY2(e.contains("invalid JSON"), qPrintable(e));
        e = attempt("{\"trace\": 3}");
        QVERIFY2(e.contains("'trace' must be an object"), qPrintable(e));
        e = attempt("{\"topEigenvalues\": [], \"layers\": [{\"name\": 3}]}");
        QVERIFY2(e.contains("layers[0].name"), qPrintable(e));
        try {
            readHessianSpectrum(dir.path() + "/missing.json");
            QFAIL("a missing file reads");
        } catch (const std::runtime_error& err) {
            QVERIFY(QString::fromUtf8(err.what()).contains("missing.json"));
        }
    }
};

BASIN_GUI_TEST_MAIN(TestSpectrumView)
#include "test_spectrum_view.moc"
