// Saliency evaluation metrics: map similarity (Spearman with average ranks,
// SSIM against brute force and known cases), deletion/insertion curves on a
// model that reads one pixel region, class sensitivity on a model whose
// classes read disjoint regions, BlockMNIST (generator and null-block mass),
// and the model-parameter randomization check (which layers each step
// changes, the model left alone, maps decorrelating on a trained CNN).

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>

#include "BasinTest.h"
#include "ScriptedModel.h"
#include "data/GeneratedDatasets.h"
#include "jobs/Job.h"
#include "saliency/BlockMnist.h"
#include "saliency/ClassSensitivity.h"
#include "saliency/DeletionInsertion.h"
#include "saliency/MapSimilarity.h"
#include "saliency/RandomizationCheck.h"
#include "util/Pcg32.h"
#include "zoo/ModelZoo.h"
#include "zoo/Training.h"

using namespace basin;

namespace {

TensorData floatTensor(std::vector<std::int64_t> shape, const std::vector<float>& values) {
    TensorData t;
    t.dtype = DType::Float32;
    t.shape = std::move(shape);
    t.storage = Storage::allocate(values.size() * sizeof(float));
    std::memcpy(t.storage->mutableData(), values.data(), values.size() * sizeof(float));
    return t;
}

SaliencyMap mapOf(std::int64_t h, std::int64_t w, std::vector<float> values,
                  std::int64_t target = -1) {
    SaliencyMap m;
    m.height = h;
    m.width = w;
    m.values = std::move(values);
    m.targetClass = target;
    return m;
}

std::vector<float> randomValues(std::size_t n, std::uint64_t seed, int levels = 0) {
    Pcg32 rng(seed);
    std::vector<float> v(n);
    for (float& x : v)
        x = levels > 0 ? float(rng.below(std::uint32_t(levels))) : float(rng.uniform());
    return v;
}

// Ranks by counting: (number below) + (number equal + 1) / 2.
std::vector<double> bruteRanks(const std::vector<float>& v) {
    std::vector<double> r;
    for (float x : v) {
        double below = 0, equal = 0;
        for (float y : v) {
            below += y < x;
            equal += y == x;
        }
        r.push_back(below + (equal + 1) / 2);
    }
    return r;
}

double brutePearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = double(a.size());
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sa += a[i];
        sb += b[i];
        sab += a[i] * b[i];
        saa += a[i] * a[i];
        sbb += b[i] * b[i];
    }
    return (sab - sa * sb / n) / std::sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
}

// SSIM written out from Wang et al. (2004): min–max normalisation, an 11×11
// Gaussian window (σ 1.5) at every position where it fits, C1 = 0.01², C2 = 0.03².
double bruteSsim(const std::vector<float>& a, const std::vector<float>& b, int h, int w) {
    auto norm = [](const std::vector<float>& v) {
        const float lo = *std::min_element(v.begin(), v.end());
        const float hi = *std::max_element(v.begin(), v.end());
        std::vector<double> out;
        for (float x : v)
            out.push_back(hi > lo ? (double(x) - lo) / (double(hi) - lo) : 0.0);
        return out;
    };
    const std::vector<double> x = norm(a), y = norm(b);
    double weights[11][11], total = 0;
    for (int i = 0; i < 11; ++i)
        for (int j = 0; j < 11; ++j)
            total += weights[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / 4.5);
    double sum = 0;
    int count = 0;
    for (int top = 0; top + 11 <= h; ++top) {
        for (int left = 0; left + 11 <= w; ++left) {
            double mx = 0, my = 0;
            for (int i = 0; i < 11; ++i)
                for (int j = 0; j < 11; ++j) {
                    const double g = weights[i][j] / total;
                    mx += g * x[std::size_t((top + i) * w + left + j)];
                    my += g * y[std::size_t((top + i) * w + left + j)];
                }
            double vx = 0, vy = 0, cov = 0;
            for (int i = 0; i < 11; ++i)
                for (int j = 0; j < 11; ++j) {
                    const double g = weights[i][j] / total;
                    const double dx = x[std::size_t((top + i) * w + left + j)] - mx;
                    const double dy = y[std::size_t((top + i) * w + left + j)] - my;
                    vx += g * dx * dx;
                    vy += g * dy * dy;
                    cov += g * dx * dy;
                }
            const double c1 = 1e-4, c2 = 9e-4;
            sum +=
                (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
            ++count;
        }
    }
    return sum / count;
}

// Two logits read from an 8×8 single-channel image: class 0 = w·Σ region A
// (rows 2–3, columns 2–3), class 1 = w·Σ region B (rows 5–6, columns 5–6).
Model twoRegionModel(float w = 2.0f) {
    return test::scriptedModel("two_regions", R"(
def forward(self, x):
    a = x[:, 0, 2:4, 2:4].sum(dim=[1, 2])
    b = x[:, 0, 5:7, 5:7].sum(dim=[1, 2])
    return torch.stack([self.w * a, self.w * b], dim=1)
)",
                               {{"w", torch::tensor(w)}});
}

// |∂ logit_c / ∂x| by central differences, all perturbed images in one batch:
// a gradient map that needs no saliency method. With a `quantum`, values are
// rounded to it (below the float error of the differences, so equal
// gradients compare equal).
SaliencyMap differenceGradient(const Model& model, const TensorData& image, std::int64_t c,
                               double quantum = 0) {
    const std::vector<double> x = image.toDoubles();
    const std::int64_t n = std::int64_t(x.size());
    const std::int64_t h = image.shape[image.shape.size() - 2];
    const std::int64_t w = image.shape.back();
    const float eps = 1e-2f;
    std::vector<float> batch;
    for (std::int64_t i = 0; i < n; ++i)
        for (float sign : {1.0f, -1.0f}) {
            std::vector<float> y(x.begin(), x.end());
            y[std::size_t(i)] += sign * eps;
            batch.insert(batch.end(), y.begin(), y.end());
        }
    std::vector<std::int64_t> shape{2 * n};
    shape.insert(shape.end(), image.shape.end() - 3, image.shape.end());
    const TensorData logits = model.forward(floatTensor(shape, batch));
    const std::vector<double> v = logits.toDoubles();
    const std::int64_t classes = logits.shape[1];
    SaliencyMap map = mapOf(h, w, std::vector<float>(std::size_t(h * w), 0.0f), c);
    const std::int64_t channels = n / (h * w);
    for (std::int64_t i = 0; i < n; ++i) {
        const double g =
            (v[std::size_t(2 * i * classes + c)] - v[std::size_t((2 * i + 1) * classes + c)]) /
            (2 * eps);
        const double a = quantum > 0 ? quantum * std::round(std::abs(g) / quantum) : std::abs(g);
        float& m = map.values[std::size_t(i % (h * w))];
        m = channels == 1 ? float(a) : std::max(m, float(a));
    }
    return map;
}

class QuietContext : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

// The zoo's SmallCnn trained two epochs on synthetic digits (once per run).
struct TrainedDigits {
    Model model;
    DatasetSplit data;
    double trainAccuracy = 0;
};
const TrainedDigits& trainedDigitCnn() {
    static const TrainedDigits trained = [] {
        QTemporaryDir dir;
        SmallCnnOptions o;
        o.baseWidth = 8;
        SyntheticDigitsOptions digits;
        digits.trainPerClass = 60;
        digits.testPerClass = 5;
        TrainedDigits t{makeSmallCnn(o), makeSyntheticDigits(digits).split};
        TrainingOptions options;
        options.optimizer = TrainingOptions::Optimizer::Adam;
        options.learningRate = 3e-3;
        options.epochs = 2;
        options.batchSize = 32;
        TrainingJob job(t.model, t.data, dir.path().toStdString(), options);
        QuietContext context;
        job.run(context);
        t.trainAccuracy = job.records().back().trainAccuracy;
        return t;
    }();
    return trained;
}

// Test image `i` of `data` as [1, C, H, W] (a view of the split's storage).
TensorData testImage(const DatasetSplit& data, std::int64_t i) {
    TensorData image = data.test.inputs;
    image.storageOffset += i * (image.numel() / image.shape[0]);
    image.shape[0] = 1;
    return image;
}

}  // namespace

class TestSaliencyMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void averageRanksShareTies() {
        const std::vector<double> r = averageRanks({3.0f, 1.0f, 3.0f, 2.0f, 3.0f});
        QCOMPARE(r, (std::vector<double>{4.0, 1.0, 4.0, 2.0, 4.0}));
        for (std::uint64_t seed : {1, 2, 3}) {
            const std::vector<float> v = randomValues(200, seed, 7);
            QCOMPARE(averageRanks(v), bruteRanks(v));
        }
    }

    void spearmanMatchesPearsonOfRanks() {
        const std::vector<float> a = randomValues(300, 4);
        std::vector<float> reversed(a.size());
        std::transform(a.begin(), a.end(), reversed.begin(), [](float x) { return 5 - 2 * x; });
        QCOMPARE(spearmanCorrelation(a, a), 1.0);
        QCOMPARE(spearmanCorrelation(a, reversed), -1.0);
        // A monotone transform changes nothing.
        std::vector<float> squared(a.size());
        std::transform(a.begin(), a.end(), squared.begin(), [](float x) { return 8 * x * x; });
        QCOMPARE(spearmanCorrelation(a, squared), 1.0);
        for (std::uint64_t seed : {5, 6}) {
            const std::vector<float> x = randomValues(150, seed, 5);
            const std::vector<float> y = randomValues(150, seed + 10, 9);
            const double expected = brutePearson(bruteRanks(x), bruteRanks(y));
            QVERIFY(std::abs(spearmanCorrelation(x, y) - expected) < 1e-12);
        }
        // Constant maps have no ordering.
        const std::vector<float> flat(10, 2.0f);
        QCOMPARE(spearmanCorrelation(flat, flat), 1.0);
        QCOMPARE(spearmanCorrelation(flat, randomValues(10, 7)), 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, spearmanCorrelation(flat, {1.0f}));
    }

    void ssimMatchesTheFormula() {
        const std::vector<float> a = randomValues(24 * 30, 8);
        std::vector<float> b = a;
        Pcg32 rng(9);
        for (float& x : b)
            x += float(0.3 * rng.normal());
        QVERIFY(std::abs(structuralSimilarity(a, a, 24, 30) - 1.0) < 1e-12);
        // Normalisation makes SSIM blind to scale and offset.
        std::vector<float> scaled(a.size());
        std::transform(a.begin(), a.end(), scaled.begin(), [](float x) { return 3 * x + 7; });
        QVERIFY(std::abs(structuralSimilarity(a, scaled, 24, 30) - 1.0) < 1e-6);
        const double s = structuralSimilarity(a, b, 24, 30);
        QVERIFY(std::abs(s - bruteSsim(a, b, 24, 30)) < 1e-9);
        QVERIFY(s < 0.9 && s > 0.0);
        // The inverted map: structure anti-correlated, SSIM negative.
        std::vector<float> inverted(a.size());
        std::transform(a.begin(), a.end(), inverted.begin(), [](float x) { return 1 - x; });
        QVERIFY(structuralSimilarity(a, inverted, 24, 30) < -0.5);
        QCOMPARE(ssimWindowSize(7, 7), 7);
        QCOMPARE(ssimWindowSize(28, 10), 9);
        QCOMPARE(ssimWindowSize(56, 28), 11);
        QVERIFY(std::abs(structuralSimilarity(randomValues(49, 3), randomValues(49, 3), 7, 7) -
                         1.0) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, structuralSimilarity(a, b, 10, 10));
    }

    void compareMapsUsesAbsoluteValues() {
        const std::vector<float> a = randomValues(16 * 16, 11);
        std::vector<float> flipped = a;
        for (std::size_t i = 0; i < flipped.size(); i += 2)
            flipped[i] = -flipped[i];
        const MapSimilarity s = compareMaps(mapOf(16, 16, a), mapOf(16, 16, flipped));
        QVERIFY(std::abs(s.spearmanAbs - 1.0) < 1e-12);
        QVERIFY(std::abs(s.ssim - 1.0) < 1e-12);
        QVERIFY(s.spearman < 0.5);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 compareMaps(mapOf(16, 16, a), mapOf(8, 32, a)));
    }

    void trapezoidAucOfKnownCurves() {
        std::vector<double> x, line, square;
        for (int i = 0; i <= 10; ++i) {
            x.push_back(i / 10.0);
            line.push_back(i / 10.0);
            square.push_back(i * i / 100.0);
        }
        QVERIFY(std::abs(trapezoidAuc(x, line) - 0.5) < 1e-12);
        // Trapezoids over y = x² overestimate by h²/6.
        QVERIFY(std::abs(trapezoidAuc(x, square) - (1.0 / 3 + 0.01 / 6)) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trapezoidAuc(x, {1.0}));
    }

    void gaussianBlurKeepsConstantsAndMass() {
        const std::vector<float> flat(2 * 9 * 9, 0.25f);
        for (float v : gaussianBlur(flat, 2, 9, 9, 2.0))
            QVERIFY(std::abs(v - 0.25f) < 1e-6f);
        std::vector<float> dot(21 * 21, 0.0f);
        dot[10 * 21 + 10] = 1.0f;
        const std::vector<float> blurred = gaussianBlur(dot, 1, 21, 21, 1.5);
        QVERIFY(std::abs(std::accumulate(blurred.begin(), blurred.end(), 0.0) - 1.0) < 1e-5);
        QVERIFY(blurred[10 * 21 + 10] < 0.1f && blurred[10 * 21 + 11] > 0.05f);
    }

    void deletionAndInsertionRewardTheRightMap() {
        const Model model = twoRegionModel();
        // Region A bright, the rest dimmer: class 0 is predicted.
        std::vector<float> pixels(64, 0.3f);
        for (int y = 2; y < 4; ++y)
            for (int x = 2; x < 4; ++x)
                pixels[std::size_t(y * 8 + x)] = 1.0f;
        const TensorData image = floatTensor({1, 8, 8}, pixels);
        std::vector<float> good(64, 0.0f), inverted(64, 1.0f);
        for (int y = 2; y < 4; ++y)
            for (int x = 2; x < 4; ++x) {
                good[std::size_t(y * 8 + x)] = 1.0f;
                inverted[std::size_t(y * 8 + x)] = 0.0f;
            }
        DeletionInsertionOptions o;
        o.steps = 16;  // 4 pixels a step
        o.insertionBaseline = PerturbationBaseline::Zero;
        o.batchSize = 5;
        const DeletionInsertionResult g = deletionInsertion(model, image, mapOf(8, 8, good, 0), o);
        const DeletionInsertionResult bad =
            deletionInsertion(model, image, mapOf(8, 8, inverted, 0), o);
        const DeletionInsertionResult random =
            deletionInsertion(model, image, mapOf(8, 8, randomValues(64, 12), 0), o);
        QCOMPARE(g.targetClass, std::int64_t(0));
        QCOMPARE(g.deletion.fraction.size(), std::size_t(17));
        QCOMPARE(g.deletion.probability.size(), std::size_t(17));
        QCOMPARE(g.deletion.fraction.back(), 1.0);
        // p0 at the image: softmax of (2·4, 2·1.2).
        const double p0 = 1 / (1 + std::exp(2 * 1.2 - 8.0));
        QVERIFY(std::abs(g.deletion.probability[0] - p0) < 1e-6);
        // The good map deletes region A in the first step: logit 0 against 2·4·0.3 …
        QVERIFY(std::abs(g.deletion.probability[1] - 1 / (1 + std::exp(2.4))) < 1e-6);
        // … and inserts it first: logit 8 against 0.
        QVERIFY(std::abs(g.insertion.probability[1] - 1 / (1 + std::exp(-8.0))) < 1e-6);
        QVERIFY(std::abs(g.insertion.probability[0] - 0.5) < 1e-6);
        QVERIFY(g.deletion.auc < random.deletion.auc && random.deletion.auc < bad.deletion.auc);
        QVERIFY(g.insertion.auc > random.insertion.auc && random.insertion.auc > bad.insertion.auc);
        QVERIFY(std::abs(g.deletion.auc -
                         trapezoidAuc(g.deletion.fraction, g.deletion.probability)) < 1e-12);

        // Batching does not change the curves; the blurred baseline starts
        // insertion at the blurred image's probability.
        o.batchSize = 64;
        o.insertionBaseline = PerturbationBaseline::Blurred;
        o.blurSigma = 1.0;
        const DeletionInsertionResult blurred =
            deletionInsertion(model, image, mapOf(8, 8, good, 0), o);
        QCOMPARE(blurred.deletion.probability, g.deletion.probability);
        const TensorData logits =
            model.forward(floatTensor({1, 1, 8, 8}, gaussianBlur(pixels, 1, 8, 8, 1.0)));
        const std::vector<double> l = logits.toDoubles();
        QVERIFY(std::abs(blurred.insertion.probability[0] - 1 / (1 + std::exp(l[1] - l[0]))) <
                1e-6);
        QVERIFY(std::abs(blurred.insertion.probability.back() - p0) < 1e-6);

        // Without a target on the map or in the options: the predicted class.
        QCOMPARE(deletionInsertion(model, image, mapOf(8, 8, good), o).targetClass,
                 std::int64_t(0));
        o.targetClass = 1;
        QCOMPARE(deletionInsertion(model, image, mapOf(8, 8, good), o).targetClass,
                 std::int64_t(1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 deletionInsertion(model, image, mapOf(4, 16, good), o));
    }

    void classSensitivityOfDisjointRegions() {
        const Model model = twoRegionModel();
        std::vector<float> pixels = randomValues(64, 13);
        for (int y = 2; y < 4; ++y)
            for (int x = 2; x < 4; ++x)
                pixels[std::size_t(y * 8 + x)] += 1.0f;
        const TensorData image = floatTensor({1, 8, 8}, pixels);
        const ClassSensitivity s = classSensitivity(model, image, [&](std::int64_t c) {
            return differenceGradient(model, image, c, 1e-3);
        });
        QCOMPARE(s.mostLikely, std::int64_t(0));
        QCOMPARE(s.leastLikely, std::int64_t(1));
        QVERIFY(std::abs(s.mostProbability + s.leastProbability - 1) < 1e-9);
        QVERIFY(s.mostProbability > 0.9);
        QCOMPARE(s.mostLikelyMap.targetClass, std::int64_t(0));
        // The gradient maps are the two regions' indicators: Spearman of two
        // disjoint 4-of-64 indicators is −4/60, SSIM far from 1.
        QVERIFY(std::abs(s.similarity.spearmanAbs - (-4.0 / 60.0)) < 1e-6);
        QVERIFY(s.similarity.ssim < 0.5);
        // A class-blind "explanation" (the image itself) is maximally similar.
        const ClassSensitivity blind =
            classSensitivity(model, image, [&](std::int64_t c) { return mapOf(8, 8, pixels, c); });
        QCOMPARE(blind.similarity.spearmanAbs, 1.0);
        QVERIFY(blind.similarity.ssim > s.similarity.ssim);
    }

    void blockMnistGenerator() {
        BlockMnistOptions o;
        o.digits.trainPerClass = 6;
        o.digits.testPerClass = 2;
        o.seed = 3;
        const BlockMnist b = makeBlockMnist(o);
        QCOMPARE(b.split.train.inputs.shape, (std::vector<std::int64_t>{60, 1, 56, 28}));
        QCOMPARE(b.split.test.inputs.shape, (std::vector<std::int64_t>{20, 1, 56, 28}));
        QCOMPARE(b.trainDigitOnTop.size(), std::size_t(60));
        QCOMPARE(b.testDigitOnTop.size(), std::size_t(20));
        b.split.train.validate();
        b.split.test.validate();
        // Labels are the digits', in the same order.
        SyntheticDigitsOptions d = o.digits;
        d.normalize = false;
        const SyntheticDigits digits = makeSyntheticDigits(d);
        QCOMPARE(b.split.train.targets.toDoubles(), digits.split.train.targets.toDoubles());
        const std::vector<double> digitPixels = digits.split.train.inputs.toDoubles();
        const std::vector<double> pixels = b.split.train.inputs.toDoubles();
        const std::size_t block = 28 * 28;
        int onTop = 0;
        std::vector<double> nullBlock;
        for (std::size_t i = 0; i < 60; ++i) {
            const bool top = b.trainDigitOnTop[i] != 0;
            onTop += top;
            const double* image = pixels.data() + i * 2 * block;
            const double* digit = top ? image : image + block;
            const double* null = top ? image + block : image;
            for (std::size_t k = 0; k < block; ++k)  // undo the normalisation
                QVERIFY(std::abs(digit[k] * b.pixelStd + b.pixelMean - digitPixels[i * block + k]) <
                        1e-5);
            // The null block is the same patch in every image.
            if (nullBlock.empty()) nullBlock.assign(null, null + block);
            QVERIFY(std::equal(nullBlock.begin(), nullBlock.end(), null));
        }
        QVERIFY(onTop > 15 && onTop < 45);
        // The patch has ink (a square outline) and background.
        const auto [lo, hi] = std::minmax_element(nullBlock.begin(), nullBlock.end());
        QVERIFY(*hi * b.pixelStd + b.pixelMean > 0.9 &&
                std::abs(*lo * b.pixelStd + b.pixelMean) < 1e-6);
        // Normalised with the training split's statistics.
        const double mean =
            std::accumulate(pixels.begin(), pixels.end(), 0.0) / double(pixels.size());
        QVERIFY(std::abs(mean) < 1e-4);
        // Seeded: the same options give the same bytes, another seed other positions.
        QCOMPARE(makeBlockMnist(o).split.train.inputs.toDoubles(), pixels);
        o.seed = 4;
        QVERIFY(makeBlockMnist(o).trainDigitOnTop != b.trainDigitOnTop);
    }

    void nullBlockMassOfHandMadeMaps() {
        std::vector<float> topOnly(56 * 28, 0.0f), uniform(56 * 28, -1.0f), threeToOne(56 * 28);
        for (std::size_t i = 0; i < 28 * 28; ++i)
            topOnly[i] = 2.0f;
        for (std::size_t i = 0; i < threeToOne.size(); ++i)
            threeToOne[i] = i < 28 * 28 ? 3.0f : -1.0f;
        QCOMPARE(nullBlockMass(mapOf(56, 28, topOnly), true), 0.0);
        QCOMPARE(nullBlockMass(mapOf(56, 28, topOnly), false), 1.0);
        QCOMPARE(nullBlockMass(mapOf(56, 28, uniform), true), 0.5);
        QVERIFY(std::abs(nullBlockMass(mapOf(56, 28, threeToOne), true) - 0.25) < 1e-12);
        QVERIFY(std::isnan(nullBlockMass(mapOf(56, 28, std::vector<float>(56 * 28, 0.0f)), true)));
        const std::vector<SaliencyMap> maps{mapOf(56, 28, topOnly), mapOf(56, 28, threeToOne),
                                            mapOf(56, 28, std::vector<float>(56 * 28, 0.0f))};
        QVERIFY(std::abs(meanNullBlockMass(maps, {1, 0, 1}) - 0.375) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, meanNullBlockMass(maps, {1, 0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 nullBlockMass(mapOf(3, 2, std::vector<float>(6, 1.0f)), true));
    }

    void reinitializationFollowsPyTorchDefaults() {
        SmallCnnOptions o;
        o.baseWidth = 8;
        const Model cnn = makeSmallCnn(o);
        QCOMPARE(randomizableLayers(cnn), (std::vector<std::string>{"fc", "conv2", "conv1"}));
        Model copy = cnn.clone();
        reinitializeLayer(copy, "conv2", 1, 1);
        for (const NamedTensor& t : copy.stateDict()) {
            if (t.name != "conv2.weight") continue;
            const std::vector<double> w = t.tensor.toDoubles();
            const double bound = 1 / std::sqrt(8.0 * 9);
            double sumSquares = 0;
            for (double v : w) {
                QVERIFY(std::abs(v) <= bound);
                sumSquares += v * v;
            }
            // Uniform on [−b, b]: standard deviation b/√3.
            QVERIFY(std::abs(std::sqrt(sumSquares / double(w.size())) - bound / std::sqrt(3.0)) <
                    0.1 * bound);
        }
        try {
            reinitializeLayer(copy, "bn1", 1, 1);
            QFAIL("BatchNorm has no weight of two dimensions");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("'bn1'") != std::string::npos, e.what());
        }
    }

    void randomizationStepsChangeTheRightLayers() {
        SmallCnnOptions o;
        o.baseWidth = 4;
        const Model cnn = makeSmallCnn(o);
        const std::vector<NamedTensor> before = cnn.stateDict();
        const std::vector<std::string> layers = randomizableLayers(cnn);
        // The explainer records which layers differ from the model under test.
        std::vector<std::set<std::string>> changed;
        const ModelExplainer explain = [&](const Model& m) {
            std::set<std::string> differs;
            const std::vector<NamedTensor> now = m.stateDict();
            for (std::size_t i = 0; i < now.size(); ++i)
                if (now[i].tensor.toDoubles() != before[i].tensor.toDoubles())
                    differs.insert(now[i].name.substr(0, now[i].name.rfind('.')));
            changed.push_back(differs);
            return mapOf(4, 4, randomValues(16, 20 + differs.size()));
        };
        std::vector<double> fractions;
        RandomizationOptions options;
        options.seed = 5;
        const RandomizationResult r = randomizationCheck(cnn, explain, options, [&](double f) {
            fractions.push_back(f);
            return true;
        });
        QCOMPARE(r.layers, layers);
        QCOMPARE(r.cascading.size(), std::size_t(4));
        QCOMPARE(r.independent.size(), std::size_t(4));
        // Explainer calls: original, cascading (4), independent (4).
        QCOMPARE(changed.size(), std::size_t(9));
        QCOMPARE(fractions.size(), std::size_t(9));
        QCOMPARE(fractions.back(), 1.0);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QVERIFY(changed[0].empty() && changed[1].empty() && changed[5].empty());
        for (std::size_t k = 1; k <= layers.size(); ++k) {
            QCOMPARE(changed[1 + k],
                     std::set<std::string>(layers.begin(), layers.begin() + std::ptrdiff_t(k)));
            QCOMPARE(changed[5 + k], std::set<std::string>{layers[k - 1]});
            QCOMPARE(r.cascading[k].layer, layers[k - 1]);
            QCOMPARE(r.independent[k].layer, layers[k - 1]);
        }
        QCOMPARE(r.cascading[0].similarity.spearman, 1.0);
        QCOMPARE(r.independent[0].similarity.ssim, 1.0);
        // The model under test is unchanged.
        const std::vector<NamedTensor> after = cnn.stateDict();
        for (std::size_t i = 0; i < after.size(); ++i)
            QVERIFY2(after[i].tensor.toDoubles() == before[i].tensor.toDoubles(),
                     after[i].name.c_str());

        // One mode, chosen layers; an unknown layer is named; Cancel stops it.
        options.independent = false;
        options.layers = {"conv1"};
        QCOMPARE(randomizationCheck(cnn, explain, options).cascading.size(), std::size_t(2));
        options.layers = {"bn1"};
        try {
            randomizationCheck(cnn, explain, options);
            QFAIL("bn1 is not a layer to re-initialize");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("'bn1'") != std::string::npos, e.what());
        }
        options.layers.clear();
        QVERIFY_THROWS_EXCEPTION(
            JobCancelled, randomizationCheck(cnn, explain, options, [](double) { return false; }));
    }

    void randomizationDecorrelatesGradientsOfATrainedCnn() {
        const TrainedDigits& trained = trainedDigitCnn();
        QVERIFY(trained.trainAccuracy > 0.5);
        const Model& cnn = trained.model;
        const DatasetSplit& data = trained.data;
        const TensorData image = testImage(data, 0);
        const std::int64_t label = std::int64_t(data.test.targets.toDoubles()[0]);
        RandomizationOptions options;
        options.independent = false;
        const RandomizationResult r = randomizationCheck(
            cnn, [&](const Model& m) { return differenceGradient(m, image, label); }, options);
        QCOMPARE(r.cascading.size(), std::size_t(4));
        QVERIFY(std::abs(r.cascading[0].similarity.spearmanAbs - 1.0) < 1e-12);
        for (std::size_t k = 1; k < r.cascading.size(); ++k)
            qInfo("cascading %s: spearman |.| %.3f, ssim %.3f", r.cascading[k].layer.c_str(),
                  r.cascading[k].similarity.spearmanAbs, r.cascading[k].similarity.ssim);
        QVERIFY(r.cascading[1].similarity.spearmanAbs < 0.9);
        QVERIFY(r.cascading.back().similarity.spearmanAbs < 0.5);
        QVERIFY(r.cascading.back().similarity.ssim < 0.5);
    }

    // Adebayo et al.'s finding for the methods that pass: maps of the
    // gradient (computeSaliency) and Grad-CAM change when the top layers of
    // a trained network are re-initialized, cascading and independently.
    void randomizationChangesGradientAndGradCamMaps() {
        const TrainedDigits& trained = trainedDigitCnn();
        const std::vector<NamedTensor> before = trained.model.stateDict();
        for (SaliencyMethod method : {SaliencyMethod::Gradient, SaliencyMethod::GradCam}) {
            SaliencyOptions saliency;
            saliency.method = method;
            std::vector<double> topLayer, allLayers;
            for (std::int64_t i = 0; i < 3; ++i) {
                const TensorData image = testImage(trained.data, i);
                const RandomizationResult r =
                    randomizationCheck(trained.model, image, saliency, RandomizationOptions{});
                QCOMPARE(r.layers, (std::vector<std::string>{"fc", "conv2", "conv1"}));
                for (const auto* steps : {&r.cascading, &r.independent}) {
                    QCOMPARE(steps->size(), std::size_t(4));
                    QCOMPARE(steps->front().similarity.spearmanAbs, 1.0);
                    QVERIFY(std::abs(steps->front().similarity.ssim - 1.0) < 1e-12);
                    // The target stays the original prediction.
                    QCOMPARE(steps->back().map.targetClass, r.original.targetClass);
                }
                topLayer.push_back(r.independent[1].similarity.spearmanAbs);
                allLayers.push_back(r.cascading.back().similarity.spearmanAbs);
                qInfo(
                    "%s, image %d: Spearman |.| after fc %.3f (cascading to conv1 %.3f), SSIM "
                    "%.3f (%.3f)",
                    saliencyMethodKey(method), int(i), r.cascading[1].similarity.spearmanAbs,
                    r.cascading.back().similarity.spearmanAbs, r.cascading[1].similarity.ssim,
                    r.cascading.back().similarity.ssim);
            }
            const double meanTop =
                std::accumulate(topLayer.begin(), topLayer.end(), 0.0) / double(topLayer.size());
            const double meanAll =
                std::accumulate(allLayers.begin(), allLayers.end(), 0.0) / double(allLayers.size());
            QVERIFY2(meanTop < 0.9, saliencyMethodKey(method));
            QVERIFY2(meanAll < 0.5, saliencyMethodKey(method));
        }
        const std::vector<NamedTensor> after = trained.model.stateDict();
        for (std::size_t i = 0; i < after.size(); ++i)
            QVERIFY2(after[i].tensor.toDoubles() == before[i].tensor.toDoubles(),
                     after[i].name.c_str());
    }

    // BlockMNIST end to end: the digit block is learnable wherever it is, and
    // the null-block mass of real maps is measured (Shah et al. report that
    // input gradients of standard models leak onto the null block).
    void blockMnistOnATrainedCnn() {
        QTemporaryDir dir;
        BlockMnistOptions b;
        b.digits.trainPerClass = 100;
        b.digits.testPerClass = 5;
        const BlockMnist blocks = makeBlockMnist(b);
        SmallCnnOptions o;
        o.height = 2 * BlockMnist::kBlock;
        o.baseWidth = 8;
        Model cnn = makeSmallCnn(o);
        TrainingOptions t;
        t.optimizer = TrainingOptions::Optimizer::Adam;
        t.learningRate = 3e-3;
        t.epochs = 3;
        t.batchSize = 32;
        TrainingJob job(cnn, blocks.split, dir.path().toStdString(), t);
        QuietContext context;
        job.run(context);
        QVERIFY(job.records().back().testAccuracy >= 0.8);
        const std::vector<double> labels = blocks.split.test.targets.toDoubles();
        for (SaliencyMethod method : {SaliencyMethod::Gradient, SaliencyMethod::GradCam}) {
            SaliencyOptions options;
            options.method = method;
            options.target.kind = SaliencyTarget::Kind::Class;
            std::vector<SaliencyMap> maps;
            for (std::int64_t i = 0; i < blocks.split.test.size(); ++i) {
                options.target.classIndex = std::int64_t(labels[std::size_t(i)]);
                maps.push_back(computeSaliency(cnn, testImage(blocks.split, i), options));
            }
            const double mass = meanNullBlockMass(maps, blocks.testDigitOnTop);
            qInfo("BlockMNIST (test accuracy %.2f), %s: null-block mass %.3f",
                  job.records().back().testAccuracy, saliencyMethodKey(method), mass);
            QVERIFY(mass > 0 && mass < 1);
        }
    }

    // On a trained CNN, maps of real methods delete the evidence faster and
    // insert it faster than random maps (mean AUCs over 20 test images).
    void deletionAndInsertionOfRealMethods() {
        const TrainedDigits& trained = trainedDigitCnn();
        const int images = 20;
        for (SaliencyMethod method : {SaliencyMethod::Gradient, SaliencyMethod::GradCam,
                                      SaliencyMethod::IntegratedGradients}) {
            double deletion = 0, insertion = 0, randomDeletion = 0, randomInsertion = 0;
            for (std::int64_t i = 0; i < images; ++i) {
                SaliencyOptions options;
                options.method = method;
                const TensorData image = testImage(trained.data, i);
                const SaliencyMap map = computeSaliency(trained.model, image, options);
                const DeletionInsertionResult r = deletionInsertion(trained.model, image, map);
                const DeletionInsertionResult random = deletionInsertion(
                    trained.model, image,
                    mapOf(28, 28, randomValues(28 * 28, 100 + std::uint64_t(i)), map.targetClass));
                deletion += r.deletion.auc / images;
                insertion += r.insertion.auc / images;
                randomDeletion += random.deletion.auc / images;
                randomInsertion += random.insertion.auc / images;
            }
            qInfo("%s: deletion AUC %.3f (random map %.3f), insertion AUC %.3f (random map %.3f)",
                  saliencyMethodKey(method), deletion, randomDeletion, insertion, randomInsertion);
            QVERIFY2(deletion < randomDeletion - 0.1, saliencyMethodKey(method));
            QVERIFY2(insertion > randomInsertion + 0.1, saliencyMethodKey(method));
        }
    }

    void classSensitivityOfTheGradient() {
        const Model model = twoRegionModel();
        std::vector<float> pixels = randomValues(64, 14);
        for (int y = 5; y < 7; ++y)
            for (int x = 5; x < 7; ++x)
                pixels[std::size_t(y * 8 + x)] += 1.0f;
        SaliencyOptions options;
        options.method = SaliencyMethod::Gradient;
        const ClassSensitivity s = classSensitivity(model, floatTensor({1, 8, 8}, pixels), options);
        QCOMPARE(s.mostLikely, std::int64_t(1));
        QCOMPARE(s.mostLikelyMap.targetClass, std::int64_t(1));
        QCOMPARE(s.leastLikelyMap.targetClass, std::int64_t(0));
        // |∂y_c/∂x| = w on the class's own region, 0 elsewhere.
        QVERIFY(std::abs(s.similarity.spearmanAbs - (-4.0 / 60.0)) < 1e-9);
    }
};

BASIN_TEST_MAIN(TestSaliencyMetrics)
#include "test_saliency_metrics.moc"
