#pragma once
// Aligning checkpoint B to A as files (`basin align`, `basin lmc --align` and
// the LMC dialog's "Align B to A first"): loads both checkpoints' weights,
// runs weight or activation matching (connectivity/WeightMatching.h) and
// writes the aligned B as a torch.save state dict. Loading happens inside the
// job, so a missing or unfitting file fails the job with its name.

#include <QJsonArray>
#include <QString>
#include <optional>

#include "connectivity/WeightMatching.h"
#include "jobs/Job.h"

namespace basin::app {

// "weights" → Weights, "activations" → Activations, anything else: none.
std::optional<AlignmentMethod> alignmentMethodFromName(const QString& name);
const char* alignmentMethodName(AlignmentMethod method);  // "weights", "activations"

// The weights of a checkpoint file: the dict `root`, or its weight root when
// `root` is empty.
std::vector<NamedTensor> checkpointState(const QString& path, const QString& root = {});

class CheckpointAlignmentJob : public Job {
public:
    // `data` is needed for Activations.
    CheckpointAlignmentJob(QString modelPath, QString a, QString b, AlignmentMethod method,
                           QString outPath, Dataset data = {}, QString root = {});
    std::string title() const override;
    void run(JobContext& context) override;

    const AlignmentResult& result() const { return result_; }
    const QString& outPath() const { return out_; }
    // Whether the file written differs from the one that was there before
    // (results computed from the old aligned B are stale then).
    bool changedFile() const { return changed_; }

    WeightMatchingOptions weightOptions;
    ActivationMatchingOptions activationOptions;

private:
    QString model_, a_, b_, out_, root_;
    AlignmentMethod method_;
    Dataset data_;
    AlignmentResult result_;
    bool changed_ = true;
};

// Per permutation group {name, units, moved, movedFraction}, and the units
// left in place {name, reason}: the JSON of `basin align` and `basin lmc`.
QJsonArray alignmentGroupsJson(const AlignmentResult& r);
QJsonArray alignmentFixedJson(const AlignmentResult& r);

}  // namespace basin::app
