#include "cli/CheckpointAlignment.h"

#include <QFile>
#include <QJsonObject>

#include "connectivity/PathPlotView.h"
#include "model/StateDictFile.h"

namespace basin::app {
namespace {

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

std::optional<AlignmentMethod> alignmentMethodFromName(const QString& name) {
    if (name == QLatin1String("weights")) return AlignmentMethod::Weights;
    if (name == QLatin1String("activations")) return AlignmentMethod::Activations;
    return std::nullopt;
}

const char* alignmentMethodName(AlignmentMethod method) {
    return method == AlignmentMethod::Weights ? "weights" : "activations";
}

std::vector<NamedTensor> checkpointState(const QString& path, const QString& root) {
    const Checkpoint c = loadCheckpoint(path.toStdString());
    return root.isEmpty() ? c.stateDict() : c.stateDict(root.toStdString());
}

CheckpointAlignmentJob::CheckpointAlignmentJob(QString modelPath, QString a, QString b,
                                               AlignmentMethod method, QString outPath,
                                               Dataset data, QString root)
    : model_(std::move(modelPath)),
      a_(std::move(a)),
      b_(std::move(b)),
      out_(std::move(outPath)),
      root_(std::move(root)),
      method_(method),
      data_(std::move(data)) {}

std::string CheckpointAlignmentJob::title() const {
    const std::vector<QString> names =
        widgets::checkpointShortNames({a_.toStdString(), b_.toStdString()});
    return std::string(method_ == AlignmentMethod::Weights ? "Weight" : "Activation") +
           " matching of " + names[1].toStdString() + " to " + names[0].toStdString();
}

void CheckpointAlignmentJob::run(JobContext& context) {
    AlignmentJob job(Model::load(model_.toStdString()), checkpointState(a_, root_),
                     checkpointState(b_, root_), method_, data_);
    job.weightOptions = weightOptions;
    job.activationOptions = activationOptions;
    job.run(context);
    result_ = job.result();
    const QByteArray before = fileBytes(out_);
    saveStateDict(out_.toStdString(), result_.alignedB);
    changed_ = before.isEmpty() || before != fileBytes(out_);
}

QJsonArray alignmentGroupsJson(const AlignmentResult& r) {
    QJsonArray groups;
    for (const GroupMatch& g : r.groups)
        groups.append(QJsonObject{{"name", QString::fromStdString(g.name)},
                                  {"units", double(g.size)},
                                  {"moved", double(g.moved)},
                                  {"movedFraction", g.movedFraction()}});
    return groups;
}

QJsonArray alignmentFixedJson(const AlignmentResult& r) {
    QJsonArray fixed;
    for (const FixedUnits& f : r.spec.fixed)
        fixed.append(QJsonObject{{"name", QString::fromStdString(f.name)},
                                 {"reason", QString::fromStdString(f.reason)}});
    return fixed;
}

}  // namespace basin::app
