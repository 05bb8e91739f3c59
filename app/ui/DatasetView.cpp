#include "ui/DatasetView.h"

#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

#include "data/DatasetFiles.h"
#include "data/DatasetPreviewView.h"

namespace basin::app {
namespace {
const QString kDataset = QStringLiteral("dataset");
}  // namespace

ViewSpec datasetSpec(const QString& path, int classFilter, int page) {
    return {kDataset, QObject::tr("%1 (samples)").arg(QFileInfo(path).completeBaseName()),
            QJsonObject{{"path", path}, {"classFilter", classFilter}, {"page", page}}};
}

QWidget* createDatasetView(const ViewSpec& spec) {
    if (spec.type != kDataset) return nullptr;
    return new DatasetView(spec.settings);
}

DatasetView::DatasetView(const QJsonObject& settings, QWidget* parent)
    : QWidget(parent), path_(settings.value("path").toString()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    try {
        Dataset dataset = loadDatasetFile(path_.toStdString());
        auto preview = std::make_unique<widgets::DatasetPreviewView>();
        preview->setDataset(std::move(dataset), QFileInfo(path_).fileName());
        preview->setClassFilter(settings.value("classFilter").toInt(-1));
        preview->setPage(settings.value("page").toInt(0));
        preview_ = preview.release();
        layout->addWidget(preview_);
        connect(preview_, &widgets::DatasetPreviewView::selectionChanged, this,
                [this] { saveSettings(); });
    } catch (const std::exception& e) {
        error_ =
            new QLabel(tr("Cannot show the dataset %1:\n%2")
                           .arg(QFileInfo(path_).fileName(), QString::fromStdString(e.what())));
        error_->setObjectName(QStringLiteral("viewError"));
        error_->setWordWrap(true);
        error_->setAlignment(Qt::AlignCenter);
        error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(error_);
    }
}

QString DatasetView::error() const {
    return error_ ? error_->text() : QString();
}

// The project merges a view's settings: every key is written each time.
void DatasetView::saveSettings() {
    setProperty(ViewArea::kSettingsProperty, QVariantMap{{"path", path_},
                                                         {"classFilter", preview_->classFilter()},
                                                         {"page", preview_->page()}});
}

}  // namespace basin::app
