#pragma once
// A Basin project (.basin): what is loaded (models, checkpoints, datasets),
// what has been computed (result files by reference), the probe (the point in
// weight space every view shows), and the layout of the views. Stored as
// versioned JSON; paths are kept relative to the project file so a project
// folder can be moved or shared.

#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace basin::app {

enum class ItemKind { Model, Checkpoint, Dataset, Result };

const char* itemKindKey(ItemKind kind);    // "models", "checkpoints", ...
const char* itemKindLabel(ItemKind kind);  // "Models", "Checkpoints", ...

struct ProjectItem {
    ItemKind kind = ItemKind::Checkpoint;
    QString name;       // shown in the project panel
    QString path;       // absolute in memory; relative to the project file on disk
    quint64 size = 0;   // from the last fingerprint, 0 when not fingerprinted
    QString sha256;     // ditto
    QJsonObject extra;  // kind-specific settings kept verbatim (e.g. dataset keys)
};

// The point in weight space the user is looking at (DESIGN.md rule 6).
struct Probe {
    enum class Kind { None, Checkpoint, Plane, Path };
    Kind kind = Kind::None;
    QString checkpoint;   // Checkpoint: the item's name
    double a = 0, b = 0;  // Plane: coordinates on the landscape plane
    QString result;       // Plane/Path: the result the coordinates refer to
    double t = 0;         // Path: position along the path, in [0, 1]
    bool operator==(const Probe& o) const;
};

class Project {
public:
    static constexpr int kFormatVersion = 1;

    QList<ProjectItem> items;
    Probe probe;
    QJsonObject layout;  // the view area's state (ViewArea::saveLayout)
    QString title;

    QList<ProjectItem> itemsOfKind(ItemKind kind) const;

    QJsonObject toJson(const QString& projectDir) const;
    // Throws std::runtime_error with a sentence naming what is wrong.
    static Project fromJson(const QJsonObject& json, const QString& projectDir);

    // Atomic: written to a temporary file beside `path`, then renamed.
    void save(const QString& path) const;
    static Project load(const QString& path);
};

}  // namespace basin::app
