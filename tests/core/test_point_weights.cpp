// The network at a point of a result (landscape/PlanePoint.h,
// connectivity/PathPoint.h): surfaces and paths are computed by their own
// jobs from files named by relative paths, then the weights are rebuilt from
// another folder and checked against
//  - the centre checkpoint at (0, 0), and θ₀ + a·d_x + b·d_y computed here in
//    double from the checkpoint and directions files at (a, b) — also with
//    BatchNorm buffers moved by the directions (a small CNN);
//  - the job's own loss and accuracy at a grid point (evaluate() on them);
//  - A and B at t = 0 and 1, (1 − t)·θ_A + t·θ_B and the path job's value
//    between;
//  - on a trained curve's path file, A at t = 0 and the curve path job's
//    values at every t (the curve file found beside the path file);
// and a missing file or a wrong coordinate is a sentence naming the result.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

#include "BasinTest.h"
#include "connectivity/CurvePath.h"
#include "connectivity/CurveTraining.h"
#include "connectivity/PathJob.h"
#include "connectivity/PathPoint.h"
#include "data/GeneratedDatasets.h"
#include "jobs/JobHandle.h"
#include "landscape/DirectionsFile.h"
#include "landscape/LandscapeJob.h"
#include "landscape/PlanePoint.h"
#include "model/StateDictFile.h"
#include "model/WeightVector.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"

using namespace basin;

namespace {

// Runs a job to the end on this thread; its error, if any, as the message.
JobStatus runToEnd(Job& job) {
    JobHandle handle(job.title());
    return runJob(job, handle);
}

// Runs in `dir` as the current folder (the files are named relative to it),
// and goes back to where it was.
class InFolder {
public:
    explicit InFolder(const QString& dir) : previous_(QDir::currentPath()) {
        QDir::setCurrent(dir);
    }
    ~InFolder() { QDir::setCurrent(previous_); }

private:
    QString previous_;
};

WeightVector weightsOf(const std::string& checkpoint, const WeightVector& layout) {
    return WeightVector::fromStateDict(loadCheckpoint(checkpoint).stateDict(), layout);
}

// Largest |got − want| / max(1, |want|) over the vectors.
double worstDifference(const WeightVector& got, const std::vector<double>& want) {
    double worst = 0;
    for (std::int64_t i = 0; i < got.size(); ++i)
        worst = std::max(worst, std::abs(double(got.data()[i]) - want[std::size_t(i)]) /
                                    std::max(1.0, std::abs(want[std::size_t(i)])));
    return worst;
}

std::vector<double> toDouble(const WeightVector& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
}

// An MLP for the spirals, mlp.pt, and two seeds of its weights, seed1.pt and
// seed2.pt, in `dir`.
void writeTwoSeeds(const QString& dir) {
    MlpOptions o;
    o.hidden = {8, 8};
    makeMlp(o).save((dir + "/mlp.pt").toStdString());
    for (std::uint64_t seed : {1u, 2u}) {
        o.seed = seed;
        saveStateDict((dir + "/seed" + QString::number(seed) + ".pt").toStdString(),
                      makeMlp(o).stateDict());
    }
}

// Random images for a 1×12×12, 3-class CNN.
Dataset images(std::int64_t n, std::uint64_t seed) {
    Pcg32 rng(seed);
    Dataset d;
    d.name = "images";
    d.inputs.shape = {n, 1, 12, 12};
    d.inputs.storage = Storage::allocate(std::size_t(n * 144) * sizeof(float));
    auto* x = reinterpret_cast<float*>(d.inputs.storage->mutableData());
    for (std::int64_t i = 0; i < n * 144; ++i)
        x[i] = float(rng.normal());
    d.targets.dtype = DType::Int64;
    d.targets.shape = {n};
    d.targets.storage = Storage::allocate(std::size_t(n) * sizeof(std::int64_t));
    auto* y = reinterpret_cast<std::int64_t*>(d.targets.storage->mutableData());
    for (std::int64_t i = 0; i < n; ++i)
        y[i] = std::int64_t(rng.below(3));
    return d;
}

}  // namespace

class TestPointWeights : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void planeWeightsAreTheSurfacesPoints() {
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        MlpOptions o;
        o.hidden = {16, 16};
        o.seed = 1;
        makeMlp(o).save((d + "/mlp.pt").toStdString());
        o.seed = 2;  // the centre is not the model file's own weights
        saveStateDict((d + "/centre.pt").toStdString(), makeMlp(o).stateDict());
        QVERIFY(QDir(d).mkpath("surfaces"));
        {
            InFolder here(d);
            LandscapeRecipe r;
            r.modelPath = "mlp.pt";
            r.checkpoint = "centre.pt";
            r.x = parseGridRange("-1:1:5");
            r.y = parseGridRange("-1:1:5");
            r.surfacePath = "surfaces/plane.h5";
            LandscapeJob job(r, data.train, data.test);
            QCOMPARE(runToEnd(job).state, JobState::Succeeded);
        }
        const std::string surfacePath = (d + "/surfaces/plane.h5").toStdString();
        const Surface surface = readSurface(surfacePath);
        QCOMPARE(QString::fromStdString(surface.metadata.model), QStringLiteral("mlp.pt"));

        // From elsewhere: the relative names are found above the surface.
        InFolder elsewhere(QDir::rootPath());
        const PointWeights centre = weightsOnPlane(surfacePath, 0.0, 0.0);
        QCOMPARE(QString::fromStdString(centre.modelPath), d + "/mlp.pt");
        const WeightVector layout = WeightVector::fromModel(centre.model);
        const WeightVector theta0 = weightsOf((d + "/centre.pt").toStdString(), layout);
        QCOMPARE(worstDifference(layout, toDouble(theta0)), 0.0);

        // (a, b) = (0.5, −0.5), grid point (3, 1): θ₀ + a·d_x + b·d_y in double.
        const Directions dirs =
            loadDirections((d + "/surfaces/plane.h5.directions.h5").toStdString(), layout);
        const double a = 0.5, b = -0.5;
        PointWeights point = weightsOnPlane(surfacePath, a, b);
        QVERIFY2(QString::fromStdString(point.description)
                     .contains("θ₀ + a·d_x + b·d_y of plane.h5 at (a, b) = (0.5, -0.5)"),
                 point.description.c_str());
        QVERIFY(point.caveat.empty());
        std::vector<double> want = toDouble(theta0);
        for (std::size_t i = 0; i < want.size(); ++i)
            want[i] += a * dirs.x.vector.data()[i] + b * dirs.y->vector.data()[i];
        QVERIFY(worstDifference(WeightVector::fromModel(point.model), want) < 1e-6);

        // Evaluated, they give the landscape job's own numbers there.
        const std::size_t k = 3 * surface.ny() + 1;
        QCOMPARE(surface.x[3], a);
        QCOMPARE(surface.y[1], b);
        const EvalResult train = evaluate(point.model, data.train);
        const EvalResult test = evaluate(point.model, data.test);
        QVERIFY(std::abs(train.loss - surface.metric(SurfaceMetric::TrainLoss)[k]) < 1e-5);
        QVERIFY(std::abs(100 * train.accuracy - surface.metric(SurfaceMetric::TrainAccuracy)[k]) <
                1e-4);
        QVERIFY(std::abs(test.loss - surface.metric(SurfaceMetric::TestLoss)[k]) < 1e-5);
        QCOMPARE(surfaceValueAt(surface, SurfaceMetric::TrainLoss, a, b),
                 surface.metric(SurfaceMetric::TrainLoss)[k]);
        // Between grid points: bilinear (the centre of a cell is the mean of its corners).
        const auto& loss = surface.metric(SurfaceMetric::TrainLoss);
        const double corners = (loss[k] + loss[k + 1] + loss[k + 5] + loss[k + 6]) / 4;
        QVERIFY(std::abs(surfaceValueAt(surface, SurfaceMetric::TrainLoss, 0.75, -0.25) - corners) <
                1e-12);
        QVERIFY(std::isnan(surfaceValueAt(surface, SurfaceMetric::TrainLoss, 2.0, 0.0)));

        // Off the grid is still a point of the plane; NaN is not.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 weightsOnPlane(surfacePath, std::nan(""), 0));
        // A missing file: a sentence naming the surface and the file.
        QVERIFY(QFile::rename(d + "/mlp.pt", d + "/moved.pt"));
        try {
            weightsOnPlane(surfacePath, a, b);
            QFAIL("a missing model was not reported");
        } catch (const std::runtime_error& e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains("plane.h5") && what.contains("model 'mlp.pt'") &&
                         what.contains("not there"),
                     e.what());
        }
        QVERIFY(QFile::rename(d + "/moved.pt", d + "/mlp.pt"));
        QVERIFY(QFile::remove(d + "/surfaces/plane.h5.directions.h5"));
        try {
            weightsOnPlane(surfacePath, a, b);
            QFAIL("missing directions were not reported");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("directions file"), e.what());
        }
    }

    void fitRangesCoverThePlanesCheckpoints() {
        // The plane through three checkpoints with fit:5 ranges: the grid runs
        // from the smallest to the largest checkpoint coordinate (0 included),
        // a quarter of the span beyond each; random directions place no
        // checkpoints and refuse a fit range.
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        MlpOptions o;
        o.hidden = {8};
        makeMlp(o).save((d + "/mlp.pt").toStdString());
        for (int seed : {2, 3, 4}) {
            o.seed = std::uint64_t(seed);
            saveStateDict((d + QStringLiteral("/c%1.pt").arg(seed)).toStdString(),
                          makeMlp(o).stateDict());
        }
        LandscapeRecipe r;
        r.modelPath = (d + "/mlp.pt").toStdString();
        r.checkpoint = (d + "/c2.pt").toStdString();
        r.directions = DirectionKind::CheckpointPlane;
        r.checkpoints = {(d + "/c3.pt").toStdString(), (d + "/c4.pt").toStdString()};
        r.x = parseGridRange("fit:5");
        r.y = parseGridRange("fit:5:0.5");
        r.surfacePath = (d + "/plane.h5").toStdString();
        LandscapeJob job(r, data.train);
        QCOMPARE(runToEnd(job).state, JobState::Succeeded);
        const Surface surface = readSurface(r.surfacePath);
        const Model model = Model::load(r.modelPath);
        const Directions dirs =
            loadDirections(r.surfacePath + ".directions.h5", WeightVector::fromModel(model));
        QCOMPARE(dirs.points.size(), std::size_t(3));
        std::vector<double> as, bs;
        for (const ProjectedPoint& p : dirs.points)
            as.push_back(p.a), bs.push_back(p.b);
        QCOMPARE(surface.x, fitted(r.x, as).coordinates());
        QCOMPARE(surface.y, fitted(*r.y, bs).coordinates());
        const auto [aLow, aHigh] = std::minmax_element(as.begin(), as.end());
        QVERIFY(surface.x.front() < std::min(*aLow, 0.0) && surface.x.back() > *aHigh);
        // A rerun loads the same directions, so the same grid: it resumes.
        LandscapeJob again(r, data.train);
        QCOMPARE(runToEnd(again).state, JobState::Succeeded);

        LandscapeRecipe random = r;
        random.directions = DirectionKind::Random;
        random.checkpoints.clear();
        random.surfacePath = (d + "/random.h5").toStdString();
        LandscapeJob refused(random, data.train);
        const JobStatus status = runToEnd(refused);
        QCOMPARE(status.state, JobState::Failed);
        QVERIFY2(QString::fromStdString(status.error).contains("fit range"), status.error.c_str());
    }

    void bufferDirectionsOnAOneDimensionalSurface() {
        // A CNN whose directions move the BatchNorm statistics too, along a line.
        QTemporaryDir dir;
        const QString d = dir.path();
        SmallCnnOptions o;
        o.height = o.width = 12;
        o.baseWidth = 4;
        o.classes = 3;
        makeSmallCnn(o).save((d + "/cnn.pt").toStdString());
        LandscapeRecipe r;
        r.modelPath = (d + "/cnn.pt").toStdString();
        r.includeBuffers = true;
        r.random.keepOneDimensional = true;
        r.random.twoDimensional = false;
        r.x = parseGridRange("-1:1:3");
        r.surfacePath = (d + "/line.h5").toStdString();
        const Dataset data = images(40, 3);
        LandscapeJob job(r, data);
        QCOMPARE(runToEnd(job).state, JobState::Succeeded);
        const Surface surface = readSurface(r.surfacePath);

        PointWeights point = weightsOnPlane(r.surfacePath, 1.0);
        QVERIFY2(point.description == "θ₀ + a·d_x of line.h5 at a = 1", point.description.c_str());
        const Model plain = Model::load(r.modelPath);  // no centre checkpoint: its own weights
        const WeightVector theta0 = WeightVector::fromModel(plain, true);
        const Directions dirs = loadDirections(r.surfacePath + ".directions.h5", theta0);
        QVERIFY(dirs.includeBuffers);
        std::vector<double> want = toDouble(theta0);
        for (std::size_t i = 0; i < want.size(); ++i)
            want[i] += dirs.x.vector.data()[i];
        const WeightVector got = WeightVector::fromModel(point.model, true);
        QVERIFY(worstDifference(got, want) < 1e-6);
        // The running statistics moved with the weights.
        bool movedBuffer = false;
        for (std::size_t e = 0; e < got.entries().size(); ++e)
            if (got.entries()[e].isBuffer)
                movedBuffer = movedBuffer || got.data(e)[0] != theta0.data(e)[0];
        QVERIFY(movedBuffer);
        const EvalResult r1 = evaluate(point.model, data);
        QVERIFY(std::abs(r1.loss - surface.metric(SurfaceMetric::TrainLoss)[2]) < 1e-5);
        QVERIFY(std::abs(surfaceValueAt(surface, SurfaceMetric::TrainLoss, 0.5) -
                         0.5 * (surface.metric(SurfaceMetric::TrainLoss)[1] +
                                surface.metric(SurfaceMetric::TrainLoss)[2])) < 1e-12);
        // b on a 1-D surface: a sentence.
        try {
            weightsOnPlane(r.surfacePath, 1.0, 0.5);
            QFAIL("b on a 1-D surface was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("1-D"), e.what());
        }
        QVERIFY(!isPathFile(r.surfacePath));
    }

    void pathWeightsRunFromAToB() {
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        writeTwoSeeds(d);
        {
            InFolder here(d);
            LmcRecipe r;
            r.modelPath = "mlp.pt";
            r.checkpoints = {"seed1.pt", "seed2.pt"};
            r.points = 5;
            r.outPath = "lmc/path.h5";
            QVERIFY(QDir(d).mkpath("lmc"));
            PathJob job(r, data.train);
            QCOMPARE(runToEnd(job).state, JobState::Succeeded);
        }
        const std::string path = (d + "/lmc/path.h5").toStdString();
        QVERIFY(isPathFile(path));
        InFolder elsewhere(QDir::rootPath());
        const WeightVector layout =
            WeightVector::fromModel(Model::load((d + "/mlp.pt").toStdString()));
        const WeightVector a = weightsOf((d + "/seed1.pt").toStdString(), layout);
        const WeightVector b = weightsOf((d + "/seed2.pt").toStdString(), layout);
        QCOMPARE(
            worstDifference(WeightVector::fromModel(weightsOnPath(path, 0.0).model), toDouble(a)),
            0.0);
        QCOMPARE(
            worstDifference(WeightVector::fromModel(weightsOnPath(path, 1.0).model), toDouble(b)),
            0.0);
        const double t = 0.25;
        PointWeights point = weightsOnPath(path, t);
        QVERIFY2(point.description == "(1 − t)·θ_A + t·θ_B of path.h5 at t = 0.25",
                 point.description.c_str());
        std::vector<double> want(std::size_t(a.size()));
        for (std::size_t i = 0; i < want.size(); ++i)
            want[i] = (1 - t) * a.data()[i] + t * b.data()[i];
        QVERIFY(worstDifference(WeightVector::fromModel(point.model), want) < 1e-6);
        const PathSamples samples = readPathSamples(path);
        QCOMPARE(samples.t[1], t);
        const EvalResult r = evaluate(point.model, data.train);
        QVERIFY(std::abs(r.loss - samples.row(SurfaceMetric::TrainLoss, 0)[1]) < 1e-5);

        try {
            weightsOnPath(path, 1.5);
            QFAIL("t = 1.5 was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("path.h5"), e.what());
        }
        QVERIFY(QFile::remove(d + "/seed2.pt"));
        try {
            weightsOnPath(path, t);
            QFAIL("a missing checkpoint was not reported");
        } catch (const std::runtime_error& e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains("path.h5") && what.contains("checkpoint 'seed2.pt'"), e.what());
        }
    }

    void curvePathWeightsAreTheCurves() {
        QTemporaryDir dir;
        const QString d = dir.path();
        const DatasetSplit data = makeTwoSpirals();
        writeTwoSeeds(d);
        {
            InFolder here(d);
            QVERIFY(QDir(d).mkpath("lmc"));
            Model model = Model::load("mlp.pt");
            const Curve start =
                curveOnLineBetween(model, parseCurveSpec("bezier:2"), "seed1.pt", "seed2.pt");
            const std::string pathFile = "lmc/curve_bezier2.h5";
            CurveTrainingOptions options;
            options.training.epochs = 2;
            options.training.learningRate = 0.05;
            CurveTrainingJob training(model, start, data.train, curveFileOfPath(pathFile), options,
                                      "mlp.pt");
            QCOMPARE(runToEnd(training).state, JobState::Succeeded);
            auto curve = std::make_shared<const Curve>(training.result().curve);
            auto along =
                makeCurvePathJob(model, curve, 5, "mlp.pt", pathFile, data.train, data.test);
            QCOMPARE(runToEnd(*along).state, JobState::Succeeded);
        }
        const std::string path = (d + "/lmc/curve_bezier2.h5").toStdString();
        QVERIFY(isPathFile(path));
        InFolder elsewhere(QDir::rootPath());
        const WeightVector layout =
            WeightVector::fromModel(Model::load((d + "/mlp.pt").toStdString()));
        const WeightVector a = weightsOf((d + "/seed1.pt").toStdString(), layout);
        QCOMPARE(
            worstDifference(WeightVector::fromModel(weightsOnPath(path, 0.0).model), toDouble(a)),
            0.0);
        const PathSamples samples = readPathSamples(path);
        QCOMPARE(samples.kind, std::string("curve"));
        for (std::size_t i = 0; i < samples.nt(); ++i) {
            PointWeights point = weightsOnPath(path, samples.t[i]);
            const EvalResult train = evaluate(point.model, data.train);
            const EvalResult test = evaluate(point.model, data.test);
            QVERIFY(std::abs(train.loss - samples.row(SurfaceMetric::TrainLoss, 0)[i]) < 1e-5);
            QVERIFY(std::abs(test.loss - samples.row(SurfaceMetric::TestLoss, 0)[i]) < 1e-5);
        }
        // The curve moved off the line: its midpoint is not (θ_A + θ_B)/2.
        const WeightVector b = weightsOf((d + "/seed2.pt").toStdString(), layout);
        std::vector<double> middle(std::size_t(a.size()));
        for (std::size_t i = 0; i < middle.size(); ++i)
            middle[i] = 0.5 * (a.data()[i] + b.data()[i]);
        const PointWeights half = weightsOnPath(path, 0.5);
        QVERIFY(worstDifference(WeightVector::fromModel(half.model), middle) > 1e-4);
        QVERIFY2(half.description == "the bezier:2 curve of curve_bezier2.pt at t = 0.5",
                 half.description.c_str());

        QVERIFY(QFile::remove(d + "/lmc/curve_bezier2.pt"));
        try {
            weightsOnPath(path, 0.5);
            QFAIL("a missing curve file was not reported");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("curve_bezier2.pt"), e.what());
        }
    }
};

BASIN_TEST_MAIN(TestPointWeights)
#include "test_point_weights.moc"
