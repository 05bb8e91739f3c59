#pragma once
// One image with its saliency map (SaliencyOverlay.h): the overlay scaled to
// the widget keeping the image's aspect, its colorbar to the right, and
// above them a toolbar with the class picker (the model's top-k predictions,
// as the caller lists them), the method, the sign mode, the colormap and the
// opacity, and the "Export figure…" (PNG/SVG/PDF) and "Export map…"
// (.npy/.csv) buttons. Hovering reads "x, y: value" out below the image. The
// image's context menu sets the upsampling, the image in colour or grey,
// low-saliency fading and the outlier clipping.
//
// The view computes nothing: the app listens to classChosen/methodChosen,
// recomputes the map (core/saliency, in a job) and calls setMap. Display
// settings are reported by settings()/settingsChanged() as a QVariantMap
// (keys: colormap, sign, alpha, clipPercentile, upsampling, greyscale, fade)
// for the session or QSettings, and restored by restoreSettings().

#include <QSize>
#include <QString>
#include <QVariantMap>
#include <QWidget>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "io/TensorData.h"
#include "saliency/SaliencyMap.h"
#include "saliency/SaliencyOverlay.h"

class QAction;
class QComboBox;
class QLabel;
class QSlider;

namespace basin::widgets {

// One entry of the class picker.
struct SaliencyClassChoice {
    std::int64_t index = 0;
    QString name;  // may be empty: the picker then shows "class 3"
    double probability = 0.0;
};

class SaliencyCanvas;

class SaliencyView : public QWidget {
    Q_OBJECT
public:
    explicit SaliencyView(QWidget* parent = nullptr);

    // The image as the model takes it ([C, H, W], C = 1 or 3).
    void setImage(const TensorData& image);
    const TensorData& image() const { return image_; }
    void setMap(const SaliencyMap& map);
    const SaliencyMap& map() const { return map_; }
    // Fills the picker, selecting `current` (a class index) when listed;
    // does not emit classChosen.
    void setClassChoices(const std::vector<SaliencyClassChoice>& choices,
                         std::int64_t current = -1);
    std::int64_t currentClass() const;

    void setOptions(const OverlayOptions& options);
    const OverlayOptions& options() const { return options_; }
    QVariantMap settings() const;
    void restoreSettings(const QVariantMap& settings);

    // The image pixel under a point of the view (nullopt outside the image),
    // and the point of the view at the centre of an image pixel.
    std::optional<QPoint> pixelAt(const QPoint& viewPos) const;
    QPoint viewPosOfPixel(int x, int y) const;
    // "x, y: value" of the last hover (empty when outside the image).
    QString readout() const;

    // A figure of the view (caption, overlay, colorbar); see SaliencyExport.h.
    bool exportFigure(const QString& path, QSize size, QString* error = nullptr,
                      double dpi = 192) const;
    bool exportMap(const QString& path, QString* error = nullptr) const;
    QString caption() const;

Q_SIGNALS:
    void classChosen(int classIndex);
    void methodChosen(basin::SaliencyMethod method);
    void settingsChanged();
    // The image pixel hovered and the map's value there.
    void hovered(int x, int y, double value);

private:
    void showHover(const QPoint& canvasPos);
    void syncControls();
    void optionsEdited();

    TensorData image_;
    SaliencyMap map_;
    OverlayOptions options_;
    std::vector<SaliencyClassChoice> choices_;
    SaliencyCanvas* canvas_;
    QComboBox* classChoice_;
    QComboBox* methodChoice_;
    QComboBox* signChoice_;
    QComboBox* colormapChoice_;
    QSlider* alphaSlider_;
    // The canvas's context menu: nearest upsampling, the image in colour,
    // fading, and the clipping percentile (99, 99.5, none).
    QAction* nearest_;
    QAction* colourImage_;
    QAction* fade_;
    std::vector<std::pair<QAction*, double>> clipActions_;
    bool syncing_ = false;  // controls being set from options_
    QLabel* readout_;
};

}  // namespace basin::widgets
