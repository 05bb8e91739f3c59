#include "ui/DemoLayout.h"

#include <QJsonArray>

#include "ui/ViewFactory.h"

namespace basin::app {

QJsonObject demoLayout() {
    auto view = [](const ViewSpec& s) {
        return QJsonObject{{"type", s.type}, {"title", s.title}, {"settings", s.settings}};
    };
    const QJsonObject left{{"views", QJsonArray{view(analyticSurfaceSpec("himmelblau")),
                                                view(analyticSurfaceSpec("rastrigin")),
                                                view(analyticSurfaceSpec("rosenbrock"))}},
                           {"current", 0}};
    const QJsonObject right{{"views", QJsonArray{view(analyticContourSpec("himmelblau")),
                                                 view(analyticMapSpec("himmelblau")),
                                                 view(analyticMapSpec("six-hump-camel"))}},
                            {"current", 0}};
    return {{"root", QJsonObject{{"split", "horizontal"},
                                 {"children", QJsonArray{left, right}},
                                 {"sizes", QJsonArray{1, 1}}}}};
}

}  // namespace basin::app
