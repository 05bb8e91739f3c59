#include "project/Project.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <stdexcept>

namespace basin::app {
namespace {

constexpr ItemKind kKinds[] = {ItemKind::Model, ItemKind::Checkpoint, ItemKind::Dataset,
                               ItemKind::Result};

const char* probeKindKey(Probe::Kind k) {
    switch (k) {
        case Probe::Kind::None:
            return "none";
        case Probe::Kind::Checkpoint:
            return "checkpoint";
        case Probe::Kind::Plane:
            return "plane";
        case Probe::Kind::Path:
            return "path";
    }
    return "none";
}

Probe::Kind probeKindFromKey(const QString& key) {
    for (auto k :
         {Probe::Kind::None, Probe::Kind::Checkpoint, Probe::Kind::Plane, Probe::Kind::Path}) {
        if (key == QLatin1String(probeKindKey(k))) return k;
    }
    throw std::runtime_error("unknown probe kind '" + key.toStdString() + "'");
}

[[noreturn]] void fail(const QString& what) {
    throw std::runtime_error(what.toStdString());
}

}  // namespace

const char* itemKindKey(ItemKind kind) {
    switch (kind) {
        case ItemKind::Model:
            return "models";
        case ItemKind::Checkpoint:
            return "checkpoints";
        case ItemKind::Dataset:
            return "datasets";
        case ItemKind::Result:
            return "results";
    }
    return "";
}

const char* itemKindLabel(ItemKind kind) {
    switch (kind) {
        case ItemKind::Model:
            return "Models";
        case ItemKind::Checkpoint:
            return "Checkpoints";
        case ItemKind::Dataset:
            return "Datasets";
        case ItemKind::Result:
            return "Results";
    }
    return "";
}

bool Probe::operator==(const Probe& o) const {
    return kind == o.kind && checkpoint == o.checkpoint && a == o.a && b == o.b &&
           result == o.result && t == o.t;
}

QList<ProjectItem> Project::itemsOfKind(ItemKind kind) const {
    QList<ProjectItem> out;
    for (const auto& i : items) {
        if (i.kind == kind) out.push_back(i);
    }
    return out;
}

QJsonObject Project::toJson(const QString& projectDir) const {
    const QDir dir(projectDir);
    QJsonObject root;
    root["format"] = "basin-project";
    root["version"] = kFormatVersion;
    root["title"] = title;
    for (ItemKind kind : kKinds) {
        QJsonArray array;
        for (const auto& item : itemsOfKind(kind)) {
            QJsonObject o = item.extra;
            o["name"] = item.name;
            o["path"] = dir.relativeFilePath(item.path);
            if (!item.sha256.isEmpty()) {
                o["size"] = QString::number(item.size);  // exact beyond 2^53
                o["sha256"] = item.sha256;
            }
            array.append(o);
        }
        root[itemKindKey(kind)] = array;
    }
    QJsonObject p;
    p["kind"] = probeKindKey(probe.kind);
    if (probe.kind == Probe::Kind::Checkpoint) p["checkpoint"] = probe.checkpoint;
    if (probe.kind == Probe::Kind::Plane) {
        p["a"] = probe.a;
        p["b"] = probe.b;
    }
    if (probe.kind == Probe::Kind::Path) p["t"] = probe.t;
    if (probe.kind == Probe::Kind::Plane || probe.kind == Probe::Kind::Path) {
        p["result"] = probe.result;
    }
    root["probe"] = p;
    root["layout"] = layout;
    return root;
}

Project Project::fromJson(const QJsonObject& root, const QString& projectDir) {
    if (root.value("format").toString() != QLatin1String("basin-project")) {
        fail(QStringLiteral("not a Basin project (no \"format\": \"basin-project\")"));
    }
    const int version = root.value("version").toInt(-1);
    if (version < 1) fail(QStringLiteral("missing or invalid \"version\""));
    if (version > kFormatVersion) {
        fail(QStringLiteral("written by a newer Basin (project format %1; this Basin reads up "
                            "to %2)")
                 .arg(version)
                 .arg(kFormatVersion));
    }
    const QDir dir(projectDir);
    Project project;
    project.title = root.value("title").toString();
    for (ItemKind kind : kKinds) {
        const QJsonValue v = root.value(itemKindKey(kind));
        if (v.isUndefined()) continue;
        if (!v.isArray()) fail(QStringLiteral("\"%1\" must be a list").arg(itemKindKey(kind)));
        int index = 0;
        for (const QJsonValue& e : v.toArray()) {
            const QJsonObject o = e.toObject();
            const QString where = QStringLiteral("%1[%2]").arg(itemKindKey(kind)).arg(index++);
            if (!o.value("path").isString() || o.value("path").toString().isEmpty()) {
                fail(where + QStringLiteral(" has no \"path\""));
            }
            ProjectItem item;
            item.kind = kind;
            item.path = QDir::cleanPath(dir.absoluteFilePath(o.value("path").toString()));
            item.name = o.value("name").toString(QFileInfo(item.path).fileName());
            item.sha256 = o.value("sha256").toString();
            item.size = o.value("size").toString().toULongLong();
            item.extra = o;
            for (const char* key : {"name", "path", "size", "sha256"})
                item.extra.remove(key);
            project.items.push_back(item);
        }
    }
    const QJsonObject p = root.value("probe").toObject();
    project.probe.kind = probeKindFromKey(p.value("kind").toString("none"));
    project.probe.checkpoint = p.value("checkpoint").toString();
    project.probe.a = p.value("a").toDouble();
    project.probe.b = p.value("b").toDouble();
    project.probe.t = p.value("t").toDouble();
    project.probe.result = p.value("result").toString();
    project.layout = root.value("layout").toObject();
    return project;
}

void Project::save(const QString& path) const {
    const QFileInfo info(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        fail(QStringLiteral("cannot write '%1': %2").arg(path, file.errorString()));
    }
    file.write(QJsonDocument(toJson(info.absolutePath())).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        fail(QStringLiteral("cannot write '%1': %2").arg(path, file.errorString()));
    }
}

Project Project::load(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(QStringLiteral("cannot open '%1': %2").arg(path, file.errorString()));
    }
    constexpr qint64 kMaxProjectBytes = 64 << 20;
    if (file.size() > kMaxProjectBytes) {
        fail(QStringLiteral("'%1' is %2 MB; a project file is small JSON (results are stored "
                            "beside it)")
                 .arg(path)
                 .arg(file.size() >> 20));
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError) {
        fail(QStringLiteral("'%1' is not valid JSON at byte %2: %3")
                 .arg(path)
                 .arg(error.offset)
                 .arg(error.errorString()));
    }
    if (!doc.isObject()) fail(QStringLiteral("'%1' does not hold a JSON object").arg(path));
    try {
        return fromJson(doc.object(), QFileInfo(path).absolutePath());
    } catch (const std::exception& e) {
        fail(QStringLiteral("'%1': %2").arg(path, QString::fromStdString(e.what())));
    }
}

}  // namespace basin::app
