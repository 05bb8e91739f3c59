#pragma once
// The avatar view's Export frames…: what the frame sequence shows — a
// turntable (the camera turns once around the target), the animation (the
// walk cycle or SMPL-X motion playing in front of a still camera) or both (one
// turn while it plays) —, how many frames, their size and the folder they are
// written into as frame_0000.png, …. OK is refused, with the reason shown,
// until the size parses and a folder is given.

#include <QDialog>
#include <QSize>
#include <QString>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace basin::app {

enum class FramesKind { Turntable, Animation, Both };

class SplatFramesDialog : public QDialog {
    Q_OBJECT
public:
    // `animated`: the view has a walk or motion to play (else only the
    // turntable is offered); `animationFrames`: the frames one period of it
    // takes (the motion's frames, the walk at 30 fps).
    SplatFramesDialog(bool animated, int animationFrames, QWidget* parent = nullptr);

    FramesKind kind() const;
    int frameCount() const;
    QSize frameSize() const;  // invalid when the field does not parse
    QString folder() const;

    void accept() override;

private:
    QComboBox* kind_ = nullptr;
    QSpinBox* count_ = nullptr;
    QLineEdit* size_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QLabel* problem_ = nullptr;
    int animationFrames_ = 0;
};

// The largest side of an exported image or frame, in pixels.
constexpr int kMaxPixelSide = 16384;
// Both sides from 1 to kMaxPixelSide.
bool isPixelSize(QSize size);
// "1920x1080" → QSize(1920, 1080); invalid unless isPixelSize.
QSize parsePixelSize(const QString& text);

}  // namespace basin::app
