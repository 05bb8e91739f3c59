#pragma once
// The dataset preview in the GUI: double-clicking a dataset in the project
// panel (or its "Show samples" entry) opens a "dataset" view — a page of
// image samples with counts per class, or a scatter of the features
// (widgets/data/DatasetPreviewView). Its settings (path, classFilter, page)
// are kept with the project, so a saved project reopens it where it was.

#include <QWidget>

#include "ui/ViewArea.h"

class QLabel;

namespace basin::widgets {
class DatasetPreviewView;
}

namespace basin::app {

// settings: path (the dataset file), classFilter (−1: all), page.
ViewSpec datasetSpec(const QString& path, int classFilter = -1, int page = 0);
// nullptr for other view types.
QWidget* createDatasetView(const ViewSpec& spec);

// The view: the preview, or a sentence saying why the file cannot be shown.
class DatasetView : public QWidget {
    Q_OBJECT
public:
    explicit DatasetView(const QJsonObject& settings, QWidget* parent = nullptr);
    // nullptr when the file could not be loaded.
    widgets::DatasetPreviewView* preview() const { return preview_; }
    QString error() const;

private:
    void saveSettings();

    QString path_;
    widgets::DatasetPreviewView* preview_ = nullptr;
    QLabel* error_ = nullptr;
};

}  // namespace basin::app
