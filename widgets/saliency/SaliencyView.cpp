#include "saliency/SaliencyView.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>

#include "saliency/SaliencyExport.h"
#include "saliency/SaliencyMethod.h"

namespace basin::widgets {

// Paints the figure of the view (caption, overlay, colorbar) and reports
// the mouse; remembers where the image went for the hover mapping.
class SaliencyCanvas : public QWidget {
public:
    explicit SaliencyCanvas(const SaliencyView* view, QWidget* parent)
        : QWidget(parent), view_(view) {
        setMouseTracking(true);
        setMinimumSize(240, 180);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }
    QRectF imageRect() const { return imageRect_; }
    std::function<void(const QPoint&)> onHover;
    std::function<void()> onLeave;
    QString problem;  // why nothing could be drawn (a bad image shape)

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        painter.fillRect(rect(), Qt::white);
        imageRect_ = {};
        const SaliencyMap& map = view_->map();
        if (map.values.empty()) {
            painter.drawText(rect(), Qt::AlignCenter, tr("No saliency map computed yet."));
            return;
        }
        try {
            imageRect_ = paintSaliencyFigure(painter, QRectF(rect()), view_->image(), map,
                                             view_->options(), view_->caption());
            problem.clear();
        } catch (const std::exception& e) {
            problem = QString::fromUtf8(e.what());
            painter.fillRect(rect(), Qt::white);
            painter.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
                             problem);
        }
    }
    void mouseMoveEvent(QMouseEvent* event) override {
        if (onHover) onHover(event->position().toPoint());
    }
    void leaveEvent(QEvent*) override {
        if (onLeave) onLeave();
    }

private:
    const SaliencyView* view_;
    QRectF imageRect_;
};

namespace {

QString classLabel(const SaliencyClassChoice& c) {
    const QString name = c.name.isEmpty() ? QObject::tr("class %1").arg(c.index)
                                          : QStringLiteral("%1 (%2)").arg(c.name).arg(c.index);
    return QStringLiteral("%1 — %2%").arg(name).arg(100.0 * c.probability, 0, 'f', 1);
}

}  // namespace

SaliencyView::SaliencyView(QWidget* parent) : QWidget(parent) {
    canvas_ = new SaliencyCanvas(this, this);
    canvas_->setObjectName(QStringLiteral("saliencyCanvas"));
    canvas_->onHover = [this](const QPoint& p) { showHover(p); };
    canvas_->onLeave = [this] { readout_->clear(); };

    classChoice_ = new QComboBox(this);
    classChoice_->setObjectName(QStringLiteral("saliencyClass"));
    classChoice_->setToolTip(tr("The class explained (the model's top predictions)"));
    classChoice_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(classChoice_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0 && std::size_t(i) < choices_.size()) Q_EMIT classChosen(int(choices_[i].index));
    });

    methodChoice_ = new QComboBox(this);
    methodChoice_->setObjectName(QStringLiteral("saliencyMethod"));
    for (SaliencyMethod m : allSaliencyMethods())
        methodChoice_->addItem(QString::fromUtf8(saliencyMethodTitle(m)), int(m));
    connect(methodChoice_, &QComboBox::activated, this, [this](int i) {
        Q_EMIT methodChosen(SaliencyMethod(methodChoice_->itemData(i).toInt()));
    });

    signChoice_ = new QComboBox(this);
    signChoice_->setObjectName(QStringLiteral("saliencySign"));
    signChoice_->setToolTip(tr("Which values of the map are shown"));
    for (SaliencySign s : {SaliencySign::All, SaliencySign::Positive, SaliencySign::Negative,
                           SaliencySign::Absolute})
        signChoice_->addItem(QString::fromLatin1(saliencySignKey(s)), int(s));

    colormapChoice_ = new QComboBox(this);
    colormapChoice_->setObjectName(QStringLiteral("saliencyColormap"));
    colormapChoice_->addItem(tr("auto"), -1);
    for (Colormap c : allColormaps())
        colormapChoice_->addItem(colormapName(c), int(c));

    alphaSlider_ = new QSlider(Qt::Horizontal, this);
    alphaSlider_->setObjectName(QStringLiteral("saliencyAlpha"));
    alphaSlider_->setRange(0, 100);
    alphaSlider_->setMinimumWidth(70);
    alphaSlider_->setMaximumWidth(120);
    alphaSlider_->setToolTip(tr("Opacity of the map"));

    const auto checkable = [this](const QString& text, const char* name) {
        auto* action = new QAction(text, this);
        action->setObjectName(QString::fromLatin1(name));
        action->setCheckable(true);
        canvas_->addAction(action);
        return action;
    };
    nearest_ = checkable(tr("Nearest upsampling (the layer's cells)"), "saliencyNearest");
    colourImage_ = checkable(tr("Image in colour"), "saliencyColourImage");
    fade_ = checkable(tr("Fade low saliency"), "saliencyFade");
    auto* separator = new QAction(this);
    separator->setSeparator(true);
    canvas_->addAction(separator);
    auto* clipGroup = new QActionGroup(this);
    for (double p : {99.0, 99.5, 100.0}) {
        QAction* action = checkable(p < 100 ? tr("Clip outliers above the %1th percentile").arg(p)
                                            : tr("No outlier clipping"),
                                    p == 99.0   ? "saliencyClip99"
                                    : p == 99.5 ? "saliencyClip995"
                                                : "saliencyClipNone");
        clipGroup->addAction(action);
        clipActions_.emplace_back(action, p);
    }
    canvas_->setContextMenuPolicy(Qt::ActionsContextMenu);

    readout_ = new QLabel(this);
    readout_->setObjectName(QStringLiteral("saliencyReadout"));
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* exportFigureButton = new QPushButton(tr("Export figure…"), this);
    exportFigureButton->setObjectName(QStringLiteral("exportFigure"));
    connect(exportFigureButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export saliency figure"), QStringLiteral("saliency.png"),
            tr("PNG image (*.png);;SVG (*.svg);;PDF (*.pdf)"));
        QString error;
        if (!path.isEmpty() && !exportFigure(path, QSize(800, 640), &error))
            readout_->setText(error);
    });
    auto* exportMapButton = new QPushButton(tr("Export map…"), this);
    exportMapButton->setObjectName(QStringLiteral("exportMap"));
    exportMapButton->setToolTip(tr("The raw map as NumPy .npy (float32 [H, W]) or CSV"));
    connect(exportMapButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export saliency map"),
                                                          QStringLiteral("saliency.npy"),
                                                          tr("NumPy array (*.npy);;CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportMap(path, &error)) readout_->setText(error);
    });

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Class"), this));
    controls->addWidget(classChoice_);
    controls->addWidget(methodChoice_);
    controls->addWidget(signChoice_);
    controls->addWidget(colormapChoice_);
    controls->addWidget(new QLabel(tr("Opacity"), this));
    controls->addWidget(alphaSlider_);
    controls->addStretch(1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(readout_, 1);
    bottom->addWidget(exportFigureButton);
    bottom->addWidget(exportMapButton);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(canvas_, 1);
    layout->addLayout(bottom);

    syncControls();
    for (QComboBox* box : {signChoice_, colormapChoice_})
        connect(box, &QComboBox::currentIndexChanged, this, [this] { optionsEdited(); });
    connect(alphaSlider_, &QSlider::valueChanged, this, [this] { optionsEdited(); });
    for (QAction* action : canvas_->actions())
        connect(action, &QAction::toggled, this, [this] { optionsEdited(); });
}

void SaliencyView::setImage(const TensorData& image) {
    image_ = image;
    canvas_->update();
}

void SaliencyView::setMap(const SaliencyMap& map) {
    map_ = map;
    const int i = methodChoice_->findData(int(map.method));
    if (i >= 0) methodChoice_->setCurrentIndex(i);
    readout_->clear();
    canvas_->update();
}

void SaliencyView::setClassChoices(const std::vector<SaliencyClassChoice>& choices,
                                   std::int64_t current) {
    const QSignalBlocker block(classChoice_);
    choices_ = choices;
    classChoice_->clear();
    for (const SaliencyClassChoice& c : choices)
        classChoice_->addItem(classLabel(c));
    for (std::size_t i = 0; i < choices.size(); ++i)
        if (choices[i].index == current) classChoice_->setCurrentIndex(int(i));
}

std::int64_t SaliencyView::currentClass() const {
    const int i = classChoice_->currentIndex();
    return i >= 0 && std::size_t(i) < choices_.size() ? choices_[std::size_t(i)].index : -1;
}

QString SaliencyView::caption() const {
    QString name;
    for (const SaliencyClassChoice& c : choices_)
        if (c.index == map_.targetClass) name = c.name;
    return saliencyCaption(map_, name);
}

void SaliencyView::setOptions(const OverlayOptions& options) {
    options_ = options;
    syncControls();
    canvas_->update();
    Q_EMIT settingsChanged();
}

void SaliencyView::syncControls() {
    // Not signal blockers: the clip actions' group follows their signals.
    syncing_ = true;
    signChoice_->setCurrentIndex(signChoice_->findData(int(options_.sign)));
    colormapChoice_->setCurrentIndex(
        colormapChoice_->findData(options_.colormap ? int(*options_.colormap) : -1));
    alphaSlider_->setValue(int(std::lround(options_.alpha * 100)));
    nearest_->setChecked(options_.upsampling == SaliencyUpsampling::Nearest);
    colourImage_->setChecked(!options_.image.greyscale);
    fade_->setChecked(options_.fadeLowSaliency);
    for (auto& [action, p] : clipActions_)
        if (std::abs(options_.clipPercentile - p) < 1e-9) action->setChecked(true);
    syncing_ = false;
}

void SaliencyView::optionsEdited() {
    if (syncing_) return;
    options_.sign = SaliencySign(signChoice_->currentData().toInt());
    const int colormap = colormapChoice_->currentData().toInt();
    options_.colormap = colormap < 0 ? std::nullopt : std::optional<Colormap>(Colormap(colormap));
    options_.alpha = alphaSlider_->value() / 100.0;
    options_.upsampling =
        nearest_->isChecked() ? SaliencyUpsampling::Nearest : SaliencyUpsampling::Bilinear;
    options_.image.greyscale = !colourImage_->isChecked();
    options_.fadeLowSaliency = fade_->isChecked();
    for (const auto& [action, p] : clipActions_)
        if (action->isChecked()) options_.clipPercentile = p;
    canvas_->update();
    Q_EMIT settingsChanged();
}

QVariantMap SaliencyView::settings() const {
    QVariantMap s;
    s[QStringLiteral("colormap")] = options_.colormap
                                        ? QString::fromLatin1(colormapName(*options_.colormap))
                                        : QStringLiteral("auto");
    s[QStringLiteral("sign")] = QString::fromLatin1(saliencySignKey(options_.sign));
    s[QStringLiteral("alpha")] = options_.alpha;
    s[QStringLiteral("clipPercentile")] = options_.clipPercentile;
    s[QStringLiteral("upsampling")] =
        QString::fromLatin1(saliencyUpsamplingKey(options_.upsampling));
    s[QStringLiteral("greyscale")] = options_.image.greyscale;
    s[QStringLiteral("fade")] = options_.fadeLowSaliency;
    return s;
}

void SaliencyView::restoreSettings(const QVariantMap& s) {
    OverlayOptions o = options_;
    const QString colormap = s.value(QStringLiteral("colormap")).toString();
    if (colormap == QLatin1String("auto")) o.colormap.reset();
    for (Colormap c : allColormaps())
        if (colormap == QLatin1String(colormapName(c))) o.colormap = c;
    if (auto sign = parseSaliencySign(s.value(QStringLiteral("sign")).toString())) o.sign = *sign;
    if (auto up = parseSaliencyUpsampling(s.value(QStringLiteral("upsampling")).toString()))
        o.upsampling = *up;
    bool ok = false;
    if (double a = s.value(QStringLiteral("alpha")).toDouble(&ok); ok)
        o.alpha = std::clamp(a, 0.0, 1.0);
    if (double p = s.value(QStringLiteral("clipPercentile")).toDouble(&ok); ok && p > 0 && p <= 100)
        o.clipPercentile = p;
    if (s.contains(QStringLiteral("greyscale")))
        o.image.greyscale = s.value(QStringLiteral("greyscale")).toBool();
    if (s.contains(QStringLiteral("fade")))
        o.fadeLowSaliency = s.value(QStringLiteral("fade")).toBool();
    setOptions(o);
}

std::optional<QPoint> SaliencyView::pixelAt(const QPoint& viewPos) const {
    const QRectF r = canvas_->imageRect();
    if (r.isEmpty() || map_.width <= 0 || map_.height <= 0) return std::nullopt;
    const QPointF p = canvas_->mapFrom(this, viewPos);
    if (!r.contains(p)) return std::nullopt;
    const int x = std::clamp(int((p.x() - r.left()) / r.width() * double(map_.width)), 0,
                             int(map_.width) - 1);
    const int y = std::clamp(int((p.y() - r.top()) / r.height() * double(map_.height)), 0,
                             int(map_.height) - 1);
    return QPoint(x, y);
}

QPoint SaliencyView::viewPosOfPixel(int x, int y) const {
    const QRectF r = canvas_->imageRect();
    const QPointF p(
        r.left() + (x + 0.5) * r.width() / double(std::max<std::int64_t>(map_.width, 1)),
        r.top() + (y + 0.5) * r.height() / double(std::max<std::int64_t>(map_.height, 1)));
    return canvas_->mapTo(this, p.toPoint());
}

QString SaliencyView::readout() const {
    return readout_->text();
}

void SaliencyView::showHover(const QPoint& canvasPos) {
    const std::optional<QPoint> pixel = pixelAt(canvas_->mapTo(this, canvasPos));
    if (!pixel) {
        readout_->clear();
        return;
    }
    const double value = map_.at(pixel->y(), pixel->x());
    readout_->setText(QStringLiteral("%1, %2: %3")
                          .arg(pixel->x())
                          .arg(pixel->y())
                          .arg(formatSaliencyValue(value)));
    Q_EMIT hovered(pixel->x(), pixel->y(), value);
}

bool SaliencyView::exportFigure(const QString& path, QSize size, QString* error, double dpi) const {
    if (map_.values.empty()) {
        if (error) *error = tr("Cannot write the figure %1: no saliency map is shown.").arg(path);
        return false;
    }
    const QString caption = this->caption();
    return widgets::exportFigure(
        path, size,
        [&](QPainter& painter, const QRectF& rect) {
            paintSaliencyFigure(painter, rect, image_, map_, options_, caption);
        },
        error, dpi);
}

bool SaliencyView::exportMap(const QString& path, QString* error) const {
    return exportSaliencyMap(path, map_, error);
}

}  // namespace basin::widgets
