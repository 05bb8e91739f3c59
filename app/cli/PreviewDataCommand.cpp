// `basin preview-data`: the GUI's dataset view drawn offscreen — a page of
// image samples with counts per class, or a scatter of 2-D features or of
// their first two principal components — as PNG, SVG or PDF.

#include <QFileInfo>
#include <cstdio>

#include "cli/Subcommand.h"
#include "data/DatasetFiles.h"
#include "data/DatasetPreviewView.h"

namespace basin::app {
namespace {

// `text` as a class: its index, or a class name of the dataset; −1 if neither.
int classOf(const Dataset& dataset, const QString& text) {
    for (std::size_t c = 0; c < dataset.classNames.size(); ++c)
        if (text == QString::fromStdString(dataset.classNames[c])) return int(c);
    bool ok = false;
    const int c = text.toInt(&ok);
    return ok && c >= 0 && c < dataset.classCount() ? c : -1;
}

int runPreviewData(const QCommandLineParser& p) {
    const QStringList files = p.positionalArguments();
    if (files.size() != 1 || !p.isSet(QStringLiteral("out"))) {
        std::fprintf(stderr, "basin preview-data: give one DATA file and --out (see --help)\n");
        return 2;
    }
    const QStringList size = p.value(QStringLiteral("size")).split(QLatin1Char('x'));
    const int width = size.size() == 2 ? size[0].toInt() : 0;
    const int height = size.size() == 2 ? size[1].toInt() : 0;
    if (width < 100 || height < 100 || width > 10000 || height > 10000) {
        std::fprintf(stderr, "basin preview-data: --size must look like 1000x800 (100 to 10000)\n");
        return 2;
    }
    bool countOk = false, startOk = false;
    const int count = p.value(QStringLiteral("count")).toInt(&countOk);
    const int start = p.value(QStringLiteral("start")).toInt(&startOk);
    if (!countOk || !startOk || count < 1 || count > widgets::DatasetPreviewView::kPageSize ||
        start < 0) {
        std::fprintf(stderr, "basin preview-data: --count must be 1 to %d and --start at least 0\n",
                     widgets::DatasetPreviewView::kPageSize);
        return 2;
    }
    DatasetFileOptions options;
    options.inputsKey = p.value(QStringLiteral("inputs")).toStdString();
    options.targetsKey = p.value(QStringLiteral("targets")).toStdString();
    Dataset dataset = loadDatasetFile(files[0].toStdString(), options);
    int classFilter = -1;
    if (p.isSet(QStringLiteral("class"))) {
        const QString text = p.value(QStringLiteral("class"));
        classFilter = dataset.isClassification() ? classOf(dataset, text) : -1;
        if (classFilter < 0) {
            std::fprintf(stderr,
                         "basin preview-data: --class %s is not a class of %s (%lld classes: "
                         "0 to %lld or their names)\n",
                         qPrintable(text), qPrintable(files[0]),
                         static_cast<long long>(dataset.classCount()),
                         static_cast<long long>(dataset.classCount() - 1));
            return 2;
        }
    }
    widgets::DatasetPreviewView view;
    view.resize(width, height);
    view.setDataset(std::move(dataset), QFileInfo(files[0]).fileName());
    view.setClassFilter(classFilter);
    view.setWindow(start, count);
    QString error;
    if (!view.exportFigure(p.value(QStringLiteral("out")), width, height, 96, &error))
        throw std::runtime_error(error.toStdString());
    std::printf("%s\n", qPrintable(view.caption()));
    return 0;
}

}  // namespace

Subcommand previewDataSubcommand() {
    Subcommand s;
    s.name = QStringLiteral("preview-data");
    s.summary =
        QStringLiteral("a dataset's samples (image grid) or features (scatter) as a figure");
    s.kind = Subcommand::Kind::Raster;
    s.declare = [](QCommandLineParser& p) {
        p.setApplicationDescription(QStringLiteral(
            "Draws the GUI's dataset view: image datasets ([N, C, H, W] with C = 1 or 3, or "
            "[N, H, W]) as a grid of samples with their labels and the count per class; 2-D "
            "features as a scatter coloured by class; wider features as a scatter of their first "
            "two principal components. PNG (exactly WxH pixels), SVG or PDF by the extension of "
            "--out, with the drawn samples as CSV beside it."));
        p.addPositionalArgument(QStringLiteral("data"), QStringLiteral("Dataset (.npz/.npy/.pt)."),
                                QStringLiteral("DATA"));
        addOption(p, "out", "Figure to write (.png, .svg or .pdf).", "FILE");
        addOption(p, "size", "Figure size in pixels.", "WxH", "1000x800");
        addOption(p, "class", "Only samples of this class (index or name).", "K");
        addOption(p, "count", "Images in the grid (at most 64).", "N", "64");
        addOption(p, "start", "First sample shown (of the class, when --class is given).", "I",
                  "0");
        addOption(p, "inputs", "Array holding the inputs (default: x, inputs, data, X).", "KEY");
        addOption(p, "targets", "Array holding the labels.", "KEY");
    };
    s.run = &runPreviewData;
    return s;
}

}  // namespace basin::app
