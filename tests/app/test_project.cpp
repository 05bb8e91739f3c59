// The project file (.basin) and the session that holds it.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "BasinTest.h"
#include "project/Session.h"

using namespace basin::app;

namespace {

ProjectItem makeItem(ItemKind kind, const QString& name, const QString& path) {
    ProjectItem item;
    item.kind = kind;
    item.name = name;
    item.path = path;
    return item;
}

Project sampleProject(const QString& dir) {
    Project p;
    p.title = QStringLiteral("resnet sweep");
    ProjectItem model =
        makeItem(ItemKind::Model, QStringLiteral("resnet"), dir + "/models/resnet.pt");
    ProjectItem ckpt =
        makeItem(ItemKind::Checkpoint, QStringLiteral("epoch_10"), dir + "/ckpt/epoch_10.pt");
    ckpt.size = 1234567890123ull;
    ckpt.sha256 = QStringLiteral("ab12");
    ProjectItem outside =
        makeItem(ItemKind::Dataset, QStringLiteral("cifar"), QStringLiteral("/data/cifar.npz"));
    outside.extra[QStringLiteral("inputs")] = QStringLiteral("x");
    p.items = {model, ckpt, outside};
    p.probe.kind = Probe::Kind::Plane;
    p.probe.a = 0.25;
    p.probe.b = -0.5;
    p.probe.result = QStringLiteral("surface");
    p.layout = QJsonObject{{"root", QJsonObject{{"views", QJsonArray{}}}}};
    return p;
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

QString loadError(const QString& path) {
    try {
        Project::load(path);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestProject : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripKeepsEverything() {
        QTemporaryDir dir;
        const Project p = sampleProject(dir.path());
        const QString file = dir.path() + "/a.basin";
        p.save(file);
        const Project q = Project::load(file);
        QCOMPARE(q.title, p.title);
        QCOMPARE(q.items.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(q.items[i].kind, p.items[i].kind);
            QCOMPARE(q.items[i].name, p.items[i].name);
            QCOMPARE(q.items[i].path, p.items[i].path);
        }
        QCOMPARE(q.items[1].size, 1234567890123ull);
        QCOMPARE(q.items[1].sha256, QStringLiteral("ab12"));
        QCOMPARE(q.items[2].extra.value("inputs").toString(), QStringLiteral("x"));
        QVERIFY(q.probe == p.probe);
        QCOMPARE(q.layout, p.layout);
    }

    void pathsAreRelativeSoProjectsMove() {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath("proj");
        Project p = sampleProject(dir.path() + "/proj");
        p.save(dir.path() + "/proj/p.basin");
        QFile f(dir.path() + "/proj/p.basin");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(json["checkpoints"].toArray()[0].toObject()["path"].toString(),
                 QStringLiteral("ckpt/epoch_10.pt"));
        QCOMPARE(json["version"].toInt(), Project::kFormatVersion);
        // Move the folder: the items follow.
        QVERIFY(QDir(dir.path()).rename("proj", "moved"));
        const Project q = Project::load(dir.path() + "/moved/p.basin");
        QCOMPARE(q.items[1].path, dir.path() + "/moved/ckpt/epoch_10.pt");
    }

    void badFilesGiveSentences() {
        QTemporaryDir dir;
        const QString broken = dir.path() + "/broken.basin";
        writeFile(broken, "{\"format\": \"basin-project\", \"version\": 1,");
        QString e = loadError(broken);
        QVERIFY2(e.contains("broken.basin") && e.contains("not valid JSON"), qPrintable(e));

        const QString newer = dir.path() + "/newer.basin";
        writeFile(newer, "{\"format\": \"basin-project\", \"version\": 99}");
        e = loadError(newer);
        QVERIFY2(e.contains("newer Basin") && e.contains("99"), qPrintable(e));

        const QString foreign = dir.path() + "/foreign.basin";
        writeFile(foreign, "{\"hello\": 1}");
        QVERIFY(loadError(foreign).contains("not a Basin project"));

        const QString noPath = dir.path() + "/nopath.basin";
        writeFile(noPath, "{\"format\": \"basin-project\", \"version\": 1, \"checkpoints\": [{}]}");
        e = loadError(noPath);
        QVERIFY2(e.contains("checkpoints[0]") && e.contains("path"), qPrintable(e));

        const QString badProbe = dir.path() + "/probe.basin";
        writeFile(badProbe,
                  "{\"format\": \"basin-project\", \"version\": 1, \"probe\": {\"kind\": \"x\"}}");
        QVERIFY(loadError(badProbe).contains("probe kind"));

        QVERIFY(loadError(dir.path() + "/missing.basin").contains("cannot open"));
    }

    void saveIsAtomic() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/p.basin";
        sampleProject(dir.path()).save(file);
        // Only the project itself is left: the temporary file was renamed.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"p.basin"});
        // An unwritable target leaves the old file as it was.
        try {
            sampleProject(dir.path()).save(dir.path() + "/no/such/dir/p.basin");
            QFAIL("expected an error");
        } catch (const std::exception& e) {
            QVERIFY(QString::fromStdString(e.what()).contains("cannot write"));
        }
    }

    void sessionSignalsAndProbe() {
        QTemporaryDir dir;
        Session session;
        QSignalSpy probeSpy(&session, &Session::probeChanged);
        QSignalSpy modifiedSpy(&session, &Session::modifiedChanged);
        QSignalSpy itemsSpy(&session, &Session::itemsChanged);
        ProjectItem ckpt =
            makeItem(ItemKind::Checkpoint, QStringLiteral("final"), dir.path() + "/final.pt");
        session.addItem(ckpt);
        QCOMPARE(itemsSpy.count(), 1);
        QVERIFY(session.isModified());
        QCOMPARE(modifiedSpy.count(), 1);

        Probe probe;
        probe.kind = Probe::Kind::Checkpoint;
        probe.checkpoint = QStringLiteral("final");
        session.setProbe(probe);
        session.setProbe(probe);  // unchanged: no second signal
        QCOMPARE(probeSpy.count(), 1);
        QCOMPARE(describeProbe(session.project().probe), QStringLiteral("checkpoint final"));

        session.setFingerprint(ckpt.path, 42, QStringLiteral("beef"));
        QCOMPARE(session.project().items[0].sha256, QStringLiteral("beef"));

        session.saveAs(dir.path() + "/s.basin");
        QVERIFY(!session.isModified());
        QCOMPARE(session.displayName(), QStringLiteral("s.basin"));

        // Removing the probed checkpoint clears the probe.
        session.removeItem(0);
        QCOMPARE(session.project().probe.kind, Probe::Kind::None);
        QCOMPARE(probeSpy.count(), 2);

        // A failed open changes nothing.
        const int items = session.project().items.size();
        try {
            session.open(dir.path() + "/missing.basin");
            QFAIL("expected an error");
        } catch (const std::exception&) {
        }
        QCOMPARE(session.project().items.size(), items);
    }
};

BASIN_TEST_MAIN(TestProject)
#include "test_project.moc"
