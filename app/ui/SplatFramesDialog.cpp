#include "ui/SplatFramesDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/DialogRows.h"

namespace basin::app {
namespace {

constexpr int kTurntableFrames = 36;  // 10° a frame

}  // namespace

QSize parsePixelSize(const QString& text) {
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(\\d{1,5})\\s*[xX×]\\s*(\\d{1,5})\\s*$"));
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch()) return {};
    const QSize size(m.captured(1).toInt(), m.captured(2).toInt());
    return isPixelSize(size) ? size : QSize();
}

bool isPixelSize(QSize size) {
    return size.width() >= 1 && size.height() >= 1 && size.width() <= kMaxPixelSide &&
           size.height() <= kMaxPixelSide;
}

SplatFramesDialog::SplatFramesDialog(bool animated, int animationFrames, QWidget* parent)
    : QDialog(parent),
      kind_(new QComboBox),
      count_(new QSpinBox),
      size_(new QLineEdit(QStringLiteral("1280x720"))),
      folder_(new QLineEdit(QDir::home().filePath(QStringLiteral("basin-frames")))),
      problem_(problemLabel(QStringLiteral("framesProblem"))),
      animationFrames_(std::max(animationFrames, 1)) {
    setWindowTitle(tr("Export frames"));
    kind_->setObjectName(QStringLiteral("framesKind"));
    count_->setObjectName(QStringLiteral("framesCount"));
    size_->setObjectName(QStringLiteral("framesSize"));
    folder_->setObjectName(QStringLiteral("framesFolder"));
    kind_->addItem(tr("Turntable: the camera turns once around the target"),
                   int(FramesKind::Turntable));
    if (animated) {
        kind_->addItem(tr("Animation: one period of the walk or motion, the camera still"),
                       int(FramesKind::Animation));
        kind_->addItem(tr("Both: one turn while the animation plays"), int(FramesKind::Both));
    }
    count_->setRange(1, 3600);
    count_->setValue(kTurntableFrames);
    // The animation's own frame count is the natural default for it.
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        count_->setValue(kind() == FramesKind::Turntable ? kTurntableFrames : animationFrames_);
    });

    QHBoxLayout* folderRow = browseRow(folder_, [this](const QString& current) {
        return QFileDialog::getExistingDirectory(this, tr("Folder for the frames"), current);
    });
    auto* form = new QFormLayout;
    form->addRow(tr("Frames of:"), kind_);
    form->addRow(tr("Frames:"), count_);
    form->addRow(tr("Size (pixels):"), size_);
    form->addRow(tr("Folder:"), folderRow);
    auto* note = new QLabel(
        tr("Rendered by the CPU reference rasterizer in the jobs panel as frame_0000.png, …; "
           "the same export into the same folder resumes where a cancelled one stopped."));
    note->setWordWrap(true);
    QDialogButtonBox* buttons = okCancelButtons(this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(problem_);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

FramesKind SplatFramesDialog::kind() const {
    return FramesKind(kind_->currentData().toInt());
}

int SplatFramesDialog::frameCount() const {
    return count_->value();
}

QSize SplatFramesDialog::frameSize() const {
    return parsePixelSize(size_->text());
}

QString SplatFramesDialog::folder() const {
    return folder_->text().trimmed();
}

void SplatFramesDialog::accept() {
    QString problem;
    if (!frameSize().isValid())
        problem = tr("The size must be WIDTHxHEIGHT in pixels, each side 1 to 16384 (e.g. "
                     "1920x1080), not '%1'.")
                      .arg(size_->text());
    else if (folder().isEmpty())
        problem = tr("Choose a folder for the frames.");
    showProblem(problem_, problem);
    if (!problem.isEmpty()) return;
    QDialog::accept();
}

}  // namespace basin::app
