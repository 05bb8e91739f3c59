#pragma once
// Inside core only: what a basin::Model holds. Includes libtorch; never
// include this from a public header, widgets/ or app/.

#include <torch/script.h>

#include <string>

#include "model/Model.h"

namespace basin {

struct Model::Impl {
    torch::jit::Module module;
    std::string name;  // file name or zoo architecture
};

}  // namespace basin
