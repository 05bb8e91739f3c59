#pragma once
// "gradcampp,ig" → the saliency methods, for the subcommands that take a list
// of them (`basin saliency --method`, `basin blockmnist --method`).

#include <QString>
#include <vector>

#include "saliency/SaliencyMethod.h"

namespace basin::app {

// Throws std::runtime_error naming an unknown key and listing the known ones,
// or saying that `option` names no method.
std::vector<SaliencyMethod> parseSaliencyMethods(const QString& list, const QString& option);

}  // namespace basin::app
