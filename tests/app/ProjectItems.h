#pragma once
// A project item for GUI tests that build projects by hand.

#include <QJsonObject>
#include <QString>

#include "project/Project.h"

inline basin::app::ProjectItem projectItem(basin::app::ItemKind kind, const QString& name,
                                           const QString& path, QJsonObject extra = {}) {
    basin::app::ProjectItem i;
    i.kind = kind;
    i.name = name;
    i.path = path;
    i.extra = std::move(extra);
    return i;
}
