#include "ui/ProjectPanel.h"

#include <QHeaderView>
#include <QMenu>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "project/Session.h"
#include "ui/Connectivity.h"
#include "ui/Curvature.h"
#include "ui/DatasetView.h"
#include "ui/Landscape.h"
#include "ui/ViewFactory.h"

namespace basin::app {
namespace {
constexpr int kIndexRole = Qt::UserRole + 1;
constexpr ItemKind kGroups[] = {ItemKind::Model, ItemKind::Checkpoint, ItemKind::Dataset,
                                ItemKind::Result};
}  // namespace

ProjectPanel::ProjectPanel(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), tree_(new QTreeWidget) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    tree_->setObjectName(QStringLiteral("projectTree"));
    tree_->setHeaderLabels({tr("Name"), tr("Size")});
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->header()->setStretchLastSection(false);
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    layout->addWidget(tree_);
    connect(tree_, &QTreeWidget::itemSelectionChanged, this,
            [this] { Q_EMIT selectionChanged(selectedIndex()); });
    connect(tree_, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem* item, int) { activate(item); });
    connect(tree_, &QTreeWidget::customContextMenuRequested, this, &ProjectPanel::showContextMenu);
    connect(session_, &Session::itemsChanged, this, &ProjectPanel::rebuild);
    connect(session_, &Session::projectReplaced, this, &ProjectPanel::rebuild);
    connect(session_, &Session::probeChanged, this, &ProjectPanel::rebuild);
    rebuild();
}

void ProjectPanel::rebuild() {
    const int selected = selectedIndex();
    tree_->clear();
    const Project& project = session_->project();
    for (ItemKind kind : kGroups) {
        auto* group = new QTreeWidgetItem(tree_, {tr(itemKindLabel(kind))});
        group->setFlags(Qt::ItemIsEnabled);
        QFont bold = group->font(0);
        bold.setBold(true);
        group->setFont(0, bold);
        int count = 0;
        for (int i = 0; i < project.items.size(); ++i) {
            const ProjectItem& item = project.items[i];
            if (item.kind != kind) continue;
            ++count;
            auto* row = new QTreeWidgetItem(group, {item.name});
            row->setData(0, kIndexRole, i);
            row->setToolTip(0, item.path);
            if (item.size > 0) row->setText(1, QLocale().formattedDataSize(qint64(item.size)));
            const bool isProbe = kind == ItemKind::Checkpoint &&
                                 project.probe.kind == Probe::Kind::Checkpoint &&
                                 project.probe.checkpoint == item.name;
            if (isProbe) {
                QFont f = row->font(0);
                f.setBold(true);
                row->setFont(0, f);
                row->setText(0, item.name + tr("  ◀ probe"));
            }
            if (i == selected) row->setSelected(true);
        }
        group->setText(0, QStringLiteral("%1 (%2)").arg(tr(itemKindLabel(kind))).arg(count));
        group->setExpanded(true);
    }
}

int ProjectPanel::selectedIndex() const {
    const auto items = tree_->selectedItems();
    if (items.isEmpty()) return -1;
    const QVariant v = items.front()->data(0, kIndexRole);
    return v.isValid() ? v.toInt() : -1;
}

void ProjectPanel::activate(QTreeWidgetItem* row) {
    const QVariant v = row->data(0, kIndexRole);
    if (!v.isValid()) return;
    const ProjectItem& item = session_->project().items[v.toInt()];
    if (item.kind == ItemKind::Dataset) {
        Q_EMIT viewRequested(datasetSpec(item.path));
        return;
    }
    if (item.kind != ItemKind::Checkpoint) return;
    Probe probe;
    probe.kind = Probe::Kind::Checkpoint;
    probe.checkpoint = item.name;
    session_->setProbe(probe);
}

void ProjectPanel::showContextMenu(const QPoint& pos) {
    QList<int> indices;
    for (auto* row : tree_->selectedItems()) {
        const QVariant v = row->data(0, kIndexRole);
        if (v.isValid()) indices.push_back(v.toInt());
    }
    if (indices.isEmpty()) return;
    QMenu menu(this);
    QAction* probe = nullptr;
    if (indices.size() == 1 &&
        session_->project().items[indices.front()].kind == ItemKind::Checkpoint) {
        probe = menu.addAction(tr("Look at this checkpoint (set probe)"));
    }
    const auto& items = session_->project().items;
    const bool checkpoints = std::all_of(indices.begin(), indices.end(), [&](int i) {
        return items[i].kind == ItemKind::Checkpoint;
    });
    QAction* browse = nullptr;
    QAction* compare = nullptr;
    const bool model = indices.size() == 1 && items[indices[0]].kind == ItemKind::Model;
    if ((checkpoints || model) && indices.size() == 1) {
        browse = menu.addAction(model ? tr("Browse parameters and buffers") : tr("Browse tensors"));
    }
    if (checkpoints && indices.size() == 2)
        compare = menu.addAction(tr("Compare these two checkpoints"));
    QAction* evaluate = checkpoints ? menu.addAction(tr("Evaluate on a dataset…")) : nullptr;
    QAction* landscape = checkpoints && indices.size() == 1
                             ? menu.addAction(tr("Compute loss landscape around it…"))
                             : nullptr;
    QAction* hessian =
        checkpoints && indices.size() == 1 ? menu.addAction(tr("Hessian spectrum…")) : nullptr;
    QAction* connectivity = checkpoints && indices.size() == 1
                                ? menu.addAction(tr("Linear mode connectivity…"))
                                : nullptr;
    QAction* saliency =
        checkpoints && indices.size() == 1 ? menu.addAction(tr("Saliency…")) : nullptr;
    const QString pathKind = indices.size() == 1 && items[indices[0]].kind == ItemKind::Result
                                 ? pathFileKind(items[indices[0]].path)
                                 : QString();
    QAction* showPath =
        pathKind == QLatin1String("linear path") || pathKind == QLatin1String("curve")
            ? menu.addAction(tr("Show path plot"))
            : nullptr;
    QAction* showLayerwise = pathKind == QLatin1String("layer-wise")
                                 ? menu.addAction(tr("Show layer-wise heatmap"))
                                 : nullptr;
    QAction* showSurface = nullptr;
    if (indices.size() == 1 && items[indices[0]].kind == ItemKind::Result &&
        items[indices[0]].path.endsWith(QLatin1String(".h5")) && pathKind.isEmpty()) {
        showSurface = menu.addAction(tr("Show landscape"));
    }
    QAction* showSpectrum = nullptr;
    if (indices.size() == 1 && items[indices[0]].kind == ItemKind::Result &&
        isHessianSpectrumFile(items[indices[0]].path)) {
        showSpectrum = menu.addAction(tr("Show Hessian spectrum"));
    }
    QAction* showSamples = indices.size() == 1 && items[indices[0]].kind == ItemKind::Dataset
                               ? menu.addAction(tr("Show samples"))
                               : nullptr;
    QAction* fingerprint = menu.addAction(tr("Fingerprint (SHA-256)"));
    QAction* remove = menu.addAction(tr("Remove from project"));
    QAction* chosen = menu.exec(tree_->viewport()->mapToGlobal(pos));
    if (!chosen) return;
    if (chosen == evaluate) {
        Q_EMIT evaluateRequested(indices);
    } else if (chosen == landscape) {
        Q_EMIT landscapeRequested(indices[0]);
    } else if (chosen == hessian) {
        Q_EMIT hessianRequested(indices[0]);
    } else if (chosen == connectivity) {
        Q_EMIT connectivityRequested(indices[0]);
    } else if (chosen == saliency) {
        Q_EMIT saliencyRequested(indices[0]);
    } else if (chosen == showPath) {
        Q_EMIT viewRequested(lmcPathSpec({items[indices[0]].path}));
        Q_EMIT viewRequested(lmcBarrierSpec({items[indices[0]].path}));
    } else if (chosen == showLayerwise) {
        Q_EMIT viewRequested(lmcLayerwiseSpec(items[indices[0]].path));
    } else if (chosen == showSpectrum) {
        Q_EMIT viewRequested(hessianSpectrumSpec(items[indices[0]].path));
    } else if (chosen == showSurface) {
        Q_EMIT viewRequested(landscapeContourSpec(items[indices[0]].path));
        Q_EMIT viewRequested(landscapeSurfaceSpec(items[indices[0]].path));
    } else if (chosen == showSamples) {
        Q_EMIT viewRequested(datasetSpec(items[indices[0]].path));
    } else if (chosen == browse) {
        Q_EMIT viewRequested(checkpointSpec(items[indices[0]].path));
    } else if (chosen == compare) {
        Q_EMIT viewRequested(checkpointSpec(items[indices[0]].path, items[indices[1]].path));
    } else if (chosen == probe) {
        activate(tree_->selectedItems().front());
    } else if (chosen == fingerprint) {
        Q_EMIT fingerprintRequested(indices);
    } else if (chosen == remove) {
        std::sort(indices.begin(), indices.end(), std::greater<int>());
        for (int i : indices)
            session_->removeItem(i);
    }
}

}  // namespace basin::app
