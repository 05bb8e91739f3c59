// `basin saliency`: saliency maps of a model's prediction for an image file, a
// folder of images or samples of a dataset file, at one or more checkpoints,
// with any of the methods of core/saliency — a summary printed (the class
// explained, its score, the time per map) or as JSON, figures of the image
// with its maps (PNG, SVG, PDF; one per image for a folder) and the raw maps
// (.npy or CSV).

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/SaliencyMethodList.h"
#include "cli/Subcommand.h"
#include "cli/TerminalProgress.h"
#include "data/ImageFile.h"
#include "saliency/SaliencyExport.h"
#include "saliency/SaliencyJob.h"

namespace basin::app {
namespace {

std::runtime_error usage(const QString& sentence) {
    return std::runtime_error(sentence.toStdString());
}

SaliencyTarget parseTarget(const QString& text) {
    SaliencyTarget target;
    if (text == QLatin1String("predicted")) return target;
    bool ok = false, ok2 = true;
    const QStringList parts = text.split(QLatin1Char('-'));
    const qint64 first = parts[0].toLongLong(&ok);
    const qint64 second = parts.size() == 2 ? parts[1].toLongLong(&ok2) : -1;
    if (!ok || !ok2 || parts.size() > 2 || first < 0 || (parts.size() == 2 && second < 0))
        throw usage(QStringLiteral("--target must be 'predicted', a class index or a contrast "
                                   "A-B of two class indices, not '%1'")
                        .arg(text));
    target.kind = parts.size() == 2 ? SaliencyTarget::Kind::Contrast : SaliencyTarget::Kind::Class;
    target.classIndex = first;
    target.otherClass = second;
    return target;
}

std::vector<double> parseNumbers(const QString& list, const char* what) {
    std::vector<double> values;
    for (const QString& v : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        values.push_back(v.toDouble(&ok));
        if (!ok) throw usage(QStringLiteral("%1: '%2' is not a number").arg(what, v));
    }
    return values;
}

// "imagenet", or "MEAN/STD" with comma-separated values per channel.
void parseNormalize(const QString& text, SaliencyRecipe& recipe) {
    if (text == QLatin1String("imagenet")) {
        recipe.mean = {0.485, 0.456, 0.406};
        recipe.std = {0.229, 0.224, 0.225};
        return;
    }
    const QStringList parts = text.split(QLatin1Char('/'));
    if (parts.size() != 2)
        throw usage(QStringLiteral("--normalize must be 'imagenet' or MEAN/STD (e.g. "
                                   "0.485,0.456,0.406/0.229,0.224,0.225), not '%1'")
                        .arg(text));
    recipe.mean = parseNumbers(parts[0], "--normalize");
    recipe.std = parseNumbers(parts[1], "--normalize");
}

int positiveInt(const QCommandLineParser& p, const char* name) {
    bool ok = false;
    const int v = p.value(QString::fromLatin1(name)).toInt(&ok);
    if (!ok || v < 1) throw usage(QStringLiteral("--%1 must be a positive integer").arg(name));
    return v;
}

double numberIn(const QCommandLineParser& p, const char* name, double low, double high) {
    bool ok = false;
    const double v = p.value(QString::fromLatin1(name)).toDouble(&ok);
    if (!ok || !(v > low) || v > high)
        throw usage(
            QStringLiteral("--%1 must be a number in (%2, %3]").arg(name).arg(low).arg(high));
    return v;
}

void readParameters(const QCommandLineParser& p, SaliencyOptions& o) {
    o.samples = positiveInt(p, "samples");
    o.noiseFraction = numberIn(p, "noise", 0.0, 10.0);
    o.steps = positiveInt(p, "steps");
    const QString quadrature = p.value(QStringLiteral("quadrature"));
    if (quadrature == QLatin1String("riemann"))
        o.quadrature = IgQuadrature::Riemann;
    else if (quadrature == QLatin1String("gauss-legendre"))
        o.quadrature = IgQuadrature::GaussLegendre;
    else
        throw usage(QStringLiteral("--quadrature must be riemann or gauss-legendre"));
    const QString baseline = p.value(QStringLiteral("baseline"));
    if (baseline == QLatin1String("black"))
        o.baseline = IgBaseline::Black;
    else if (baseline == QLatin1String("blurred"))
        o.baseline = IgBaseline::Blurred;
    else
        throw usage(QStringLiteral("--baseline must be black or blurred"));
    o.occlusionWindow = positiveInt(p, "window");
    o.occlusionStride = positiveInt(p, "stride");
    o.riseMasks = positiveInt(p, "masks");
    o.riseCell = positiveInt(p, "cell");
    o.riseProbability = numberIn(p, "p", 0.0, 1.0);
    o.seed = p.value(QStringLiteral("seed")).toULongLong();
}

void readMetrics(const QString& list, SaliencyRecipe& recipe) {
    for (const QString& m : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (m == QLatin1String("deletion") || m == QLatin1String("insertion"))
            recipe.deletionInsertion = true;
        else if (m == QLatin1String("randomization"))
            recipe.randomization = true;
        else if (m == QLatin1String("sensitivity"))
            recipe.classSensitivity = true;
        else
            throw usage(QStringLiteral("unknown metric '%1' (known: deletion, insertion, "
                                       "randomization, sensitivity)")
                            .arg(m));
    }
}

// Image files, a folder of them, or a dataset file with --index.
void readImages(const QCommandLineParser& p, SaliencyRecipe& recipe, bool* folder) {
    const QString image = p.value(QStringLiteral("image"));
    *folder = QFileInfo(image).isDir();
    if (*folder) {
        recipe.imagePaths = imageFilesIn(image.toStdString());
    } else if (isImageFileName(image.toStdString())) {
        recipe.imagePaths = {image.toStdString()};
    } else {
        if (!p.isSet(QStringLiteral("index")))
            throw usage(QStringLiteral("'%1' is not an image file (.png, .jpg, .jpeg, .bmp) or a "
                                       "folder; for a dataset file, choose samples with --index")
                            .arg(image));
        recipe.datasetPath = image.toStdString();
        for (double i : parseNumbers(p.value(QStringLiteral("index")), "--index"))
            recipe.datasetIndices.push_back(std::int64_t(i));
        *folder = recipe.datasetIndices.size() > 1;
    }
    if (p.isSet(QStringLiteral("size"))) {
        const QStringList size = p.value(QStringLiteral("size")).split(QLatin1Char('x'));
        recipe.width = size.size() == 2 ? size[0].toInt() : 0;
        recipe.height = size.size() == 2 ? size[1].toInt() : 0;
        if (recipe.width < 1 || recipe.height < 1)
            throw usage(QStringLiteral("--size must look like 224x224"));
    }
    if (p.isSet(QStringLiteral("normalize")))
        parseNormalize(p.value(QStringLiteral("normalize")), recipe);
}

QString mapName(const SaliencyJob& job, const SaliencyResult& r) {
    QString name = QString::fromLatin1(saliencyMethodKey(r.map.method));
    if (!r.map.layer.empty()) name += QLatin1Char('_') + QString::fromStdString(r.map.layer);
    if (job.weightLabels().size() > 1)
        name += QLatin1Char('_') + QString::fromStdString(job.weightLabels()[r.weights]);
    return name;
}

// Raw maps: the given file for a single map, else one file per map named
// <stem>_<image>_<method>[_layer][_weights].<ext> beside it.
void writeRawMaps(const QString& raw, const SaliencyJob& job) {
    const QFileInfo info(raw);
    const bool single = job.results().size() == 1;
    for (const SaliencyResult& r : job.results()) {
        QString path = raw;
        if (!single) {
            QString image = QFileInfo(QString::fromStdString(job.images()[r.image].name))
                                .completeBaseName()
                                .replace(QLatin1Char(' '), QLatin1Char('_'))
                                .remove(QLatin1Char('#'));
            path = info.dir().filePath(
                QStringLiteral("%1_%2_%3.%4")
                    .arg(info.completeBaseName(), image, mapName(job, r), info.suffix()));
        }
        QString error;
        if (!widgets::exportSaliencyMap(path, r.map, &error))
            throw std::runtime_error(error.toStdString());
    }
}

// The figure of one image: a panel per map (caption, overlay, colorbar),
// methods (and layers) across, weights down.
void writeFigure(const QString& path, QSize size, const SaliencyJob& job, std::size_t image,
                 const widgets::OverlayOptions& options) {
    std::vector<const SaliencyResult*> maps;
    for (const SaliencyResult& r : job.results())
        if (r.image == image) maps.push_back(&r);
    const int rows = int(job.weightLabels().size());
    const int columns = std::max(1, int(maps.size()) / rows);
    const bool labelWeights = rows > 1;
    const auto paint = [&](QPainter& painter, const QRectF& rect) {
        painter.fillRect(rect, Qt::white);
        const double w = rect.width() / columns, h = rect.height() / rows;
        for (std::size_t k = 0; k < maps.size(); ++k) {
            const SaliencyResult& r = *maps[k];
            const QRectF cell(rect.left() + w * double(k % std::size_t(columns)),
                              rect.top() + h * double(r.weights), w, h);
            QString caption = widgets::saliencyCaption(r.map);
            if (labelWeights)
                caption +=
                    QStringLiteral(" · ") + QString::fromStdString(job.weightLabels()[r.weights]);
            widgets::paintSaliencyFigure(painter, cell.adjusted(4, 4, -4, -4),
                                         job.images()[image].input, r.map, options, caption);
        }
    };
    QString error;
    if (!widgets::exportFigure(path, size, paint, &error))
        throw std::runtime_error(error.toStdString());
}

// A figure per image: the --out file for one image, else <out>/<image>.<ext>
// (PNG unless --out names a file type).
void writeFigures(const QCommandLineParser& p, const SaliencyJob& job, bool folder) {
    const QString out = p.value(QStringLiteral("out"));
    const int rows = int(job.weightLabels().size());
    const int columns = std::max<int>(1, int(job.results().size() / job.images().size()) / rows);
    QSize size(columns * 420, rows * 380);
    if (p.isSet(QStringLiteral("figure-size"))) {
        const QStringList parts = p.value(QStringLiteral("figure-size")).split(QLatin1Char('x'));
        size = parts.size() == 2 ? QSize(parts[0].toInt(), parts[1].toInt()) : QSize();
        if (size.width() < 100 || size.height() < 100)
            throw std::runtime_error("--figure-size must look like 840x380");
    }
    widgets::OverlayOptions options;
    options.image.mean = job.recipe().mean;
    options.image.std = job.recipe().std;
    for (std::size_t i = 0; i < job.images().size(); ++i) {
        QString path = out;
        if (folder) {
            const QString name = QFileInfo(QString::fromStdString(job.images()[i].name))
                                     .completeBaseName()
                                     .replace(QLatin1Char(' '), QLatin1Char('_'))
                                     .remove(QLatin1Char('#'));
            path = QDir(out).filePath(name + QStringLiteral(".png"));
        }
        writeFigure(path, size, job, i, options);
    }
}

QString className(std::int64_t c) {
    return QString::number(c);
}

double probabilityOf(const std::vector<ClassScore>& top, std::int64_t c) {
    for (const ClassScore& s : top)
        if (s.index == c) return s.probability;
    return -1;
}

void printMetrics(const SaliencyResult& r) {
    if (r.deletionInsertion)
        std::printf(
            "    deletion AUC %.4f (lower is better), insertion AUC %.4f (higher is better)\n",
            r.deletionInsertion->deletion.auc, r.deletionInsertion->insertion.auc);
    if (r.classSensitivity)
        std::printf(
            "    class sensitivity: maps of class %lld and class %lld: Spearman %.3f, "
            "SSIM %.3f (lower is more class-sensitive)\n",
            static_cast<long long>(r.classSensitivity->mostLikely),
            static_cast<long long>(r.classSensitivity->leastLikely),
            r.classSensitivity->similarity.spearman, r.classSensitivity->similarity.ssim);
    if (r.randomization) {
        std::printf(
            "    randomization (Spearman of |map| with the original, cascading | "
            "independent):\n");
        const auto& c = r.randomization->cascading;
        const auto& i = r.randomization->independent;
        for (std::size_t k = 1; k < c.size() && k < i.size(); ++k)
            std::printf("      %-24s %7.3f | %7.3f\n", c[k].layer.c_str(),
                        c[k].similarity.spearmanAbs, i[k].similarity.spearmanAbs);
    }
}

QJsonObject metricsJson(const SaliencyResult& r) {
    QJsonObject m;
    if (r.deletionInsertion) {
        m["deletion_auc"] = r.deletionInsertion->deletion.auc;
        m["insertion_auc"] = r.deletionInsertion->insertion.auc;
    }
    if (r.classSensitivity)
        m["class_sensitivity"] =
            QJsonObject{{"most_likely", double(r.classSensitivity->mostLikely)},
                        {"least_likely", double(r.classSensitivity->leastLikely)},
                        {"spearman", r.classSensitivity->similarity.spearman},
                        {"spearman_abs", r.classSensitivity->similarity.spearmanAbs},
                        {"ssim", r.classSensitivity->similarity.ssim}};
    if (r.randomization) {
        for (RandomizationMode mode :
             {RandomizationMode::Cascading, RandomizationMode::Independent}) {
            QJsonArray steps;
            for (const RandomizationStep& step : r.randomization->steps(mode))
                steps.append(QJsonObject{{"layer", QString::fromStdString(step.layer)},
                                         {"spearman", step.similarity.spearman},
                                         {"spearman_abs", step.similarity.spearmanAbs},
                                         {"ssim", step.similarity.ssim}});
            m[QStringLiteral("randomization_") + QString::fromLatin1(randomizationModeName(mode))] =
                steps;
        }
    }
    return m;
}

void printSummary(const SaliencyJob& job) {
    for (std::size_t i = 0; i < job.images().size(); ++i) {
        const SaliencyImage& image = job.images()[i];
        for (std::size_t w = 0; w < job.weightLabels().size(); ++w) {
            const ClassScore& top = job.predictions()[i][w].front();
            std::printf("%s at %s: predicted class %lld (p %.3f)%s\n", image.name.c_str(),
                        job.weightLabels()[w].c_str(), static_cast<long long>(top.index),
                        top.probability,
                        image.label >= 0 ? (", label " + std::to_string(image.label)).c_str() : "");
        }
    }
    for (const SaliencyResult& r : job.results()) {
        const SaliencyMap& m = r.map;
        QString what = QStringLiteral("class %1").arg(className(m.targetClass));
        if (m.otherClass >= 0) what += QStringLiteral(" − class %1").arg(className(m.otherClass));
        const double p = probabilityOf(job.predictions()[r.image][r.weights], m.targetClass);
        if (p >= 0 && m.otherClass < 0) what += QStringLiteral(" (p %1)").arg(p, 0, 'f', 3);
        std::printf("  %-22s %-10s %s  score %.4g  %.1f ms\n", saliencyMethodTitle(m.method),
                    m.layer.c_str(), what.toUtf8().constData(), m.targetScore, r.seconds * 1e3);
        printMetrics(r);
    }
}

QJsonDocument jsonSummary(const SaliencyJob& job) {
    QJsonArray images;
    for (std::size_t i = 0; i < job.images().size(); ++i) {
        QJsonArray predictions;
        for (std::size_t w = 0; w < job.weightLabels().size(); ++w) {
            QJsonArray top;
            for (const ClassScore& s : job.predictions()[i][w])
                top.append(QJsonObject{{"class", double(s.index)},
                                       {"logit", s.logit},
                                       {"probability", s.probability}});
            predictions.append(QJsonObject{
                {"weights", QString::fromStdString(job.weightLabels()[w])}, {"top", top}});
        }
        QJsonObject image{{"name", QString::fromStdString(job.images()[i].name)},
                          {"predictions", predictions}};
        if (job.images()[i].label >= 0) image["label"] = double(job.images()[i].label);
        images.append(image);
    }
    QJsonArray maps;
    for (const SaliencyResult& r : job.results()) {
        QJsonObject m{{"image", double(r.image)},
                      {"weights", QString::fromStdString(job.weightLabels()[r.weights])},
                      {"method", QString::fromLatin1(saliencyMethodKey(r.map.method))},
                      {"class", double(r.map.targetClass)},
                      {"score", r.map.targetScore},
                      {"signed", r.map.isSigned},
                      {"height", double(r.map.height)},
                      {"width", double(r.map.width)},
                      {"ms", r.seconds * 1e3}};
        if (!r.map.layer.empty()) m["layer"] = QString::fromStdString(r.map.layer);
        if (r.map.otherClass >= 0) m["other_class"] = double(r.map.otherClass);
        const QJsonObject metrics = metricsJson(r);
        if (!metrics.isEmpty()) m["metrics"] = metrics;
        maps.append(m);
    }
    return QJsonDocument(QJsonObject{{"images", images}, {"maps", maps}});
}

int runSaliency(const QCommandLineParser& p) {
    for (const char* required : {"model", "image", "method"}) {
        if (!p.isSet(QString::fromLatin1(required))) {
            std::fprintf(stderr,
                         "basin saliency: --model, --image and --method are required "
                         "(see --help)\n");
            return 2;
        }
    }
    SaliencyRecipe recipe;
    bool folder = false;
    try {
        recipe.modelPath = p.value(QStringLiteral("model")).toStdString();
        for (const QString& c : p.values(QStringLiteral("ckpt"))) {
            SaliencyWeights w;
            w.checkpointPath = c.toStdString();
            recipe.weights.push_back(w);
        }
        recipe.methods =
            parseSaliencyMethods(p.value(QStringLiteral("method")), QStringLiteral("--method"));
        for (const QString& l :
             p.value(QStringLiteral("layer")).split(QLatin1Char(','), Qt::SkipEmptyParts))
            recipe.layers.push_back(l.trimmed().toStdString());
        recipe.options.target = parseTarget(p.value(QStringLiteral("target")));
        readParameters(p, recipe.options);
        readImages(p, recipe, &folder);
        readMetrics(p.value(QStringLiteral("metrics")), recipe);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "basin saliency: %s\n", e.what());
        return 2;
    }
    if (folder && p.isSet(QStringLiteral("out"))) QDir().mkpath(p.value(QStringLiteral("out")));

    SaliencyJob job(recipe);
    const JobStatus status = runJobInTerminal(job);
    if (status.state != JobState::Succeeded) return 1;

    if (p.isSet(QStringLiteral("out"))) writeFigures(p, job, folder);
    if (p.isSet(QStringLiteral("raw"))) writeRawMaps(p.value(QStringLiteral("raw")), job);
    if (p.isSet(QStringLiteral("json"))) {
        std::printf("%s", jsonSummary(job).toJson().constData());
    } else {
        printSummary(job);
    }
    return 0;
}

}  // namespace

Subcommand saliencySubcommand() {
    Subcommand s;
    s.name = QStringLiteral("saliency");
    s.summary = QStringLiteral("Saliency maps of a prediction: gradients, IG, Grad-CAM family, …");
    s.kind = Subcommand::Kind::Raster;
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Which pixels a model's prediction rests on: saliency maps of an image (a PNG/JPG "
            "file, a folder of them, or samples of a dataset file with --index) at the model's "
            "own weights or at checkpoints, by gradient, gradient × input, SmoothGrad, "
            "SmoothGrad², Integrated Gradients, occlusion, RISE, Grad-CAM, Grad-CAM++, Smooth "
            "Grad-CAM++ and NormGrad. Prints the class explained, its score and the time per "
            "map; --out draws the image with its maps (PNG, SVG or PDF; a folder of images gives "
            "one figure per image in the folder --out names), --raw writes each map (.npy or "
            ".csv)."));
        addOption(p, "model", "TorchScript model.", "MODEL");
        addOption(p, "ckpt", "Weights (repeat to compare checkpoints; default: the model's own).",
                  "CKPT");
        addOption(p, "image", "Image file, folder of images, or dataset file (with --index).",
                  "IMAGE");
        addOption(p, "index", "Dataset samples to explain (comma-separated).", "I");
        addOption(p, "method",
                  "Methods, comma-separated: gradient, gradxinput, smoothgrad, smoothgrad2, ig, "
                  "occlusion, rise, gradcam, gradcampp, smoothgradcampp, normgrad, "
                  "normgrad-selective, normgrad-multi.",
                  "METHODS");
        addOption(p, "layer",
                  "Layer(s) for the Grad-CAM family and NormGrad (comma-separated; default: the "
                  "last layer with a spatial output).",
                  "LAYER");
        addOption(p, "target", "Class explained: predicted, a class index, or A-B (contrast).",
                  "TARGET", "predicted");
        addOption(p, "samples", "SmoothGrad samples.", "N", "50");
        addOption(p, "noise", "SmoothGrad noise σ as a fraction of the input range.", "F", "0.15");
        addOption(p, "steps", "Integrated Gradients steps.", "N", "50");
        addOption(p, "quadrature", "Integrated Gradients rule: riemann or gauss-legendre.", "RULE",
                  "gauss-legendre");
        addOption(p, "baseline", "Integrated Gradients baseline: black or blurred.", "B", "black");
        addOption(p, "window", "Occlusion window (pixels).", "N", "8");
        addOption(p, "stride", "Occlusion stride (pixels).", "N", "4");
        addOption(p, "masks", "RISE masks.", "N", "2000");
        addOption(p, "cell", "RISE mask grid (cells a side).", "N", "7");
        addOption(p, "p", "RISE probability of keeping a cell.", "P", "0.5");
        addOption(p, "seed", "Seed of the noise and masks.", "N", "0");
        addOption(p, "size", "Resize image files to this size (default: as they are).", "WxH");
        addOption(p, "normalize",
                  "Normalize image files per channel: imagenet, or MEAN/STD (e.g. "
                  "0.485,0.456,0.406/0.229,0.224,0.225).",
                  "MEAN/STD");
        addOption(p, "out", "Figure (PNG, SVG or PDF); a folder for several images.", "FILE");
        addOption(p, "figure-size", "Figure size in pixels (PNG at 2x; default 420x380 a map).",
                  "WxH");
        addOption(p, "raw", "Raw maps (.npy or .csv); several maps get suffixed names.", "FILE");
        addOption(p, "metrics",
                  "Also evaluate each map: deletion, insertion (curves' AUC), randomization "
                  "(Adebayo et al.'s sanity check), sensitivity (NormGrad's class sensitivity); "
                  "comma-separated.",
                  "METRICS");
        addOption(p, "json", "Print JSON instead of the summary.");
    };
    s.run = &runSaliency;
    return s;
}

}  // namespace basin::app
