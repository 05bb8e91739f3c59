#include "ui/ViewArea.h"

#include <QEvent>

#include <QApplication>
#include <QJsonArray>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace basin::app {
namespace {

QJsonObject specToJson(const ViewSpec& s) {
    return {{"type", s.type}, {"title", s.title}, {"settings", s.settings}};
}

ViewSpec specFromJson(const QJsonObject& o) {
    return {o.value("type").toString(), o.value("title").toString(),
            o.value("settings").toObject()};
}

template <typename T>
T* ancestorOf(QWidget* w) {
    for (; w; w = w->parentWidget()) {
        if (auto* t = qobject_cast<T*>(w)) return t;
    }
    return nullptr;
}

}  // namespace

ViewArea::ViewArea(Factory factory, QWidget* parent)
    : QWidget(parent), factory_(std::move(factory)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    root_ = newPane();
    layout->addWidget(root_);
    current_ = qobject_cast<QTabWidget*>(root_);
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget*, QWidget* now) {
        if (auto* pane = ancestorOf<QTabWidget>(now); pane && isAncestorOf(pane)) {
            setCurrentPane(pane);
        }
    });
}

// Views go first, while the bookkeeping they report their destruction to
// still exists.
ViewArea::~ViewArea() {
    delete root_;
}

QTabWidget* ViewArea::newPane() {
    auto* pane = new QTabWidget;
    pane->setObjectName(QStringLiteral("viewPane"));
    pane->setTabsClosable(true);
    pane->setMovable(true);
    pane->setDocumentMode(true);
    connect(pane, &QTabWidget::tabCloseRequested, this, [this, pane](int index) {
        QWidget* view = pane->widget(index);
        specs_.remove(view);
        pane->removeTab(index);
        view->deleteLater();
        removePaneIfEmpty(pane);
        notifyLayoutChanged();
        Q_EMIT currentViewChanged(currentView());
    });
    connect(pane, &QTabWidget::currentChanged, this, [this, pane](int) {
        setCurrentPane(pane);
        Q_EMIT currentViewChanged(currentView());
    });
    connect(pane->tabBar(), &QTabBar::tabBarClicked, this,
            [this, pane](int) { setCurrentPane(pane); });
    connect(pane->tabBar(), &QTabBar::tabMoved, this, &ViewArea::notifyLayoutChanged);
    return pane;
}

void ViewArea::notifyLayoutChanged() {
    if (!restoring_) Q_EMIT layoutChanged();
}

QTabWidget* ViewArea::currentPane() const {
    if (current_) return current_;
    const auto all = panes();
    return all.isEmpty() ? nullptr : all.front();
}

void ViewArea::setCurrentPane(QTabWidget* pane) {
    if (current_ == pane) return;
    current_ = pane;
    Q_EMIT currentViewChanged(currentView());
}

QList<QTabWidget*> ViewArea::panes() const {
    QList<QTabWidget*> out;
    std::function<void(QWidget*)> walk = [&](QWidget* node) {
        if (auto* pane = qobject_cast<QTabWidget*>(node)) {
            out.push_back(pane);
        } else if (auto* split = qobject_cast<QSplitter*>(node)) {
            for (int i = 0; i < split->count(); ++i)
                walk(split->widget(i));
        }
    };
    walk(root_);
    return out;
}

int ViewArea::paneCount() const {
    return panes().size();
}

QWidget* ViewArea::createView(const ViewSpec& spec) {
    QWidget* view = factory_ ? factory_(spec) : nullptr;
    if (!view) return nullptr;
    specs_.insert(view, spec);
    watchView(view);
    return view;
}

void ViewArea::watchView(QWidget* view) {
    connect(view, &QObject::destroyed, this, [this, view] { specs_.remove(view); });
    view->installEventFilter(this);
}

bool ViewArea::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::DynamicPropertyChange &&
        static_cast<QDynamicPropertyChangeEvent*>(event)->propertyName() == kSettingsProperty) {
        auto* view = static_cast<QWidget*>(watched);
        auto it = specs_.find(view);
        if (it != specs_.end()) {
            const QJsonObject changed =
                QJsonObject::fromVariantMap(view->property(kSettingsProperty).toMap());
            for (auto c = changed.begin(); c != changed.end(); ++c)
                it->settings.insert(c.key(), c.value());
            notifyLayoutChanged();
        }
    }
    return QWidget::eventFilter(watched, event);
}

QWidget* ViewArea::addView(const ViewSpec& spec) {
    QWidget* view = createView(spec);
    if (!view) return nullptr;
    QTabWidget* pane = currentPane();
    pane->setCurrentIndex(pane->addTab(view, spec.title));
    notifyLayoutChanged();
    return view;
}

QWidget* ViewArea::currentView() const {
    QTabWidget* pane = currentPane();
    return pane ? pane->currentWidget() : nullptr;
}

QList<QWidget*> ViewArea::views() const {
    QList<QWidget*> out;
    for (auto* pane : panes()) {
        for (int i = 0; i < pane->count(); ++i)
            out.push_back(pane->widget(i));
    }
    return out;
}

ViewSpec ViewArea::specOf(QWidget* view) const {
    return specs_.value(view);
}

QSplitter* ViewArea::newSplitter(Qt::Orientation orientation) {
    auto* split = new QSplitter(orientation);
    split->setChildrenCollapsible(false);
    connect(split, &QSplitter::splitterMoved, this, &ViewArea::notifyLayoutChanged);
    return split;
}

void ViewArea::replaceNode(QWidget* old, QWidget* replacement) {
    if (auto* parentSplit = qobject_cast<QSplitter*>(old->parentWidget())) {
        const QList<int> sizes = parentSplit->sizes();
        parentSplit->insertWidget(parentSplit->indexOf(old), replacement);
        parentSplit->setSizes(sizes);
    } else {
        layout()->replaceWidget(old, replacement);
        root_ = replacement;
    }
}

void ViewArea::insertBeside(QTabWidget* existing, QTabWidget* added, Qt::Orientation orientation) {
    auto* parentSplit = qobject_cast<QSplitter*>(existing->parentWidget());
    if (parentSplit && parentSplit->orientation() == orientation) {
        parentSplit->insertWidget(parentSplit->indexOf(existing) + 1, added);
        parentSplit->setSizes(QList<int>(parentSplit->count(), 1));  // equal shares
        return;
    }
    QSplitter* split = newSplitter(orientation);
    replaceNode(existing, split);
    split->addWidget(existing);
    split->addWidget(added);
    split->setSizes({1, 1});
}

void ViewArea::splitCurrent(Qt::Orientation orientation) {
    QTabWidget* pane = currentPane();
    QWidget* view = currentView();
    if (!pane || !view) return;
    auto* added = newPane();
    insertBeside(pane, added, orientation);
    if (pane->count() > 1) {
        const int index = pane->indexOf(view);
        const QString title = pane->tabText(index);
        pane->removeTab(index);
        added->addTab(view, title);
    } else if (QWidget* copy = createView(specs_.value(view))) {
        added->addTab(copy, pane->tabText(pane->indexOf(view)));
    }
    setCurrentPane(added);
    notifyLayoutChanged();
}

void ViewArea::closeCurrentView() {
    QTabWidget* pane = currentPane();
    if (pane && pane->currentIndex() >= 0) Q_EMIT pane->tabCloseRequested(pane->currentIndex());
}

void ViewArea::closeAll() {
    for (QWidget* v : views()) {
        specs_.remove(v);
        delete v;
    }
    QWidget* fresh = newPane();
    layout()->replaceWidget(root_, fresh);
    delete root_;
    root_ = fresh;
    current_ = qobject_cast<QTabWidget*>(fresh);
    notifyLayoutChanged();
    Q_EMIT currentViewChanged(nullptr);
}

void ViewArea::moveCurrentViewToNextPane() {
    const auto all = panes();
    QTabWidget* pane = currentPane();
    QWidget* view = currentView();
    if (all.size() < 2 || !view) return;
    QTabWidget* target = all[(all.indexOf(pane) + 1) % all.size()];
    const int index = pane->indexOf(view);
    const QString title = pane->tabText(index);
    pane->removeTab(index);
    target->setCurrentIndex(target->addTab(view, title));
    setCurrentPane(target);
    removePaneIfEmpty(pane);
    notifyLayoutChanged();
}

void ViewArea::removePaneIfEmpty(QTabWidget* pane) {
    if (pane->count() > 0 || pane == root_) return;
    auto* split = qobject_cast<QSplitter*>(pane->parentWidget());
    if (current_ == pane) current_ = nullptr;
    pane->hide();
    pane->setParent(nullptr);
    pane->deleteLater();
    // A splitter left with one child is replaced by that child.
    while (split && split->count() == 1) {
        auto* outer = qobject_cast<QSplitter*>(split->parentWidget());
        replaceNode(split, split->widget(0));
        split->deleteLater();
        split->setParent(nullptr);
        split = outer;
    }
    if (!current_) current_ = panes().value(0);
}

QJsonObject ViewArea::saveNode(QWidget* node) const {
    if (auto* pane = qobject_cast<QTabWidget*>(node)) {
        QJsonArray views;
        for (int i = 0; i < pane->count(); ++i) {
            ViewSpec spec = specs_.value(pane->widget(i));
            spec.title = pane->tabText(i);
            views.append(specToJson(spec));
        }
        return {{"views", views}, {"current", pane->currentIndex()}};
    }
    auto* split = qobject_cast<QSplitter*>(node);
    QJsonArray children, sizes;
    for (int i = 0; i < split->count(); ++i)
        children.append(saveNode(split->widget(i)));
    for (int s : split->sizes())
        sizes.append(s);
    return {{"split", split->orientation() == Qt::Horizontal ? "horizontal" : "vertical"},
            {"children", children},
            {"sizes", sizes}};
}

QJsonObject ViewArea::saveLayout() const {
    return {{"root", saveNode(root_)}};
}

QWidget* ViewArea::restoreNode(const QJsonObject& node, QStringList* problems) {
    if (node.contains("split")) {
        QSplitter* split = newSplitter(node.value("split").toString() == QLatin1String("vertical")
                                           ? Qt::Vertical
                                           : Qt::Horizontal);
        for (const QJsonValue& child : node.value("children").toArray()) {
            split->addWidget(restoreNode(child.toObject(), problems));
        }
        QList<int> sizes;
        for (const QJsonValue& s : node.value("sizes").toArray())
            sizes.push_back(s.toInt());
        if (sizes.size() == split->count()) {
            split->setSizes(sizes);
            // Sizes are shares of the room the splitter will have; before it is
            // laid out they are not kept proportionally, so apply them again
            // once it has its geometry.
            QTimer::singleShot(0, split, [split, sizes] { split->setSizes(sizes); });
        }
        if (split->count() == 0) {
            delete split;
            return newPane();
        }
        return split;
    }
    QTabWidget* pane = newPane();
    for (const QJsonValue& v : node.value("views").toArray()) {
        const ViewSpec spec = specFromJson(v.toObject());
        if (QWidget* view = createView(spec)) {
            pane->addTab(view, spec.title);
        } else if (problems) {
            problems->push_back(QStringLiteral("unknown view type '%1' (\"%2\") skipped")
                                    .arg(spec.type, spec.title));
        }
    }
    pane->setCurrentIndex(std::min(node.value("current").toInt(0), pane->count() - 1));
    return pane;
}

void ViewArea::restoreLayout(QJsonObject layoutJson, QStringList* problems) {
    restoring_ = true;
    closeAll();
    if (!layoutJson.contains("root")) {
        restoring_ = false;
        return;
    }
    QWidget* restored = restoreNode(layoutJson.value("root").toObject(), problems);
    layout()->replaceWidget(root_, restored);
    delete root_;
    root_ = restored;
    current_ = panes().value(0);
    // Drop empty panes the file may describe (except a lone root pane).
    for (QTabWidget* pane : panes())
        removePaneIfEmpty(pane);
    restoring_ = false;
    Q_EMIT currentViewChanged(currentView());
}

}  // namespace basin::app
