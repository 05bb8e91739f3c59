#include "ui/InspectorPanel.h"

#include <QAction>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <cmath>

#include "project/Session.h"
#include "ui/ViewArea.h"

namespace basin::app {

InspectorPanel::InspectorPanel(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), tree_(new QTreeWidget), probeButtons_(new QWidget) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    tree_->setObjectName(QStringLiteral("inspectorTree"));
    tree_->setHeaderLabels({tr("Property"), tr("Value")});
    tree_->setRootIsDecorated(false);
    tree_->setWordWrap(true);
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layout->addWidget(tree_);
    probeButtons_->setObjectName(QStringLiteral("probeButtons"));
    auto* buttons = new QHBoxLayout(probeButtons_);
    buttons->setContentsMargins(4, 2, 4, 4);
    buttons->addStretch(1);
    probeButtons_->hide();
    layout->addWidget(probeButtons_);
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

void InspectorPanel::setProbeActions(const QList<QAction*>& actions) {
    auto* buttons = static_cast<QHBoxLayout*>(probeButtons_->layout());
    for (QAction* action : actions) {
        auto* button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons->insertWidget(buttons->count() - 1, button);
    }
    if (shownItem_ < 0) showProbe();
}

void InspectorPanel::setProbeEvaluation(const Probe& probe, const QString& weights,
                                        const QList<ProbeEvaluation>& results) {
    evaluatedProbe_ = probe;
    evaluatedWeights_ = weights;
    evaluation_ = results;
    if (shownItem_ < 0) showProbe();
}

void InspectorPanel::showProbe() {
    tree_->clear();
    const Probe& probe = session_->project().probe;
    addRow(tr("Probe"), describeProbe(probe));
    const bool onResult = probe.kind == Probe::Kind::Plane || probe.kind == Probe::Kind::Path;
    probeButtons_->setVisible(onResult && probeButtons_->layout()->count() > 1);
    if (onResult) showProbeResult();
    addRow(tr("Project"), session_->displayName());
    addRow(tr("Items"), QString::number(session_->project().items.size()));
}

// The result's values at the probe and, once evaluated, the weights' own:
// short values, so that the two can be compared at a glance in a narrow dock.
void InspectorPanel::showProbeResult() {
    const Probe& probe = session_->project().probe;
    const QString path = probeResultPath(session_->project(), probe);
    if (path.isEmpty()) {
        addRow(tr("Weights"),
               tr("none: %1 is not a landscape or path file of the project").arg(probe.result));
        return;
    }
    addRow(tr("Result"), QFileInfo(path).fileName());
    tree_->topLevelItem(tree_->topLevelItemCount() - 1)->setToolTip(1, path);
    const QString what = probe.kind == Probe::Kind::Path ? tr("path") : tr("surface");
    try {
        QStringList datasets;
        for (const ProbeValue& v : resultValuesAtProbe(path, probe)) {
            addRow(tr("%1 %2").arg(what, v.metric),
                   v.accuracy ? QStringLiteral("%1 %").arg(v.value, 0, 'f', 2)
                              : QString::number(v.value, 'g', 5));
            if (!v.dataset.isEmpty() && !datasets.contains(v.dataset)) datasets << v.dataset;
        }
        if (!datasets.isEmpty())
            addRow(tr("%1 data").arg(what), datasets.join(QStringLiteral("; ")));
    } catch (const std::exception& e) {
        addRow(tr("Values"), QString::fromStdString(e.what()));
    }
    if (!(evaluatedProbe_ == probe) || evaluation_.isEmpty()) return;
    addRow(tr("Weights"), evaluatedWeights_);
    for (const ProbeEvaluation& r : evaluation_) {
        if (!r.error.isEmpty()) {
            addRow(tr("on %1").arg(r.dataset), tr("not evaluated: %1").arg(r.error));
            continue;
        }
        addRow(tr("loss on %1").arg(r.dataset), QString::number(r.loss, 'g', 5));
        if (std::isfinite(r.accuracy))
            addRow(tr("accuracy on %1").arg(r.dataset),
                   tr("%1 %  (%n samples)", nullptr, int(r.samples))
                       .arg(100.0 * r.accuracy, 0, 'f', 2));
    }
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
