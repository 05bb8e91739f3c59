#pragma once
// The BlockMNIST test in the GUI (saliency/BlockMnistJob.h): View › BlockMNIST
// saliency test opens a "blockmnist" view that trains the zoo CNN on
// BlockMNIST in the jobs panel (checkpoints in a cache folder named by the
// settings, so reopening resumes) and shows each method's share of
// attribution on the null block (widgets::NullBlockMassView). The result is
// kept in the view's settings, so a saved project shows it again without
// training.

#include <QJsonObject>
#include <QStringList>

#include "saliency/BlockMnistJob.h"
#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;
class Session;

// settings: methods (keys), epochs, trainPerClass, images, seed; result once
// computed (testAccuracy, images, methods: [{method, layer, nullMass}]).
ViewSpec blockMnistSpec(
    const QStringList& methods = {QStringLiteral("gradient"), QStringLiteral("gradxinput"),
                                  QStringLiteral("ig"), QStringLiteral("smoothgrad"),
                                  QStringLiteral("gradcam"), QStringLiteral("gradcampp"),
                                  QStringLiteral("normgrad")},
    int epochs = 3, int trainPerClass = 300, int images = 50);
// nullptr for other view types.
QWidget* createBlockMnistView(const ViewSpec& spec, Session* session);
void openBlockMnistTest(MainWindow* window);

// The result as the view keeps it, and back.
QJsonObject blockMnistResultJson(const BlockMnistResult& result);
BlockMnistResult blockMnistResultFromJson(const QJsonObject& json);

}  // namespace basin::app
