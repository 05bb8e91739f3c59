#pragma once
// The built-in demo's view layout: classic optimization landscapes as a 3D
// surface and as a heat map, side by side — the teaching demo that needs no
// files. (Demos on trained models join it as the engine grows.)

#include <QJsonObject>

namespace basin::app {

QJsonObject demoLayout();

}  // namespace basin::app
