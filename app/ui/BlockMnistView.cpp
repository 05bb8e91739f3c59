#include "ui/BlockMnistView.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPointer>
#include <QTimer>
#include <QVBoxLayout>

#include "jobs/JobsPanel.h"
#include "project/Session.h"
#include "saliency/NullBlockMassView.h"
#include "ui/MainWindow.h"

namespace basin::app {
namespace {

const QString kBlockMnist = QStringLiteral("blockmnist");

BlockMnistRecipe recipeOf(const QJsonObject& s) {
    BlockMnistRecipe r;
    r.methods.clear();
    for (const QJsonValue& v : s.value("methods").toArray())
        if (const auto m = parseSaliencyMethod(v.toString().toStdString())) r.methods.push_back(*m);
    if (r.methods.empty())
        throw std::runtime_error("the BlockMNIST view names no known saliency method");
    r.epochs = std::max(1, s.value("epochs").toInt(3));
    r.data.digits.trainPerClass = std::max(1, s.value("trainPerClass").toInt(300));
    r.testImages = std::max(1, s.value("images").toInt(50));
    r.data.digits.testPerClass = std::max<std::int64_t>(10, (r.testImages + 9) / 10);
    r.data.seed = std::uint64_t(s.value("seed").toInt(0));
    r.data.digits.seed = r.data.seed;
    r.saliency.seed = r.data.seed;
    // A cache folder named by what determines the training, so reopening the
    // view resumes from its checkpoints.
    QJsonObject key = s;
    key.remove("result");
    key.remove("methods");
    const QByteArray hash =
        QCryptographicHash::hash(QJsonDocument(key).toJson(QJsonDocument::Compact),
                                 QCryptographicHash::Sha256)
            .toHex()
            .left(12);
    r.folder = QDir::temp().filePath(QStringLiteral("basin-blockmnist-") + hash).toStdString();
    return r;
}

class BlockMnistPanel : public QWidget {
public:
    BlockMnistPanel(QJsonObject settings, Session* session)
        : settings_(std::move(settings)), session_(session) {
        auto* layout = new QVBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        status_ = new QLabel;
        status_->setObjectName(QStringLiteral("blockMnistStatus"));
        status_->setWordWrap(true);
        view_ = new widgets::NullBlockMassView;
        layout->addWidget(status_);
        layout->addWidget(view_, 1);
        setProperty(ViewArea::kSettingsProperty, settings_.toVariantMap());
        if (settings_.contains("result")) {
            view_->setResult(blockMnistResultFromJson(settings_.value("result").toObject()));
            status_->setText(tr("Computed earlier; kept with the project."));
        } else {
            // After the view area has taken the widget (the window's jobs panel).
            QTimer::singleShot(0, this, [this] { compute(); });
        }
        poll_.setInterval(200);
        connect(&poll_, &QTimer::timeout, this, [this] {
            if (!running_) return;
            const JobStatus s = running_->status();
            status_->setText(tr("%1 — %2%")
                                 .arg(QString::fromStdString(s.progress.message))
                                 .arg(int(s.progress.fraction * 100)));
        });
    }
    ~BlockMnistPanel() override {
        if (running_) running_->cancel();
    }

private:
    void compute() {
        MainWindow* w = session_ ? qobject_cast<MainWindow*>(session_->parent()) : nullptr;
        if (!w) {
            status_->setText(tr("The BlockMNIST test runs in the main window's jobs panel."));
            return;
        }
        BlockMnistRecipe recipe;
        try {
            recipe = recipeOf(settings_);
        } catch (const std::exception& e) {
            status_->setText(QString::fromStdString(e.what()));
            return;
        }
        auto job = std::make_shared<BlockMnistJob>(std::move(recipe));
        QPointer<BlockMnistPanel> self(this);
        running_ = w->jobs()->submit(job, [self, job](const JobStatus& status) {
            if (!self) return;
            self->running_.reset();
            self->poll_.stop();
            if (status.state == JobState::Succeeded) {
                self->view_->setResult(job->result());
                self->settings_["result"] = blockMnistResultJson(job->result());
                self->setProperty(ViewArea::kSettingsProperty, self->settings_.toVariantMap());
                self->status_->setText(
                    tr("Trained on BlockMNIST and explained; lower bars put less attribution "
                       "on the uninformative block."));
            } else {
                self->status_->setText(QString::fromStdString(
                    status.state == JobState::Cancelled ? "cancelled" : status.error));
            }
        });
        poll_.start();
    }

    QJsonObject settings_;
    QPointer<Session> session_;
    QLabel* status_;
    widgets::NullBlockMassView* view_;
    QTimer poll_;
    std::shared_ptr<JobHandle> running_;
};

}  // namespace

ViewSpec blockMnistSpec(const QStringList& methods, int epochs, int trainPerClass, int images) {
    return {kBlockMnist, QObject::tr("BlockMNIST saliency test"),
            QJsonObject{{"methods", QJsonArray::fromStringList(methods)},
                        {"epochs", epochs},
                        {"trainPerClass", trainPerClass},
                        {"images", images},
                        {"seed", 0}}};
}

QWidget* createBlockMnistView(const ViewSpec& spec, Session* session) {
    if (spec.type != kBlockMnist) return nullptr;
    return new BlockMnistPanel(spec.settings, session);
}

void openBlockMnistTest(MainWindow* window) {
    window->viewArea()->addView(blockMnistSpec());
}

QJsonObject blockMnistResultJson(const BlockMnistResult& result) {
    QJsonArray methods;
    for (const BlockMnistResult::Method& m : result.methods)
        methods.append(QJsonObject{{"method", QString::fromLatin1(saliencyMethodKey(m.method))},
                                   {"layer", QString::fromStdString(m.layer)},
                                   {"nullMass", m.nullMass}});
    return {{"testAccuracy", result.testAccuracy},
            {"images", double(result.images)},
            {"methods", methods}};
}

BlockMnistResult blockMnistResultFromJson(const QJsonObject& json) {
    BlockMnistResult r;
    r.testAccuracy = json.value("testAccuracy").toDouble();
    r.images = std::int64_t(json.value("images").toDouble());
    for (const QJsonValue& v : json.value("methods").toArray()) {
        const QJsonObject o = v.toObject();
        const auto m = parseSaliencyMethod(o.value("method").toString().toStdString());
        if (!m) continue;
        r.methods.push_back(
            {*m, o.value("layer").toString().toStdString(), o.value("nullMass").toDouble()});
    }
    return r;
}

}  // namespace basin::app
