#include "ui/InspectorPanel.h"

#include <QHeaderView>
#include <QJsonDocument>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "project/Session.h"
#include "ui/ViewArea.h"

namespace basin::app {

InspectorPanel::InspectorPanel(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), tree_(new QTreeWidget) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    tree_->setObjectName(QStringLiteral("inspectorTree"));
    tree_->setHeaderLabels({tr("Property"), tr("Value")});
    tree_->setRootIsDecorated(false);
    tree_->setWordWrap(true);
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layout->addWidget(tree_);
    connect(session_, &Session::probeChanged, this, [this] {
        if (shownItem_ < 0) showProbe();
    });
    connect(session_, &Session::itemsChanged, this, [this] { showItem(shownItem_); });
    connect(session_, &Session::projectReplaced, this, [this] { showItem(-1); });
    showProbe();
}

void InspectorPanel::addRow(const QString& key, const QString& value) {
    auto* row = new QTreeWidgetItem(tree_, {key, value});
    row->setToolTip(1, value);
}

void InspectorPanel::showItem(int index) {
    const auto& items = session_->project().items;
    if (index < 0 || index >= items.size()) {
        shownItem_ = -1;
        showProbe();
        return;
    }
    shownItem_ = index;
    const ProjectItem& item = items[index];
    tree_->clear();
    addRow(tr("Kind"), tr(itemKindLabel(item.kind)));
    addRow(tr("Name"), item.name);
    addRow(tr("Path"), item.path);
    if (item.sha256.isEmpty()) {
        addRow(tr("Fingerprint"), tr("not computed (right-click → Fingerprint)"));
    } else {
        addRow(tr("Size"), tr("%1 bytes").arg(item.size));
        addRow(tr("SHA-256"), item.sha256);
    }
    for (auto it = item.extra.begin(); it != item.extra.end(); ++it) {
        addRow(it.key(), it.value().isString()
                             ? it.value().toString()
                             : QString::fromUtf8(QJsonDocument(QJsonObject{{it.key(), it.value()}})
                                                     .toJson(QJsonDocument::Compact)));
    }
}

void InspectorPanel::showProbe() {
    tree_->clear();
    addRow(tr("Probe"), describeProbe(session_->project().probe));
    addRow(tr("Project"), session_->displayName());
    addRow(tr("Items"), QString::number(session_->project().items.size()));
}

void InspectorPanel::showView(const ViewSpec& spec) {
    if (shownItem_ >= 0) return;
    showProbe();
    if (spec.type.isEmpty()) return;
    addRow(tr("View"), spec.title);
    addRow(tr("View type"), spec.type);
    for (auto it = spec.settings.begin(); it != spec.settings.end(); ++it) {
        addRow(it.key(), it.value().toVariant().toString());
    }
}

}  // namespace basin::app
