// Hessian eigenvector directions (landscape/HessianDirections.h): on a small
// MLP the directions are unit vectors and orthogonal, their Rayleigh
// quotients dᵀHd (from HessianVectorProduct) equal the recorded eigenvalues,
// the top one is the largest; the bottom option gives the most negative
// curvature; a 1-D landscape along d_x has second difference
// (L(h) − 2L(0) + L(−h)) / h² ≈ λ₁ at the centre; the random subset is
// seeded; and the recipe path of LandscapeJob makes, saves and reuses them.

#include <QTemporaryDir>

#include <cmath>
#include <filesystem>
#include <set>

#include "BasinTest.h"
#include "curvature/HessianVectorProduct.h"
#include "data/GeneratedDatasets.h"
#include "landscape/DirectionsFile.h"
#include "landscape/Grid2D.h"
#include "landscape/HessianDirections.h"
#include "landscape/LandscapeJob.h"
#include "model/WeightVector.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

// The zoo's ReLU MLP 3-12-12-3 (255 parameters, biases included), float32.
Model mlp() {
    MlpOptions o;
    o.inputs = 3;
    o.hidden = {12, 12};
    o.classes = 3;
    o.seed = 1;
    return makeMlp(o);
}

Dataset blobs() {
    GaussianBlobsOptions o;
    o.classes = 3;
    o.dims = 3;
    o.trainPerClass = 40;
    o.spread = 1.5;
    o.centerBox = 2.0;
    o.seed = 2;
    return makeGaussianBlobs(o).train;
}

// vᵀHv / vᵀv with the product computed independently of the directions.
double rayleigh(HessianVectorProduct& hvp, const WeightVector& v) {
    return v.dot(hvp.apply(v)) / v.dot(v);
}

double relative(double got, double want) {
    return std::abs(got - want) / std::max(std::abs(want), 1e-12);
}

class Context : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

}  // namespace

class TestHessianDirections : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void topTwoAreOrthonormalEigenvectors() {
        Model model = mlp();
        const Dataset data = blobs();
        const WeightVector theta = WeightVector::fromModel(model);
        const Directions d = hessianDirections(model, data, theta);
        QCOMPARE(directionKindName(d.kind), "hessian");
        QVERIFY(d.normalization == Normalization::None);
        QVERIFY(d.keepOneDimensional);
        QVERIFY(d.twoDimensional());
        QCOMPARE(d.eigenvalues.size(), std::size_t(2));
        const WeightVector& x = d.x.vector;
        const WeightVector& y = d.y->vector;
        QVERIFY(x.sameLayout(theta) && y.sameLayout(theta));
        QVERIFY2(std::abs(x.norm() - 1.0) < 1e-6, qPrintable(QString::number(x.norm() - 1.0)));
        QVERIFY2(std::abs(y.norm() - 1.0) < 1e-6, qPrintable(QString::number(y.norm() - 1.0)));
        QVERIFY2(std::abs(x.dot(y)) < 1e-6, qPrintable(QString::number(x.dot(y))));
        // Biases are moved too: the eigenvector has components in fc biases.
        double bias = 0.0;
        for (std::size_t i = 0; i < x.entries().size(); ++i)
            if (x.entries()[i].shape.size() == 1)
                for (std::int64_t k = 0; k < x.entries()[i].numel(); ++k)
                    bias += std::abs(x.data(i)[k]);
        QVERIFY(bias > 0.0);

        HessianVectorProduct hvp(model, data);
        const double qx = rayleigh(hvp, x), qy = rayleigh(hvp, y);
        qInfo("lambda1 %.6g (Rayleigh %.6g), lambda2 %.6g (Rayleigh %.6g)", d.eigenvalues[0], qx,
              d.eigenvalues[1], qy);
        QVERIFY2(relative(qx, d.eigenvalues[0]) < 1e-3, qPrintable(QString::number(qx)));
        QVERIFY2(relative(qy, d.eigenvalues[1]) < 1e-3, qPrintable(QString::number(qy)));
        QVERIFY(d.eigenvalues[0] >= d.eigenvalues[1]);
        QVERIFY(d.eigenvalues[0] > 0.0);
        // The model's weights are untouched.
        const WeightVector after = WeightVector::fromModel(model);
        for (std::int64_t i = 0; i < after.size(); ++i)
            QCOMPARE(after.data()[i], theta.data()[i]);
        // Deterministic: the same seed gives the same directions.
        const Directions again = hessianDirections(model, data, theta);
        for (std::int64_t i = 0; i < x.size(); ++i)
            QCOMPARE(again.x.vector.data()[i], x.data()[i]);
    }

    void bottomIsTheMostNegativeCurvature() {
        Model model = mlp();
        const Dataset data = blobs();
        const WeightVector theta = WeightVector::fromModel(model);
        HessianDirectionOptions o;
        o.bottom = true;
        const Directions d = hessianDirections(model, data, theta, o);
        QVERIFY(d.twoDimensional());
        const WeightVector& x = d.x.vector;
        const WeightVector& y = d.y->vector;
        QVERIFY(std::abs(y.norm() - 1.0) < 1e-6);
        QVERIFY2(std::abs(x.dot(y)) < 1e-6, qPrintable(QString::number(x.dot(y))));
        HessianVectorProduct hvp(model, data);
        const double qx = rayleigh(hvp, x), qy = rayleigh(hvp, y);
        qInfo("lambda1 %.6g (Rayleigh %.6g), lambda_min %.6g (Rayleigh %.6g)", d.eigenvalues[0], qx,
              d.eigenvalues[1], qy);
        QVERIFY(relative(qx, d.eigenvalues[0]) < 1e-3);
        // Relative to the spectrum's scale λ₁: λ_min may be close to zero.
        QVERIFY2(std::abs(qy - d.eigenvalues[1]) < 1e-3 * std::abs(d.eigenvalues[0]),
                 qPrintable(QString::number(qy)));
        QVERIFY(d.eigenvalues[1] < d.eigenvalues[0]);
        // The bottom of the spectrum lies below the second largest eigenvalue.
        const Directions top = hessianDirections(model, data, theta);
        QVERIFY(d.eigenvalues[1] <= top.eigenvalues[1]);
        // A 1-D slice: d_x alone.
        o.twoDimensional = false;
        const Directions line = hessianDirections(model, data, theta, o);
        QVERIFY(!line.twoDimensional());
        QCOMPARE(line.eigenvalues.size(), std::size_t(1));
    }

    void curvatureAlongTopEigenvector() {
        QTemporaryDir dir;
        Model model = mlp();
        const Dataset data = blobs();
        const WeightVector theta = WeightVector::fromModel(model);
        HessianDirectionOptions o;
        o.twoDimensional = false;
        const Directions d = hessianDirections(model, data, theta, o);
        const double lambda = d.eigenvalues[0];
        // float32 losses: rounding contributes ~ε·L/h² ≈ 1e-3·L at h = 1e-2;
        // the quartic term and ReLU kinks crossed within ±h grow with h.
        // (On this ReLU MLP: 2.07, 2.10, 2.10 at h = 3e-3, 1e-2, 3e-2 against
        // λ₁ = 2.04 — the kinks' share, stable in h.)
        // The slice along d_x also carries the gradient term a·g·d_x, which
        // the central difference cancels.
        double atOneHundredth = 0.0;
        for (double h : {3e-3, 1e-2, 3e-2}) {
            const std::string path = dir.path().toStdString() + "/line" + std::to_string(h) + ".h5";
            LandscapeJob job(model, d, Surface({-h, 0.0, h}), path, data);
            Context context;
            job.run(context);
            const Surface line = readSurface(path);
            const std::vector<double>& loss = line.metric(SurfaceMetric::TrainLoss);
            const double second = (loss[2] - 2.0 * loss[1] + loss[0]) / (h * h);
            qInfo("h %g: L(-h) %.8g  L(0) %.8g  L(h) %.8g  second difference %.6g  lambda1 %.6g", h,
                  loss[0], loss[1], loss[2], second, lambda);
            if (h == 1e-2) atOneHundredth = second;
        }
        QVERIFY2(relative(atOneHundredth, lambda) < 0.05,
                 qPrintable(QString::number(atOneHundredth)));
    }

    void randomSubsetIsSeeded() {
        const Dataset data = blobs();
        const Dataset a = randomSubset(data, 50, 7), b = randomSubset(data, 50, 7);
        const Dataset c = randomSubset(data, 50, 8);
        QCOMPARE(a.size(), std::int64_t(50));
        QCOMPARE(a.targets.shape[0], std::int64_t(50));
        QCOMPARE(a.sampleShape(), data.sampleShape());
        QVERIFY(a.inputs.toDoubles() == b.inputs.toDoubles());
        QVERIFY(a.inputs.toDoubles() != c.inputs.toDoubles());
        // Every row is a row of the dataset.
        const std::vector<double> all = data.inputs.toDoubles(), sub = a.inputs.toDoubles();
        std::set<std::vector<double>> rows;
        for (std::size_t r = 0; r < all.size(); r += 3)
            rows.insert({all[r], all[r + 1], all[r + 2]});
        for (std::size_t r = 0; r < sub.size(); r += 3)
            QVERIFY(rows.count({sub[r], sub[r + 1], sub[r + 2]}) == 1);
        QCOMPARE(randomSubset(data, 0, 7).size(), data.size());
        QCOMPARE(randomSubset(data, 10000, 7).size(), data.size());
        // On a subset the Hessian still gives orthonormal directions.
        Model model = mlp();
        HessianDirectionOptions o;
        o.samples = 50;
        const Directions d = hessianDirections(model, data, WeightVector::fromModel(model), o);
        QVERIFY(std::abs(d.x.vector.dot(d.y->vector)) < 1e-6);
        HessianVectorProduct hvp(model, randomSubset(data, 50, o.seed));
        QVERIFY(relative(rayleigh(hvp, d.x.vector), d.eigenvalues[0]) < 1e-3);
    }

    void recipeMakesSavesAndReusesDirections() {
        QTemporaryDir dir;
        const std::string modelPath = (dir.path() + "/mlp.pt").toStdString();
        mlp().save(modelPath);
        LandscapeRecipe r;
        r.modelPath = modelPath;
        r.directions = DirectionKind::HessianEigenvectors;
        r.hessian.samples = 100;
        r.x = GridRange{-0.5, 0.5, 3};
        r.y = GridRange{-0.5, 0.5, 3};
        r.surfacePath = (dir.path() + "/hessian.h5").toStdString();
        const Dataset data = blobs();
        Directions made;
        {
            LandscapeJob job(r, data);
            Context context;
            job.run(context);
            QCOMPARE(job.pointsComputed(), std::size_t(9));
            made = job.directions();
            QCOMPARE(made.eigenvalues.size(), std::size_t(2));
        }
        const Surface s = readSurface(r.surfacePath);
        QCOMPARE(s.metadata.directionKind, std::string("hessian"));
        QCOMPARE(s.metadata.normalization, std::string("none"));
        QVERIFY(!s.metadata.ignoreOneDimensional);
        const std::string directionsPath = r.surfacePath + ".directions.h5";
        QVERIFY(std::filesystem::exists(directionsPath));
        Model model = Model::load(modelPath);
        const Directions loaded = loadDirections(directionsPath, WeightVector::fromModel(model));
        QVERIFY(loaded.twoDimensional());
        QVERIFY(loaded.normalization == Normalization::None);
        QVERIFY(loaded.keepOneDimensional);
        QVERIFY(loaded.kind == DirectionKind::HessianEigenvectors);
        QCOMPARE(loaded.eigenvalues, made.eigenvalues);
        for (std::int64_t i = 0; i < made.x.vector.size(); ++i) {
            QCOMPARE(loaded.x.vector.data()[i], made.x.vector.data()[i]);
            QCOMPARE(loaded.y->vector.data()[i], made.y->vector.data()[i]);
        }
        // A rerun reads the same directions and finds nothing to compute.
        LandscapeJob again(r, data);
        Context context;
        again.run(context);
        QCOMPARE(again.pointsComputed(), std::size_t(0));
        QVERIFY(again.directions().x.vector.dot(made.x.vector) > 1.0 - 1e-6);
    }
};

BASIN_TEST_MAIN(TestHessianDirections)
#include "test_hessian_directions.moc"
